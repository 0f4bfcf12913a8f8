"""Request body limits, enforced before anything reads or parses a body (an ASGI middleware).

A request whose ``Content-Length`` is over the route's limit is answered 413 at once, its body never
read; a body without a length (chunked) is counted as it arrives and cut off the moment it passes
the limit: the app sees a disconnect, the client a 413. So no unauthenticated client can make the
server hold more than the limit per request in memory. Limits: ``C360_MAX_REQUEST_BYTES`` for
every route, ``C360_SLACK_MAX_REQUEST_BYTES`` for Slack's (its payloads carry whole messages).
"""
from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    """``app`` with at most ``limit`` bytes of body per request (``per_path`` overrides by prefix)."""

    def __init__(self, app: ASGIApp, *, limit: int, per_path: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.per_path = sorted((per_path or {}).items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        return next((n for prefix, n in self.per_path if path.startswith(prefix)), self.limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(send, limit)
            return
        state: dict[str, Any] = {"seen": 0, "started": False, "cut": False}

        async def counted_receive() -> Message:
            if state["cut"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["seen"] += len(message.get("body", b""))
                if state["seen"] > limit:
                    state["cut"] = True
                    if not state["started"]:
                        await _too_large(send, limit)
                        state["started"] = True
                    return {"type": "http.disconnect"}  # the app stops reading; nothing is parsed
            return message

        async def guarded_send(message: Message) -> None:
            if state["cut"]:
                return  # the 413 is the answer; whatever the app says after the cut-off is dropped
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, counted_receive, guarded_send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers") or ():
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _too_large(send: Send, limit: int) -> None:
    detail = f"the request body is too large: the limit is {limit:,} bytes"
    body = json.dumps({"detail": detail, "error": "too_large"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
