"""The conversation's memory of who is being discussed, taken from tool results (never the model's words).

``context["customer"]`` is the customer last discussed ({"id", "name"}), so a pronoun in the next request
resolves; ``recent`` keeps the last few; ``candidates`` holds the choices of the last ambiguous
lookup so an answer by city or id can be resolved.
"""
from __future__ import annotations

from typing import Any

RECENT_LIMIT = 5


def empty_context() -> dict[str, Any]:
    return {"customer": None, "recent": [], "candidates": [], "last_tool": None}


def customers_in(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The customers a tool result is about, most relevant first (one for a 360 or a write).

    Reads ``customer: {id, name}``, or ``customer_id`` + ``customer_name``, at the top level or one
    level down (``interaction``, ``member``, ``dropoff``), and the rows of a customer list.
    """
    found: list[dict[str, Any]] = []

    def add(record: Any) -> None:
        if isinstance(record, dict) and isinstance(record.get("id"), int) and record.get("name"):
            found.append({"id": record["id"], "name": str(record["name"])})

    def read(node: dict[str, Any]) -> None:
        if isinstance(node.get("customer"), dict):
            add(node["customer"])
        if isinstance(node.get("customer_id"), int) and node.get("customer_name"):
            add({"id": node["customer_id"], "name": node["customer_name"]})

    read(payload)
    if isinstance(payload.get("profile"), dict) and not found:
        add(payload["profile"])
    for value in payload.values():
        if isinstance(value, dict):
            read(value)
    for key in ("customers", "matches", "members", "entries", "results"):
        rows = payload.get(key)
        if isinstance(rows, list):
            for row in rows:
                if isinstance(row, dict):
                    before = len(found)
                    read(row)
                    if len(found) == before:
                        add({"id": row.get("id", row.get("customer_id")), "name": row.get("name")})
    unique: dict[int, dict[str, Any]] = {}
    for record in found:
        unique.setdefault(record["id"], record)
    return list(unique.values())


def update_context(context: dict[str, Any], tool: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The context after a tool result. A list of many customers does not change who "he" is."""
    updated = {**empty_context(), **context}
    updated["last_tool"] = tool
    if payload.get("ok") is False:
        candidates = payload.get("candidates") or []
        updated["candidates"] = [{"id": c["id"], "name": c["name"], "city": c.get("city")} for c in candidates]
        return updated
    customers = customers_in(payload)
    if len(customers) == 1:
        current = customers[0]
        updated["customer"] = current
        recent = [c for c in updated.get("recent", []) if c["id"] != current["id"]]
        updated["recent"] = [current, *recent][:RECENT_LIMIT]
        updated["candidates"] = []
    return updated


def describe_context(context: dict[str, Any]) -> str:
    """The context as lines for an LLM's system prompt."""
    lines = []
    customer = context.get("customer")
    if customer:
        lines.append(f"- Customer last discussed: {customer['name']} (id {customer['id']}).")
    else:
        lines.append("- No customer discussed yet.")
    others = [c for c in context.get("recent", []) if not customer or c["id"] != customer["id"]]
    if others:
        lines.append("- Earlier in this conversation: " + ", ".join(f"{c['name']} (id {c['id']})" for c in others))
    if context.get("candidates"):
        choices = "; ".join(
            f"{c['name']} (id {c['id']}{', ' + c['city'] if c.get('city') else ''})" for c in context["candidates"]
        )
        lines.append(f"- The last lookup was ambiguous between: {choices}.")
    if context.get("summary"):
        lines.append(f"- Earlier turns, summarised: {context['summary']}")
    return "\n".join(lines)
