"""The reply after tools ran: the tools' own text when they give one, a generic rendering otherwise.

Result shapes are the tools' business; this module only relies on a few conventions: a ``text``
field (preferred), an ``error`` (string or {code, message, candidates}), a ``customer`` {id, name},
and lists of dicts. It never claims a write that the results do not show.
"""
from __future__ import annotations

from typing import Any

from agent.offline import lexicon as lx
from agent.offline.catalogue import Catalogue
from agent.offline.types import (
    Candidate,
    ConversationContext,
    CustomerRef,
    DropoffRef,
    PendingClarification,
    Reply,
    ToolResult,
)

_DONE = {
    lx.LOG: "Logged.", lx.FAMILY: "Added the family member.", lx.DROPOFF: "Marked the drop-off as recovered.",
}
_LIST_KEYS = ("items", "entries", "customers", "members", "results", "events", "candidates", "segments",
              "distribution", "list", "timeline")
_LISTING = {lx.LIST, lx.RFM, lx.FIND, lx.EVENTS}  # tools whose rows an ordinal answer can point at
_NAME_KEYS = ("name", "customer_name", "title", "product", "segment", "label")


def as_dict(result: Any) -> Any:
    if hasattr(result, "model_dump"):
        return result.model_dump(mode="json")
    return result


def error_of(result: Any) -> dict[str, Any] | None:
    """{code, message, candidates, field} when the result is an error, else None."""
    if isinstance(result, BaseException):
        return {"code": getattr(result, "code", "error"), "message": str(result), "candidates": [], "field": None}
    if not isinstance(result, dict):
        return None
    err = result.get("error")
    if isinstance(err, dict):
        return {"code": err.get("code") or result.get("code") or "error",
                "message": err.get("message") or err.get("detail") or "",
                "candidates": err.get("candidates") or result.get("candidates") or [],
                "field": err.get("field")}
    if isinstance(err, str) or result.get("ok") is False or result.get("status") in {"error", "not_found", "ambiguous"}:
        # the tools' errors are {"error": code, "message": text, "candidates": [...]}
        return {"code": result.get("code") or result.get("status") or (err if isinstance(err, str) else None)
                or "error",
                "message": result.get("message") or (err if isinstance(err, str) else ""),
                "candidates": result.get("candidates") or [], "field": result.get("field")}
    return None


def _declined(result: Any) -> bool:
    return isinstance(result, dict) and (
        result.get("declined") is True or result.get("cancelled") is True
        or result.get("status") in {"declined", "cancelled", "rejected"})


def render_results(results: list[ToolResult], ctx: ConversationContext, catalogue: Catalogue) -> Reply:
    parts: list[str] = []
    kind = "answer"
    for position, item in enumerate(results):
        result = as_dict(item.result)
        if _declined(result):
            parts.append("OK, nothing was written.")
            continue
        err = error_of(result)
        if err and any(later.name == item.name and not error_of(as_dict(later.result))
                       for later in results[position + 1:]):
            continue  # a retry of the same tool settled it ("the kettle" picked one of two carts)
        if err:
            if err["code"] == "ambiguous" and err["candidates"]:
                question, pending = _ambiguous(item, err)
                ctx = ctx.evolve(pending=pending)
                parts.append(question)
                kind = "clarify"
            else:
                message = err["message"]
                parts.append(message[:1].upper() + message[1:] if message else f"{item.name} failed ({err['code']}).")
            continue
        ctx = _learn(ctx, item, result, catalogue)
        parts.append(_text(item, result))
    if kind != "clarify":
        ctx = ctx.evolve(pending=None)
    text = "\n\n".join(p for p in parts if p) or "Done."
    if ctx.notice:
        text = f"{ctx.notice}\n\n{text}"
    ctx = ctx.remembering(ctx.last_customer)
    return Reply(text, ctx.evolve(last_tool=results[-1].name if results else ctx.last_tool, notice=None), kind)


def _ambiguous(item: ToolResult, err: dict[str, Any]) -> tuple[str, PendingClarification]:
    options = []
    for raw in err["candidates"][:5]:
        raw = as_dict(raw)
        label = raw.get("name") or raw.get("product") or raw.get("label") or f"#{raw.get('id')}"
        detail = raw.get("detail") or raw.get("product") or raw.get("stage")
        if not detail and (raw.get("phone") or raw.get("last_contact")):  # a customer: what tells namesakes apart
            detail = ", ".join(x for x in (raw.get("phone"),
                                           f"last contact {raw['last_contact']}" if raw.get("last_contact") else None)
                               if x)
        options.append(Candidate(int(raw["id"]), str(label), raw.get("city"), str(detail) if detail else None))
    is_dropoff = item.name == lx.DROPOFF and (err.get("field") == "dropoff_id" or not any(
        "name" in as_dict(c) for c in err["candidates"]))
    missing = "dropoff_id" if is_dropoff else "customer"
    args = {k: v for k, v in item.arguments.items() if k != missing}
    typed = item.arguments.get("customer") if missing == "customer" else None
    head = f"Which {typed} do you mean?" if isinstance(typed, str) else (
        "Which one do you mean?" if missing == "customer" else "Which cart do you mean?")
    lines = []
    for n, c in enumerate(options, 1):
        ident = f"#{c.id}" if missing == "customer" else None
        extra = ", ".join(x for x in (ident, c.city, c.detail if c.detail != c.name else None) if x)
        lines.append(f"{n}. {c.name}" + (f" ({extra})" if extra else ""))
    question = "\n".join([head, *lines, "Reply with the number or the name."])
    return question, PendingClarification(item.name, args, missing, question, tuple(options))


def _learn(ctx: ConversationContext, item: ToolResult, result: Any, catalogue: Catalogue) -> ConversationContext:
    """Remember the customer and drop-offs a successful result talked about."""
    if not isinstance(result, dict):
        return ctx
    customer = result.get("customer") if isinstance(result.get("customer"), dict) else None
    if customer is None and isinstance(result.get("profile"), dict):
        customer = result["profile"]
    if customer and customer.get("id") is not None and customer.get("name"):
        ctx = ctx.evolve(last_customer=CustomerRef(int(customer["id"]), str(customer["name"])))
    elif isinstance(item.arguments.get("customer"), int) and catalogue.customer(item.arguments["customer"]):
        entry = catalogue.customer(item.arguments["customer"])
        ctx = ctx.evolve(last_customer=CustomerRef(entry.id, entry.name))
    elif item.name == lx.FIND:
        found = next((result[k] for k in _LIST_KEYS if isinstance(result.get(k), list)), [])
        if len(found) == 1 and isinstance(found[0], dict) and "id" in found[0]:
            ctx = ctx.evolve(last_customer=CustomerRef(int(found[0]["id"]), str(found[0].get("name", ""))))
    if item.name in _LISTING:
        rows = next((result[k] for k in _LIST_KEYS if isinstance(result.get(k), list) and result[k]), [])
        listed = tuple(CustomerRef(r.get("customer_id", r.get("id")), str(r.get("customer_name") or r["name"]))
                       for r in map(as_dict, rows) if isinstance(r, dict) and (r.get("customer_name") or r.get("name"))
                       and isinstance(r.get("customer_id", r.get("id")), int))
        if listed:
            ctx = ctx.evolve(listed=listed)
    drops = result.get("open_dropoffs") or result.get("dropoffs")
    if isinstance(drops, list) and drops:
        refs = tuple(DropoffRef(int(d["id"]), d.get("customer_id"), d.get("product") or d.get("product_name"))
                     for d in map(as_dict, drops) if isinstance(d, dict) and "id" in d)
        ctx = ctx.evolve(recent_dropoffs=refs, last_dropoff=refs[0] if len(refs) == 1 else ctx.last_dropoff)
    if item.name == lx.DROPOFF and isinstance(result.get("dropoff"), dict) and "id" in result["dropoff"]:
        d = result["dropoff"]
        ctx = ctx.evolve(last_dropoff=DropoffRef(int(d["id"]), d.get("customer_id"), d.get("product")))
    return ctx


def _text(item: ToolResult, result: Any) -> str:
    if isinstance(result, str):
        return result
    if not isinstance(result, dict):
        return str(result)
    for key in ("text", "summary_text", "message"):
        if isinstance(result.get(key), str) and result[key].strip():
            return result[key].strip()
    lines = [_DONE[item.name]] if item.name in _DONE else []
    customer = result.get("customer")
    if isinstance(customer, dict) and customer.get("name"):
        lines.append(str(customer["name"]))
    for key, value in result.items():
        if isinstance(value, (str, int, float, bool)) and key not in {"id", "ok", "status"} and len(lines) < 10:
            lines.append(f"{key.replace('_', ' ')}: {value}")
    for key in _LIST_KEYS:
        rows = result.get(key)
        if isinstance(rows, list) and rows:
            lines.append(f"{key.replace('_', ' ')}:")
            lines.extend(f"{n}. {_row(row)}" for n, row in enumerate(rows[:10], 1))
            if len(rows) > 10:
                lines.append(f"... and {len(rows) - 10} more")
    return "\n".join(lines) if lines else f"{item.name}: done."


def _row(row: Any) -> str:
    row = as_dict(row)
    if not isinstance(row, dict):
        return str(row)
    head = next((str(row[k]) for k in _NAME_KEYS if row.get(k)), "")
    rest = [f"{k.replace('_', ' ')} {v}" for k, v in row.items()
            if k not in _NAME_KEYS and k != "id" and isinstance(v, (str, int, float)) and v != ""][:3]
    return head + (f" ({', '.join(rest)})" if rest else "")
