"""The plain-text rendering of a ``get_360`` result: a compact summary, one line per section.

Empty sections are left out so a new lead reads in three lines and a busy customer in twenty.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tools.get_360 import Get360Result

TEXT_TIMELINE_ITEMS = 10  # a plain "tell me about X" shows this many; an explicit timeline query shows its page
EVENT_WORDS = 3


def money(value, currency: str) -> str:
    return f"{currency} {float(value or 0):,.0f}"


def _days(n: int | None) -> str:
    if n is None:
        return "never"
    return "today" if n == 0 else "yesterday" if n == 1 else f"{n} days ago"


def _join(parts) -> str:
    return " · ".join(p for p in parts if p)


def render(r: Get360Result, *, full_timeline: bool = False) -> str:
    """The summary the user reads; ``full_timeline`` lists the whole timeline page, not just its head."""
    p, cur = r.profile, r.currency
    stage = r.lifecycle_stage.replace("_", " ")
    lines = [_join([f"{p['name']} (#{p['id']})", p.get("city"), p.get("company"),
                    f"assigned to {r.assigned_to}" if r.assigned_to else "unassigned",
                    f"{r.temperature}, {stage}, {r.customer_type} customer",
                    f"status {p['status']}" if p.get("status") not in (None, "active") else None])]
    lines.append(_contact_line(r))
    lines.extend(_working_lines(r))
    if r.family:
        lines.append("Family: " + "; ".join(_family(m) for m in r.family))
    m = r.metrics
    if m.order_count:
        orders = f"{m.order_count} order{'s' if m.order_count > 1 else ''}"
        lines.append(_join([
            f"Value: {money(m.lifetime_value, cur)} over {orders} (average {money(m.average_order_value, cur)})",
            f"last order {_days(m.days_since_last_order)}", f"{m.purchase_frequency:g} orders a month",
            f"customer for {m.tenure_days} days"]))
    else:
        lines.append(f"Value: no completed order yet · customer for {m.tenure_days} days")
    if r.rfm:
        lines.append(f"RFM {r.rfm.score} ({r.rfm.segment}): {r.rfm.reason}")
    h, c = r.health, r.churn
    factors = ", ".join(f"{name} {value:g}" for name, value in h.factors.model_dump().items())
    churn = f"churn risk {c.probability:.0%} ({c.level})" + (f": {'; '.join(c.drivers)}" if c.drivers else "")
    lines.append(f"Health {h.score:g}/100 ({h.level}: {factors}) · {churn}")
    if c.level in ("medium", "high") and c.suggestions:
        lines.append("Retention: " + "; ".join(c.suggestions))
    lines.append(_clv_line(r))
    if r.loyalty:
        lines.append(f"Loyalty: {r.loyalty.points_balance:,} points, {r.loyalty.tier}")
    if r.opportunities.count:
        lines.append(_opportunity_line(r))
    t = r.tickets
    if t.tickets:
        latest = t.tickets[0]
        lines.append(_join([
            f"Support: {t.open_count} open" + (f" ({t.overdue_count} past SLA)" if t.overdue_count else ""),
            f"average CSAT {t.average_csat:g}" if t.average_csat is not None else None,
            f"latest: {latest['subject']} ({latest['status']})"]))
    if r.open_dropoffs:
        lines.append("Open drop-offs: " + "; ".join(
            f"#{d['id']} {d['stage'].replace('_', ' ')} {money(d['cart_value'], cur)}"
            + (f" ({d['product']})" if d.get("product") else "") + f" on {d['occurred_at']:%Y-%m-%d}"
            for d in r.open_dropoffs))
    behaviour = _behaviour_line(r)
    if behaviour:
        lines.append(behaviour)
    if r.upcoming_events:
        lines.append("Coming up: " + "; ".join(f"{e.date:%a %d %b} {e.phrase}" for e in r.upcoming_events))
    for i in r.insights:
        lines.append(f"Insight [{i.severity}] {i.title}: {i.detail}. {i.recommendation}".rstrip())
    lines.extend(_timeline_lines(r, full_timeline))
    if r.redacted:
        lines.append("Hidden: " + "; ".join(r.redacted) + ".")
    return "\n".join(line for line in lines if line)


def _working_lines(r: Get360Result) -> list[str]:
    """Tags, opt-outs with their reasons, open follow-ups, pinned and latest notes with authors."""
    lines = []
    if r.tags:
        lines.append("Tags: " + ", ".join(r.tags))
    out = [c for c in r.consent if c.opted_in is False]
    if out:
        lines.append("Opted out: " + "; ".join(
            c.channel + (f" since {c.since:%Y-%m-%d}" if c.since else "") + (f" ({c.reason})" if c.reason else "")
            for c in out))
    for f in r.open_follow_ups:
        lines.append(f"Follow-up {'OVERDUE, was due' if f.overdue else 'due'} {f.due_at:%a %d %b %Y %H:%M}"
                     + (f" (set by {f.set_by})" if f.set_by else "") + (f": {_short(f.note)}" if f.note else ""))
    for n in r.notes.pinned:
        lines.append(f"📌 {_note(n)}")
    if r.notes.latest:
        lines.append("Latest notes: " + " | ".join(_note(n) for n in r.notes.latest[:3]))
    return lines


def _note(n) -> str:
    kind = "" if n.type in ("internal", "general") else f"[{n.type.replace('_', ' ')}] "
    return f"{kind}{_short(n.text)} — {n.author or 'imported'}, {n.created_at:%Y-%m-%d}"


def _short(text: str | None, limit: int = 140) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _contact_line(r: Get360Result) -> str:
    p, prefs = r.profile, r.preferences
    consent = ", ".join(f"{ch} {'yes' if ok else 'no'}" for ch, ok in prefs.consent.items() if ok is not None)
    quiet = (f"quiet hours {prefs.quiet_hours_start:%H:%M}-{prefs.quiet_hours_end:%H:%M}"
             if prefs.quiet_hours_start and prefs.quiet_hours_end else None)
    return "Contact: " + (_join([
        p.get("phone"), p.get("email"), f"prefers {prefs.preferred_channel}" if prefs.preferred_channel else None,
        f"best time {prefs.best_time_to_contact}" if prefs.best_time_to_contact else None,
        f"language {prefs.language}" if prefs.language else None, quiet,
        f"consent: {consent}" if consent else None]) or "nothing on file")


def _family(m) -> str:
    bits = [m.relationship]
    if m.next_birthday:
        bits.append(f"birthday {m.next_birthday:%d %b}")
    if m.next_anniversary:
        bits.append(f"anniversary {m.next_anniversary:%d %b}")
    if m.phone:
        bits.append(m.phone)
    elif m.phone_redacted:
        bits.append("phone hidden")
    return f"{m.name} ({', '.join(bits)})"


def _clv_line(r: Get360Result) -> str:
    v = r.clv
    if v.method == "not_fitted":
        return f"CLV: {v.note}"
    if v.method == "no_orders":
        return "CLV: no completed order yet, nothing to predict"
    how = v.method.replace("bgnbd_gamma_gamma", "BG/NBD + Gamma-Gamma") + ("" if v.stored_model else ", fitted for this view")
    return (f"CLV: probability alive {v.probability_alive:.0%} · {v.expected_purchases_90d:.1f} purchases expected "
            f"in 90 days · {money(v.predicted_value_365d, v.currency)} predicted over a year ({how})")


def _opportunity_line(r: Get360Result) -> str:
    o, cur = r.opportunities, r.currency
    win = f"win rate {o.win_rate:.0%}" if o.win_rate is not None else None
    if o.values_hidden:
        return _join([f"Opportunities: {o.count} ({o.open_count} open, values hidden)", win])
    open_part = (f"{o.open_count} open worth {money(o.open_value, cur)}, weighted {money(o.weighted_open_value, cur)}"
                 if o.open_count else "none open")
    return _join([f"Opportunities: {o.count} ({open_part})", win,
                  f"average won deal {money(o.average_deal_size, cur)}" if o.average_deal_size else None])


def _behaviour_line(r: Get360Result) -> str | None:
    b = r.behaviour
    parts = []
    if b.most_viewed:
        parts.append("viewed " + ", ".join(f"{v['name']} x{v['views']}" for v in b.most_viewed))
    if b.carts_30d:
        parts.append(f"{b.carts_30d} add-to-cart in 30 days")
    if b.wishlist_30d:
        parts.append(f"{b.wishlist_30d} wishlisted in 30 days")
    if b.top_searches:
        parts.append("searched " + ", ".join(f'"{s["query"]}"' for s in b.top_searches))
    return f"Behaviour (90 days): {_join(parts)}" if parts else None


def _timeline_lines(r: Get360Result, full: bool) -> list[str]:
    if not r.timeline:
        return ["Timeline: nothing" + (" more" if r.next_cursor is None and full else "") + " in this range."]
    shown = r.timeline if full else r.timeline[:TEXT_TIMELINE_ITEMS]
    head = "Timeline, newest first"
    if len(shown) < len(r.timeline):
        head += f" ({len(shown)} of {len(r.timeline)} in this page)"
    lines = [head + ":"]
    for item in shown:
        lines.append(f"- {item.occurred_at:%Y-%m-%d %H:%M} {item.title}" + (f" — {item.summary}" if item.summary else ""))
    if r.next_cursor:
        lines.append("Older items: call get_360 again with cursor=" + r.next_cursor)
    return lines
