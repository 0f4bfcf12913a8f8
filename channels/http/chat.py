"""``POST /chat``, ``POST /chat/stream`` (server-sent events) and ``POST /chat/{thread_id}/decision``."""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import APIRouter, Path
from fastapi.responses import StreamingResponse

from agent.runner import AgentEvent
from channels.http.conversations import belongs_to, new_thread_id
from channels.http.deps import CurrentUser, RuntimeDep, ServerRuntime
from channels.http.errors import ERROR_RESPONSES, ApiError, ErrorResponse
from channels.http.schemas import (
    THREAD_ID_PATTERN,
    ChatRequest,
    ChatResponse,
    DecisionRequest,
    ToolCallOut,
    to_response,
)
from tools.context import Actor

log = logging.getLogger("c360.http")
router = APIRouter(tags=["chat"])

CHAT_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    400: {"model": ErrorResponse, "description": "The body is not valid JSON"},
    404: {"model": ErrorResponse, "description": "No such conversation for this user"},
    413: {"model": ErrorResponse, "description": "The message is over 8 KB"},
    429: {"model": ErrorResponse, "description": "Too many chat turns this minute (see Retry-After)"},
}
SSE_DOC = {
    "description": "Server-sent events: `tool` (a ToolCallOut, as each tool step finishes), `text` "
                   "({\"text\": chunk}) for the reply, then `final` (a ChatResponse); `error` ({\"detail\"}) "
                   "if the turn failed.",
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}


def _thread(runtime: ServerRuntime, user: Actor, thread_id: str | None) -> str:
    """A new thread id, or the given one when it is this user's and exists; else 404."""
    if thread_id is None:
        return new_thread_id(user)
    if not belongs_to(thread_id, user) or not (runtime.agent.history(thread_id) or runtime.agent.pending(thread_id)):
        raise ApiError(404, f"no conversation {thread_id!r} for you: send thread_id null to start one",
                       error="not_found")
    return thread_id


def _rate_limit(runtime: ServerRuntime, user: Actor) -> None:
    wait = runtime.limiter.retry_after(user.id)
    if wait:
        raise ApiError(429, f"more than {runtime.limiter.per_minute} chat turns in a minute: wait {wait} s",
                       error="rate_limited", headers={"Retry-After": str(wait)})


@router.post("/chat", response_model=ChatResponse, responses=CHAT_ERRORS,
             summary="Send a message; get the reply, cards, and any write waiting for approval")
def chat(body: ChatRequest, user: CurrentUser, runtime: RuntimeDep) -> ChatResponse:
    thread_id = _thread(runtime, user, body.thread_id)
    _rate_limit(runtime, user)
    with runtime.locks.hold(thread_id):
        return to_response(runtime.agent.run_turn(thread_id, user, body.message))


@router.post("/chat/{thread_id}/decision", response_model=ChatResponse,
             responses={**CHAT_ERRORS, 409: {"model": ErrorResponse, "description": "Nothing awaits approval (a retried decision of the last turn's write answers that write's outcome instead)"}},
             summary="Approve, edit or cancel the write a conversation is waiting on")
def decide(body: DecisionRequest, user: CurrentUser, runtime: RuntimeDep,
           thread_id: str = Path(pattern=THREAD_ID_PATTERN, description="The conversation's thread_id")) -> ChatResponse:
    thread_id = _thread(runtime, user, thread_id)
    with runtime.locks.hold(thread_id):
        if runtime.agent.pending(thread_id) is None:
            # a retried decision (the answer to the first one was lost) gets the committed outcome
            done = runtime.agent.decided(thread_id)
            if done is not None:
                return to_response(done)
            raise ApiError(409, "nothing in this conversation is waiting for approval", error="conflict")
        if body.decision == "edit" and not body.changes:
            raise ApiError(422, "decision 'edit' needs changes, e.g. {\"outcome\": \"callback\"}", error="invalid")
        result = runtime.agent.resume(thread_id, user, body.decision, body.changes or None)
    return to_response(result)


def _sse(kind: str, data: Any) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def _encode(event: AgentEvent) -> str:
    if event.kind == "tool":
        call = {k: v for k, v in event.data.items() if v is not None or k == "ok"}
        return _sse("tool", ToolCallOut(**call).model_dump(mode="json"))
    if event.kind == "text":
        return _sse("text", {"text": event.data})
    return _sse("final", to_response(event.data).model_dump(mode="json"))


def _produce(runtime: ServerRuntime, thread_id: str, user: Actor, message: str,
             push) -> None:
    """Run the whole turn on one thread (the graph's generator must not hop threads), pushing frames."""
    try:
        with runtime.locks.hold(thread_id):
            events: Iterator[AgentEvent] = runtime.agent.stream_turn(thread_id, user, message)
            for event in events:
                push(_encode(event))
    except Exception:  # the status line is already sent: report in-band
        log.exception("chat stream failed on thread %s", thread_id)
        push(_sse("error", {"detail": "the turn failed unexpectedly; try again"}))
    finally:
        push(None)


@router.post("/chat/stream", response_class=StreamingResponse, responses={200: SSE_DOC, **CHAT_ERRORS},
             summary="Like POST /chat, streamed as server-sent events while the turn runs")
async def chat_stream(body: ChatRequest, user: CurrentUser, runtime: RuntimeDep) -> StreamingResponse:
    thread_id = await asyncio.to_thread(_thread, runtime, user, body.thread_id)
    _rate_limit(runtime, user)
    loop = asyncio.get_running_loop()
    frames: asyncio.Queue[str | None] = asyncio.Queue()

    def push(frame: str | None) -> None:
        try:
            loop.call_soon_threadsafe(frames.put_nowait, frame)
        except RuntimeError:  # the server is shutting down: nobody is listening any more
            pass

    # the turn finishes (and is saved) even if the client goes away mid-stream
    threading.Thread(target=_produce, args=(runtime, thread_id, user, body.message, push),
                     name=f"chat-{thread_id}", daemon=True).start()

    async def stream() -> AsyncIterator[str]:
        while (frame := await frames.get()) is not None:
            yield frame

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
