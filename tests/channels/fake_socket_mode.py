"""A local fake of Slack's Socket Mode server: a websocket on 127.0.0.1 that greets the app with
``hello``, sends envelopes the test hands it and records each acknowledgement, as Slack documents
(the app answers every envelope with ``{"envelope_id": ...}``, optionally with a ``payload``).
Point the fake Web API's ``apps.connections.open`` at it with ``fake_slack.socket_url = fake.url``."""
from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any

from websockets.asyncio.server import serve


class FakeSocketMode:
    def __init__(self) -> None:
        self.acks: dict[str, dict[str, Any]] = {}
        self.connections = 0
        self.authorizations: list[str] = []
        self._ids = itertools.count(1)
        self._outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._acked = asyncio.Condition()
        self._server = None

    async def __aenter__(self) -> FakeSocketMode:
        self._server = await serve(self._connection, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"ws://127.0.0.1:{port}/link/?ticket=test"
        return self

    async def __aexit__(self, *exc) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _connection(self, ws) -> None:
        self.connections += 1
        await ws.send(json.dumps({"type": "hello", "num_connections": 1,
                                  "connection_info": {"app_id": "A0001"}, "debug_info": {"host": "fake"}}))

        async def pump() -> None:
            while True:
                await ws.send(json.dumps(await self._outbox.get()))

        sender = asyncio.ensure_future(pump())
        try:
            async for raw in ws:
                message = json.loads(raw)
                if "envelope_id" in message:
                    async with self._acked:
                        self.acks[message["envelope_id"]] = message
                        self._acked.notify_all()
        finally:
            sender.cancel()

    async def send(self, kind: str, payload: dict[str, Any], *, retry_attempt: int = 0,
                   envelope_id: str | None = None) -> str:
        """Send one envelope (``events_api``, ``slash_commands`` or ``interactive``); returns its id."""
        envelope = envelope_id or f"env-{next(self._ids)}"
        await self._outbox.put({"envelope_id": envelope, "type": kind, "payload": payload,
                                "accepts_response_payload": kind != "events_api",
                                "retry_attempt": retry_attempt, "retry_reason": "timeout" if retry_attempt else ""})
        return envelope

    async def acked(self, envelope_id: str, timeout: float = 20.0) -> dict[str, Any]:
        async def wait() -> dict[str, Any]:
            async with self._acked:
                await self._acked.wait_for(lambda: envelope_id in self.acks)
                return self.acks[envelope_id]
        return await asyncio.wait_for(wait(), timeout)
