"""Timing primitives and the benchmark table's row: samples in, p50 / p99 / best and a verdict out."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

COLUMNS = ("what", "n", "p50 ms", "p99 ms", "best ms", "per second", "x DuckDB RFM (raw orders)",
           "x DuckDB same work", "target", "ok?")


@dataclass(frozen=True)
class Target:
    """A limit on one statistic of a row, e.g. p50 < 1000 ms (the issue's figures)."""

    stat: str  # "p50" or "p99"
    limit_ms: float

    def label(self) -> str:
        return f"{self.stat} < {self.limit_ms:g} ms"


@dataclass
class Row:
    """One measurement. ``note`` explains a row that could not be measured (then no numbers)."""

    what: str
    n: int = 0
    p50_ms: float | None = None
    p99_ms: float | None = None
    best_ms: float | None = None
    per_second: float | None = None
    vs_duckdb: float | None = None  # p50 / DuckDB's RFM aggregation over the raw orders (not like-for-like)
    vs_same: float | None = None  # p50 / DuckDB doing the same work on the same table (like-for-like)
    same_as: str | None = None  # which DuckDB row ``vs_same`` divides by
    target: Target | None = None
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return self.n > 0 and self.p50_ms is not None

    @property
    def ok(self) -> bool | None:
        """True / False against the target; None without a target or without numbers."""
        if self.target is None or not self.available:
            return None
        value = self.p50_ms if self.target.stat == "p50" else self.p99_ms
        return value is not None and value < self.target.limit_ms

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = self.target.label() if self.target else None
        data["ok"] = self.ok
        data["available"] = self.available
        return data


def summarize(what: str, seconds: list[float], *, target: Target | None = None,
              per_second: float | None = None, **extra: Any) -> Row:
    """A row from per-call durations (seconds). ``per_second`` defaults to calls per second of
    the summed durations (sequential work); concurrent runs pass their own throughput."""
    if not seconds:
        return Row(what, target=target, note="no samples", extra=extra)
    ms = np.asarray(seconds, dtype=float) * 1000.0
    total = float(ms.sum()) / 1000.0
    return Row(
        what=what,
        n=len(ms),
        p50_ms=float(np.percentile(ms, 50)),
        p99_ms=float(np.percentile(ms, 99)),
        best_ms=float(ms.min()),
        per_second=per_second if per_second is not None else (len(ms) / total if total > 0 else None),
        target=target,
        extra=extra,
    )


def unavailable(what: str, why: str, target: Target | None = None) -> Row:
    """A row kept in the table (so the table's shape never changes) that says why it has no numbers."""
    return Row(what, target=target, note=f"not available: {why}")


def time_calls(fn: Callable[[int], Any], count: int, *, warmup: int = 1,
               check: Callable[[Any], None] | None = None) -> list[float]:
    """Durations of ``fn(i)`` for i in 0..count-1, after ``warmup`` untimed calls (caches, imports).

    ``check`` sees every result (timed or not), so a benchmark never reports the speed of an error.
    """
    for i in range(warmup):
        result = fn(-1 - i)
        if check:
            check(result)
    durations = []
    for i in range(count):
        began = time.perf_counter()
        result = fn(i)
        durations.append(time.perf_counter() - began)
        if check:
            check(result)
    return durations
