"""Socket Mode's connection, kept up in the background: a bad app token or an unreachable Slack
must not stop ``c360 serve`` (the HTTP API, the web page and HTTP Slack events still answer). Each
failure is logged with what to fix, retried with exponential backoff, and the state is shown in
``GET /healthz`` (``slack_socket_mode``)."""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

log = logging.getLogger("c360.slack")

FIRST_WAIT, MAX_WAIT = 1.0, 60.0
CONNECT_TIMEOUT = 15.0  # for the websocket Slack hands out to open


@dataclass
class SocketLinkState:
    state: str = "connecting"  # connecting, connected, retrying
    attempts: int = 0
    error: str | None = None
    next_retry_in: float | None = None
    connected_at: float | None = None


def _explain(exc: BaseException) -> str:
    from slack_sdk.errors import SlackApiError

    if isinstance(exc, SlackApiError):
        error = exc.response.get("error") if exc.response is not None else None
        if error in ("invalid_auth", "not_authed", "token_revoked", "not_allowed_token_type"):
            return (f"Slack refused the app token ({error}): C360_SLACK_APP_TOKEN must be the app-level token "
                    f"(xapp-...) with the connections:write scope")
        return f"Slack said {error or exc}"
    return f"Slack Socket Mode unreachable: {type(exc).__name__}: {exc}"


class SocketLink:
    """Connect ``handler`` (slack-bolt's ``AsyncSocketModeHandler``) until it works, then watch it."""

    def __init__(self, handler, *, first_wait: float | None = None, max_wait: float | None = None) -> None:
        self.handler = handler
        self.first_wait = FIRST_WAIT if first_wait is None else first_wait
        self.max_wait = MAX_WAIT if max_wait is None else max_wait
        self.status = SocketLinkState()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        wait = self.first_wait
        while True:
            self.status.attempts += 1
            try:
                await self._attempt()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure is logged and retried, never fatal
                self.status.state, self.status.error = "retrying", _explain(exc)
                self.status.next_retry_in = wait
                log.error("Slack Socket Mode did not connect (try %d): %s; retrying in %.0f s",
                          self.status.attempts, self.status.error, wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, self.max_wait)
                continue
            self.status = SocketLinkState("connected", self.status.attempts, None, None, time.time())
            log.info("Slack is on: Socket Mode")
            return  # from here slack-sdk's own client reconnects a dropped websocket

    async def _attempt(self) -> None:
        """One try: a fresh websocket URL (``apps.connections.open`` with the app token: a refused token
        raises here), then the websocket, within ``CONNECT_TIMEOUT`` (slack-sdk would retry a refused
        websocket forever on the same URL; each of our tries asks for a new one)."""
        client = self.handler.client
        client.wss_uri = await client.issue_new_wss_url()
        try:
            await asyncio.wait_for(client.connect(), CONNECT_TIMEOUT)
        except asyncio.TimeoutError:
            raise ConnectionError(f"the websocket Slack handed out did not open within {CONNECT_TIMEOUT:.0f} s") \
                from None

    def snapshot(self) -> dict:
        s = self.status
        return {"state": s.state, "attempts": s.attempts, "error": s.error, "next_retry_in": s.next_retry_in}

    async def close(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        if self.status.state == "connected":
            await self.handler.close_async()
