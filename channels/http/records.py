"""A customer's notes, tags and consent over HTTP: each route a thin call of the tool the chat uses.

An API write by an authenticated user is its own approval: the request is the user's decision,
so the write runs at once through the same write gate (validation, one transaction, audit row,
permissions). Send an ``Idempotency-Key`` header to make a retried request write once.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel, ConfigDict, Field

from channels.http.customers import READ_ERRORS, CustomerRefPath
from channels.http.deps import CurrentUser, RuntimeDep, run_read_tool
from channels.http.errors import ApiError
from domain.notes import MAX_NOTE_CHARS, NOTE_TYPES
from tools.add_note import AddNoteResult
from tools.context import ToolContext
from tools.customer_records import MAX_NOTES, ConsentStatusResult, CustomerNotesResult
from tools.registry import call_tool
from tools.results import ToolError
from tools.tag_customer import TagCustomerResult
from tools.update_consent import UpdateConsentResult

router = APIRouter(tags=["customer records"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=80,
                                              description="Repeat it on a retry: the write happens once")]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(description=f"The note, at most {MAX_NOTE_CHARS} characters")
    type: Literal[NOTE_TYPES] = "internal"  # type: ignore[valid-type]
    pinned: bool = False


class TagsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: str = Field(description="whatsapp, sms, email, instagram, facebook or all")
    opted_in: bool
    reason: str | None = None
    source: str = "agent"


def run_write_tool(runtime, user, name: str, args: dict[str, Any], key: str | None) -> Any:
    """Run a write tool as ``user`` (the request is the approval); its error becomes the HTTP answer."""
    ctx = ToolContext(sessions=runtime.sessions, actor=user, clock=runtime.clock, settings=runtime.settings,
                      request_id=f"http:{name}", idempotency_key=f"http:{user.id}:{key}" if key else None)
    outcome = call_tool(name, args, ctx)
    if isinstance(outcome, ToolError):
        raise ApiError.from_tool(outcome)
    return outcome


@router.get("/customers/{customer}/notes", response_model=CustomerNotesResult, responses=READ_ERRORS,
            summary="A customer's notes, newest first, with authors")
def get_notes(customer: CustomerRefPath, user: CurrentUser, runtime: RuntimeDep,
              limit: Annotated[int, Query(ge=1, le=MAX_NOTES)] = 50,
              pinned: Annotated[bool | None, Query(description="Only pinned (true) or unpinned (false)")] = None) -> Any:
    return run_read_tool(runtime, user, "list_notes", {"customer": customer, "limit": limit, "pinned": pinned})


@router.post("/customers/{customer}/notes", response_model=AddNoteResult, status_code=201, responses=READ_ERRORS,
             summary="Add a note (the add_note tool), signed by the caller")
def post_note(customer: CustomerRefPath, body: NoteIn, user: CurrentUser, runtime: RuntimeDep,
              idempotency_key: IdempotencyKey = None) -> Any:
    return run_write_tool(runtime, user, "add_note", {"customer": customer, **body.model_dump()}, idempotency_key)


@router.post("/customers/{customer}/tags", response_model=TagCustomerResult, responses=READ_ERRORS,
             summary="Add and/or remove tags (the tag_customer tool)")
def post_tags(customer: CustomerRefPath, body: TagsIn, user: CurrentUser, runtime: RuntimeDep,
              idempotency_key: IdempotencyKey = None) -> Any:
    return run_write_tool(runtime, user, "tag_customer", {"customer": customer, **body.model_dump()},
                          idempotency_key)


@router.get("/customers/{customer}/consent", response_model=ConsentStatusResult, responses=READ_ERRORS,
            summary="Consent per channel now, quiet hours, and the consent log")
def get_consent(customer: CustomerRefPath, user: CurrentUser, runtime: RuntimeDep,
                log_limit: Annotated[int, Query(ge=1, le=500)] = 50) -> Any:
    return run_read_tool(runtime, user, "consent_status", {"customer": customer, "log_limit": log_limit})


@router.post("/customers/{customer}/consent", response_model=UpdateConsentResult, responses=READ_ERRORS,
             summary="Opt a customer in or out of a channel, or all (the update_consent tool)")
def post_consent(customer: CustomerRefPath, body: ConsentIn, user: CurrentUser, runtime: RuntimeDep,
                 idempotency_key: IdempotencyKey = None) -> Any:
    return run_write_tool(runtime, user, "update_consent", {"customer": customer, **body.model_dump()},
                          idempotency_key)
