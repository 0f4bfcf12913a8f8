"""What the referee corrected in a turn, for the eval report and the logs.

``with turn_report() as report:`` collects, for everything run inside the block, each correction the
referee made ({kind, sent: what the model sent, ...}); ``report.grounding_failures`` counts the
model replies replaced because a claim was not bound to a tool fact.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class TurnReport:
    corrections: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.corrections.append(entry)

    @property
    def grounding_failures(self) -> int:
        return sum(1 for c in self.corrections if c["kind"] == "grounding_failure")


_report: ContextVar[TurnReport | None] = ContextVar("c360_turn_report", default=None)


@contextmanager
def turn_report() -> Iterator[TurnReport]:
    report = TurnReport()
    token = _report.set(report)
    try:
        yield report
    finally:
        _report.reset(token)


def record(kind: str, sent: Any, **details: Any) -> None:
    """Note one correction (also logged, without the values, which may be private)."""
    log.info("referee: %s %s", kind, {k: v for k, v in details.items() if k in ("tool", "by")})
    report = _report.get()
    if report is not None:
        report.add({"kind": kind, "sent": sent, **details})
