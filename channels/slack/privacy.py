"""Phones and emails stay out of channels: a channel answer shows them shortened ("•••678",
"r•••@example.com"), and the asker gets the full answer as an ephemeral message only they see.
DMs and /c360 answers (private already) are left whole. Detection is the one the language model's
masking uses (``agent.privacy.Masker``: libphonenumber plus a loose pattern for mistyped numbers)."""
from __future__ import annotations

from typing import Any

from agent.privacy import Masker

# Block Kit fields Slack does not display and returns unchanged on an interaction
MACHINE_FIELDS = frozenset({"value", "action_id", "block_id", "callback_id", "private_metadata"})

NOTE = "Phone numbers and emails are hidden in channels: I sent you the full answer privately."


class ChannelMasker(Masker):
    """``Masker``'s detection with a shortened, readable stand-in instead of a placeholder."""

    def _placeholder(self, kind: str, value: str) -> str:
        if kind == "EMAIL":
            local, _, domain = value.partition("@")
            return f"{local[:1]}•••@{domain}"
        digits = [c for c in value if c.isdigit()]
        return "•••" + "".join(digits[-3:])

    def mask_value(self, value: Any) -> Any:
        """Every string a reader sees, masked; the machine fields of Block Kit left whole.

        A button's ``value`` or an ``action_id`` is never shown, and Slack hands it back on a click:
        a tool-call id whose hex happens to read like a phone number must come back as it was sent,
        or the click no longer names the write that waits.
        """
        if isinstance(value, dict):
            return {k: v if k in MACHINE_FIELDS else self.mask_value(v) for k, v in value.items()}
        return super().mask_value(value)


def for_channel(text: str, blocks: list[dict[str, Any]], region: str = "BD"
                ) -> tuple[str, list[dict[str, Any]], bool]:
    """The text and blocks with contact details shortened, and whether anything was hidden."""
    masker = ChannelMasker(region)
    shown_text, shown_blocks = masker.mask(text), masker.mask_value(blocks)
    return shown_text, shown_blocks, shown_text != text or shown_blocks != blocks
