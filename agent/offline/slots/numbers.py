"""Numbers as typed: digits (Bangla digits are folded to ASCII by ``text.normalise``), English
number words (``word2number``: "twenty five" -> 25), and the Banglish words no library reads.

``number_at(tokens, i)`` reads the longest number starting at token ``i``: (value, end) or None.
"""
from __future__ import annotations

from word2number import w2n

from agent.offline.text import Token

# English words word2number reads; used to find where a run of number words starts and stops
_ENGLISH = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
    "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand",
}
# Banglish (romanised Bangla) and everyday quantity words: no library reads these
BANGLISH = {
    "ek": 1, "dui": 2, "tin": 3, "char": 4, "panch": 5, "choy": 6, "sat": 7, "aat": 8, "noy": 9, "dosh": 10,
    "bish": 20, "tirish": 30, "chollish": 40, "ponchash": 50,
}
QUANTITY = {"a": 1, "an": 1, "couple": 2, "few": 3, "half": 0.5}


def english_number(words: list[str]) -> int | None:
    """The value of a run of English number words, or None."""
    try:
        return int(w2n.word_to_num(" ".join(words)))
    except ValueError:
        return None


def number_at(tokens: list[Token], i: int, quantities: bool = False) -> tuple[float, int] | None:
    """(value, end) of the number at token ``i``: digits, English words, Banglish words.

    ``quantities`` also reads "a"/"an" (1), "couple" (2), "few" (3) and "half" (0.5).
    """
    if i >= len(tokens):
        return None
    tok = tokens[i]
    if tok.kind == "num" and tok.value is not None:
        return tok.value, i + 1
    if tok.kind != "word":
        return None
    if tok.norm in _ENGLISH:
        end = i
        while end < len(tokens) and tokens[end].kind == "word" and (
                tokens[end].norm in _ENGLISH or (tokens[end].norm == "and" and end + 1 < len(tokens)
                                                 and tokens[end + 1].norm in _ENGLISH)):
            end += 1
        value = english_number([t.norm for t in tokens[i:end]])
        return (value, end) if value is not None else None
    if tok.norm in BANGLISH:
        return BANGLISH[tok.norm], i + 1
    if quantities and tok.norm in QUANTITY:
        return QUANTITY[tok.norm], i + 1
    return None


def word_value(word: str) -> int | None:
    """One word's value ("seven", "dosh"), or None."""
    if word in BANGLISH:
        return BANGLISH[word]
    return english_number([word]) if word in _ENGLISH else None
