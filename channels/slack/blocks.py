"""Block Kit rendering of the agent's turns: call lists, 360 cards, drafts, confirmations, App Home.

Slack's limits shape this module: 50 blocks a message, 3,000 characters a section, 2,000 a button
value. Cards are recognised by their fields (the agent returns tool results without tool names).
"""
from __future__ import annotations

import json
from typing import Any

MAX_SECTION = 2900
MAX_ENTRIES = 12  # 3 blocks per entry + header stays under Slack's 50-block cap
ACCESS_COMMAND = 'c360 users add "Your Name" --role agent --slack-id {user}'

# action ids: one per button kind; listeners/actions.py registers each
APPROVE, EDIT, CANCEL = "c360_approve", "c360_edit", "c360_cancel"
OPEN_360, LOG_CALL, DRAFT_WHATSAPP = "c360_open_360", "c360_log_call", "c360_draft_whatsapp"
ADD_NOTE, OPT_OUT = "c360_add_note", "c360_opt_out"  # the 360 card's record actions (modals)
DECISIONS = {APPROVE: "approve", EDIT: "edit", CANCEL: "cancel"}


def esc(text: Any) -> str:
    """Slack mrkdwn escaping: only &, < and > are special."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int = MAX_SECTION) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text) or " "}}


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text)}]}


def button(label: str, action_id: str, value: dict[str, Any], style: str | None = None) -> dict[str, Any]:
    element = {"type": "button", "text": {"type": "plain_text", "text": label, "emoji": True},
               "action_id": action_id, "value": json.dumps(value, separators=(",", ":"))[:2000]}
    if style:
        element["style"] = style
    return element


def card_kind(card: dict[str, Any]) -> str | None:
    """call_list, customer, draft, dashboard, or None for cards shown as the reply's text."""
    if "entries" in card and "filters" in card:
        return "call_list"
    if "profile" in card and "metrics" in card:
        return "customer"
    if "draft" in card and "allowed" in card:
        return "draft"
    if "by_temperature" in card and "team" in card:
        return "dashboard"
    return None


# --- the cards ------------------------------------------------------------------------------


def customer_buttons(customer_id: int, name: str, offer: str | None = None, *,
                     records: bool = False) -> dict[str, Any]:
    """Open 360, Log call, Draft WhatsApp; with ``records`` (the 360 card) also Add note and Opt out…"""
    value = {"c": customer_id, "n": name[:80]}
    if offer:
        value["o"] = offer[:200]
    elements = [button("Open 360", OPEN_360, value), button("Log call", LOG_CALL, value),
                button("Draft WhatsApp", DRAFT_WHATSAPP, value)]
    if records:
        elements += [button("Add note", ADD_NOTE, value), button("Opt out…", OPT_OUT, value, "danger")]
    return {"type": "actions", "elements": elements}


def human_day(value: Any) -> str:
    """"2026-12-02" -> "Wed 02 Dec" (anything else as it is)."""
    from datetime import date

    try:
        return f"{date.fromisoformat(str(value)):%a %d %b}"
    except ValueError:
        return str(value)


def offer_topic(kind: str, products: str = "") -> str | None:
    """What a draft is about, from the offer kind: "cart_recovery" -> "cart recovery offer (Blue Kettle)";
    a kind that already says offer or call is not said twice."""
    words = kind.replace("_", " ").strip()
    if not words:
        return None
    if not words.endswith(("offer", "call")):
        words += " offer"
    return words + (f" ({products})" if products else "")


def call_list_blocks(card: dict[str, Any], title: str | None = None) -> list[dict[str, Any]]:
    """The ranked list: each entry with why, offer, best time, next action and three buttons."""
    entries = card.get("entries") or []
    day = card.get("date", "")
    head = title or f"Call list for {human_day(day)}"
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": clip(head, 150)}}]
    if not entries:
        return blocks + [section(esc(card.get("text") or "Nobody to call."))]
    for k, e in enumerate(entries[:MAX_ENTRIES]):
        if k:
            blocks.append({"type": "divider"})
        why = "; ".join(e.get("reasons") or []) or "no pressing reason: a routine check-in"
        products = ", ".join(p["name"] for p in e.get("recommended_products") or [])
        offer = (e.get("offer_type") or "").replace("_", " ") + (f" ({products})" if products else "")
        best = e.get("best_call_time") or {}
        contact = e.get("phone") or e.get("email") or ""
        text = (f"*{e['rank']}. {esc(e['name'])}* · score {e['score']:g} · {esc(e.get('temperature', ''))}"
                + (f" · {esc(contact)}" if contact else "")
                + f"\n*Why:* {esc(why)}\n*Offer:* {esc(offer)}"
                + (f" · *Best time:* {esc(best.get('window', ''))}" if best.get("window") else "")
                + (f"\n_{esc(e['next_action'])}_" if e.get("next_action") else ""))
        kind = e.get("offer_type") or ""
        # a family event names whose it is ("husband Masud's birthday tomorrow"), so the draft wishes them
        topic = (f"{kind.replace('_', ' ')}: {e['offer_reason']}" if kind in ("birthday_offer", "anniversary_offer")
                 and e.get("offer_reason") else offer_topic(kind, products))
        blocks += [section(text), customer_buttons(e["customer_id"], e["name"], topic)]
    if len(entries) > MAX_ENTRIES:
        blocks.append(context(f"…and {len(entries) - MAX_ENTRIES} more; ask for a shorter list or filter it."))
    return blocks


def customer_blocks(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The 360 view as a compact card: who, contact, value, health, RFM, top insight, latest events."""
    p = card["profile"]
    m = card.get("metrics") or {}
    rfm = card.get("rfm") or {}
    health = card.get("health") or {}
    churn = card.get("churn") or {}
    currency = card.get("currency", "")
    stage = str(card.get("lifecycle_stage", "")).replace("_", " ")
    fields = [
        f"*Status*\n{esc(card.get('temperature', ''))}, {esc(stage)}",
        f"*Contact*\n{esc(p.get('phone') or '—')}\n{esc(p.get('email') or '')}".rstrip(),
        f"*Value*\n{currency} {m.get('lifetime_value', 0):,.0f} · {m.get('order_count', 0)} orders",
        f"*RFM*\n{esc(rfm.get('score', '—'))} {esc(rfm.get('segment', ''))}".rstrip(),
        f"*Health*\n{health.get('score', 0):g}/100 ({esc(health.get('level', ''))})",
        f"*Churn risk*\n{round(100 * (churn.get('probability') or 0))}% ({esc(churn.get('level', ''))})",
    ]
    owner = f"assigned to {card['assigned_to']}" if card.get("assigned_to") else None
    where = " · ".join(esc(x) for x in (p.get("city"), owner) if x)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(f"{p['name']} (#{p['id']})", 150)}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": clip(f, 1900)} for f in fields]},
    ]
    if where:
        blocks.insert(1, context(where))
    blocks += _care_blocks(card, churn)
    insights = card.get("insights") or []
    if insights:
        top = insights[0]
        blocks.append(section(f"*Insight:* {esc(top['title'])}\n{esc(top.get('recommendation', ''))}"))
    timeline = card.get("timeline") or []
    if timeline:
        lines = [f"• {esc(str(t['occurred_at'])[:10])} {esc(t['title'])}" for t in timeline[:5]]
        blocks.append(section("*Latest:*\n" + "\n".join(lines)))
    blocks.append(customer_buttons(p["id"], p["name"], records=True))
    return blocks


def _care_blocks(card: dict[str, Any], churn: dict[str, Any]) -> list[dict[str, Any]]:
    """Loyalty, tickets, consent and quiet hours; churn drivers and retention steps when worth it."""
    prefs = card.get("preferences") or {}
    loyalty, tickets = card.get("loyalty"), card.get("tickets") or {}
    consent = ", ".join(f"{ch} {'yes' if ok else 'no'}" for ch, ok in (prefs.get("consent") or {}).items()
                        if ok is not None) or "not asked"
    quiet = (f"{str(prefs['quiet_hours_start'])[:5]}-{str(prefs.get('quiet_hours_end') or '')[:5]}"
             if prefs.get("quiet_hours_start") else "none")
    parts = [f"*Loyalty:* {loyalty['points_balance']:,} points, {esc(loyalty['tier'])}" if loyalty else None,
             f"*Tickets:* {tickets.get('open_count', 0)} open" if tickets else None,
             f"*Consent:* {esc(consent)}", f"*Quiet hours:* {esc(quiet)}"]
    blocks = [context(" · ".join(p for p in parts if p))]
    if churn.get("level") in ("medium", "high"):
        drivers = "; ".join(churn.get("drivers") or [])
        steps = "\n".join(f"• {esc(s)}" for s in churn.get("suggestions") or [])
        blocks.append(section(clip(f"*Churn risk {esc(churn['level'])}:* {esc(drivers)}"
                                   + (f"\n*Retention:*\n{steps}" if steps else ""))))
    return blocks


def dashboard_blocks(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The dashboard: counts by temperature, type and lifecycle, lifetime value, the team's period."""
    cur = card.get("currency", "")
    counts = lambda m: ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in (m or {}).items())
    head = f"Dashboard · {card.get('since')} to {card.get('until')}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": clip(head, 150)}},
        {"type": "section", "fields": [{"type": "mrkdwn", "text": clip(f, 1900)} for f in (
            f"*Customers*\n{card.get('customers', 0):,}",
            f"*Temperature*\n{esc(counts(card.get('by_temperature')))}",
            f"*Type*\n{esc(counts(card.get('by_type')))}",
            f"*Lifecycle*\n{esc(counts(card.get('by_lifecycle')))}",
            f"*Lifetime value*\n{cur} {card.get('lifetime_value_total', 0):,.0f}",
            f"*Average per buyer*\n{cur} {card.get('lifetime_value_average', 0):,.0f}")]},
    ]
    rows = [*(card.get("team") or []), *([card["totals"]] if card.get("totals") else [])]
    lines = [f"*{esc(a['name'])}*: {a['contacts_logged']} contacts ({a['calls_logged']} calls) · "
             f"{a['follow_ups_due']} follow-ups due ({a['follow_ups_overdue']} overdue) · "
             f"{a['carts_recovered']} carts recovered ({cur} {a['value_recovered']:,.0f})" for a in rows]
    if lines:
        blocks.append(section(clip("\n".join(lines))))
    return blocks


def draft_blocks(card: dict[str, Any]) -> list[dict[str, Any]]:
    """A draft (never sent) with its verdict: allowed now, or blocked and why, with the way forward."""
    channel = esc(card.get("channel", ""))
    if card.get("allowed"):
        verdict = f":white_check_mark: *{channel}* is allowed now"
    else:
        reason = str(card.get("blocked_reason") or "blocked").replace("_", " ")
        verdict = f":no_entry: *{channel}* is blocked now: {esc(reason)}"
        if card.get("next_allowed_at"):
            verdict += f"; allowed from {esc(card['next_allowed_at'])}"
        if card.get("alternative_channel"):
            verdict += f"; try {esc(card['alternative_channel'])}"
    quoted = "\n".join(f"> {esc(line)}" for line in str(card.get("draft", "")).splitlines())
    return [section(f"*Draft for {esc(card.get('customer_name', ''))}* (not sent)\n{verdict}"),
            section(quoted or "> (empty)")]


def card_blocks(card: dict[str, Any]) -> list[dict[str, Any]]:
    kind = card_kind(card)
    if kind == "call_list":
        return call_list_blocks(card)
    if kind == "customer":
        return customer_blocks(card)
    if kind == "draft":
        return draft_blocks(card)
    if kind == "dashboard":
        return dashboard_blocks(card)
    return []


def turn_blocks(reply: str, cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A finished turn: the reply (unless a card already says it) and each recognised card."""
    rendered = [(card, card_blocks(card)) for card in cards]
    shown = [blocks for _, blocks in rendered if blocks]
    card_texts = {str(card.get("text", "")).strip() for card, blocks in rendered if blocks}
    blocks: list[dict[str, Any]] = []
    if reply.strip() and reply.strip() not in card_texts:
        blocks.append(section(esc(reply)))
    for group in shown:
        if len(blocks) + len(group) > 50:
            break
        blocks += group
    return blocks or [section(esc(reply) or "Done.")]


# --- confirmations --------------------------------------------------------------------------


def confirmation_blocks(pending: dict[str, Any], thread_id: str, requester: str) -> list[dict[str, Any]]:
    """A write waiting for approval, with Approve / Edit / Cancel buttons bound to its conversation."""
    value = {"t": thread_id, "u": requester, "p": pending.get("tool_call_id")}
    blocks = [section(f":pencil: *Waiting for your approval*\n{esc(pending.get('summary', ''))}")]
    details = pending.get("details") or []
    if details:
        blocks.append(context(esc(" · ".join(details))))
    if pending.get("problem"):
        blocks.append(section(f":warning: {esc(pending['problem'])}"))
    blocks.append({"type": "actions", "elements": [button("Approve", APPROVE, value, "primary"),
                                                   button("Edit", EDIT, value),
                                                   button("Cancel", CANCEL, value, "danger")]})
    return blocks


def decided_blocks(summary: str, decision: str, user: str, outcome: str) -> list[dict[str, Any]]:
    """The confirmation message after the decision: what was asked, who decided, what happened."""
    mark = {"approve": ":white_check_mark: Approved", "edit": ":pencil2: Edited and approved",
            "cancel": ":x: Cancelled"}.get(decision, decision)
    return [section(esc(summary)), context(f"{mark} by <@{user}>"), section(esc(outcome) or " ")]


# --- access, App Home -----------------------------------------------------------------------


def access_text(slack_user_id: str) -> str:
    """What an unknown Slack user sees: how to get access, and no customer data."""
    command = ACCESS_COMMAND.format(user=slack_user_id)
    return ("Hi! I'm c360, the customer assistant, but your Slack account is not linked to a c360 user yet, "
            "so I can't show you any customer data. Ask a c360 admin to add you with:\n"
            f"`{command}`\n(your Slack user id is `{slack_user_id}`). Then just ask me again.")


def home_view(user_name: str | None, card: dict[str, Any] | None, slack_user_id: str,
              error: str | None = None) -> dict[str, Any]:
    """The App Home tab: today's call list for a known user; the access note for anyone else."""
    if user_name is None:
        blocks = [section(esc(access_text(slack_user_id)))]
    elif error:
        blocks = [section(f"Hi {esc(user_name)}. I could not build your call list: {esc(error)}")]
    else:
        title = f"Your calls for {human_day(card['date'])}" if card and card.get("date") else "Your calls for today"
        if (card or {}).get("entries"):
            blocks = call_list_blocks(card, title=title)
        else:  # one sentence, not the list's own "nobody" line and this one
            blocks = [{"type": "header", "text": {"type": "plain_text", "text": clip(title, 150)}},
                      section("None of your customers needs a call today.")]
        blocks.append(context("Ask me anything in a DM, or use `/c360 <question>` in any channel."))
    return {"type": "home", "blocks": blocks[:100]}
