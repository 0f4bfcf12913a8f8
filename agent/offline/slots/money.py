"""Money amounts and percentages as sales desks type them.

- Digits with thousands separators, Western ("250,000") or South Asian ("2,50,000"), and decimals.
- Multipliers: "50k", "50 thousand", "3 lakh" / "lac" / "lakhs", "1.5 crore" / "koti", "2m" /
  "million", Banglish "hajar" / "hazar"; English number words ("fifty thousand", via ``numbers``).
- Currency marks before or after: "tk", "taka", "bdt", "৳" (Bangla "টাকা" reads as "taka").
- A percentage: a number followed by "%" in the text, or by "percent" / "pc" / "shotangsho".

``amounts(tokens, text)`` returns every ``Amount`` left to right; ``percent`` tells percentages
apart, ``money`` says a currency mark or a multiplier made it clearly an amount of money.
"""
from __future__ import annotations

from dataclasses import dataclass

from agent.offline.slots.numbers import number_at
from agent.offline.text import Token

MULTIPLIERS = {
    **dict.fromkeys(["k", "thousand", "hajar", "hazar", "hajaar"], 1_000),
    **dict.fromkeys(["lakh", "lakhs", "lac", "lacs", "lak", "l"], 100_000),
    **dict.fromkeys(["crore", "crores", "cr", "koti"], 10_000_000),
    **dict.fromkeys(["m", "mn", "million", "millions"], 1_000_000),
}
CURRENCY = {"tk", "taka", "bdt", "৳", "taka's", "takar"}
PERCENT_WORDS = {"percent", "percentage", "pc", "pct", "shotangsho", "shotokora"}


@dataclass(frozen=True)
class Amount:
    start: int
    end: int  # exclusive
    value: float
    percent: bool = False
    money: bool = False  # a currency mark or a multiplier says it is money

    @property
    def number(self) -> int | float:
        return int(self.value) if float(self.value).is_integer() else round(self.value, 2)


def _grouped(tokens: list[Token], i: int) -> tuple[float, int] | None:
    """ "2,50,000" / "250,000": digit groups glued by commas (no spaces) read as one number."""
    tok = tokens[i]
    if tok.kind != "num" or not isinstance(tok.value, int):
        return None
    digits, k = tok.text, i + 1
    while k + 1 < len(tokens) and tokens[k].text == "," and tokens[k].start == tokens[k - 1].end \
            and tokens[k + 1].kind == "num" and tokens[k + 1].start == tokens[k].end \
            and len(tokens[k + 1].text.split(".")[0]) in (2, 3):
        digits += tokens[k + 1].text
        k += 2
    if k == i + 1:
        return None
    return float(digits), k


def amounts(tokens: list[Token], text: str, blocked: set[int] = frozenset()) -> list[Amount]:
    """Every amount or percentage in the tokens (``text`` is the normalised message they came from)."""
    found: list[Amount] = []
    i = 0
    while i < len(tokens):
        if i in blocked:
            i += 1
            continue
        read = _grouped(tokens, i) or number_at(tokens, i)
        if read is None:
            i += 1
            continue
        value, end = float(read[0]), read[1]
        start, money = i, False
        glued = end < len(tokens) and tokens[end].start == tokens[end - 1].end
        if end < len(tokens) and tokens[end].norm in MULTIPLIERS and (len(tokens[end].norm) > 2 or glued):
            value *= MULTIPLIERS[tokens[end].norm]
            end, money = end + 1, True
        if start and tokens[start - 1].norm in CURRENCY:
            start, money = start - 1, True
        if end < len(tokens) and tokens[end].norm in CURRENCY:
            end, money = end + 1, True
        after = text[tokens[end - 1].end: tokens[end - 1].end + 2].lstrip()
        percent = after.startswith("%") or (end < len(tokens) and tokens[end].norm in PERCENT_WORDS)
        if percent and end < len(tokens) and tokens[end].norm in PERCENT_WORDS:
            end += 1
        found.append(Amount(start, end, value, percent=percent, money=money and not percent))
        i = end
    return found
