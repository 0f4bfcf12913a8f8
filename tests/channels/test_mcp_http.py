"""``/mcp`` on the HTTP server, with the official MCP client SDK over streamable HTTP: the API's bearer
token signs the client in (401 without one), reads answer as that user, and a write elicited in the
client is written once; its proposal may be confirmed through another client (another process)."""
from __future__ import annotations

import anyio
import httpx
import httpx2
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from sqlalchemy import func, select

from domain.models import Interaction
from tests.channels.http_fixtures import running_server

CALL = {"customer": "Rahim Uddin", "type": "call", "notes": "asked about the kettle", "outcome": "interested"}


def logged(api) -> int:
    with api.sessions() as session:
        return session.scalar(select(func.count()).select_from(Interaction)
                              .where(Interaction.customer_id == api.ids["rahim"]))


def client(base: str, token: str, **kwargs) -> Client:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30)
    return Client(streamable_http_client(f"{base}/mcp", http_client=http), **kwargs)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # no token, no database work
def test_mcp_over_http_needs_a_token(api):
    with running_server(api.app) as base:
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        headers = {"Accept": "application/json, text/event-stream"}
        missing = httpx.post(f"{base}/mcp", json=body, headers=headers)
        wrong = httpx.post(f"{base}/mcp", json=body, headers={**headers, "Authorization": "Bearer nope"})
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert wrong.status_code == 401 and "token" in wrong.json()["detail"]


def test_mcp_over_http_reads_and_writes_as_the_tokens_user(api):
    async def elicit(context, params):
        return types.ElicitResult(action="accept", content={"approve": True})

    async def session(base):
        async with client(base, api.tokens["rina"], elicitation_callback=elicit) as mcp:
            names = {tool.name for tool in (await mcp.list_tools()).tools}
            read = await mcp.call_tool("get_360", {"customer": "Rahim Uddin"})
            written = await mcp.call_tool("log_interaction", CALL)
        async with client(base, api.tokens["rina"]) as first, client(base, api.tokens["rina"]) as second:
            proposed = await first.call_tool("log_interaction", {**CALL, "notes": "second call"})
            assert "proposal_id" in (proposed.structured_content or {}), proposed
            proposal_id = proposed.structured_content["proposal_id"]
            confirmed = await second.call_tool("confirm_write", {"proposal_id": proposal_id, "approve": True})
            repeated = await first.call_tool("confirm_write", {"proposal_id": proposal_id, "approve": True})
        return names, read, written, confirmed, repeated

    before = logged(api)
    with running_server(api.app) as base:
        names, read, written, confirmed, repeated = anyio.run(session, base)
    assert {"get_360", "log_interaction", "confirm_write"} <= names
    assert not read.is_error and read.structured_content["profile"]["name"] == "Rahim Uddin"
    assert not written.is_error and written.structured_content["interaction"]["customer_name"] == "Rahim Uddin"
    assert not confirmed.is_error and repeated.structured_content["replayed"] is True
    assert logged(api) == before + 2
