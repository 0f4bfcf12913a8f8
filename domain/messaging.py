"""How a message looks on each channel: SMS segments, WhatsApp lines, email subject, short social posts.

SMS counting follows GSM 03.38: a text using only the GSM-7 alphabet costs one septet per character
(two for the extension characters ``^{}\\[~]|€``) and fits 160 septets in one segment, 153 per segment
when concatenated; any other character (Bangla, emoji) switches the whole text to UCS-2: 70 UTF-16
units in one segment, 67 per segment when concatenated.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
MAX_SMS_SEGMENTS = 2
SOCIAL_MAX_CHARS = 280

# Typographic characters a template or a name may carry, spelled in GSM-7 so one curly quote
# does not turn a 160-character SMS into three Unicode segments.
_GSM_FRIENDLY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"',
                               "\u2013": "-", "\u2014": "-", "\u2026": "...", "\u00a0": " ", "*": ""})


@dataclass(frozen=True)
class SmsInfo:
    encoding: str  # gsm7 | ucs2
    units: int  # septets (gsm7) or UTF-16 code units (ucs2)
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def sms_info(text: str) -> SmsInfo:
    """Encoding, length in units and number of SMS segments ``text`` needs (0 for an empty text)."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        single, multi, encoding = 160, 153, "gsm7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "ucs2"
    if units == 0:
        return SmsInfo(encoding, 0, 0)
    return SmsInfo(encoding, units, 1 if units <= single else math.ceil(units / multi))


def sms_segments(text: str) -> int:
    """How many SMS segments ``text`` is sent as."""
    return sms_info(text).segments


def gsm_friendly(text: str) -> str:
    """Swap typographic quotes and dashes for GSM-7 ones and drop WhatsApp bold markers."""
    return text.translate(_GSM_FRIENDLY)


_SENTENCE = re.compile(r"(?<=[.!?।])\s+")
_ABBREVIATION = re.compile(r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|Md|Mst|St|No)\.$")


def sentences(text: str) -> list[str]:
    """Split on sentence ends (including the Bangla danda), not after "Mr." or "Md."."""
    merged: list[str] = []
    for piece in (s.strip() for s in _SENTENCE.split(text.strip())):
        if not piece:
            continue
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def shorten(text: str, fits, ellipsis: str = "...") -> str:
    """The longest prefix of ``text`` that ``fits``: whole sentences first, then whole words."""
    if fits(text):
        return text
    parts = sentences(text)
    while len(parts) > 1:
        parts.pop()
        candidate = " ".join(parts)
        if fits(candidate):
            return candidate
    words = text.split()
    while words:
        words.pop()
        candidate = " ".join(words) + ellipsis
        if fits(candidate):
            return candidate
    return ""


@dataclass(frozen=True)
class Message:
    body: str
    subject: str | None = None
    sms: SmsInfo | None = None


def one_segment(head: str, body: str, tail: str, keep: tuple[str, ...] | list[str]) -> str | None:
    """``body`` cut to fit one SMS segment by dropping sentences that state no fact in ``keep``
    (from the end), or None when the facts alone do not fit."""
    parts = sentences(body)
    while sms_segments(f"{head}{' '.join(parts)}{tail}") > 1:
        # the first two sentences stay: the fact and the next step
        spare = [k for k, p in enumerate(parts) if k >= 2 and not any(f and f in p for f in keep)]
        if not spare:
            return None
        parts.pop(spare[-1])
    return " ".join(parts)


def compose(channel: str, *, greeting: str, body: str, closing: str, signature: str,
            subject: str | None, addressed: bool, keep: tuple[str, ...] | list[str] = ()) -> Message:
    """Lay a filled body out for ``channel``. ``addressed``: the body greets the customer itself.

    sms: one paragraph, GSM-7 spelling, one segment where it can be done by dropping sentences
    that state none of the ``keep`` facts (then the greeting), else at most 2 segments (the body is
    cut by sentences, the signature kept so the customer knows the sender). whatsapp: one sentence a line. email: a
    subject, greeting, paragraph and sign-off. instagram / facebook: greeting and the first two
    sentences, no sign-off (the page name shows who writes).
    """
    if channel == "sms":
        head = "" if addressed else f"{greeting} "
        tail = "" if addressed else f" - {signature}" if signature else ""
        head, body, tail = gsm_friendly(head), gsm_friendly(body), gsm_friendly(tail)
        keep = [gsm_friendly(k) for k in keep]
        fitted = None
        for greet in (head, "") if keep else ():  # a draft with facts: one segment where it can
            fitted = one_segment(greet, body, tail, keep)
            if fitted is not None:
                head = greet
                break
        if fitted is None and keep and head and sms_segments(f"{head}{body}{tail}") > MAX_SMS_SEGMENTS \
                and sms_segments(f"{body}{tail}") <= MAX_SMS_SEGMENTS:
            fitted, head = body, ""  # the greeting goes before a sentence of the draft does
        if fitted is None:
            fitted = shorten(body, lambda b: sms_segments(f"{head}{b}{tail}") <= MAX_SMS_SEGMENTS)
        text = f"{head}{fitted}{tail}".strip()
        return Message(text, sms=sms_info(text))
    if channel == "whatsapp":
        lines = sentences(body)
        if not addressed:
            lines = [greeting, *lines, closing]
        return Message("\n".join(line for line in lines if line))
    if channel == "email":
        blocks = [body] if addressed else [greeting, body, closing]
        return Message("\n\n".join(b for b in blocks if b), subject=subject)
    short = " ".join(sentences(body)[:2])
    text = short if addressed else f"{greeting} {short}"
    return Message(shorten(text, lambda t: len(t) <= SOCIAL_MAX_CHARS))
