"""The simulated users: each one loops over a round of chat turns until the deadline or its request
budget, and records every response (kind, status, latency) and every write it proposed and decided.

A round is one conversation about one of the user's own customers: the call list, the customer's
360, a WhatsApp draft about their cart, a logged call ("no answer") carrying a unique marker in its
notes, and the decision on that write. Every ``cancel_every``-th write is cancelled instead of
approved, so the check afterwards also proves that a cancelled write never lands; and every
``double_every``-th approval is sent twice at once from two connections (a double click), which must
write once: one answer says done, the other is a 409 (or the same committed write again).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from evals.load.world import LoadUser

CALL_LIST, SHOW, DRAFT, LOG = "call list", "show 360", "draft whatsapp", "log call"
APPROVE, CANCEL, DOUBLE = "approve", "cancel", "approve again"
KINDS = (CALL_LIST, SHOW, DRAFT, LOG, APPROVE, CANCEL, DOUBLE)

EXPECTED_TOOL = {CALL_LIST: "call_priority_list", SHOW: "get_360", DRAFT: "draft_reply", LOG: "log_interaction",
                 APPROVE: "log_interaction"}
TRANSPORT_ERROR = 0  # the status recorded when no HTTP answer came (timeout, reset)
MAX_RETRY_WAIT = 30.0  # never sleep longer than this on one Retry-After


@dataclass(frozen=True)
class Response:
    kind: str
    status: int
    seconds: float
    refused_ok: bool = False  # a 409 that is the right answer (the losing half of a double click)


@dataclass
class Write:
    """A write the user proposed: its marker, customer, and what became of it."""

    marker: str
    customer_id: int
    decision: str | None = None  # "approve" / "cancel", once sent
    acknowledged: bool = False  # the decision's answer said the write was done
    interaction_id: int | None = None


@dataclass
class UserRun:
    """Everything one simulated user saw."""

    user: LoadUser
    responses: list[Response] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # answers that were 200 but not what the turn asked for
    throttled_seconds: float = 0.0


class _Stop(Exception):
    """The deadline or the request budget is reached."""


def marker(run_tag: str, user: LoadUser, n: int) -> str:
    return f"{run_tag}-{user.index}-{n}"


class SimulatedUser:
    """One user's loop against the server; ``run()`` returns what it saw. Never raises for HTTP trouble."""

    def __init__(self, base_url: str, user: LoadUser, run_tag: str, *, deadline: float, max_requests: int,
                 cancel_every: int = 5, double_every: int = 7, timeout: float = 120.0) -> None:
        self.user, self.run_tag, self.deadline, self.budget = user, run_tag, deadline, max_requests
        self.cancel_every, self.double_every = cancel_every, double_every
        self.record = UserRun(user)
        self.base_url, self.timeout = base_url, timeout
        self.http = self._client()

    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=self.timeout,
                            headers={"Authorization": f"Bearer {self.user.token}"})

    def run(self) -> UserRun:
        try:
            n = 0
            while time.monotonic() < self.deadline and self.budget - len(self.record.responses) >= 5:
                customer = self.user.customers[n % len(self.user.customers)]
                n += 1
                self._round(n, customer)
        except _Stop:
            pass
        finally:
            self.http.close()
        return self.record

    def _round(self, n: int, customer: tuple[int, str]) -> None:
        customer_id, name = customer
        thread = None
        for kind, message in ((CALL_LIST, "who should I call today?"), (SHOW, f"show me {name}"),
                              (DRAFT, f"draft a whatsapp to {name} about her cart")):
            answer = self._send(kind, "/chat", {"message": message, "thread_id": thread})
            if answer is None:
                return
            thread = answer["thread_id"]
            self._expect_tool(kind, answer)
        write = Write(marker(self.run_tag, self.user, n), customer_id)
        answer = self._send(LOG, "/chat", {"message": f"log a call with {name}, no answer, ref {write.marker}",
                                           "thread_id": thread})
        if answer is None:
            return
        pending = answer.get("pending") or {}
        args = pending.get("arguments") or {}
        if pending.get("tool") != "log_interaction" or args.get("customer") != customer_id \
                or write.marker not in str(args.get("notes")):
            self.record.problems.append(f"{LOG} for #{customer_id}: no matching write waits for approval "
                                        f"(pending {pending or None}; reply {answer.get('reply', '')[:120]!r})")
            return
        self.record.writes.append(write)
        write.decision = "cancel" if self.cancel_every and n % self.cancel_every == 0 else "approve"
        kind = CANCEL if write.decision == "cancel" else APPROVE
        path, body = f"/chat/{thread}/decision", {"decision": write.decision}
        double = kind == APPROVE and self.double_every and n % self.double_every == 0
        again: list[dict[str, Any] | None] = []
        if double:
            second = threading.Thread(target=lambda: again.append(self._double(path, body)), daemon=True)
            second.start()
        # the decision goes out even past the deadline: a proposal left waiting is not how users work
        answer = self._send(kind, path, body, final=True, conflict_ok=double)
        if double:
            second.join()
        if write.decision == "cancel":
            return
        acks = [a for a in [answer, *again] if a is not None and _says_done(a)]
        # a retried approval answers the committed outcome (issue 11): both answers may say "done", but
        # they must name the one write (the database check then finds it exactly once)
        written = {card["interaction"].get("id") for a in acks for card in a.get("cards") or []
                   if card.get("tool") == "log_interaction" and card.get("interaction")}
        if len(acks) > 1 and len(written) != 1:
            self.record.problems.append(f"{APPROVE} of {write.marker}: sent twice at once, the answers name "
                                        f"{len(written)} different writes")
        if acks:
            write.acknowledged = True
            for card in acks[0].get("cards") or []:
                if card.get("tool") == "log_interaction" and card.get("interaction"):
                    write.interaction_id = card["interaction"].get("id")
        else:
            self.record.problems.append(f"{APPROVE} of {write.marker}: no answer says the write was done "
                                        f"({answer.get('tool_calls') if answer else None})")

    def _double(self, path: str, body: dict[str, Any]) -> dict[str, Any] | None:
        """The second click, on its own connection: 409 ("nothing waits") while the first still runs, or
        the first one's committed outcome once it is done."""
        with self._client() as http:
            return self._send(DOUBLE, path, body, final=True, http=http, conflict_ok=True)

    def _expect_tool(self, kind: str, answer: dict[str, Any]) -> None:
        tool = EXPECTED_TOOL[kind]
        if not any(c.get("name") == tool and c.get("ok") for c in answer.get("tool_calls") or []):
            self.record.problems.append(f"{kind}: {tool} did not run ({answer.get('reply', '')[:120]!r})")

    def _send(self, kind: str, path: str, body: dict[str, Any], *, final: bool = False,
              http: httpx.Client | None = None, conflict_ok: bool = False) -> dict[str, Any] | None:
        """POST and record; waits out a 429's Retry-After (bounded by the deadline) and tries again.
        The JSON answer on 200, None on any other outcome."""
        while True:
            if not final and (time.monotonic() >= self.deadline or len(self.record.responses) >= self.budget):
                raise _Stop
            began = time.perf_counter()
            try:
                answer = (http or self.http).post(path, json=body)
            except httpx.TransportError as exc:
                self.record.responses.append(Response(kind, TRANSPORT_ERROR, time.perf_counter() - began))
                self.record.problems.append(f"{kind}: no answer ({type(exc).__name__}: {exc})")
                return None
            refused_ok = conflict_ok and answer.status_code == 409
            self.record.responses.append(Response(kind, answer.status_code, time.perf_counter() - began, refused_ok))
            if answer.status_code == 429:
                wait = min(_retry_after(answer), MAX_RETRY_WAIT, max(0.0, self.deadline - time.monotonic()))
                self.record.throttled_seconds += wait
                time.sleep(wait)
                if time.monotonic() >= self.deadline:
                    raise _Stop
                continue
            if refused_ok:
                return None
            if answer.status_code != 200:
                self.record.problems.append(f"{kind}: {answer.status_code} {answer.text[:200]}")
                return None
            return answer.json()


def _says_done(answer: dict[str, Any]) -> bool:
    return any(c.get("name") == "log_interaction" and c.get("ok") and c.get("status") == "done"
               for c in answer.get("tool_calls") or [])


def _retry_after(answer: httpx.Response) -> float:
    try:
        return max(0.0, float(answer.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0
