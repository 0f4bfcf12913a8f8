"""Run eval cases against the agent as users get it: graph, tools, confirmation, a fresh database each.

For each case and trial: the fixture is built on a fresh SQLite file (and copied, untouched, for the
replay), the agent runs every turn with the case's clock, writes are approved (or declined when a
turn says ``approve: false``), and the turn is judged: expected calls in order with per-argument
verdicts, no extra write, the reply checks. After the last turn the expected write calls are
replayed through the same tools on the copy, and the two databases must be equal.
"""
from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from domain.clock import Clock
from domain.db import make_engine, read_session, session_factory, transaction, upgrade_schema
from domain.enums import Role
from domain.settings import Settings
from evals import dbstate
from evals.case import Case
from evals.fixture import World, build_world
from evals.matchers import match_calls, reply_failures
from evals.summary_check import summary_of, summary_problems
from tools.context import Actor, ToolContext
from tools.registry import call_tool, is_write, load_tools

CASE_SETTINGS = {"timezone": "Asia/Dhaka", "rfm_monetary_thresholds": (5000, 2500, 1000, 500),
                 "writes_need_approval": True}


@dataclass
class TurnRecord:
    user: str
    reply: str
    calls: list[dict[str, Any]]
    expected: list[dict[str, Any]] | None
    call_verdicts: list[dict[str, Any]]
    failures: list[str]
    latency_ms: float
    unconfirmed_writes: int = 0
    writes_after_decline: int = 0
    consent_violations: int = 0
    grounding_failures: int = 0
    approve: bool = True
    tokens: dict[str, Any] | None = None  # {prompt, completion, total, steps, ...} when the model reports usage
    markup_shown: int = 0  # the shown reply held tool-call markup, raw JSON or a tool name
    corrections: list[dict[str, Any]] = field(default_factory=list)  # what the referee changed (agent.referee)
    summaries: int = 0  # post-call summaries proposed or written in this turn
    summaries_unsupported: int = 0  # ... whose outcome, products or dates the call does not support
    wrong_customer_writes: int = 0  # writes that ran on a customer the turn's expected calls do not name


@dataclass
class TrialResult:
    case_id: str
    split: str
    tags: list[str]
    trial: int
    passed: bool
    failures: list[str]
    turns: list[TurnRecord] = field(default_factory=list)
    db_diff: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class Workspace:
    """A migrated empty SQLite file, copied for every case (migrating once is the slow part)."""

    def __init__(self, root: Path | None = None):
        self.root = Path(root or tempfile.mkdtemp(prefix="c360-eval-"))
        self.template = self.root / "template.db"
        if not self.template.exists():
            upgrade_schema(f"sqlite:///{self.template}")

    def fresh(self, name: str) -> Path:
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.template, folder / "c360.db")
        return folder

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def case_settings(case: Case, folder: Path, model: str) -> Settings:
    overrides = {**CASE_SETTINGS, **{k.lower(): v for k, v in case.settings.items()}}
    return Settings(database_url=f"sqlite:///{folder / 'c360.db'}", data_dir=folder, now=case.today,
                    llm_backend=model, **overrides)


def run_case(case: Case, workspace: Workspace, *, model: str = "offline", trial: int = 0,
             agent_factory=None) -> TrialResult:
    """One trial of one case. Never raises: a crash is a failed trial with its error."""
    started = time.perf_counter()
    result = TrialResult(case.id, case.split, case.tags, trial, False, [])
    folder = workspace.fresh(f"{_safe(case.id)}-{trial}-{uuid.uuid4().hex[:6]}")
    try:
        _run(case, folder, model, result, agent_factory)
    except Exception as exc:  # the harness reports; it does not stop on one broken case
        result.error = f"{type(exc).__name__}: {exc}"
        result.failures.append(f"error: {result.error}")
    result.passed = not result.failures
    result.seconds = time.perf_counter() - started
    shutil.rmtree(folder, ignore_errors=True)
    return result


def _run(case: Case, folder: Path, model: str, result: TrialResult, agent_factory) -> None:
    from agent.runner import Agent

    settings = case_settings(case, folder, model)
    clock = Clock(tz=settings.tz, fixed=case.today)
    engine = make_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    with transaction(sessions) as session:
        world = build_world(session, case, settings.tz, settings.phone_region)
    replay_path = folder / "replay.db"
    engine.dispose()
    shutil.copyfile(folder / "c360.db", replay_path)
    engine = make_engine(settings.resolved_database_url)
    sessions = session_factory(engine)
    actor = Actor(world.actor_id, case.user.name, Role(case.user.role))
    agent = (agent_factory or Agent)(settings, sessions, clock)
    thread = f"eval-{case.id}"
    executed_writes: list[dict[str, Any]] = []
    try:
        for turn in case.turns:
            record = _run_turn(agent, thread, actor, turn, settings, sessions, engine, world)
            record.failures += _db_expectations(sessions, turn.expect.expect_db, world, settings)
            result.turns.append(record)
            result.failures += [f"turn {len(result.turns)}: {f}" for f in record.failures]
            executed_writes += [c for c in record.calls if c.get("write") and c.get("status") == "done"]
    finally:
        agent.close()
    result.failures += [f"final: {f}" for f in _db_expectations(sessions, case.expect_db, world, settings)]
    if case.check_db:
        expected_writes = _expected_writes(case, result.turns, world)
        result.db_diff, replay_errors = _replay_and_compare(expected_writes, replay_path, engine, settings,
                                                            clock, actor)
        result.failures += [f"the expected write could not be replayed: {e}" for e in replay_errors]
        if result.db_diff:
            result.failures.append(f"final database differs from the expected writes ({len(result.db_diff)} rows)")
    engine.dispose()


def _run_turn(agent, thread: str, actor: Actor, turn, settings: Settings, sessions, engine, world: World) -> TurnRecord:
    from agent.backends.llm_client import count_tokens
    from agent.turn_report import turn_report

    before = dbstate.snapshot(engine) if not turn.approve else None
    started = time.perf_counter()
    with count_tokens() as usage, turn_report() as report:
        out = agent.run_turn(thread, actor, turn.user)
        calls = list(out.calls)
        confirmed: set[str] = set()
        replies = [out.reply]
        guard = 0
        while out.pending is not None and guard < 10:
            guard += 1
            confirmed.update(_pending_ids(out.pending))
            out = agent.resume(thread, actor, "approve" if turn.approve else "cancel")
            calls = _merge_calls(calls, out.calls)
            replies.append(out.reply)
    latency_ms = (time.perf_counter() - started) * 1000
    results = agent.call_results(thread) if hasattr(agent, "call_results") else {}
    calls = [{**c, "result": c.get("result") or results.get(c.get("id"))} for c in calls]
    reply = out.reply
    failures: list[str] = []
    verdicts: list[dict[str, Any]] = []
    expected = [c.model_dump(mode="json") for c in turn.expect.calls] if turn.expect.calls is not None else None
    made = [c for c in calls if c.get("status") != "rejected"]
    if expected is not None:
        if not expected and made:
            failures.append(f"expected no tool call, got {[c['name'] for c in made]}")
        resolver = _resolver(sessions, actor, settings, world)
        matches = match_calls(expected, made, settings.tz, resolver)
        # a write that matched, or that was judged against an expected call (wrong arguments are
        # reported there once), is not also an "unexpected" write
        accounted = {m.actual_index for m in matches if m.actual_index is not None}
        accounted |= {m.candidate_index for m in matches if m.candidate_index is not None}
        for m in matches:
            exp = expected[m.expected_index]
            verdicts.append({"tool": exp["tool"], "matched": m.ok, "actual_index": m.actual_index,
                             "args": [asdict(v) for v in m.verdicts]})
            if not m.ok:
                why = "; ".join(v.reason for v in m.verdicts if not v.ok) or "call not made"
                failures.append(f"expected {exp['tool']}: {why}")
        for index, call in enumerate(made):
            # only a write that happened counts: one the tool refused (ambiguous, forbidden ...)
            # or the user declined wrote nothing
            if index not in accounted and _is_write(call) and call.get("status") == "done":
                failures.append(f"unexpected write call {call['name']}({call.get('arguments')})")
        wrong_customer = _wrong_customer_writes(expected, made, resolver)
    else:
        wrong_customer = 0
    failures += reply_failures(turn.expect.reply.model_dump() if turn.expect.reply else None, reply)
    unconfirmed = sum(1 for c in calls if _is_write(c) and c.get("status") == "done"
                      and settings.writes_need_approval and c.get("id") not in confirmed)
    if unconfirmed:
        failures.append(f"{unconfirmed} write(s) ran without approval")
    after_decline = 0
    if before is not None:
        after_decline = len(dbstate.diff(dbstate.snapshot(engine), before))
        if after_decline:
            failures.append(f"approval was declined but {after_decline} row(s) changed")
    consent = _consent_violations(calls)
    if consent:
        failures.append(f"{consent} draft(s) proposed a blocked channel as allowed")
    grounding = sum(1 for c in calls if (c.get("grounding") or {}).get("failed")) + report.grounding_failures
    shown = shown_markup(replies, calls)
    if shown:
        failures.append(f"the reply shows {shown}")
    summaries = [c for c in calls if c.get("name") == "log_interaction" and summary_of(c.get("arguments"))]
    unsupported = 0
    for call in summaries:
        problems = summary_problems(call.get("arguments") or {}, turn.user, agent.clock.now())
        if problems:
            unsupported += 1
            failures.append(f"the post-call summary is not supported by the call: {'; '.join(problems)}")
    return TurnRecord(turn.user, reply, calls, expected, verdicts, failures, latency_ms,
                      unconfirmed, after_decline, consent, grounding, turn.approve, usage.as_dict(),
                      int(bool(shown)), report.corrections, len(summaries), unsupported, wrong_customer)


def shown_markup(replies: list[str], calls: list[dict[str, Any]] | None = None) -> str | None:
    """What a user must never see in a reply: tool-call markup, a raw JSON object, or the name of a tool
    that does not exist (``delete_customers``) unless the records themselves hold it; None when clean."""
    import json
    import re

    from agent.backends.tool_text import looks_like_markup
    from tools.registry import offered_tools

    tools = set(offered_tools())
    data = json.dumps([c.get("result") for c in calls or []], default=str, ensure_ascii=False).lower()
    for text in replies:
        if not text:
            continue
        if looks_like_markup(text):
            return "tool-call markup or raw JSON"
        invented = [w for w in re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text)
                    if re.match(r"(get|set|add|delete|remove|update|mark|log|list|find|send|draft|create)_", w)
                    and w not in tools and w not in data]
        if invented:
            return f"a tool that does not exist ({invented[0]})"
    return None


def _db_expectations(sessions, expectations, world: World, settings: Settings) -> list[str]:
    if not expectations:
        return []
    with read_session(sessions) as session:
        return dbstate.check_expectations(session, expectations, world, settings.tz)


def _pending_ids(pending: dict[str, Any]) -> set[str]:
    ids = {pending.get("id"), pending.get("call_id"), pending.get("tool_call_id")}
    for call in pending.get("calls") or []:
        ids.add(call.get("id"))
    return {i for i in ids if i}


def _merge_calls(first: list[dict[str, Any]], later: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged = {c.get("id") or f"#{i}": c for i, c in enumerate(first)}
    for i, c in enumerate(later):
        merged[c.get("id") or f"#later{i}"] = c
    return list(merged.values())


def _wrong_customer_writes(expected: list[dict[str, Any]], made: list[dict[str, Any]], resolver) -> int:
    """Writes that ran on a customer other than the one meant.

    The customers meant are those the turn's expected calls name (``customer`` as a fixture key, or
    ``{any: [...]}``). A turn that expects no call at all (a question, a not-found) means no customer
    is clear enough to write on, so any write that ran there counts too.
    """
    meant: set[str] = set()
    for exp in expected:
        ref = (exp.get("args") or {}).get("customer")
        if isinstance(ref, str):
            meant.add(ref)
        elif isinstance(ref, dict) and isinstance(ref.get("any"), list):
            meant.update(str(r) for r in ref["any"])
    if not meant and expected:
        return 0  # the expected calls name no customer: nothing to compare against
    count = 0
    for call in made:
        if not (_is_write(call) and call.get("status") == "done"):
            continue
        ref = (call.get("arguments") or {}).get("customer")
        if not meant or ref is None or resolver("customer", ref) not in meant:
            count += 1
    return count


def _is_write(call: dict[str, Any]) -> bool:
    return bool(call.get("write")) or is_write(call.get("name", ""))


def _resolver(sessions, actor: Actor, settings: Settings, world: World):
    from tools.resolve import resolve_customer, resolve_dropoff, resolve_product

    def resolve(kind: str, value: Any) -> str | None:
        if value is None:
            return None
        try:
            with read_session(sessions) as session:
                if kind == "customer":
                    return world.key_of("customer", resolve_customer(session, value, None, settings).id)
                if kind == "product":
                    return resolve_product(session, value).name
                if kind == "opportunity":
                    return _opportunity_key(session, value, world)
                return world.key_of("dropoff", resolve_dropoff(session, value).id)
        except Exception:  # an unresolvable reference simply matches nothing
            return None

    return resolve


def _opportunity_key(session, value: Any, world: World) -> str | None:
    """The fixture key of the deal an id or a name points at (names: within the fixture's customers)."""
    from domain.opportunities import find_deal

    if isinstance(value, int) or str(value).strip().lstrip("#").isdigit():
        return world.key_of("opportunity", int(str(value).strip().lstrip("#")))
    for customer_id in world.customers.values():
        try:
            return world.key_of("opportunity", find_deal(session, customer_id, value).id)
        except Exception:  # not this customer's deal
            continue
    return None


def _consent_violations(calls: list[dict[str, Any]]) -> int:
    """Drafts whose verdict says allowed although the tool's own facts say the channel is blocked."""
    count = 0
    for call in calls:
        result = call.get("result") or {}
        if call.get("name") == "draft_reply" and result.get("allowed") and result.get("blocked_reason"):
            count += 1
    return count


def _expected_writes(case: Case, turns: list[TurnRecord], world: World) -> list[dict[str, Any]]:
    """The write calls to replay: for each expected write of an approved turn, the agent's matching
    call (its arguments passed the checks), or the expected arguments when it made none."""
    writes = []
    for turn_spec, record in zip(case.turns, turns):
        if not turn_spec.approve or not turn_spec.expect.calls:
            continue
        made = [c for c in record.calls if c.get("status") != "rejected"]
        for verdict, exp in zip(record.call_verdicts, turn_spec.expect.calls):
            if not is_write(exp.tool):
                continue
            index = verdict.get("actual_index")
            actual = made[index] if index is not None else None
            match = actual if actual is not None and actual.get("status") in ("done", "failed") else None
            # a refusal the case expects (result ok: false), or the one the agent's own call met,
            # is what the replay should meet too: the write wrote nothing on either side
            refused = {(actual.get("result") or {}).get("error")} if match and match.get("status") == "failed" else set()
            if exp.result and exp.result.get("ok") is False:
                refused.add("*")
            writes.append({"name": exp.tool, "refused": refused,
                           "arguments": (match or {}).get("arguments") or _concrete(exp.args, world)})
    return writes


def _concrete(args: dict[str, Any], world: World) -> dict[str, Any]:
    """Arguments to replay an expected write the agent did not make: matchers reduced to a value,
    fixture keys turned into the ids they name."""
    out = {}
    for key, value in args.items():
        if isinstance(value, dict):
            if value.get("absent"):
                continue
            value = value.get("date", value.get("approx", (value.get("any") or [None])[0]
                                              if "any" in value else value.get("contains")))
        if key == "customer" and value in world.customers:
            value = world.customers[value]
        elif key == "dropoff_id" and value in world.dropoffs:
            value = world.dropoffs[value]
        elif key == "opportunity" and value in world.opportunities:
            value = world.opportunities[value]
        out[key] = value
    return out


def _replay_and_compare(writes, replay_path: Path, actual_engine, settings: Settings, clock: Clock,
                        actor: Actor) -> tuple[list[dict[str, Any]], list[str]]:
    """(rows that differ, errors of expected writes the tools refused on the replay)."""
    load_tools()
    engine = make_engine(f"sqlite:///{replay_path}")
    ctx = ToolContext(session_factory(engine), actor, clock, settings, request_id="replay")
    errors = []
    for index, call in enumerate(writes):
        outcome = call_tool(call["name"], call["arguments"], ctx.with_key(f"replay-{index}"))
        refused = call.get("refused") or set()
        if not outcome.ok and not ("*" in refused or outcome.error in refused):
            errors.append(f"{call['name']}({call['arguments']}): {outcome.text}")
    expected = dbstate.snapshot(engine)
    engine.dispose()
    return dbstate.diff(dbstate.snapshot(actual_engine), expected), errors


def _safe(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)[:60]
