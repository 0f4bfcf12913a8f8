"""c360's tools as an MCP server: the tool registry's tools, schemas and role checks, for any MCP client.

The tool list is generated from ``tools.registry`` on every ``tools/list``, so a tool registered
there appears here with no other change. Reads run at once as the acting user. A write never runs
on the model's say-so: the server stores a proposal (``tools.approvals``) and asks the person:

* clients that support elicitation are asked in their own UI: on the 2026-07-28 protocol by an
  ``InputRequiredResult`` (the retried call carries the answer and the proposal id as its
  ``requestState``), on older protocols by an ``elicitation/create`` request during the call;
* other clients get ``needs_approval`` with a ``proposal_id``, and the write happens only when
  ``confirm_write`` is called with that id and ``approve: true`` (``false`` declines it).

Either way the write goes through the write gate with a key made from the proposal id, so an
approval repeated (a retry, a double click, a second process) writes once. Phone numbers and
emails in results are masked, as for every LLM c360 talks to: an MCP client is one.
"""
from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Callable

import anyio
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from agent.privacy import Masker
from agent.proposals import build_proposal, describe
from domain.clock import Clock
from domain.db import read_session
from domain.errors import DomainError
from domain.settings import Settings
from tools.approvals import Proposal, load_proposal, save_proposal, settle
from tools.context import Actor, ToolContext
from tools.registry import call_tool, error_from, is_offered, is_write, load_tools, offered_tools, validate_args
from tools.resolve import resolve_customer
from tools.results import ToolError, ToolResult, to_payload

log = logging.getLogger("c360.mcp")

CONFIRM_TOOL = "confirm_write"
APPROVAL_KEY = "approval"  # the key of our one input request in an InputRequiredResult
APPROVAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"approve": {"type": "boolean", "title": "Make this change",
                               "description": "Yes writes it; no writes nothing.", "default": False}},
    "required": ["approve"],
}
INSTRUCTIONS = (
    "c360 is a Customer 360 assistant for a sales desk: call lists, customer 360 views, logging "
    "calls, consent-aware reply drafts. Reads answer at once. Every write asks the user first; when "
    "a write answers needs_approval, show its summary to the user and call confirm_write with its "
    "proposal_id only after they said yes (approve: false when they said no). Phone numbers and "
    "emails are shown masked as [PHONE_1] / [EMAIL_1]: refer to customers by id or name."
)


class ConfirmArgs(BaseModel):
    proposal_id: str = Field(description="The proposal_id a write answered with (needs_approval).")
    approve: bool = Field(description="true: the user said yes, make the write; false: they said no.")


CONFIRM_DESCRIPTION = (
    "Make or decline a write that answered needs_approval. Call it only after showing the user the "
    "write's summary and getting their answer: approve=true writes it (once, however often it is "
    "repeated), approve=false writes nothing."
)

ActorFor = Callable[[ServerRequestContext], Actor | None]


def build_server(settings: Settings, sessions: sessionmaker[Session], clock: Clock,
                 actor_for: ActorFor) -> Server:
    """The MCP server; ``actor_for(ctx)`` says who is acting on a request (None: refuse it)."""

    def tool_context(actor: Actor) -> ToolContext:
        return ToolContext(sessions=sessions, actor=actor, clock=clock, settings=settings,
                           request_id=f"mcp-{uuid.uuid4().hex[:12]}")

    async def list_tools(ctx: ServerRequestContext, params: types.PaginatedRequestParams | None):
        return types.ListToolsResult(tools=tool_list())

    async def call(ctx: ServerRequestContext, params: types.CallToolRequestParams):
        actor = actor_for(ctx)
        if actor is None:
            return as_result(ToolError(error="forbidden", message="not signed in: send a valid API token"))
        tctx = tool_context(actor)
        name, arguments = params.name, dict(params.arguments or {})
        if name == CONFIRM_TOOL:
            try:
                confirm = ConfirmArgs.model_validate(arguments)
            except ValidationError as exc:
                return as_result(ToolError(error="invalid", message=f"invalid arguments for {name}: {exc}"))
            return as_result(await anyio.to_thread.run_sync(settle, tctx, confirm.proposal_id, confirm.approve))
        if not is_offered(name):
            return as_result(ToolError(error="unknown_tool", message=f"there is no tool {name!r}; the tools are: "
                                       f"{', '.join([*offered_tools(), CONFIRM_TOOL])}"))
        if not is_write(name):
            return as_result(await anyio.to_thread.run_sync(call_tool, name, arguments, tctx))
        if params.input_responses and params.request_state:  # the retried call carrying the answer
            return as_result(await anyio.to_thread.run_sync(answered, tctx, name, params))
        proposal = await anyio.to_thread.run_sync(propose, tctx, name, arguments)
        if isinstance(proposal, ToolError):
            return as_result(proposal)
        message = f"{Masker().mask(proposal.summary)}\n\nMake this change?"
        capabilities = ctx.session.client_capabilities
        if capabilities is not None and capabilities.elicitation is not None:
            request = types.ElicitRequest(params=types.ElicitRequestFormParams(
                message=message, requested_schema=APPROVAL_SCHEMA))
            if ctx.protocol_version in MODERN_PROTOCOL_VERSIONS:
                return types.InputRequiredResult(input_requests={APPROVAL_KEY: request},
                                                 request_state=proposal.id)
            if ctx.session.can_send_request:
                answer = await ctx.session.elicit_form(message=message, requested_schema=APPROVAL_SCHEMA,
                                                       related_request_id=ctx.request_id)
                return as_result(await anyio.to_thread.run_sync(settle, tctx, proposal.id, approved(answer)))
        return needs_approval(proposal)

    return Server("c360", version="0.1.0", instructions=INSTRUCTIONS,
                  on_list_tools=list_tools, on_call_tool=call)


def tool_list() -> list[types.Tool]:
    """Every tool the registry offers to models, with its generated schema, and ``confirm_write``."""
    specs = load_tools()
    tools = []
    for name in offered_tools():
        spec = specs[name]
        description = spec.description
        if spec.kind == "write":
            description += ("\n\nA write: nothing changes until the user approves it (in this client, or "
                            "via confirm_write with the proposal_id it answers).")
        tools.append(types.Tool(
            name=name, description=description, input_schema=spec.openai_schema()["function"]["parameters"],
            annotations=types.ToolAnnotations(read_only_hint=spec.kind == "read", destructive_hint=False,
                                              idempotent_hint=spec.kind == "read", open_world_hint=False)))
    tools.append(types.Tool(
        name=CONFIRM_TOOL, description=CONFIRM_DESCRIPTION, input_schema=_schema(ConfirmArgs),
        annotations=types.ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True,
                                          open_world_hint=False)))
    return tools


def propose(ctx: ToolContext, name: str, arguments: dict[str, Any]) -> Proposal | ToolError:
    """A stored proposal for a write, or the error that makes it impossible (nothing is stored then)."""
    reference = arguments.get("customer")
    if reference not in (None, "") and not arguments.get("dropoff_id"):
        try:  # a customer that is not found or ambiguous is said at once, not after an approval
            with read_session(ctx.sessions) as session:
                resolve_customer(session, reference, ctx.actor, ctx.settings)
        except DomainError as exc:
            return error_from(exc)
    built = build_proposal({"id": "mcp", "name": name, "arguments": arguments}, ctx)
    if built is not None:  # the write the user approves is the one on the customer they were shown
        pinned = {**built["arguments"]}
        if pinned.get("customer") not in (None, "") and built.get("customer"):
            pinned["customer"] = built["customer"]["id"]
        return save_proposal(ctx, name, pinned, built["summary"])
    # arguments the graph would leave to the tool (invalid ones, a choice between drop-offs):
    # invalid ones are refused here; anything else still waits for the user's yes
    args = validate_args(name, arguments)
    if isinstance(args, ToolError):
        return args
    clean = args.model_dump(mode="json", exclude_none=True)
    return save_proposal(ctx, name, clean, describe(name, None, clean))


def answered(ctx: ToolContext, name: str, params: types.CallToolRequestParams) -> ToolResult | ToolError:
    """The second leg of an InputRequiredResult: the user's answer for the proposal in requestState."""
    proposal = load_proposal(ctx, params.request_state or "")
    if isinstance(proposal, ToolError):
        return proposal
    if proposal.tool != name:
        return ToolError(error="invalid", message=f"proposal {proposal.id} is for {proposal.tool}, not {name}")
    return settle(ctx, proposal.id, approved((params.input_responses or {}).get(APPROVAL_KEY)))


def approved(answer: Any) -> bool:
    """Only an accepted form with approve=true is a yes; a decline, a cancel or anything else is a no."""
    if not isinstance(answer, types.ElicitResult) or answer.action != "accept":
        return False
    return (answer.content or {}).get("approve") is True


def needs_approval(proposal: Proposal) -> types.CallToolResult:
    masked = Masker().mask_value({"ok": True, "status": "needs_approval", "proposal_id": proposal.id,
                                  "tool": proposal.tool, "arguments": proposal.arguments,
                                  "summary": proposal.summary})
    text = (f"Nothing written yet: this write needs the user's approval.\n{masked['summary']}\n"
            f"Show this to the user. If they approve, call {CONFIRM_TOOL} with proposal_id "
            f"\"{proposal.id}\" and approve=true; if not, with approve=false.")
    masked["text"] = text
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], structured_content=masked)


def as_result(outcome: ToolResult | ToolError) -> types.CallToolResult:
    """A tool's result (or error) for the client: its short text and the JSON, phones and emails masked."""
    payload = Masker().mask_value(to_payload(outcome))
    text = payload.get("text") or ""
    blocks = [types.TextContent(type="text", text=text),
              types.TextContent(type="text", text=json.dumps(payload, ensure_ascii=False, default=str))]
    return types.CallToolResult(content=blocks, structured_content=payload, is_error=not payload.get("ok"))


def _schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema.pop("title", None)
    return schema
