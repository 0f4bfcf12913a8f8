"""Turn results in the terminal: the reply, then each card as a rich table or panel."""
from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from channels.http.schemas import ChatResponse

TEMPERATURE_STYLE = {"hot": "bold red", "warm": "yellow", "cold": "cyan"}


def _money(value: Any, currency: str = "") -> str:
    return "–" if value is None else f"{currency} {float(value):,.0f}".strip()


def call_list_table(card: dict[str, Any]) -> Table:
    table = Table(title=f"Call list for {card.get('date')}", show_lines=True, expand=True)
    for column in ("#", "customer", "score", "temp.", "why", "offer", "best time", "phone"):
        table.add_column(column, overflow="fold")
    for e in card.get("entries", []):
        products = ", ".join(p["name"] for p in e.get("recommended_products", []))
        offer = (e.get("offer_type") or "").replace("_", " ") + (f"\n{products}" if products else "")
        table.add_row(str(e["rank"]), f"{e['name']} (#{e['customer_id']})", f"{e['score']:g}",
                      Text(e["temperature"], style=TEMPERATURE_STYLE.get(e["temperature"], "")),
                      "; ".join(e.get("reasons", [])) or "routine check-in", offer,
                      (e.get("best_call_time") or {}).get("window", "–"), e.get("phone") or e.get("email") or "")
    return table


def customer_panel(card: dict[str, Any]) -> Panel:
    p, m, currency = card.get("profile", {}), card.get("metrics", {}), card.get("currency", "")
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="dim")
    facts.add_column()
    rfm = card.get("rfm")
    rows = [
        ("contact", " · ".join(x for x in (p.get("phone"), p.get("email")) if x) or "–"),
        ("stage", f"{card.get('temperature')} · {(card.get('lifecycle_stage') or '').replace('_', ' ')}"),
        ("assigned to", card.get("assigned_to") or "nobody"),
        ("lifetime value", f"{_money(m.get('lifetime_value'), currency)} over {m.get('order_count', 0)} orders"),
        ("last order", "never" if m.get("days_since_last_order") is None else f"{m['days_since_last_order']} days ago"),
        ("RFM", f"{rfm['score']} {rfm['segment']}" if rfm else "no orders yet"),
        ("health / churn", f"{(card.get('health') or {}).get('level', '–')} / {(card.get('churn') or {}).get('level', '–')}"),
        ("family", ", ".join(f"{f['name']} ({f['relationship']})" for f in card.get("family", [])) or "–"),
    ]
    for label, value in rows:
        facts.add_row(label, value)
    timeline = Table("date", "type", "what", box=None, show_header=False)
    for item in card.get("timeline", [])[:5]:
        timeline.add_row(str(item["occurred_at"])[:10], item["type"], item["title"])
    return Panel(Group(facts, timeline), title=f"{p.get('name')} (#{p.get('id')}) · {p.get('city') or ''}")


def draft_panel(card: dict[str, Any]) -> Panel:
    if card.get("allowed"):
        verdict = Text(f"✓ may be sent now on {card.get('channel')}", style="green")
    else:
        extra = "".join(f"; {label} {card[key]}" for key, label in
                        (("next_allowed_at", "allowed from"), ("alternative_channel", "try")) if card.get(key))
        verdict = Text(f"✗ blocked: {(card.get('blocked_reason') or '').replace('_', ' ')}{extra}", style="red")
    return Panel(Group(verdict, Text(card.get("draft") or "")),
                 title=f"draft {card.get('channel')} for {card.get('customer_name')} (not sent)")


def rfm_table(card: dict[str, Any]) -> Table | Text:
    if card.get("distribution"):
        table = Table("segment", "customers", "share", title="RFM segments")
        for s in card["distribution"]:
            table.add_row(s["segment"], f"{s['count']:,}", f"{s['share']:.1%}")
        return table
    if card.get("members"):
        table = Table("customer", "RFM", "orders", "spent", "last order", title=f"{card['segment']}")
        for c in card["members"]:
            table.add_row(f"{c['name']} (#{c['customer_id']})", c["score"], str(c["frequency"]),
                          _money(c["monetary"]), f"{c['recency_days']} days ago")
        return table
    return Text(card.get("text", ""))


RENDERERS = {"call_priority_list": call_list_table, "get_360": customer_panel, "draft_reply": draft_panel,
             "rfm_segment": rfm_table}


def show_turn(console: Console, turn: ChatResponse) -> None:
    """Print a turn: cards the reply already says in full are shown as tables instead of repeated text."""
    tables = [RENDERERS[c.tool](c.model_dump()) for c in turn.cards if c.tool in RENDERERS]
    if tables and not turn.pending:
        first = turn.reply.split("\n", 1)[0]
        console.print(Text(first, style="bold"))
        for table in tables:
            console.print(table)
    else:
        console.print(Text(turn.reply))
    if turn.pending:
        console.print(Panel(Text(turn.pending.summary), title="waiting for your approval", border_style="yellow"))
