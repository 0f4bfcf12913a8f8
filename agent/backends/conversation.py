"""What the LLM backends send: the system prompt from ``prompts/``, and the messages, masked."""
from __future__ import annotations

from typing import Any

from agent.backends import ModelRequest
from agent.context import describe_context
from agent.privacy import Masker
from prompts import render


def system_prompt(request: ModelRequest, timezone: str) -> str:
    approval = (
        "Writes (log_interaction, add_family_member, mark_dropoff_recovered) are shown to the user for "
        "approval before they run; call the tool with the full arguments and let the user confirm."
        if request.approval_required
        else "Writes run as soon as you call them; call them only when the user asked for the change."
    )
    return render(
        "agent_system",
        user_name=request.actor.name,
        user_role=str(request.actor.role),
        now=request.now.isoformat(timespec="minutes"),
        today=f"{request.now:%A} {request.now.date().isoformat()}",
        timezone=timezone,
        context=as_data(describe_context(request.context)),
        approval=approval,
    )


def as_data(text: str) -> str:
    """Untrusted text for a ``<data>`` block of a prompt: it cannot close (or open) the block."""
    return (text or "").replace("</data", "<\\/data").replace("<data", "<\\data")


def masked_messages(messages: list[dict[str, Any]], masker: Masker) -> list[dict[str, Any]]:
    """Chat messages with every phone and email replaced, tool-call arguments included."""
    out = []
    for message in messages:
        copy = dict(message)
        if isinstance(copy.get("content"), str):
            copy["content"] = masker.mask(copy["content"])
        if copy.get("tool_calls"):
            copy["tool_calls"] = [
                {**call, "function": {**call["function"], "arguments": masker.mask(call["function"]["arguments"])}}
                for call in copy["tool_calls"]
            ]
        out.append(copy)
    return out
