"""Normalisation and tokenisation of what agents type, a phrase matcher, and a keyword typo fixer."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from agent.offline.bangla import is_bangla, to_canonical
from domain.phone import try_normalize_phone


@dataclass
class Token:
    text: str  # as typed
    norm: str  # lower case, typo-corrected
    kind: str  # word, num, ordinal, time, isodate, numdate, phone, email, id, punct
    start: int
    end: int
    possessive: bool = False
    capitalised: bool = False  # written with a capital and not at the start of a sentence
    value: Any = None


_CONTRACTIONS = [
    (re.compile(r"\b(won)'?t\b", re.IGNORECASE), "will not"),
    (re.compile(r"\b(can)'?t\b", re.IGNORECASE), "can not"),
    (re.compile(r"\b(\w+)n[’']t\b", re.IGNORECASE), r"\1 not"),
    (re.compile(r"\b(he|she|it|that|who|what|there)[’']s\b", re.IGNORECASE), r"\1 is"),
    (re.compile(r"\bi[’']m\b", re.IGNORECASE), "i am"),
    (re.compile(r"\b(i|we|they|you)[’']ll\b", re.IGNORECASE), r"\1 will"),
]
_PHONE_RE = re.compile(r"(?<![\w+])\+?\d[\d\s().-]{8,}\d(?!\w)")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TOKEN_RE = re.compile(
    r"(?P<isodate>\d{4}-\d{1,2}-\d{1,2})"
    r"|(?P<time>\d{1,2}:\d{2}\s*(?:[ap]\.?m\b\.?)?|\d{1,2}\.\d{2}\s*[ap]\.?m\b\.?|\d{1,2}\s*[ap]\.?m\b\.?)"
    r"|(?P<numdate>\d{1,2}/\d{1,2}(?:/\d{2,4})?(?!\d)|\d{1,2}-\d{1,2}-\d{2,4}(?!\d)"
    r"|\d{1,2}\.\d{1,2}(?:\.\d{2,4})?(?![\d.])(?!\s*(?:hours?|hrs?|h|minutes?|mins?|m|%|tk|taka|k|lakh)\b))"
    r"|(?P<id>\#\d+)"
    r"|(?P<ordinal>\d{1,2}(?:st|nd|rd|th)\b)"
    r"|(?P<num>\d+(?:\.\d+)?)"
    r"|(?P<word>(?:[^\W\d_]|[\u0980-\u09e5\u09f0-\u09ff])+(?:[’'][^\W\d_]+)?)"
    r"|(?P<punct>[,.;:!?\"()/])",
    re.IGNORECASE,
)
_SENTENCE_END = {".", "!", "?", ":", ";"}


# Bangla digits are digits: "৫" reads as 5 everywhere (dates, times, amounts, phones)
_DIGITS = str.maketrans("০১২৩৪৫৬৭৮৯", "0123456789")


def fold(word: str) -> str:
    """Lower case without Latin accents ("José" -> "jose"); Bangla letters and their signs are kept."""
    word = word.lower()
    if word.isascii():
        return word
    return "".join(
        "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if "\u00c0" <= ch <= "\u024f" else ch for ch in word)


def normalise(text: str) -> str:
    """NFKC, Bangla digits as ASCII, the danda as a full stop, straight quotes, contractions spelled
    out, letter-hyphen-letter split into two words."""
    text = unicodedata.normalize("NFKC", text or "").translate(_DIGITS).replace("।", ".")
    text = text.replace("’", "'").replace("‘", "'")
    text = text.replace("“", '"').replace("”", '"')
    for pattern, repl in _CONTRACTIONS:
        text = pattern.sub(repl, text)
    return re.sub(r"(?<=[^\W\d_])-(?=[^\W\d_])", " ", text)


# A customer's words quoted in a request ("he wrote: \"...\"") are data, never the request itself.
_QUOTED = re.compile(r'"[^"]*(?:"|$)')
# "Draft a reply to Rahim, he wrote: <message>": with no quotes, what follows the colon is the message
_REPLY_LEAD = re.compile(r"\b(?:draft|reply|respond|answer|write back|lekho|likho)\b", re.IGNORECASE)
_MESSAGE_COLON = re.compile(
    r"\b(?:wrote|writes|written|said|says|asked|asks|messaged|texted|sent|sends|message|msg|text|email|"
    r"mail|comment|dm|review|likhse|bolse)\b[^:\n]{0,20}:", re.IGNORECASE)
# "message:" / "email:" is the customer's message only in a reply ("reply to her email: ..."); in
# "draft an email to <name>: <topic>" the noun is the channel and what follows is the topic
_MESSAGE_NOUN_COLON = re.compile(r"^(?:message|msg|text|email|mail|comment|dm|review)\b", re.IGNORECASE)
_ANSWER_LEAD = re.compile(r"\b(?:reply|replies|respond|answer|write back|his|her|their|customer's)\b", re.IGNORECASE)


def message_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each customer message quoted in ``text``, quote marks excluded.

    Quoted spans ("...", an unclosed quote runs to the end); without quotes, the text after
    "wrote:" / "message:" when the request before it asks for a reply.
    """
    spans = [(m.start() + 1, m.end() - (1 if len(m.group()) >= 2 and m.group().endswith('"') else 0))
             for m in _QUOTED.finditer(text)]
    if not spans:
        colon = _MESSAGE_COLON.search(text)
        noun = colon is not None and _MESSAGE_NOUN_COLON.match(colon.group())
        if colon and _REPLY_LEAD.search(text[:colon.start()]) and (
                not noun or _ANSWER_LEAD.search(text[:colon.end()])):
            spans.append((colon.end(), len(text)))
    return spans


def blank_quoted(text: str) -> str:
    """``text`` with quoted customer messages replaced by spaces (same length, so offsets still hold).

    What a customer wrote is untrusted: it must never choose the tool, the customer or the values
    of a call; it reaches a call only verbatim, as draft_reply's ``incoming_message``.
    """
    for start, end in message_spans(text):
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def quoted_message(text: str) -> str | None:
    """The first customer message quoted in ``text`` (see ``message_spans``), or None."""
    for start, end in message_spans(text):
        body = text[start:end].strip()
        if len(body) >= 2:
            return body
    return None


def tokenize(text: str, region: str = "BD") -> list[Token]:
    """Tokens of ``text`` (already normalised): phones and emails first, then dates, times, numbers, words."""
    spans: list[tuple[int, int, str, Any]] = []
    for match in _EMAIL_RE.finditer(text):
        spans.append((match.start(), match.end(), "email", match.group().lower()))
    for match in _PHONE_RE.finditer(text):
        if any(s <= match.start() < e for s, e, *_ in spans):
            continue
        e164 = try_normalize_phone(match.group(), region)
        digits = sum(ch.isdigit() for ch in match.group())
        if e164 and digits >= 10:
            spans.append((match.start(), match.end(), "phone", e164))
    spans.sort()
    tokens: list[Token] = []
    cursor = 0
    for start, end, kind, value in spans + [(len(text), len(text), "", None)]:
        tokens.extend(_plain_tokens(text, cursor, start))
        if kind:
            tokens.append(Token(text[start:end], value, kind, start, end, value=value))
        cursor = end
    _mark_capitals(tokens)
    return tokens


def _plain_tokens(text: str, begin: int, stop: int) -> list[Token]:
    out: list[Token] = []
    for match in _TOKEN_RE.finditer(text, begin, stop):
        kind = match.lastgroup or "word"
        surface = match.group()
        norm = fold(surface)
        if kind == "word" and is_bangla(norm):
            norm = to_canonical(norm)  # Bangla script reads through the same tables as Banglish
        token = Token(surface, norm, kind, match.start(), match.end())
        if kind == "word" and "'" in norm:
            head, _, tail = norm.partition("'")
            token.norm, token.possessive = head, tail == "s"
            if tail == "d":  # "whatsapp'd", "sms'd", "call'd": a past tense
                token.norm = head + ("d" if head.endswith("e") else "ed")
        elif kind == "num":
            token.value = _number(norm)
        elif kind == "ordinal":
            token.value = _number(norm[:-2])
        elif kind == "id":
            token.value = _number(norm[1:])
        out.append(token)
    return out


MAX_NUMBER_DIGITS = 30  # a longer run of digits is no amount, date or id anybody types


def _number(text: str) -> int | float | None:
    """The value of a digit run; None when it is too long to mean anything (and to convert)."""
    if len(text) > MAX_NUMBER_DIGITS:
        return None
    return float(text) if "." in text else int(text)


def _mark_capitals(tokens: list[Token]) -> None:
    sentence_start = True
    for token in tokens:
        if token.kind == "punct":
            sentence_start = sentence_start or token.text in _SENTENCE_END
            continue
        token.capitalised = token.kind == "word" and token.text[:1].isupper() and not sentence_start
        sentence_start = False


@dataclass(frozen=True)
class PhraseMatch:
    start: int
    end: int  # exclusive
    value: Any
    phrase: str


@dataclass
class PhraseTable:
    """Phrases (``*`` = up to three arbitrary words) looked up over token norms, longest match first."""

    entries: Mapping[str, Any]
    _by_head: dict[str, list[tuple[tuple[str, ...], str, Any]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_head = {}
        for phrase, value in self.entries.items():
            words = tuple(phrase.split())
            self._by_head.setdefault(words[0], []).append((words, phrase, value))
        for options in self._by_head.values():
            options.sort(key=lambda option: -len(option[0]))

    def words(self) -> set[str]:
        return {w for phrase in self.entries for w in phrase.split() if w != "*"}

    def find(self, norms: list[str], blocked: Iterable[int] = (), overlap: bool = False) -> list[PhraseMatch]:
        """Every match, left to right; matches do not overlap unless ``overlap``; blocked positions never match."""
        blocked = set(blocked)
        found: list[PhraseMatch] = []
        i = 0
        while i < len(norms):
            best: PhraseMatch | None = None
            if i not in blocked:
                for words, phrase, value in self._by_head.get(norms[i], ()):
                    end = _match_at(words, norms, i, blocked)
                    if end is not None and (best is None or end > best.end):
                        best = PhraseMatch(i, end, value, phrase)
            if best:
                found.append(best)
                i = i + 1 if overlap else best.end
            else:
                i += 1
        return found


def _match_at(words: tuple[str, ...], norms: list[str], i: int, blocked: set[int]) -> int | None:
    if not words:
        return i
    if words[0] == "*":
        for skip in range(4):
            end = _match_at(words[1:], norms, i + skip, blocked)
            if end is not None:
                return end
        return None
    if i < len(norms) and norms[i] == words[0] and i not in blocked:
        return _match_at(words[1:], norms, i + 1, blocked)
    return None


class KeywordCorrector:
    """Maps a misspelt keyword ("tommorow", "whatsap", "recoverd") to the vocabulary word it is closest to."""

    def __init__(self, vocabulary: Iterable[str]):
        self.vocabulary = sorted({w for w in vocabulary if len(w) >= 4 and w.isalpha()})
        self._known = set(self.vocabulary)
        self._cache: dict[str, str | None] = {}

    def correct(self, word: str) -> str | None:
        """The vocabulary word meant, or None when ``word`` is not a near-miss of one."""
        if len(word) < 4 or word in self._known or not word.isalpha():
            return None
        if word not in self._cache:
            if len(self._cache) > 50_000:  # typos are unbounded; keep the memory bounded
                self._cache.clear()
            cutoff = 80 if len(word) >= 6 else 86
            hit = process.extractOne(word, self.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
            self._cache[word] = hit[0] if hit else None
        return self._cache[word]
