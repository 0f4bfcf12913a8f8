"""The insight rules: pure functions of one customer's records (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from domain.insights.records import LATEST_ORDERS, Facts, Records

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Insight:
    kind: str
    severity: str  # low | medium | high
    title: str
    detail: str
    evidence: list[dict] = field(default_factory=list)  # [{"table": "orders", "id": 12}, ...]
    recommendation: str = ""


def ref(table: str, record_id: int) -> dict:
    return {"table": table, "id": int(record_id)}


def _engagement_drop(rec: Records, f: Facts):
    recent = rec.recent_touches
    monthly = (rec.all_touches - recent) / 3.0
    if monthly < 2 or recent > monthly / 2:
        return
    evidence = [ref(src, rid) for src, rid, *_ in rec.touches[:5]]
    yield Insight(
        "engagement_drop",
        "high" if not recent else "medium",
        "Engagement dropped",
        f"{recent} touches in the last 30 days against {monthly:.1f} a month in the 90 days before",
        evidence,
        "Reach out personally: ask how they are and whether something put them off.",
    )


def _stale_opportunities(rec: Records, f: Facts):
    stale_before = f.since(30)
    rows = [
        r for r in rec.opportunities if r[3] < stale_before or (r[4] is not None and r[4] < f.today)
    ]
    if not rows:
        return
    value = sum(r[2] or 0 for r in rows)
    overdue = [r for r in rows if r[4] is not None and r[4] < f.today]
    parts = [
        f"{len(rows)} open deal{'s' if len(rows) > 1 else ''} worth {f.money(value)}",
        f"oldest untouched for {max(f.days_ago(r[3]) for r in rows)} days",
    ]
    if overdue:
        parts.append(f"{len(overdue)} past expected close")
    yield Insight(
        "stale_opportunity",
        "high" if overdue or value >= 10 * f.big else "medium",
        f"Stale opportunit{'ies' if len(rows) > 1 else 'y'}: {', '.join(r[1] for r in rows[:3])}",
        "; ".join(parts),
        [ref("opportunities", r[0]) for r in rows],
        "Move each deal to its next stage, or close it as lost to keep the pipeline honest.",
    )


def _churn_risk(rec: Records, f: Facts):
    if rec.order_count < 2 or rec.first_order_at is None or rec.last_order_at is None:
        return
    silent = f.days_ago(rec.last_order_at)
    gap = max(
        1.0,
        (rec.last_order_at - rec.first_order_at).total_seconds() / 86400 / (rec.order_count - 1),
    )
    if silent <= max(2 * gap, 60):
        return
    high = silent > 3 * gap and (rec.order_count >= 4 or rec.total_spent >= f.big)
    yield Insight(
        "churn_risk",
        "high" if high else "medium",
        "Churn risk: gone quiet",
        f"last order {silent} days ago; usually every {gap:.0f} days over {rec.order_count} orders "
        f"({f.money(rec.total_spent)} in total)",
        [ref("orders", r[0]) for r in rec.orders[:1]],
        "Call with a welcome-back offer on what they used to buy; ask what changed.",
    )


def _upsell_potential(rec: Records, f: Facts):
    recent = [r for r in rec.orders if r[1] >= f.since(180)]
    if len(recent) < 3 or f.days_ago(recent[0][1]) > 30:
        return
    spent = sum(r[2] for r in recent)
    more = "+" if len(recent) == LATEST_ORDERS else ""
    yield Insight(
        "upsell_potential",
        "high" if spent >= f.big else "medium",
        "Upsell potential",
        f"{len(recent)}{more} orders in the last 180 days worth {f.money(spent)}, "
        f"the last {f.days_ago(recent[0][1])} days ago",
        [ref("orders", r[0]) for r in recent[:5]],
        "Offer a premium item or a bundle in the categories they already buy.",
    )


def _vip_activity(rec: Records, f: Facts):
    if rec.customer_type != "vip" and rec.total_spent < f.vip_spend:
        return
    week = f.since(7)
    kinds = {kind: n for kind, n in rec.week.items() if n}
    seen = [(at, "orders", oid) for oid, at, _a in rec.orders if at >= week]
    dropoffs = [(at, "dropoffs", did) for did, _s, _v, at, _r in rec.dropoffs if at >= week]
    tickets = [
        (created, "support_tickets", tid)
        for tid, _s, _st, _sla, created in rec.tickets
        if created >= week
    ]
    for kind, rows in (("order", seen), ("drop-off", dropoffs), ("ticket", tickets)):
        if rows:
            kinds[kind] = len(rows)
    if not kinds:
        return
    # the latest touches are the only ones loaded one by one; counts above are complete
    touches = [
        (at, src, rid)
        for src, rid, at, direction, outcome in rec.touches
        if at >= week
        and (src == "behavior_events" or direction == "inbound" or outcome == "complaint")
    ]
    records = sorted(seen + dropoffs + tickets + touches, key=lambda r: (r[0], r[2]), reverse=True)
    urgent = kinds.keys() & {"drop-off", "ticket", "complaint"}
    summary = ", ".join(f"{n} {k}{'s' if n > 1 else ''}" for k, n in sorted(kinds.items()))
    yield Insight(
        "vip_activity",
        "high" if urgent else "low" if set(kinds) == {"order"} else "medium",
        "VIP active this week",
        f"last 7 days: {summary}",
        [ref(t, rid) for _at, t, rid in records[:10]],
        "Call today: a VIP hit a problem; resolve it before anything else."
        if urgent
        else "Thank them personally and mention what is new in the categories they like.",
    )


def _open_dropoffs(rec: Records, f: Facts):
    rows = [r for r in rec.dropoffs if not r[4]]
    if not rows:
        return
    value = sum(r[2] or 0 for r in rows)
    stages = {r[1] for r in rows}
    if value >= f.big or "payment_failed" in stages:
        severity = "high"
    elif value >= f.big / 5 or stages & {"add_to_cart", "checkout_initiated"}:
        severity = "medium"
    else:
        severity = "low"
    _id, stage, latest_value, at, _r = rows[0]
    yield Insight(
        "open_dropoffs",
        severity,
        f"{len(rows)} open drop-off{'s' if len(rows) > 1 else ''} worth {f.money(value)}",
        f"latest: {stage.replace('_', ' ')} of {f.money(latest_value)} {f.days_ago(at)} days ago",
        [ref("dropoffs", r[0]) for r in rows],
        "Call to help finish the purchase: answer doubts, check payment options, hold the price.",
    )


def _sla_risk(rec: Records, f: Facts):
    soon = f.now + timedelta(hours=24)
    rows = [
        r for r in rec.tickets if r[2] in ("open", "pending") and r[3] is not None and r[3] <= soon
    ]
    if not rows:
        return
    breached = [r for r in rows if r[3] <= f.now]
    if breached:
        late = (f.now - breached[0][3]).total_seconds() / 3600
        plural = "s" if len(breached) > 1 else ""
        detail = f"{len(breached)} ticket{plural} past SLA, the oldest by {_hours(late)}"
    else:
        detail = (
            f'SLA of "{rows[0][1]}" due in {_hours((rows[0][3] - f.now).total_seconds() / 3600)}'
        )
    yield Insight(
        "sla_risk",
        "high" if breached else "medium",
        "Support ticket past SLA" if breached else "Support ticket near SLA",
        detail,
        [ref("support_tickets", r[0]) for r in rows],
        "Resolve or update the ticket now and tell the customer what happens next.",
    )


def _hours(hours: float) -> str:
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"


RULES = (
    _sla_risk,
    _vip_activity,
    _open_dropoffs,
    _churn_risk,
    _engagement_drop,
    _stale_opportunities,
    _upsell_potential,
)
