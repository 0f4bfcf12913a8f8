"""Per-argument matching of expected tool calls (BFCL-style), as the contract defines it.

A plain value matches by equality (strings case-insensitive and trimmed); ``{any: [...]}`` one of;
``{contains: x}`` a substring of a string or an element of a list (a list of x: all of them);
``{date: D}`` the value's calendar date in the business time zone is D; ``{approx: x, tol: t}``
within t; ``{absent: true}`` not given or null. Reference parameters (a customer or a drop-off)
match when the agent's value resolves to the fixture record with the expected key (a deal may
also be named as written). ``result`` fields of an expected call are matched the same way against
the tool's result (nested fields by nesting: ``result: {opportunity: {stage: negotiation}}``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable
from zoneinfo import ZoneInfo

OPERATORS = {"any", "contains", "date", "approx", "tol", "absent"}
REFERENCE_PARAMS = {"customer": "customer", "dropoff_id": "dropoff", "opportunity": "opportunity"}
NAMED_AS_WRITTEN = {"opportunity"}  # references that also match when the text itself equals the expected
# Parameters holding catalogue names: compared by the product they resolve to, not the raw text.
PRODUCT_PARAMS = {"products"}

# resolve(kind, value) -> the fixture key the agent's value points at (customer, dropoff), the
# catalogue name (product), or None
Resolver = Callable[[str, Any], str | None]


@dataclass(frozen=True)
class ArgVerdict:
    param: str
    ok: bool
    expected: Any
    actual: Any
    reason: str = ""


def _norm(value: Any) -> Any:
    return value.strip().casefold() if isinstance(value, str) else value


def _equal(expected: Any, actual: Any) -> bool:
    if isinstance(expected, (date, datetime)) or isinstance(actual, (date, datetime)):
        return str(expected) == str(actual)
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)) and not isinstance(expected, bool):
        return float(expected) == float(actual)
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(_equal(e, a) for e, a in zip(expected, actual))
    return _norm(expected) == _norm(actual)


def as_local_date(value: Any, tz: ZoneInfo) -> date | None:
    """The calendar date of a date, datetime or ISO string, read in the business time zone."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo is None else value.astimezone(tz)).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return as_local_date(datetime.fromisoformat(text.replace("Z", "+00:00")), tz)
        except ValueError:
            try:
                return date.fromisoformat(text[:10])
            except ValueError:
                return None
    return None


def _contains(needle: Any, actual: Any) -> bool:
    if isinstance(needle, list):
        return all(_contains(n, actual) for n in needle)
    if isinstance(actual, str):
        return str(needle).strip().casefold() in actual.casefold()
    if isinstance(actual, (list, tuple)):
        return any(_equal(needle, a) or (isinstance(a, str) and isinstance(needle, str)
                                         and needle.strip().casefold() == a.strip().casefold())
                   for a in actual)
    return False


def match_value(expected: Any, actual: Any, tz: ZoneInfo, *, resolve_key: Callable[[Any], str | None] | None = None) -> tuple[bool, str]:
    """Does ``actual`` satisfy ``expected``? Returns (ok, reason when not)."""
    if isinstance(expected, dict) and expected and set(expected) <= OPERATORS:
        if expected.get("absent"):
            return (actual is None, "" if actual is None else f"expected absent, got {actual!r}")
        if "any" in expected:
            options = expected["any"]
            ok = any(match_value(o, actual, tz, resolve_key=resolve_key)[0] for o in options)
            return ok, "" if ok else f"expected one of {options!r}, got {actual!r}"
        if "contains" in expected:
            ok = _contains(expected["contains"], actual)
            return ok, "" if ok else f"expected {actual!r} to contain {expected['contains']!r}"
        if "date" in expected:
            want = as_local_date(expected["date"], tz)
            got = as_local_date(actual, tz)
            return want == got, "" if want == got else f"expected date {want}, got {actual!r}"
        if "approx" in expected:
            try:
                ok = abs(float(actual) - float(expected["approx"])) <= float(expected.get("tol", 0))
            except (TypeError, ValueError):
                ok = False
            return ok, "" if ok else f"expected {expected['approx']} ± {expected.get('tol', 0)}, got {actual!r}"
    if resolve_key is not None:
        key = resolve_key(actual)
        ok = key is not None and _norm(str(key)) == _norm(str(expected))
        return ok, "" if ok else f"expected a reference to {expected!r}, got {actual!r} (resolves to {key!r})"
    ok = _equal(expected, actual)
    return ok, "" if ok else f"expected {expected!r}, got {actual!r}"


def match_args(expected: dict[str, Any], actual: dict[str, Any], tz: ZoneInfo,
               resolver: Resolver | None = None) -> list[ArgVerdict]:
    """One verdict per listed parameter; unlisted parameters are not checked."""
    verdicts = []
    for param, want in expected.items():
        got = actual.get(param)
        if param in PRODUCT_PARAMS and resolver and got is not None:
            got = [resolver("product", item) or item for item in (got if isinstance(got, list) else [got])]
        kind = REFERENCE_PARAMS.get(param)
        resolve_key = (lambda value, k=kind: resolver(k, value)) if (kind and resolver) else None
        if isinstance(want, dict) and set(want) <= OPERATORS and "any" not in want:
            resolve_key = None if "absent" in want or "contains" in want else resolve_key
        ok, reason = match_value(want, got, tz, resolve_key=resolve_key)
        if not ok and param in NAMED_AS_WRITTEN and resolve_key is not None:
            ok, reason = match_value(want, got, tz)
        verdicts.append(ArgVerdict(param, ok, want, got, reason))
    return verdicts


def match_result(expected: dict[str, Any] | None, actual: dict[str, Any] | None, tz: ZoneInfo,
                 prefix: str = "result") -> list[ArgVerdict]:
    """One verdict per listed field of a tool's result (nested mappings are walked into)."""
    verdicts = []
    actual = actual or {}
    for name, want in (expected or {}).items():
        label = f"{prefix}.{name}"
        got = actual.get(name) if isinstance(actual, dict) else None
        # a mapping walks into a nested result; {date: D} over a nested object is its field "date"
        if isinstance(want, dict) and want and (not set(want) <= OPERATORS or isinstance(got, dict)):
            if isinstance(got, dict):
                verdicts += match_result(want, got, tz, label)
            else:
                verdicts.append(ArgVerdict(label, False, want, got, f"{label}: expected a mapping, got {got!r}"))
            continue
        ok, reason = match_value(want, got, tz)
        verdicts.append(ArgVerdict(label, ok, want, got, f"{label}: {reason}" if reason else ""))
    return verdicts


def _call_verdicts(exp: dict[str, Any], call: dict[str, Any], tz: ZoneInfo,
                   resolver: Resolver | None) -> list[ArgVerdict]:
    verdicts = match_args(exp.get("args") or {}, call.get("arguments") or {}, tz, resolver)
    if exp.get("result"):
        verdicts += match_result(exp["result"], call.get("result"), tz)
    return verdicts


@dataclass(frozen=True)
class CallMatch:
    expected_index: int
    actual_index: int | None  # the call that matched fully
    verdicts: list[ArgVerdict]
    candidate_index: int | None = None  # when none matched: the same-tool call judged instead

    @property
    def ok(self) -> bool:
        return self.actual_index is not None and all(v.ok for v in self.verdicts)


def match_calls(expected: list[dict[str, Any]], actual: list[dict[str, Any]], tz: ZoneInfo,
                resolver: Resolver | None = None) -> list[CallMatch]:
    """Match the expected calls in order against the actual ones (others may come between them).

    For each expected call the first later actual call of the same tool whose arguments all match
    is taken; when none matches fully, the first of the same tool is reported with its verdicts.
    """
    matches: list[CallMatch] = []
    cursor = 0
    for i, exp in enumerate(expected):
        same_tool = [j for j in range(cursor, len(actual)) if actual[j]["name"] == exp["tool"]]
        chosen, chosen_verdicts = None, []
        for j in same_tool:
            verdicts = _call_verdicts(exp, actual[j], tz, resolver)
            if all(v.ok for v in verdicts):
                chosen, chosen_verdicts = j, verdicts
                break
        if chosen is None:
            first = same_tool[0] if same_tool else None
            verdicts = (_call_verdicts(exp, actual[first], tz, resolver)
                        if first is not None else
                        [ArgVerdict(p, False, w, None, "call not made") for p, w in (exp.get("args") or {}).items()])
            matches.append(CallMatch(i, None, verdicts, candidate_index=first))
            continue
        matches.append(CallMatch(i, chosen, chosen_verdicts))
        cursor = chosen + 1
    return matches


def reply_failures(check: dict[str, Any] | None, reply: str) -> list[str]:
    """The reply checks that fail (``contains`` / ``not_contains``, case-insensitive)."""
    if not check:
        return []
    failures = []
    text = (reply or "").casefold()
    for needle in _as_list(check.get("contains")):
        if str(needle).casefold() not in text:
            failures.append(f"reply does not contain {needle!r}")
    for needle in _as_list(check.get("not_contains")):
        if str(needle).casefold() in text:
            failures.append(f"reply contains {needle!r}")
    return failures


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
