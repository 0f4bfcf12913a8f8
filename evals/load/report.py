"""The load test's figures: requests by status, turns per second, latency percentiles per kind of
request, the write check, the machine's load; as a dict (JSON-ready) and as printed lines."""
from __future__ import annotations

import os
import threading
from collections import Counter
from typing import Any, Self

import numpy as np

from evals.load.clients import DOUBLE, KINDS, TRANSPORT_ERROR, UserRun
from evals.load.verify import NOT_CHECKED, WriteCheck


class LoadSampler:
    """The 1-minute load average every ``every`` seconds while the test runs (the machine is shared)."""

    def __init__(self, every: float = 2.0) -> None:
        self.every, self.samples = every, [os.getloadavg()[0]]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="load-sampler", daemon=True)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.samples.append(os.getloadavg()[0])

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append(os.getloadavg()[0])

    def summary(self) -> dict[str, float]:
        return {"start": round(self.samples[0], 2), "mean": round(float(np.mean(self.samples)), 2),
                "max": round(max(self.samples), 2), "end": round(self.samples[-1], 2), "cpus": os.cpu_count()}


def latency(seconds: list[float]) -> dict[str, float | int]:
    """n, p50 / p95 / p99 / max in milliseconds."""
    if not seconds:
        return {"n": 0}
    ms = np.asarray(seconds) * 1000.0
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {"n": len(ms), "p50_ms": round(float(p50), 1), "p95_ms": round(float(p95), 1),
            "p99_ms": round(float(p99), 1), "max_ms": round(float(ms.max()), 1)}


def build_report(runs: list[UserRun], check: WriteCheck, *, wall: float, load: dict[str, float],
                 settings: dict[str, Any]) -> dict[str, Any]:
    """Every figure and the verdict (``failures`` empty when the run passed)."""
    responses = [r for run in runs for r in run.responses]
    statuses = Counter(r.status for r in responses)
    answered = [r for r in responses if r.status not in (TRANSPORT_ERROR, 429)]
    double_clicks = [r for r in responses if r.kind == DOUBLE]
    per_kind = {kind: latency([r.seconds for r in answered if r.kind == kind]) for kind in KINDS}
    problems = [p for run in runs for p in run.problems]
    failures = []
    server_errors = sum(c for s, c in statuses.items() if s >= 500)
    if server_errors:
        failures.append(f"{server_errors} response(s) with a 5xx status")
    if statuses.get(TRANSPORT_ERROR):
        failures.append(f"{statuses[TRANSPORT_ERROR]} request(s) got no answer (timeout or reset)")
    other = sum(1 for r in responses if 400 <= r.status < 500 and r.status != 429 and not r.refused_ok)
    if other:
        failures.append(f"{other} unexpected 4xx response(s)")
    for name, items in (("lost", check.lost), ("duplicated", check.duplicated), ("on the wrong customer or user",
                        check.misplaced), ("present without approval", check.unapproved)):
        if items:
            failures.append(f"{len(items)} write(s) {name}: {', '.join(items[:5])}")
    if check.integrity not in ("ok", NOT_CHECKED):
        failures.append(f"database integrity check: {check.integrity}")
    if problems:
        failures.append(f"{len(problems)} turn(s) did not do what they asked, first: {problems[0]}")
    if not check.acknowledged:
        failures.append("no write was acknowledged: the run proves nothing about writes")
    return {
        "settings": settings,
        "wall_seconds": round(wall, 1),
        "requests": len(responses),
        "statuses": {("no answer" if s == TRANSPORT_ERROR else str(s)): c for s, c in sorted(statuses.items())},
        "turns_per_second": round(len(answered) / wall, 2) if wall else None,
        "throttled_seconds": round(sum(run.throttled_seconds for run in runs), 1),
        "double_clicks": {"sent": len(double_clicks), "refused_with_409": sum(r.refused_ok for r in responses)},
        "latency": {**per_kind, "all": latency([r.seconds for r in answered])},
        "writes": {"proposed": check.proposed, "acknowledged": check.acknowledged, "found": check.found,
                   "cancelled": check.cancelled, "lost": len(check.lost), "duplicated": len(check.duplicated),
                   "misplaced": len(check.misplaced), "present_without_approval": len(check.unapproved),
                   "answer_lost_but_written": len(check.unknown), "integrity": check.integrity},
        "load_average": load,
        "problems": problems[:20],
        "failures": failures,
        "ok": not failures,
    }


def render_report(report: dict[str, Any]) -> list[str]:
    """The report as lines to print."""
    s, w, load, double = report["settings"], report["writes"], report["load_average"], report["double_clicks"]
    requests = (f"requests: {report['requests']:,} in {report['wall_seconds']} s = {report['turns_per_second']} "
                "turns/s; statuses: " + ", ".join(f"{k}: {v:,}" for k, v in report["statuses"].items()))
    if report["throttled_seconds"]:
        requests += f"; {report['throttled_seconds']} s waited on Retry-After"
    if double["sent"]:
        requests += f"; {double['sent']} approvals sent twice at once, {double['refused_with_409']} refused with 409"
    lines = [
        (f"load test: {s['users']} users for {s['seconds']:g} s on {s['customers']:,} customers "
         f"({s['database']}); chat rate limit {s['rate_limit_per_minute']}/min"),
        requests,
        f"{'latency (ms)':<16}{'n':>7}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}",
    ]
    for kind, stats in report["latency"].items():
        if stats["n"]:
            lines.append(f"{kind:<16}{stats['n']:>7,}{stats['p50_ms']:>9,.0f}{stats['p95_ms']:>9,.0f}"
                         f"{stats['p99_ms']:>9,.0f}{stats['max_ms']:>9,.0f}")
    lines += [
        (f"writes: {w['acknowledged']} acknowledged, {w['found']} found exactly once, {w['lost']} lost, "
         f"{w['duplicated']} duplicated, {w['misplaced']} misplaced; {w['cancelled']} cancelled, "
         f"{w['present_without_approval']} present without approval; database integrity: {w['integrity']}"),
        (f"load average: {load['start']} at start, mean {load['mean']}, max {load['max']}, {load['end']} at end "
         f"({load['cpus']} CPUs)"),
        "PASS" if report["ok"] else "FAIL: " + "; ".join(report["failures"]),
    ]
    return lines
