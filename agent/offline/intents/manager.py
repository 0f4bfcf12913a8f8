"""The manager's questions: why a customer is (not) on the call list (explain_call_priority), and
the counts and the team's activity (dashboard)."""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from agent.offline.intents.common import Built, find_customer, make_call, who_question
from agent.offline.registry import Intent, register
from agent.offline.slots import Slots
from agent.offline.types import ConversationContext, ToolCall

EXPLAIN, DASHBOARD = "explain_call_priority", "dashboard"

EXPLAIN_CUES = {
    "why is * on": 6, "why is * not on": 6, "why isn't * on": 6, "why isnt * on": 6, "why not * on": 5,
    "why * on my list": 6, "why * on the list": 6, "why * in my list": 6, "why * not in": 5,
    "why * missing from": 6, "where does * rank": 6, "what rank": 4, "rank of": 4, "keno * list": 6,
}
DASHBOARD_CUES = {
    "dashboard": 6, "how many": 3, "how many * customers": 5, "number of customers": 5, "customer count": 5,
    "koto jon": 4, "kotojon": 4, "koyjon": 4, "team doing": 6, "my team": 4, "team performance": 6,
    "team * this week": 5, "team * last week": 5, "agents doing": 5, "kpi": 5, "kpis": 5, "overview": 3,
    "total ltv": 5, "lifetime value total": 5, "team * kemon": 6, "team kemon": 6,
}


_WHY = {"why", "keno", "kno", "kyano"}
_LIST_WORDS = {"list", "lists", "rank", "ranked", "ranking", "queue"}
# the number words a count question asks with, and what it counts
_HOW_MANY = {"koto", "kotojon", "koyjon", "kojon", "kotogula", "koyta", "kototi"}
_TEAM = {"team", "teams", "agents", "staff", "everyone", "sobai", "shobai"}
_HOW_DOING = {"doing", "performance", "performing", "kemon", "numbers", "stats", "activity", "progress", "report",
              "kaj", "result", "results"}
# segments the dashboard does not count (it counts types new/vip and lifecycle stages such as loyal)
_RFM_ONLY = {"At Risk", "Champions", "Lost", "Potential Loyalists"}
_STATS = {"numbers", "stats", "statistics", "figures", "metrics", "totals", "stat", "figure", "metric", "total"}
_COUNTED = {"customer", "customers", "client", "clients", "jon", "lead", "leads", "buyer", "buyers", "people"}


def asks_why(slots: Slots) -> bool:
    """ "why ...", "keno ...", "how come ...": a question about a reason."""
    words = set(slots.norms)
    return bool(words & _WHY) or ("how", "come") in set(pairwise(slots.norms))


def explain_evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    words = set(slots.norms)
    if asks_why(slots) and words & _LIST_WORDS:
        scores[EXPLAIN] += 4 if slots.customers or slots.pronoun else 2
        scores["call_priority_list"] = min(scores.get("call_priority_list", 0.0), scores[EXPLAIN] - 1)
        scores["get_360"] = min(scores.get("get_360", 0.0), scores[EXPLAIN] - 1)


_LIST_FILTERS = ("date", "limit", "temperature", "lifecycle_stage", "assigned_to_me", "city")


def explain_build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {"temperature": slots.first("temperature")}
    if slots.has("lifecycle") and not slots.has("segment"):
        args["lifecycle_stage"] = slots.first("lifecycle")
    if slots.has("mine"):
        args["assigned_to_me"] = True
    args["city"] = slots.first("city")
    days = [d.day for d in slots.temporal.dates if d.day > now.date()]
    if days:
        args["date"] = days[0].isoformat()
    last = ctx.last_call
    if last is not None and last.name == "call_priority_list" and not any(v for v in args.values()):
        # "why is X not on it?" right after a list asks about that list: its filters, its length
        args.update({k: v for k, v in last.arguments.items() if k in _LIST_FILTERS})
    who = find_customer(slots, ctx)
    if who.problem:
        return who_question(who, EXPLAIN, args)
    args["customer"] = who.ref
    return make_call(EXPLAIN, args)


def why_on_the_list(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built | None:
    """Right after a call list, "why <customer>?" / "why isn't <customer> there?" asks about that list."""
    last = ctx.last_call
    if last is None or last.name not in {"call_priority_list", EXPLAIN} or not asks_why(slots):
        return None
    row = slots.ordinal is not None and bool(ctx.listed)  # "why is the second one there?"
    if not any(m.via != "unknown" for m in slots.customers) and not slots.pronoun and not row:
        return None
    if len([t for t in slots.tokens if t.kind != "punct"]) > 10:
        return None
    if last.name == EXPLAIN:  # a second "why" keeps the list the first one was about
        last = ToolCall("call_priority_list", {k: v for k, v in last.arguments.items() if k in _LIST_FILTERS})
    return explain_build(slots, ctx.evolve(last_call=last), now, text)


def dashboard_evidence(slots: Slots, scores: dict[str, float], today_iso: str) -> None:
    words = set(slots.norms)
    if words & _HOW_MANY and words & _COUNTED or {"total", "customers"} <= words:
        scores[DASHBOARD] += 4
    if words & _TEAM and words & _HOW_DOING:
        scores[DASHBOARD] += 5
    period = words & {"week", "month", "today", "shoptaho", "soptaho", "mash"} or slots.temporal.dates
    if not (slots.customers or slots.pronoun) and (words & _STATS or "number" in words and period):
        scores[DASHBOARD] += 4  # "the numbers for this week", "our stats"
    if slots.first("segment") in _RFM_ONLY and not (slots.customers or slots.pronoun or slots.has("lifecycle")) and (
            {"how", "many"} <= words or words & _HOW_MANY):
        scores["rfm_segment"] = max(scores.get("rfm_segment", 0.0), scores[DASHBOARD] + 1)
        return  # "how many at risk customers?": the segment answers with its members
    if {"how", "many"} <= words or words & {"dashboard", "kpi", "kpis"}:
        scores[DASHBOARD] += 1
        scores["call_priority_list"] = min(scores.get("call_priority_list", 0.0), scores[DASHBOARD] - 1)
        scores["rfm_segment"] = min(scores.get("rfm_segment", 0.0), scores[DASHBOARD] - 0.5)


def dashboard_build(slots: Slots, ctx: ConversationContext, now: datetime, text: str) -> Built:
    args: dict[str, Any] = {}
    words, today = set(slots.norms), now.date()
    if "last" in words and "week" in words:
        start = today - timedelta(days=today.weekday() + 7)
        args["since"], args["until"] = start.isoformat(), (start + timedelta(days=6)).isoformat()
    elif words & {"month", "mash", "mashe", "masher", "mas"}:
        args["since"] = today.replace(day=1).isoformat()
    elif words & {"today", "ajke"}:
        args["since"] = today.isoformat()
    past = [d.day for d in slots.temporal.dates if d.day < today]
    if past and "since" not in args:
        args["since"] = past[0].isoformat()
    return make_call(DASHBOARD, args)


register(Intent(EXPLAIN, EXPLAIN_CUES, explain_build, explain_evidence, rank=7, about_customer=1.0,
                carry=("date", "temperature", "lifecycle_stage", "assigned_to_me", "city")))
register(Intent(DASHBOARD, DASHBOARD_CUES, dashboard_build, dashboard_evidence, rank=9))
