"""Metrics over trial results, the printed table, the JSON report, and case-by-case comparison."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from evals.metrics import mean_pass_hat_k, percentile, ratio
from evals.runner import TrialResult
from tools.registry import is_write


def _turn_metrics(trials: list[TrialResult]) -> dict[str, Any]:
    expected_calls = matched_tool = arg_total = arg_ok = 0
    irrelevance_total = irrelevance_ok = 0
    writes = unconfirmed = after_decline = consent = grounding = wrong_customer = 0
    latencies: list[float] = []
    tokens = {"prompt": 0, "completion": 0, "total": 0}
    counted = 0
    steps = max_prompt = cached_later = prompt_later = 0
    first_token = {"turn_1": [], "later": []}
    markup = corrections = summaries = unsupported = texts = texts_accepted = 0
    per_tool: dict[str, dict[str, int]] = defaultdict(lambda: {"expected": 0, "selected": 0, "args": 0, "args_ok": 0})
    for trial in trials:
        for turn in trial.turns:
            latencies.append(turn.latency_ms)
            markup += getattr(turn, "markup_shown", 0)
            corrections += len(getattr(turn, "corrections", None) or [])
            summaries += getattr(turn, "summaries", 0)
            unsupported += getattr(turn, "summaries_unsupported", 0)
            for entry in getattr(turn, "corrections", None) or []:  # LLM-written texts the checks judged
                if entry.get("kind") in ("text_accepted", "text_rejected"):
                    texts += 1
                    texts_accepted += entry["kind"] == "text_accepted"
            if getattr(turn, "tokens", None):
                counted += 1
                for key in tokens:
                    tokens[key] += int(turn.tokens.get(key) or 0)
                steps += int(turn.tokens.get("steps") or 0)
                max_prompt = max(max_prompt, int(turn.tokens.get("max_prompt") or 0))
                later = trial.turns.index(turn) > 0
                if later:
                    cached_later += int(turn.tokens.get("cached") or 0)
                    prompt_later += int(turn.tokens.get("prompt") or 0)
                if turn.tokens.get("first_token_ms") is not None:
                    first_token["later" if later else "turn_1"].append(float(turn.tokens["first_token_ms"]))
            made_names = [c.get("name") for c in turn.calls if c.get("status") != "rejected"]
            writes += sum(1 for c in turn.calls if c.get("status") == "done" and (c.get("write") or is_write(c.get("name", ""))))
            unconfirmed += turn.unconfirmed_writes
            after_decline += turn.writes_after_decline
            wrong_customer += getattr(turn, "wrong_customer_writes", 0)
            consent += turn.consent_violations
            grounding += turn.grounding_failures
            if turn.expected is not None and not turn.expected:
                irrelevance_total += 1
                irrelevance_ok += not made_names
            for verdict in turn.call_verdicts:
                tool = verdict["tool"]
                stats = per_tool[tool]
                expected_calls += 1
                stats["expected"] += 1
                selected = verdict.get("actual_index") is not None or tool in made_names
                matched_tool += selected
                stats["selected"] += selected
                if selected:
                    for arg in verdict["args"]:
                        arg_total += 1
                        arg_ok += arg["ok"]
                        stats["args"] += 1
                        stats["args_ok"] += arg["ok"]
    return {
        "tool_selection_accuracy": ratio(matched_tool, expected_calls),
        "argument_accuracy": ratio(arg_ok, arg_total),
        "irrelevance_accuracy": ratio(irrelevance_ok, irrelevance_total),
        "unconfirmed_write_rate": ratio(unconfirmed, writes) if writes else 0.0,
        "writes_after_decline": after_decline,
        "wrong_customer_writes": wrong_customer,
        "consent_violations": consent,
        "grounding_failures": grounding,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "turns": len(latencies),
        "llm_tokens": tokens if counted else None,  # None: the model reported no usage (offline)
        "token_budget": {  # per model step; "reused" is the share of later turns' prompt the server had cached
            "steps": steps, "prompt_per_step": round(tokens["prompt"] / steps, 1) if steps else None,
            "max_prompt_per_step": max_prompt,
            "reused_prefix_later_turns": ratio(cached_later, prompt_later) if prompt_later else None,
            "first_token_ms_p50_turn_1": percentile(first_token["turn_1"], 50) if first_token["turn_1"] else None,
            "first_token_ms_p50_later_turns": percentile(first_token["later"], 50) if first_token["later"] else None,
        } if counted else None,
        "markup_shown": markup,
        "summaries": summaries,
        "summaries_unsupported": unsupported,
        "llm_texts_accepted": ratio(texts_accepted, texts) if texts else None,  # the rest fell back to rules
        "referee_corrections": corrections,
        "per_tool": {
            tool: {"expected": s["expected"], "selection_accuracy": ratio(s["selected"], s["expected"]),
                   "argument_accuracy": ratio(s["args_ok"], s["args"])}
            for tool, s in sorted(per_tool.items())
        },
    }


def summarize(trials: list[TrialResult], k: int) -> dict[str, Any]:
    """pass^1 and pass^k over cases, plus the turn metrics; also per split and per tag."""
    by_case: dict[str, list[TrialResult]] = defaultdict(list)
    for t in trials:
        by_case[t.case_id].append(t)
    counts = [(len(ts), sum(t.passed for t in ts)) for ts in by_case.values()]
    metrics: dict[str, Any] = {
        "cases": len(by_case),
        "passed": sum(1 for ts in by_case.values() if ts[0].passed) if k == 1 else None,
        "pass^1": mean_pass_hat_k(counts, 1),
    }
    if k > 1:
        metrics[f"pass^{k}"] = mean_pass_hat_k(counts, k)
    metrics.update(_turn_metrics(trials))
    return metrics


def build_report(trials: list[TrialResult], *, model: str, k: int) -> dict[str, Any]:
    by_split: dict[str, list[TrialResult]] = defaultdict(list)
    by_tag: dict[str, list[TrialResult]] = defaultdict(list)
    for t in trials:
        by_split[t.split].append(t)
        for tag in t.tags:
            by_tag[tag].append(t)
    cases: dict[str, list[TrialResult]] = defaultdict(list)
    for t in trials:
        cases[t.case_id].append(t)
    return {
        "model": model,
        "k": k,
        "metrics": summarize(trials, k),
        "splits": {s: summarize(ts, k) for s, ts in sorted(by_split.items())},
        "tags": {tag: summarize(ts, k) for tag, ts in sorted(by_tag.items())},
        "cases": [
            {
                "id": cid, "split": ts[0].split, "tags": ts[0].tags,
                "passed": all(t.passed for t in ts), "passes": sum(t.passed for t in ts), "trials": len(ts),
                "failures": sorted({f for t in ts for f in t.failures}),
                "trials_detail": [t.to_json() for t in ts],
            }
            for cid, ts in cases.items()
        ],
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def render_table(report: dict[str, Any]) -> str:
    """The metrics table printed after a run (overall, then per split)."""
    names = ["pass^1", f"pass^{report['k']}" if report["k"] > 1 else None, "tool_selection_accuracy",
             "argument_accuracy", "irrelevance_accuracy", "unconfirmed_write_rate", "writes_after_decline",
             "wrong_customer_writes",
             "consent_violations", "grounding_failures", "markup_shown", "summaries_unsupported",
             "llm_texts_accepted", "referee_corrections",
             "latency_p50_ms", "latency_p95_ms"]
    names = [n for n in names if n]
    columns = [("all", report["metrics"])] + [(s, m) for s, m in report["splits"].items()]
    width = max(len(n) for n in names) + 2
    lines = ["metric".ljust(width) + "".join(c.rjust(10) for c, _ in columns)]
    for name in names:
        lines.append(name.ljust(width) + "".join(_fmt(m.get(name)).rjust(10) for _, m in columns))
    tokens = report["metrics"].get("llm_tokens")
    if tokens:
        lines.append(f"llm tokens: {tokens['total']:,} ({tokens['prompt']:,} prompt, {tokens['completion']:,} completion)")
    budget = report["metrics"].get("token_budget")
    if budget:
        lines.append(budget_line(budget))
    tools = report["metrics"].get("per_tool") or {}
    if tools:
        lines.append("")
        lines.append("tool".ljust(24) + "expected".rjust(10) + "selected".rjust(10) + "args".rjust(10))
        for tool, m in tools.items():
            lines.append(tool.ljust(24) + str(m["expected"]).rjust(10) + _fmt(m["selection_accuracy"]).rjust(10)
                         + _fmt(m["argument_accuracy"]).rjust(10))
    return "\n".join(lines)


def budget_line(budget: dict[str, Any]) -> str:
    """The token budget per model step, as `c360 eval run` and `c360 bench` print it."""
    reused = budget.get("reused_prefix_later_turns")
    first, later = budget.get("first_token_ms_p50_turn_1"), budget.get("first_token_ms_p50_later_turns")
    text = (f"token budget: {budget['steps']} steps, {_fmt(budget.get('prompt_per_step'))} prompt tokens/step, "
            f"max {budget.get('max_prompt_per_step')}/step")
    if reused is not None:
        text += f", reused prefix from turn 2: {reused:.0%}"
    if first is not None:
        text += f"; first token p50 turn 1 {first / 1000:.1f} s"
        if later is not None:
            text += f", later turns {later / 1000:.1f} s ({later / first:.0%})"
    return text


def score_lines(report: dict[str, Any]) -> list[str]:
    """The closing lines the contract fixes: ``pass^1 = 0.917 (55/60)`` and ``pass^k = ...``."""
    cases = report["cases"]
    passed_once = sum(1 for c in cases if c["passes"] == c["trials"]) if report["k"] == 1 else None
    m = report["metrics"]
    if report["k"] == 1:
        lines = [f"pass^1 = {m['pass^1']:.3f} ({passed_once}/{len(cases)})"]
    else:
        trials = sum(c["trials"] for c in cases)
        passes = sum(c["passes"] for c in cases)
        k = report["k"]
        lines = [f"pass^1 = {m['pass^1']:.3f} ({passes}/{trials})", f"pass^{k} = {m['pass^' + str(k)]:.3f}"]
    return lines


def compare(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """What got better and worse from report A to report B, case by case."""
    left = {c["id"]: c for c in a["cases"]}
    right = {c["id"]: c for c in b["cases"]}
    better, worse, same = [], [], []
    for cid in sorted(set(left) & set(right)):
        ra = left[cid]["passes"] / left[cid]["trials"]
        rb = right[cid]["passes"] / right[cid]["trials"]
        (better if rb > ra else worse if rb < ra else same).append({"id": cid, "before": ra, "after": rb,
                                                                    "failures_after": right[cid]["failures"]})
    metric_names = [n for n in a["metrics"] if isinstance(a["metrics"].get(n), (int, float))]
    return {
        "better": better, "worse": worse, "unchanged": len(same),
        "only_in_a": sorted(set(left) - set(right)), "only_in_b": sorted(set(right) - set(left)),
        "metrics": {n: (a["metrics"].get(n), b["metrics"].get(n)) for n in metric_names},
    }
