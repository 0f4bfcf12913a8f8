"""The modals: Log call, Add note and Opt out (from a customer's buttons), and Edit (a write waiting
for approval). Submitting a customer form is the user's approval of that one write.

Edit shows every argument of the waiting write as a text field (lists comma-separated), built from
the tool's own argument model, so a new optional argument appears without changes here. The agent
re-validates the edited arguments; a problem comes back as a new confirmation saying what is wrong.
"""
from __future__ import annotations

import json
from typing import Any

from channels.slack.blocks import esc
from channels.slack.targets import Target
from domain.enums import Channel, Outcome, values
from domain.notes import MAX_NOTE_CHARS, NOTE_TYPES
from tools.registry import editable_fields

LOG_CALL_FORM, EDIT_FORM = "c360_log_call_form", "c360_edit_form"
NOTE_FORM, OPT_OUT_FORM = "c360_note_form", "c360_opt_out_form"
ALL_CHANNELS = "all"
PINNED = "pinned"
VALUE = "value"  # the action id of every input element


def _text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150] or " ", "emoji": True}


def _modal(callback_id: str, title: str, submit: str, blocks: list[dict], metadata: dict) -> dict[str, Any]:
    return {"type": "modal", "callback_id": callback_id, "title": _text(title[:24]), "submit": _text(submit),
            "close": _text("Cancel"), "private_metadata": json.dumps(metadata, separators=(",", ":"))[:3000],
            "blocks": blocks}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False,
           hint: str | None = None) -> dict[str, Any]:
    block = {"type": "input", "block_id": block_id, "label": _text(label), "optional": optional,
             "element": {**element, "action_id": VALUE}}
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint[:2000]}
    return block


def log_call_modal(customer: dict[str, Any], target: Target) -> dict[str, Any]:
    """Outcome, notes and an optional follow-up date for a call with ``customer`` ({"c": id, "n": name})."""
    options = [{"text": _text(v.replace("_", " ")), "value": v} for v in values(Outcome)]
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"Call with *{esc(customer.get('n', ''))}*"}},
        _input("outcome", "Outcome", {"type": "static_select", "options": options}),
        _input("notes", "Notes", {"type": "plain_text_input", "multiline": True, "max_length": 2000}),
        _input("follow_up", "Call back on", {"type": "datepicker"}, optional=True),
    ]
    return _modal(LOG_CALL_FORM, "Log a call", "Log call", blocks, {"c": customer.get("c"), "t": target.dump()})


def read_log_call(view: dict[str, Any]) -> tuple[dict[str, Any], Target, dict[str, str]]:
    """(log_interaction arguments, where to answer, field errors) from a submitted Log call form."""
    meta = json.loads(view["private_metadata"])
    state = view["state"]["values"]
    notes = (state["notes"][VALUE].get("value") or "").strip()
    outcome = (state["outcome"][VALUE].get("selected_option") or {}).get("value")
    follow_up = state.get("follow_up", {}).get(VALUE, {}).get("selected_date")
    errors = {} if notes else {"notes": "Write a word or two about the call."}
    arguments = {"customer": meta["c"], "type": "call", "direction": "outbound", "notes": notes, "outcome": outcome}
    if follow_up:
        arguments["follow_up_at"] = follow_up
    return arguments, Target.load(meta["t"]), errors


def _options(names: list[str], label=lambda v: v.replace("_", " ")) -> list[dict[str, Any]]:
    return [{"text": _text(label(v)), "value": v} for v in names]


def note_modal(customer: dict[str, Any], target: Target) -> dict[str, Any]:
    """The note's text, its type and whether to pin it, for ``customer`` ({"c": id, "n": name})."""
    types = _options(list(NOTE_TYPES))
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": f"Note on *{esc(customer.get('n', ''))}*"}},
        _input("text", "Note", {"type": "plain_text_input", "multiline": True, "max_length": MAX_NOTE_CHARS}),
        _input("type", "Type", {"type": "static_select", "options": types, "initial_option": types[0]}),
        _input(PINNED, "Pin", {"type": "checkboxes", "options": [
            {"text": _text("Pin it to the top of the 360 view"), "value": PINNED}]}, optional=True),
    ]
    return _modal(NOTE_FORM, "Add a note", "Add note", blocks, {"c": customer.get("c"), "t": target.dump()})


def read_note(view: dict[str, Any]) -> tuple[dict[str, Any], Target, dict[str, str]]:
    """(add_note arguments, where to answer, field errors) from a submitted Add note form."""
    meta = json.loads(view["private_metadata"])
    state = view["state"]["values"]
    text = (state.get("text", {}).get(VALUE, {}).get("value") or "").strip()
    kind = (state.get("type", {}).get(VALUE, {}).get("selected_option") or {}).get("value") or NOTE_TYPES[0]
    pinned = any(o.get("value") == PINNED for o in state.get(PINNED, {}).get(VALUE, {}).get("selected_options") or [])
    errors = {} if text else {"text": "Write the note."}
    if len(text) > MAX_NOTE_CHARS:
        errors = {"text": f"A note holds at most {MAX_NOTE_CHARS:,} characters; this one has {len(text):,}."}
    return {"customer": meta["c"], "text": text, "type": kind, "pinned": pinned}, Target.load(meta["t"]), errors


def opt_out_modal(customer: dict[str, Any], target: Target) -> dict[str, Any]:
    """Which channel (or all marketing) ``customer`` is opted out of, why, and who asked."""
    channels = _options([*values(Channel), ALL_CHANNELS],
                        lambda v: "all channels" if v == ALL_CHANNELS else v.replace("_", " "))
    asked = _options(["customer_request", "agent"],
                     lambda v: "the customer asked" if v == "customer_request" else "our decision")
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": (
            f"Opt *{esc(customer.get('n', ''))}* out: no drafts or offers on that channel from now on.")}},
        _input("channel", "Channel", {"type": "static_select", "options": channels}),
        _input("reason", "Reason", {"type": "plain_text_input", "max_length": 500}, optional=True),
        _input("source", "Who asked", {"type": "radio_buttons", "options": asked, "initial_option": asked[0]}),
    ]
    return _modal(OPT_OUT_FORM, "Opt out", "Opt out", blocks, {"c": customer.get("c"), "t": target.dump()})


def read_opt_out(view: dict[str, Any]) -> tuple[dict[str, Any], Target, dict[str, str]]:
    """(update_consent arguments, where to answer, field errors) from a submitted Opt out form."""
    meta = json.loads(view["private_metadata"])
    state = view["state"]["values"]
    channel = (state.get("channel", {}).get(VALUE, {}).get("selected_option") or {}).get("value")
    reason = (state.get("reason", {}).get(VALUE, {}).get("value") or "").strip() or None
    source = (state.get("source", {}).get(VALUE, {}).get("selected_option") or {}).get("value") or "customer_request"
    errors = {} if channel else {"channel": "Choose the channel (or all channels)."}
    arguments = {"customer": meta["c"], "channel": channel, "opted_in": False, "reason": reason, "source": source}
    return arguments, Target.load(meta["t"]), errors


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def edit_modal(pending: dict[str, Any], value: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    """Every editable argument of the waiting write, filled with what the agent proposed."""
    arguments = pending.get("arguments") or {}
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": (
        f"*{esc(pending.get('action', 'Write'))}* for {esc((pending.get('customer') or {}).get('name', 'the customer'))}. "
        "Change what is wrong; an empty field falls back to its default.")}}]
    for field in editable_fields(pending["tool"], arguments)[:40]:
        name = field["name"]
        element = {"type": "plain_text_input", "multiline": name in ("notes", "note", "text")}
        initial = _shown(field["value"])
        if initial:
            element["initial_value"] = initial[:3000]
        blocks.append(_input(name, name.replace("_", " ").capitalize(), element, optional=True,
                             hint=field["description"]))
    meta = {"v": value, "m": message, "tool": pending["tool"]}
    return _modal(EDIT_FORM, "Edit before saving", "Save", blocks, meta)


def read_edit(view: dict[str, Any], tool: str) -> dict[str, Any]:
    """The changes an Edit form asks for: every field, typed as the tool's schema says (empty = unset)."""
    changes: dict[str, Any] = {}
    kinds_of = {field["name"]: set(field["kinds"]) for field in editable_fields(tool, {})}
    for name, block in view["state"]["values"].items():
        if name not in kinds_of:
            continue
        raw = (block.get(VALUE, {}).get("value") or "").strip()
        kinds = kinds_of[name]
        if not raw:
            changes[name] = [] if kinds == {"array"} else None
        elif "array" in kinds:
            changes[name] = [part.strip() for part in raw.split(",") if part.strip()]
        elif "integer" in kinds and raw.lstrip("-").isdigit():
            changes[name] = int(raw)
        elif "boolean" in kinds and raw.lower() in ("true", "false", "yes", "no"):
            changes[name] = raw.lower() in ("true", "yes")
        else:
            changes[name] = raw
    return changes
