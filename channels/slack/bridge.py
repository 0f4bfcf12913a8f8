"""What the Slack listeners share: the agent, the database, the Web API client and the background work.

Listeners acknowledge Slack at once and hand the real work to ``SlackBridge.spawn``: a tracked
asyncio task (kept referenced, so it is never garbage-collected mid-flight, and awaitable by
``drain`` in tests and at shutdown). The agent and the tools are synchronous and CPU-bound, so they
run on a small thread pool; the event loop stays free to acknowledge the next request in time.
"""
from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import Session, sessionmaker

from domain.clock import Clock
from domain.settings import Settings
from domain.slack_events import claim_delivery, prune_deliveries, slack_user
from tools.context import Actor, ToolContext
from tools.registry import call_tool
from tools.results import to_payload

log = logging.getLogger(__name__)
T = TypeVar("T")
KEEP_DELIVERIES = timedelta(days=2)  # Slack retries for minutes; two days covers any replay worth catching


@dataclass
class SlackBridge:
    """The Slack side's services. ``agent`` is an ``agent.runner.Agent`` (run_turn, resume, pending)."""

    settings: Settings
    sessions: sessionmaker[Session]
    clock: Clock
    agent: Any
    client: AsyncWebClient
    workers: int = 4
    _executor: ThreadPoolExecutor | None = None
    _tasks: set[asyncio.Task] = field(default_factory=set)
    _locks: dict[str, asyncio.Lock] = field(default_factory=lambda: defaultdict(asyncio.Lock))

    # --- background work ---------------------------------------------------------------------

    def spawn(self, work: Awaitable[Any], name: str = "slack-work") -> asyncio.Task:
        """Run ``work`` after the acknowledgement; failures are logged, never lost silently."""
        task = asyncio.ensure_future(work)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Slack background work %s failed", task.get_name(), exc_info=task.exception())

    async def drain(self, timeout: float | None = None) -> None:
        """Wait until every piece of background work (including work it starts) has finished."""
        async def loop() -> None:
            while self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await asyncio.wait_for(loop(), timeout)

    @property
    def busy(self) -> int:
        return len(self._tasks)

    async def blocking(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a synchronous call (agent, tools, database) on the worker threads."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="c360-slack")
        return await asyncio.get_running_loop().run_in_executor(self._executor, partial(fn, *args, **kwargs))

    def conversation_lock(self, thread_id: str) -> asyncio.Lock:
        """One turn at a time per conversation in this process (two quick messages must not interleave)."""
        return self._locks[thread_id]

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    # --- the database, through the domain and the tools ----------------------------------------

    async def claim(self, **delivery: Any) -> bool:
        """Take on a delivery once (see ``domain.slack_events.claim_delivery``)."""
        return await self.blocking(claim_delivery, self.sessions, now=self.clock.now(), **delivery)

    async def prune(self) -> int:
        return await self.blocking(prune_deliveries, self.sessions, before=self.clock.now() - KEEP_DELIVERIES)

    async def actor(self, slack_user_id: str | None) -> Actor | None:
        """The c360 user behind a Slack user, or None: unknown users get no data."""
        def lookup() -> Actor | None:
            with self.sessions() as session:
                user = slack_user(session, slack_user_id)
            return Actor(id=user.id, name=user.name, role=user.role) if user else None
        return await self.blocking(lookup)

    async def tool(self, name: str, arguments: dict[str, Any], actor: Actor, *,
                   idempotency_key: str | None = None) -> dict[str, Any]:
        """Run one tool for ``actor`` (writes through the write gate); the JSON payload, ok or not."""
        ctx = ToolContext(sessions=self.sessions, actor=actor, clock=self.clock, settings=self.settings,
                          request_id=f"slack:{idempotency_key or name}"[:64], idempotency_key=idempotency_key)
        return await self.blocking(lambda: to_payload(call_tool(name, arguments, ctx)))

    async def refusal(self, name: str, arguments: dict[str, Any], actor: Actor) -> str | None:
        """Why ``actor`` may not make this write (the gate's proposal-time check), or None."""
        from tools.gate import preflight
        from tools.registry import load_tools

        def check() -> str | None:
            spec = load_tools()[name]
            ctx = ToolContext(sessions=self.sessions, actor=actor, clock=self.clock, settings=self.settings,
                              request_id=f"slack:check:{name}")
            try:
                args = spec.args_model.model_validate(arguments)
            except ValueError as exc:
                return str(exc)
            failure = preflight(spec, args, ctx)
            return failure.message if failure is not None else None
        return await self.blocking(check)
