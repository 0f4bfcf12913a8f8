"""c360's MCP server driven by the official MCP client SDK (``mcp.Client``).

Against a real ``c360 mcp`` subprocess over stdio: the tool list comes from the registry, a read
answers at once, a write approved in the client is written once with its audit row, a declined one
writes nothing. In process (the same server object, on both database engines): the older protocol's
elicitation, and a client without elicitation that gets a proposal only ``confirm_write`` turns into
the write (once, however often it is sent), for the user who proposed it only."""
from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import anyio
import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters
from sqlalchemy import func, select

from channels.mcp.server import build_server
from domain.models import AuditLog, Interaction
from domain.settings import Settings
from tests.factories import make_customer, make_order, make_user
from tools.context import Actor

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(db_url, sessions, tmp_path):
    with sessions.begin() as session:
        rina = make_user(session, "Rina Akter")
        karim = make_user(session, "Karim Hasan")
        rahim = make_customer(session, "Rahim Uddin", phone="01712345678", email="rahim@example.com",
                              city="Dhaka", assigned_to=rina)
        make_order(session, rahim, at=date(2026, 10, 1), amount=4500, items=["Blue Kettle"])
        ids = {"rina": rina.id, "rahim": rahim.id}
        actors = {user.name: Actor(id=user.id, name=user.name, role=user.role)
                  for user in (rina, karim)}
    env = {**os.environ, "C360_DATABASE_URL": db_url, "C360_DATA_DIR": str(tmp_path),
           "C360_NOW": "2026-11-20T10:30:00+06:00", "C360_TIMEZONE": "Asia/Dhaka", "C360_LLM_BACKEND": "offline"}
    env.pop("C360_CLI_USER", None)
    settings = Settings(_env_file=None, database_url=db_url, data_dir=tmp_path, timezone="Asia/Dhaka",
                        llm_backend="offline")
    return {"env": env, "ids": ids, "sessions": sessions, "settings": settings, "actors": actors}


def in_process(world, clock, user: str = "Rina Akter"):
    """The MCP server object ``c360 mcp`` runs, acting as ``user``, for an in-process ``Client``."""
    actor = world["actors"][user]
    return build_server(world["settings"], world["sessions"], clock, lambda ctx: actor)


def server(world, user: str = "Rina Akter") -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "channels.cli", "mcp", "--as", user],
                                 env=world["env"], cwd=str(ROOT))


def counts(world) -> tuple[int, int]:
    with world["sessions"]() as session:
        logged = session.scalar(select(func.count()).select_from(Interaction)
                                .where(Interaction.customer_id == world["ids"]["rahim"]))
        audited = session.scalar(select(func.count()).select_from(AuditLog)
                                 .where(AuditLog.action == "log_interaction"))
    return logged, audited


CALL = {"customer": "rahim", "type": "call", "notes": "asked about the kettle", "outcome": "interested"}


def run(coro_fn):
    return anyio.run(coro_fn)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # one subprocess run; engines: below
def test_c360_mcp_subprocess_lists_tools_reads_and_writes_only_what_the_user_approved(world):
    answers: list[types.ElicitResult] = []
    asked: list[str] = []

    async def elicit(context, params):
        asked.append(params.message)
        return answers.pop(0)

    async def session():
        async with Client(server(world), elicitation_callback=elicit) as client:
            listed = {tool.name: tool for tool in (await client.list_tools()).tools}
            read = await client.call_tool("get_360", {"customer": "rahim"})
            answers.append(types.ElicitResult(action="accept", content={"approve": True}))
            approved = await client.call_tool("log_interaction", CALL)
            after_approve = counts(world)
            answers.append(types.ElicitResult(action="decline"))
            declined = await client.call_tool("log_interaction", {**CALL, "notes": "declined one"})
            answers.append(types.ElicitResult(action="accept", content={"approve": False}))
            said_no = await client.call_tool("log_interaction", {**CALL, "notes": "said no in the form"})
            return listed, read, approved, after_approve, declined, said_no

    before = counts(world)
    listed, read, approved, after_approve, declined, said_no = run(session)

    from tools.registry import offered_tools
    assert set(listed) == {*offered_tools(), "confirm_write"}  # generated from the registry
    assert "export_customer" not in listed  # channel-only tools stay channel-only
    schema = listed["log_interaction"].input_schema
    assert {"customer", "type", "notes"} <= set(schema["required"]) and "$ref" not in str(schema)
    assert listed["get_360"].annotations.read_only_hint is True
    assert listed["log_interaction"].annotations.read_only_hint is False

    assert not read.is_error
    assert read.structured_content["profile"]["name"] == "Rahim Uddin"
    assert "01712345678" not in str(read.structured_content) and "rahim@example.com" not in str(read.content)

    assert len(asked) == 3 and "Rahim Uddin (#" in asked[0] and "asked about the kettle" in asked[0]
    assert not approved.is_error and approved.structured_content["interaction"]["notes"] == "asked about the kettle"
    assert after_approve == (before[0] + 1, before[1] + 1)  # written once, with its audit row
    assert declined.is_error and declined.structured_content["error"] == "cancelled"
    assert said_no.is_error and said_no.structured_content["error"] == "cancelled"
    assert counts(world) == after_approve  # the declined ones wrote nothing


def test_older_protocol_asks_with_elicitation_create_during_the_call(world, clock):
    answers = [types.ElicitResult(action="accept", content={"approve": True}), types.ElicitResult(action="cancel")]

    async def elicit(context, params):
        return answers.pop(0)

    async def session():
        async with Client(in_process(world, clock), mode="legacy", elicitation_callback=elicit) as client:
            yes = await client.call_tool("log_interaction", CALL)
            cancelled = await client.call_tool("log_interaction", {**CALL, "notes": "cancelled one"})
            return yes, cancelled

    before = counts(world)
    yes, cancelled = run(session)
    assert not yes.is_error and not answers
    assert cancelled.is_error and cancelled.structured_content["error"] == "cancelled"
    assert counts(world) == (before[0] + 1, before[1] + 1)


def test_without_elicitation_a_write_waits_for_confirm_write_and_is_written_once(world, clock):
    async def session():
        async with Client(in_process(world, clock)) as client:
            proposed = await client.call_tool("log_interaction", CALL)
            nothing_yet = counts(world)
            proposal_id = proposed.structured_content["proposal_id"]
            first = await client.call_tool("confirm_write", {"proposal_id": proposal_id, "approve": True})
            again = await client.call_tool("confirm_write", {"proposal_id": proposal_id, "approve": True})
            late_no = await client.call_tool("confirm_write", {"proposal_id": proposal_id, "approve": False})
            other = await client.call_tool("log_interaction", {**CALL, "notes": "not wanted"})
            other_id = other.structured_content["proposal_id"]
            no = await client.call_tool("confirm_write", {"proposal_id": other_id, "approve": False})
            late_yes = await client.call_tool("confirm_write", {"proposal_id": other_id, "approve": True})
            unknown = await client.call_tool("confirm_write", {"proposal_id": "made-up", "approve": True})
            missing = await client.call_tool("log_interaction", {**CALL, "customer": "Nobody Atall"})
            return proposed, nothing_yet, first, again, late_no, no, late_yes, unknown, missing

    before = counts(world)
    proposed, nothing_yet, first, again, late_no, no, late_yes, unknown, missing = run(session)
    assert proposed.structured_content["status"] == "needs_approval"
    assert "Rahim Uddin (#" in proposed.structured_content["summary"]
    assert proposed.structured_content["arguments"]["customer"] == world["ids"]["rahim"]  # pinned to who was shown
    assert nothing_yet == before
    assert not first.is_error and first.structured_content["replayed"] is False
    assert not again.is_error and again.structured_content["replayed"] is True
    assert late_no.is_error and late_no.structured_content["error"] == "conflict"
    assert no.is_error and no.structured_content["error"] == "cancelled"
    assert late_yes.is_error and late_yes.structured_content["error"] == "cancelled"
    assert unknown.is_error and unknown.structured_content["error"] == "not_found"
    assert missing.is_error and missing.structured_content["error"] == "not_found"  # said before any approval
    assert counts(world) == (before[0] + 1, before[1] + 1)


def test_a_proposal_is_only_for_the_user_who_made_it(world, clock):
    async def as_rina():
        async with Client(in_process(world, clock)) as client:
            return (await client.call_tool("log_interaction", CALL)).structured_content["proposal_id"]

    proposal_id = run(as_rina)

    async def as_karim():
        async with Client(in_process(world, clock, "Karim Hasan")) as client:
            return await client.call_tool("confirm_write", {"proposal_id": proposal_id, "approve": True})

    before = counts(world)
    stolen = run(as_karim)
    assert stolen.is_error and stolen.structured_content["error"] == "not_found"
    assert counts(world) == before
