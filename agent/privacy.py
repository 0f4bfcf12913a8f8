"""Phone numbers and email addresses never reach a language model: they become [PHONE_1], [EMAIL_1].

One ``Masker`` is used for one model request: it masks everything sent (messages, tool results,
the system prompt) with placeholders numbered in order of first appearance, and restores the
originals in what comes back (reply text, tool-call arguments), however the model wrote the placeholder
back (``[EMAIL_1]`` or ``EMAIL_1``), so the user never sees one. Digits that are not contact details
(timestamps, amounts, JSON numbers, ids) are never masked: the model must read the facts unchanged.
"""
from __future__ import annotations

import re
from typing import Any

import phonenumbers

EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}(?![\w-])")
# Long digit runs that look like a phone even when libphonenumber does not call them valid
# (a typo'd number is still personal data). ISO dates and times are excluded by the digit count
# and by requiring no "-dd-dd" date shape.
LOOSE_PHONE = re.compile(r"(?<![\w+])\+?\d(?:[ \-.]?\d){9,14}(?!\w)")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
PLACEHOLDER = re.compile(r"\[(PHONE|EMAIL)_(\d+)\]")
# a placeholder as models write it back: [EMAIL_1], EMAIL_1, [email_1], {PHONE_2}
WRITTEN_PLACEHOLDER = re.compile(r"[\[{(]?\b(PHONE|EMAIL)_(\d+)\b[\]})]?", re.IGNORECASE)
# digits that are never contact details: timestamps, dates, clock times, JSON numbers (amounts,
# scores, ids; JSON writes no leading zero, a local phone number starts with one), grouped
# amounts ("1,234,567.50") and decimals
NOT_CONTACT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b"
    r"|(?<=[:\[,])\s*-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?(?=\s*[,}\]])"
    r"|\b\d{1,3}(?:,\d{3})+(?:\.\d+)?\b"
    r"|\b\d+\.\d+\b")


class Masker:
    """Masks phones and emails consistently within one request, and restores them afterwards."""

    def __init__(self, region: str = "BD"):
        self.region = region
        self._by_value: dict[str, str] = {}
        self._by_placeholder: dict[str, str] = {}
        self._counts = {"PHONE": 0, "EMAIL": 0}

    def _placeholder(self, kind: str, value: str) -> str:
        key = f"{kind}:{value}"
        if key not in self._by_value:
            self._counts[kind] += 1
            placeholder = f"[{kind}_{self._counts[kind]}]"
            self._by_value[key] = placeholder
            self._by_placeholder[placeholder] = value
        return self._by_value[key]

    def mask(self, text: str | None) -> str:
        """``text`` with every email and phone number replaced by its placeholder."""
        if not text:
            return text or ""
        text = EMAIL.sub(lambda m: self._placeholder("EMAIL", m.group(0)), text)
        spans = []
        try:
            for match in phonenumbers.PhoneNumberMatcher(text, self.region, leniency=phonenumbers.Leniency.POSSIBLE):
                start = match.start
                if text[start] == "(" and ")" not in text[start:match.end]:  # an unbalanced bracket is prose
                    start += 1
                spans.append((start, match.end))
        except Exception:  # libphonenumber is strict about odd input; the loose pattern still runs
            spans = []
        protected = [(m.start(), m.end()) for m in NOT_CONTACT.finditer(text)]
        spans = [(a, b) for a, b in spans if not any(a < pe and ps < b for ps, pe in protected)]
        # the loose pattern runs where libphonenumber found nothing, so it cannot join two numbers
        rest = list(text)
        for start, end in protected:
            rest[start:end] = "\x00" * (end - start)
        for start, end in spans:
            rest[start:end] = "\x00" * (end - start)
        for match in LOOSE_PHONE.finditer("".join(rest)):
            if not ISO_DATE.match(match.group(0)):
                spans.append((match.start(), match.end()))
        merged = _merge(spans, text)
        names = [self._placeholder("PHONE", text[s:e]) for s, e in merged]  # numbered left to right
        for (start, end), name in reversed(list(zip(merged, names, strict=True))):
            text = text[:start] + name + text[end:]
        return text

    def mask_value(self, value: Any) -> Any:
        """Mask every string inside a JSON-like value."""
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, list):
            return [self.mask_value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.mask_value(v) for k, v in value.items()}
        return value

    def unmask(self, text: str | None) -> str:
        """Put the original phone numbers and emails back in place of their placeholders."""
        if not text:
            return text or ""
        def restore(match: re.Match) -> str:
            original = self._by_placeholder.get(f"[{match[1].upper()}_{match[2]}]")
            return original if original is not None else match.group(0)

        return WRITTEN_PLACEHOLDER.sub(restore, text)

    def unmask_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.unmask(value)
        if isinstance(value, list):
            return [self.unmask_value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.unmask_value(v) for k, v in value.items()}
        return value


def _merge(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Non-overlapping spans holding at least 7 digits, left to right."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if PLACEHOLDER.fullmatch(text[start:end]) or sum(ch.isdigit() for ch in text[start:end]) < 7:
            continue
        if ISO_DATE.match(text[start:end]):
            continue
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]
