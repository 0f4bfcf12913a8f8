"""What the user approves before a write runs: the tool, the resolved customer, every field and value.

A proposal is built from the validated arguments and the customer the reference resolves to, so
the user sees "Rahim Uddin (#12)", not whatever the model typed. Nothing here writes.
"""
from __future__ import annotations

from typing import Any, Callable

from domain.db import read_session
from domain.errors import DomainError
from sqlalchemy import select

from domain.models import Customer, Dropoff, Product
from tools.context import ToolContext
from tools.gate import preflight, preview_lines
from tools.registry import load_tools, validate_args
from tools.resolve import resolve_customer, resolve_dropoff
from tools.results import ToolError

ACTIONS = {
    "log_interaction": "Log an interaction",
    "add_family_member": "Add a family member",
    "mark_dropoff_recovered": "Mark a drop-off recovered",
    "set_follow_up": "Set the follow-up",
    "update_consent": "Change consent",
    "add_note": "Add a note",
    "tag_customer": "Change tags",
    "update_opportunity": "Update a deal",
}


def resolved_subject(name: str, arguments: dict[str, Any], ctx: ToolContext) -> tuple[dict[str, Any], list[str]] | None:
    """({"id", "name"} of the customer, extra lines such as which drop-off), or None when the
    references do not resolve to exactly one record (the tool then explains, writing nothing)."""
    try:
        with read_session(ctx.sessions) as session:
            customer = dropoff = None
            if arguments.get("dropoff_id") not in (None, ""):
                dropoff = resolve_dropoff(session, arguments["dropoff_id"])
                customer = session.get(Customer, dropoff.customer_id)
            elif arguments.get("customer") not in (None, ""):
                customer = resolve_customer(session, arguments["customer"], ctx.actor, ctx.settings)
            if customer is None:
                return None
            details: list[str] = []
            if name == "mark_dropoff_recovered":
                if dropoff is None:
                    open_ones = list(session.scalars(select(Dropoff).where(
                        Dropoff.customer_id == customer.id, Dropoff.recovered.is_(False)).limit(2)))
                    if len(open_ones) != 1:
                        return None
                    dropoff = open_ones[0]
                product = session.get(Product, dropoff.product_id) if dropoff.product_id else None
                details.append(f"drop-off #{dropoff.id}: {dropoff.stage.replace('_', ' ')}"
                               + (f" of {product.name}" if product else "")
                               + f", {ctx.settings.currency} {float(dropoff.cart_value):,.0f}"
                               + f", {dropoff.occurred_at.astimezone(ctx.settings.tz):%Y-%m-%d}")
            return {"id": customer.id, "name": customer.name}, details
    except DomainError:
        return None


def build_proposal(call: dict[str, Any], ctx: ToolContext,
                   enrich: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """The pending confirmation for one write call; None when its arguments are invalid, its
    customer does not resolve or the actor may not make it (the tool then reports the problem and
    writes nothing: nobody is asked to approve a write that would be refused)."""
    name = call["name"]
    args = validate_args(name, call.get("arguments"))
    if isinstance(args, ToolError):
        return None
    arguments = args.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    suggested: dict[str, Any] = {}
    if enrich is not None:
        suggested = enrich(name, arguments) or {}
        if suggested:
            candidate = validate_args(name, {**arguments, **suggested})
            if isinstance(candidate, ToolError):  # a suggestion must never make a valid write invalid
                suggested = {}
            else:
                arguments = candidate.model_dump(mode="json", exclude_none=True)
    subject = resolved_subject(name, arguments, ctx)
    if subject is None:
        return None
    spec = load_tools()[name]
    checked = validate_args(name, arguments)
    if isinstance(checked, ToolError) or preflight(spec, checked, ctx) is not None:
        return None
    customer, details = subject
    try:
        details = [*details, *preview_lines(spec, checked, ctx)]
    except DomainError:  # the write itself will refuse, naming the field
        return None
    return {
        "kind": "confirm_write",
        "tool_call_id": call["id"],
        "requested_by": ctx.actor.id,  # only this user may approve, edit or cancel it (agent.runner)
        "tool": name,
        "action": ACTIONS.get(name, name.replace("_", " ")),
        "customer": customer,
        "arguments": arguments,
        "suggested": sorted(suggested),
        "problem": None,
        "details": details,
        "summary": describe(name, customer, arguments, details),
        "corrected": list(call.get("corrected") or []),  # what the referee changed in the model's call
    }


def describe(name: str, customer: dict[str, Any] | None, arguments: dict[str, Any],
             details: list[str] = ()) -> str:
    """One readable line per field: what exactly will be written."""
    who = f"{customer['name']} (#{customer['id']})" if customer else "?"
    lines = [f"{ACTIONS.get(name, name)} for {who}:", *(f"  • {d}" for d in details)]
    for key, value in arguments.items():
        if key == "customer" or value in (None, "", []):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else value
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        lines.append(f"  • {key.replace('_', ' ')}: {shown}")
    return "\n".join(lines)


def apply_edit(proposal: dict[str, Any], changes: dict[str, Any] | None) -> tuple[dict[str, Any], str | None]:
    """(merged arguments, problem): the user's changes over the proposal, re-validated."""
    merged = {**proposal["arguments"], **{k: v for k, v in (changes or {}).items()}}
    merged = {k: v for k, v in merged.items() if v is not None}
    checked = validate_args(proposal["tool"], merged)
    if isinstance(checked, ToolError):
        return merged, checked.message
    return checked.model_dump(mode="json", exclude_none=True), None
