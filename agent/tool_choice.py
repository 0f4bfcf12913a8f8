"""Which tools one model step is offered: the family of the request's intent, chosen deterministically.

A small local model reads every offered schema on every step; nine full schemas are ~4k tokens. The
offline model's understanding says which tool the request is about; the step offers that tool's
family (the tools a conversation about it needs next), in a fixed order so the prompt's prefix is the
same from one step and one turn to the next. A tool no family names is offered with the profile family.
"""
from __future__ import annotations

FAMILIES: dict[str, tuple[str, ...]] = {
    "contact": ("get_360", "log_interaction", "set_follow_up", "add_note", "find_customers"),
    "profile": ("get_360", "add_family_member", "find_customers"),
    "records": ("get_360", "update_consent", "tag_customer", "update_opportunity", "add_note",
                "saved_segment", "find_customers"),
    "lists": ("call_priority_list", "explain_call_priority", "rfm_segment", "upcoming_events", "dashboard",
              "get_360"),
    "messages": ("draft_reply", "mark_dropoff_recovered", "get_360", "find_customers"),
}
DEFAULT_FAMILY = "profile"


def family_of(tool: str | None) -> str | None:
    """The first family that names ``tool`` (get_360 belongs to several: it is ambiguous on its own)."""
    if not tool:
        return None
    homes = [name for name, tools in FAMILIES.items() if tool in tools]
    return homes[0] if len(homes) == 1 else None


def choose_family(intended: list[str], previous: str | None) -> str:
    """The family for the intended tools (the first tool with a single home), else the conversation's
    previous family (a clarification continues it), else the default."""
    for tool in intended:
        family = family_of(tool)
        if family:
            return family
    if previous in FAMILIES:
        return previous
    return "profile" if "get_360" in intended else DEFAULT_FAMILY


def tools_for(family: str, available: list[str]) -> list[str]:
    """The family's tools that exist, in the family's order; tools no family names join the default."""
    named = {t for tools in FAMILIES.values() for t in tools}
    chosen = [t for t in FAMILIES.get(family, ()) if t in available]
    if family == DEFAULT_FAMILY:
        chosen += sorted(t for t in available if t not in named)
    return chosen
