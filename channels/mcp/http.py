"""``/mcp`` on ``c360 serve``: the MCP server over streamable HTTP, signed in with the API's bearer tokens.

Stateless: every request stands alone (a fresh transport, no session affinity), so any of several
``c360 serve`` processes behind a proxy can answer it; a write's proposal lives in the database, so
the call that approves it may reach another process than the call that proposed it. Elicitation
works on the 2026-07-28 protocol (``InputRequiredResult``); older clients get ``confirm_write``.
"""
from __future__ import annotations

import json

import anyio
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from starlette.types import Receive, Scope, Send

from channels.mcp.server import build_server
from domain.users import authenticate
from tools.context import Actor

UNAUTHORIZED = "missing, unknown or revoked API token: send Authorization: Bearer <token>"
# A bearer token is never sent by a browser on its own, so DNS rebinding cannot borrow a session:
# the Host check would only break c360 behind a reverse proxy.
NO_REBINDING_CHECK = TransportSecuritySettings(enable_dns_rebinding_protection=False)


class McpEndpoint:
    """The ASGI app mounted at ``/mcp``: 401 without a valid token, else one MCP request as its user."""

    def __init__(self, runtime):
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        actor = await anyio.to_thread.run_sync(self._actor, scope)
        if actor is None:
            await _unauthorized(send)
            return
        rt = self.runtime
        server = build_server(rt.settings, rt.sessions, rt.clock, lambda ctx: actor)
        manager = StreamableHTTPSessionManager(app=server, stateless=True, json_response=True,
                                               security_settings=NO_REBINDING_CHECK)
        async with manager.run():
            await manager.handle_request(scope, receive, send)

    def _actor(self, scope: Scope) -> Actor | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        with self.runtime.sessions() as session:
            user = authenticate(session, token.strip())
        return Actor(id=user.id, name=user.name, role=user.role) if user is not None else None


async def _unauthorized(send: Send) -> None:
    body = json.dumps({"detail": UNAUTHORIZED}).encode()
    await send({"type": "http.response.start", "status": 401,
                "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
