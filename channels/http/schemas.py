"""Request and response models of the chat API (the OpenAPI page is generated from these)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from agent.runner import TurnResult

MAX_MESSAGE_BYTES = 8 * 1024
THREAD_ID_PATTERN = r"^[A-Za-z0-9_.:-]{1,120}$"


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"message": "who should I call today?", "thread_id": None}]})

    # the limit is in bytes, checked below (413); maxLength tells clients the ASCII case
    message: str = Field(min_length=1, description="What the user says, up to 8 KB (UTF-8)",
                         json_schema_extra={"maxLength": MAX_MESSAGE_BYTES})
    thread_id: str | None = Field(None, pattern=THREAD_ID_PATTERN,
                                  description="The conversation to continue; null starts a new one")

    @field_validator("message")
    @classmethod
    def _size(cls, value: str) -> str:
        size = len(value.encode("utf-8"))
        if size > MAX_MESSAGE_BYTES:
            raise PydanticCustomError("too_large", "message is {size} bytes; the limit is 8 KB ({limit} bytes): "
                                      "send a shorter message", {"size": size, "limit": MAX_MESSAGE_BYTES})
        if not value.strip():
            raise ValueError("message is empty: say what you need")
        return value


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"decision": "approve"}, {"decision": "edit", "changes": {"outcome": "callback"}}]})

    decision: Literal["approve", "cancel", "edit"] = Field(description="What to do with the pending write")
    changes: dict[str, Any] = Field(default_factory=dict,
                                    description="For 'edit': the arguments to change, e.g. {\"outcome\": \"callback\"}")


class ToolCallOut(BaseModel):
    """One tool call the agent made in the turn."""

    id: str | None = None
    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    ok: bool | None = None
    status: str | None = Field(None, description="read, done, cancelled, failed, ...")
    error: Any = None
    write: bool | None = None
    text: str | None = Field(None, description="The tool's short plain-text result")


class Card(BaseModel):
    """A tool's structured result for a client to render; ``tool`` says which shape it has
    (call_priority_list: entries; get_360: profile, metrics, timeline...; draft_reply: draft, allowed...)."""

    model_config = ConfigDict(extra="allow")

    tool: str
    ok: bool = True
    text: str = ""


class EditableField(BaseModel):
    """One argument of a waiting write that may be changed with decision 'edit'."""

    name: str
    kinds: list[str] = Field(description="JSON types the value may take, e.g. ['null', 'string']")
    enum: list[Any] | None = Field(None, description="The allowed values, when the argument is an enumeration")
    description: str | None = None
    value: Any = Field(None, description="What the agent proposed (null: the tool's default)")


class PendingWrite(BaseModel):
    """A write waiting for approval: decide with POST /chat/{thread_id}/decision."""

    model_config = ConfigDict(extra="allow")

    kind: str = "confirm_write"
    tool: str
    action: str | None = None
    customer: dict[str, Any] | None = Field(None, description="{id, name} of the customer it writes to")
    arguments: dict[str, Any] = Field(default_factory=dict)
    summary: str = Field("", description="What will be written, in words")
    problem: str | None = None
    fields: list[EditableField] = Field(default_factory=list,
                                        description="What decision 'edit' may change, with the proposed values")


class ChatResponse(BaseModel):
    thread_id: str
    reply: str
    cards: list[Card] = Field(default_factory=list)
    pending: PendingWrite | None = None
    tool_calls: list[ToolCallOut] = Field(default_factory=list)


class DemoToken(BaseModel):
    token: str = Field(description="A bearer token for the demo agent")
    user: str
    role: str
    note: str


class Me(BaseModel):
    id: int
    name: str
    role: str


class DatabaseHealth(BaseModel):
    reachable: bool
    backend: str
    revision: str | None
    head: str
    up_to_date: bool
    error: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: DatabaseHealth
    model_backend: str
    slack: bool = Field(description="Whether the Slack routes are mounted")
    slack_socket_mode: dict | None = Field(
        None, description="Socket Mode's connection, when C360_SLACK_APP_TOKEN is set: state (connecting, connected, "
                          "retrying), attempts, the last error and the seconds until the next try")
    demo_mode: bool


def to_response(result: TurnResult) -> ChatResponse:
    """The API's view of a turn; each card is labelled with the tool that produced it."""
    # the runner keeps the results of the successful calls, in call order: pair them back up
    succeeded = [c for c in result.calls if c.get("ok")]
    cards = [Card(tool=call["name"], **card) for call, card in zip(succeeded, result.cards)]
    return ChatResponse(
        thread_id=result.thread_id, reply=result.reply, cards=cards,
        pending=_pending(result.pending) if result.pending else None,
        tool_calls=[ToolCallOut(**{k: v for k, v in c.items() if v is not None or k == "ok"})
                    for c in result.calls],
    )


def _pending(pending: dict[str, Any]) -> PendingWrite:
    """The waiting write, with the fields an edit may change (from the tool's schema)."""
    from tools.registry import editable_fields

    fields = editable_fields(pending["tool"], pending.get("arguments") or {}) if pending.get("tool") else []
    return PendingWrite(**{**pending, "fields": fields})
