"""Why a customer matters now: for a 360 view and for each call-list entry, from the tool facts only.

The deterministic explanation is a template over the facts. An LLM explanation is used instead only
when every number, date, weekday and time in it appears in the facts (``agent.text.grounding``).
"""
from __future__ import annotations

import json
import re
from typing import Any

from agent.text.binding import unbound_labels
from agent.text.grounding import ungrounded
from agent.turn_report import record
from agent.text.llm import TextLLM

# the facts an explanation may use, by where they sit in a tool result
ENTRY_KEYS = ("name", "customer_name", "temperature", "lifecycle_stage", "score", "reasons", "events",
              "next_action", "offer_reason", "open_dropoffs", "order_count", "lifetime_value",
              "days_since_last_order", "follow_up")
PROFILE_KEYS = ("name", "temperature", "lifecycle_stage", "customer_type", "city")
SECTIONS = ("metrics", "rfm", "health", "churn", "churn_risk", "clv", "loyalty", "upcoming_events",
            "insights", "open_dropoffs", "behavior", "behaviour")
MAX_REASONS = 3
SCHEMA = {"type": "object", "required": ["explanations"], "properties": {"explanations": {
    "type": "array", "items": {"type": "object", "required": ["key", "text"],
                               "properties": {"key": {"type": "string"}, "text": {"type": "string"}}}}}}


def entry_facts(entry: dict[str, Any]) -> dict[str, Any]:
    """The facts of one call-list entry an explanation may use."""
    return {k: entry[k] for k in ENTRY_KEYS if entry.get(k) not in (None, [], {}, "")}


def profile_facts(view: dict[str, Any]) -> dict[str, Any]:
    """The facts of a 360 view an explanation may use (profile, scores, events, insights)."""
    profile = view.get("profile") if isinstance(view.get("profile"), dict) else view.get("customer") or {}
    facts = {k: profile[k] for k in PROFILE_KEYS if isinstance(profile, dict) and profile.get(k) not in (None, "")}
    for key in PROFILE_KEYS:
        if key not in facts and view.get(key) not in (None, "", [], {}):
            facts[key] = view[key]
    for key in SECTIONS:
        if view.get(key) not in (None, [], {}):
            facts[key] = view[key]
    return facts


def _event_text(item: dict[str, Any]) -> str:
    if item.get("phrase"):
        return str(item["phrase"])
    whose = str(item.get("whose") or "")
    who = "" if whose in ("", "self") else f"{whose}'s "
    when = f" in {item['days_until']} days" if isinstance(item.get("days_until"), int) and item["days_until"] > 0 \
        else " today" if item.get("days_until") == 0 else ""
    return f"{who}{item.get('kind', 'event')}{when}" + (f" ({item['date']})" if item.get("date") else "")


def _reason_texts(facts: dict[str, Any]) -> list[str]:
    reasons: list[str] = []
    for item in facts.get("reasons") or []:
        reasons.append(item if isinstance(item, str) else str(item.get("detail") or item.get("text") or ""))
    for item in facts.get("insights") or []:
        if isinstance(item, dict):
            reasons.append(str(item.get("title") or item.get("detail") or ""))
    if not facts.get("reasons"):  # a call-list entry's reasons already name its events
        for item in facts.get("upcoming_events") or facts.get("events") or []:
            if isinstance(item, dict):
                reasons.append(_event_text(item))
    return [r.strip().rstrip(".") for r in reasons if r and r.strip()]


def template_explanation(facts: dict[str, Any]) -> str:
    """The deterministic explanation: the customer, their temperature, their strongest reasons."""
    name = facts.get("name") or facts.get("customer_name") or "This customer"
    heat = facts.get("temperature")
    stage = str(facts.get("lifecycle_stage") or "").replace("_", " ")
    head = f"{name} is {heat}" if heat else name
    if stage:
        head += f" ({stage})"
    parts = _reason_texts(facts)[:MAX_REASONS]
    metrics = facts.get("metrics") if isinstance(facts.get("metrics"), dict) else facts
    orders, value = metrics.get("order_count"), metrics.get("lifetime_value")
    if orders == 0 and (not parts or "metrics" in facts):
        parts.append("no orders yet")
    elif orders is not None and (not parts or "metrics" in facts):
        parts.append(f"{orders} orders" + (f", lifetime value {value:,.0f}" if isinstance(value, (int, float))
                                           and value else ""))
    rfm = facts.get("rfm")
    if isinstance(rfm, dict) and rfm.get("segment"):
        parts.append(f"RFM {rfm['segment']}" + (f" ({rfm['score']})" if rfm.get("score") else ""))
    text = head + (": " + "; ".join(parts) if parts else "")
    if facts.get("next_action"):
        text += f". Next: {str(facts['next_action']).rstrip('.')}"
    return text + "."


def explain(items: list[tuple[str, dict[str, Any]]], llm: TextLLM | None) -> dict[str, dict[str, str]]:
    """{key: {"text", "source"}} for each (key, facts): the LLM's text when grounded, else the template."""
    out = {key: {"text": template_explanation(facts), "source": "template"} for key, facts in items}
    if llm is None or not llm.enabled or not items:
        return out
    masker = llm.masker()
    masked = {key: masker.mask_value(facts) for key, facts in items}
    listing = "\n".join(json.dumps({"key": key, "facts": facts}, ensure_ascii=False, default=str)
                        .replace("</data", "<\\/data") for key, facts in masked.items())
    answer = llm.complete_json("insight_explanation", SCHEMA, masker, items=listing)
    seen: set[str] = set()
    for entry in (answer or {}).get("explanations") or []:
        if not isinstance(entry, dict):
            continue
        key, text = str(entry.get("key")), entry.get("text")
        if key not in masked or not isinstance(text, str) or not text.strip() or len(text) > 600:
            continue
        # a fabricated number or date, a quality the facts do not show ("high lifetime value"), or the
        # same sentence as another customer's with the name swapped: keep the template
        shape = _shape(text, masked[key])
        if ungrounded(text, masked[key]) or unbound_labels(text, masked[key]) or shape in seen:
            record("text_rejected", [entry], task="insight_explanation")
            continue
        seen.add(shape)
        record("text_accepted", [entry], task="insight_explanation")
        out[key] = {"text": masker.unmask(text.strip()), "source": "llm"}
    return out


def _shape(text: str, facts: Any) -> str:
    """The sentence without the words of the customer's name (to spot one sentence reused for all)."""
    names: set[str] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and "name" in key.lower():
            names.update(re.findall(r"[a-z]+", value.lower()))

    walk(facts)
    return " ".join(w for w in re.findall(r"[a-z]+", text.lower()) if w not in names)


def annotate_call_list(payload: dict[str, Any], llm: TextLLM | None) -> dict[str, Any]:
    """Add ``explanation`` to each entry of a call_priority_list result."""
    list_key = next((k for k in ("entries", "customers", "items", "results") if isinstance(payload.get(k), list)), None)
    if list_key is None:
        return payload
    entries = payload[list_key]
    items = [(str(e.get("customer_id", i)), entry_facts(e)) for i, e in enumerate(entries) if isinstance(e, dict)]
    explained = explain(items, llm)
    new_entries = []
    for i, entry in enumerate(entries):
        key = str(entry.get("customer_id", i)) if isinstance(entry, dict) else None
        new_entries.append({**entry, "explanation": explained[key]} if key in explained else entry)
    return {**payload, list_key: new_entries}


def annotate_360(payload: dict[str, Any], llm: TextLLM | None) -> dict[str, Any]:
    """Add ``explanation`` to a get_360 result."""
    explained = explain([("customer", profile_facts(payload))], llm)
    return {**payload, "explanation": explained["customer"]}
