"""The alert delivery worker: claim due outbox rows, send each, settle it. ``c360 serve`` runs one
in a daemon thread (``C360_ALERT_WORKER``); ``c360 alerts worker`` runs one alone. Any number may
run at once, in one process or many: the outbox's leases keep them off each other's rows."""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime

import httpx
from sqlalchemy.orm import Session, sessionmaker

from channels.alerts.senders import SlackSender, WebhookSender, slack_client
from domain.alerts.outbox import Claimed, Outcome, claim, finish
from domain.clock import Clock
from domain.settings import Settings

log = logging.getLogger("c360.alerts")


class AlertWorker:
    def __init__(self, settings: Settings, sessions: sessionmaker[Session], clock: Clock | None = None, *,
                 now: Callable[[], datetime] | None = None, name: str | None = None,
                 http: httpx.Client | None = None, slack=None) -> None:
        self.settings, self.sessions = settings, sessions
        self.clock = clock or Clock.from_settings(settings)
        self.now = now or self.clock.now
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.senders: dict[str, Callable[[Claimed, datetime], Outcome]] = {}
        if slack is None and settings.slack_bot_token:
            slack = slack_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
        if slack is not None:
            self.senders["slack"] = SlackSender(slack, settings.currency)
        if settings.webhook_url_list and settings.webhook_secret:
            self._http = http or httpx.Client(timeout=settings.webhook_timeout_seconds, follow_redirects=False)
            self.senders["webhook"] = WebhookSender(self._http, settings.webhook_secret.get_secret_value())
        self._stop = threading.Event()

    def run_once(self, limit: int = 20) -> Counter:
        """One round: claim up to ``limit`` due deliveries and send them. Returns the statuses."""
        s = self.settings
        done: Counter = Counter()
        if not self.senders:
            return done
        claimed = claim(self.sessions, worker=self.name, now=self.now(), zone=s.tz,
                        lease_seconds=s.alert_lease_seconds, limit=limit, default_cap=s.alert_daily_cap,
                        targets=tuple(self.senders))
        for item in claimed:
            started = self.now()
            outcome = self.senders[item.target](item, started)
            status = finish(self.sessions, item, outcome, worker=self.name, now=self.now(),
                            max_attempts=s.alert_max_attempts, retry_seconds=s.alert_retry_seconds)
            if not outcome.ok:
                log.warning("alert delivery %d (%s) try %d: %s -> %s", item.id, item.target, item.attempt,
                            outcome.error, status)
            done[status] += 1
        return done

    def run_forever(self) -> None:
        """Until ``stop``: drain what is due, then wait ``C360_ALERT_POLL_SECONDS``."""
        while not self._stop.is_set():
            try:
                while not self._stop.is_set() and sum(self.run_once().values()):
                    pass
            except Exception:  # a bad round (database away) must not end the worker; the next one retries
                log.exception("alert worker round failed")
            self._stop.wait(self.settings.alert_poll_seconds)

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run_forever, name="c360-alert-worker", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self._stop.set()
