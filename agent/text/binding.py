"""Is every claim of a model's reply bound to this turn's tool facts — the same quantity, not just digits?

``unbound_claims(text, facts, said, actor)`` lists what is not:

* a number with a unit ("BDT 99,999", "3 orders", "108 days", "45%") must equal a fact whose field
  is that kind of quantity (an amount field for money, an order count for orders, ...); a bare
  number must equal some fact or count (a list's length counts);
* dates, clock times and weekdays must be facts (or the user's own words) — ``grounding.ungrounded``;
* a name (capitalised words) must appear in the facts, the user's words or be the acting user;
* a label ("Champions", "At Risk", "high lifetime value", "hot customer") must be one the tools gave;
* tool-call markup or raw JSON is never a reply.

An empty list: the reply may be shown; otherwise the caller shows the reply composed from the results.
"""
from __future__ import annotations

import json
import re
from typing import Any

from agent.backends.tool_text import looks_like_markup
from agent.text.grounding import NUMBER, PLACEHOLDER, WEEKDAYS, collect_facts, ungrounded

UNITS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # unit words near the number -> field-name parts of a fact of that kind
    "money": (("bdt", "tk", "taka", "৳", "spent", "spend", "spending", "worth", "revenue", "lifetime", "ltv",
               "clv", "monetary", "cart", "price", "paid", "amount", "value"),
              ("amount", "value", "spent", "total", "price", "monetary", "lifetime", "ltv", "clv", "revenue",
               "cart", "paid")),
    "orders": (("order", "orders", "purchase", "purchases", "bought", "times"),
               ("order", "purchase", "frequency", "count")),
    "days": (("day", "days", "ago"), ("day", "recency", "since", "ago")),
    "points": (("point", "points"), ("point",)),
    "percent": (("%", "percent", "probability", "chance"), ("probability", "percent", "score", "rate", "share")),
}
LABELS = ("champions", "potential loyalists", "potential loyalist", "new customers", "at risk", "vip", "hibernating",
          "need attention", "about to sleep", "lost customer", "hot customer", "warm customer", "cold customer",
          "hot lead", "first-time buyer", "first time buyer", "first buyer", "repeat buyer", "inactive",
          "high priority")
# a quality a reply or an explanation claims -> the tool labels that back it (RFM segments, lifecycle
# stages, temperatures, tags, reasons): "high lifetime value" for a BDT 320 customer is not a fact
QUALITIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bloyal\b(?! ?(?:ty|points))", ("loyal", "champions")),
    (r"\bregulars?\b|\bregular (?:customer|buyer|client|shopper)s?\b", ("regular", "loyal", "champions", "repeat")),
    (r"\btop (?:customer|buyer|client|spender)s?\b|\bbest (?:customer|buyer|client)s?\b|\bmost valuable\b|"
     r"\bkey (?:customer|account)s?\b|\bstar customers?\b", ("champions", "vip", "top customer", "top spender")),
    (r"\bhigh[- ](?:lifetime[- ])?value\b|\bhigh (?:ltv|clv)\b|\bbig spenders?\b|\bvaluable\b|\bhigh[- ]spend",
     ("high value", "high lifetime value", "champions", "vip", "big spender", "top spender")),
    (r"\bfrequent (?:buyer|customer|shopper)s?\b|\bbuys? (?:often|regularly|frequently)\b",
     ("frequent", "loyal", "champions", "repeat")),
    (r"\b(?:very )?engaged\b|\bactive (?:customer|buyer)s?\b", ("engaged", "active", "hot", "champions")),
)
ALWAYS = {"i", "bdt", "rfm", "ok", "sms", "whatsapp", "email", "facebook", "instagram", "c360", "tk", "id",
          "am", "pm", "yes", "no", "dear", "hi", "hello", "thanks", "thank", "please", "sorry",
          *WEEKDAYS, "january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
          "oct", "nov", "dec", "today", "tomorrow", "yesterday"}
_CAPITAL = re.compile(r"\b[A-Z][a-zA-Z'’-]+\b")
_SENTENCE_START = re.compile(r"(^|[.!?:\n]\s*|^\s*[-*•]\s*|\n\s*[-*•\d.)]+\s*)$")


def fact_quantities(facts: Any) -> list[tuple[str, float]]:
    """(field path in lower case, number) for every number in the facts, and every list's length."""
    out: list[tuple[str, float]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, (int, float)):
            out.append((path, float(value)))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{str(key).lower()}")
        elif isinstance(value, list):
            out.append((f"{path}.count", float(len(value))))
            for item in value:
                walk(item, path)
        elif isinstance(value, str):
            for match in NUMBER.finditer(value):
                number = float(match[1].replace(",", "")) + (float("0." + match[2]) if match[2] else 0.0)
                out.append((path, number))

    walk(json.loads(json.dumps(facts, default=str)), "")
    return out


def _unit(text: str, start: int, end: int) -> str | None:
    """The kind of quantity a number is: the word right after it first ("108 days"), then the words
    before it, nearest first ("spent BDT 4,500")."""
    if text[end:end + 1] == "%":
        return "percent"
    after = re.findall(r"[a-z৳%]+", text[end:end + 16].lower())[:1]
    before = list(reversed(re.findall(r"[a-z৳%]+", text[max(0, start - 24):start].lower())))[:3]
    for word in after + before:
        for unit, (near, _fields) in UNITS.items():
            if word in near:
                return unit
    return None


def _field(path: str) -> str:
    """The name of the field a fact sits in: the last key (a list's length: its key + "count")."""
    parts = [p for p in path.split(".") if p]
    if parts and parts[-1] == "count" and len(parts) > 1:
        return parts[-2] + " count"
    return parts[-1] if parts else ""


def _equal(value: float, fact: float, decimals: int) -> bool:
    return abs(fact - value) < 1e-9 or round(fact, decimals) == round(value, decimals)


def unbound_numbers(text: str, facts: Any, said: str = "") -> list[str]:
    quantities = fact_quantities(facts)
    told = {float(m[1].replace(",", "")) for m in NUMBER.finditer(said or "")}
    clean = PLACEHOLDER.sub(" ", text)
    clean = re.sub(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:[+-]\d{2}:?\d{2}|Z)?)?\b|\b\d{1,2}:\d{2}\b",
                   lambda m: " " * len(m.group(0)), clean)
    problems = []
    for match in NUMBER.finditer(clean):
        value = float(match[1].replace(",", "")) + (float("0." + match[2]) if match[2] else 0.0)
        if (match[3] or "").lower() == "k":
            value *= 1000
        decimals = len(match[2] or "")
        percent = match[3] == "%"
        unit = "percent" if percent else _unit(clean, match.start(), match.end())
        candidates = quantities
        if unit:
            fields = UNITS[unit][1]
            candidates = [(p, v) for p, v in quantities if any(f in _field(p) for f in fields)]
        ok = any(_equal(value, v, decimals) or (percent and _equal(value, v * 100, decimals)) for _p, v in candidates)
        if not ok and value in told and value <= 100:
            ok = True  # "the top 3" when the user asked for three
        if not ok:
            problems.append(match.group(0).strip())
    return problems


def unbound_names(text: str, facts: Any, said: str = "", actor: str = "") -> list[str]:
    known = " ".join([json.dumps(facts, default=str, ensure_ascii=False), said or "", actor or ""]).lower()
    problems = []
    for match in _CAPITAL.finditer(PLACEHOLDER.sub(" ", text)):
        word = match.group(0)
        lower = word.lower().strip("'’-")
        if lower in ALWAYS or re.search(rf"\b{re.escape(lower)}", known):
            continue
        before = text[:match.start()]
        after = text[match.end():match.end() + 2]
        if _SENTENCE_START.search(before) and not re.match(r"\s[A-Z]", after):
            continue  # a capitalised first word of a sentence ("Sure", "Here") is not a name
        problems.append(word)
    return problems


def label_words(facts: Any) -> str:
    """The facts' string values (not their field names: "top_products" backs no "top customer"),
    lower case, ``_`` and ``-`` as spaces."""
    values: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, str):
            values.append(value)

    walk(json.loads(json.dumps(facts, default=str, ensure_ascii=False)))
    return re.sub(r"[_\-]+", " ", " | ".join(values).lower())


def unbound_labels(text: str, facts: Any) -> list[str]:
    """Labels and qualities ("At Risk", "loyal", "high lifetime value") the tools' own labels do not give."""
    known = label_words(facts)
    lower = re.sub(r"[_\-]+", " ", text.lower())
    found = []
    for pattern, backing in QUALITIES:
        claim = re.search(pattern.replace("[- ]", "[ ]"), lower)
        if claim and not any(re.search(rf"\b{re.escape(b)}\b", known) for b in backing):
            found.append(claim.group(0))
    for label in LABELS:
        phrase = label.replace("-", " ")
        # "hot customer" is grounded by the tool's label "hot"
        needed = phrase.rsplit(" ", 1)[0] if phrase.endswith((" customer", " lead")) else phrase
        if re.search(rf"\b{re.escape(phrase)}\b", lower) and not re.search(rf"\b{re.escape(needed)}\b", known) \
                and not any(label in f for f in found):
            found.append(label)
    return found


def subject_names(facts: Any) -> list[str]:
    """The names this turn's successful results are about (``name``, ``customer_name`` fields)."""
    names: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if value.get("ok") is False:
                return
            for key, item in value.items():
                if key in ("name", "customer_name") and isinstance(item, str) and item.strip():
                    names.append(item.strip())
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(json.loads(json.dumps(facts, default=str, ensure_ascii=False)))
    return list(dict.fromkeys(names))


def says_nothing_of(text: str, facts: Any) -> bool:
    """True when the results are about someone and the reply names none of them ("Here you go.")."""
    names = subject_names(facts)
    lower = PLACEHOLDER.sub(" ", text).lower()
    return bool(names) and not any(re.search(rf"\b{re.escape(part.lower())}\b", lower)
                                   for name in names for part in name.split() if len(part) >= 3)


def unbound_claims(text: str, facts: Any, said: str = "", actor: str = "") -> list[str]:
    """Every claim of ``text`` that this turn's tool facts (and the user's words) do not support."""
    if looks_like_markup(text):
        return ["markup"]
    facts = facts or []
    problems = [p for p in ungrounded(text, [facts, said]) if not re.fullmatch(r"[\d,.]+%?k?", p)]
    problems += unbound_numbers(text, facts, said)
    problems += [f"name {n}" for n in unbound_names(text, facts, said, actor)]
    problems += [f"label {label}" for label in unbound_labels(text, facts)]
    return problems


__all__ = ["collect_facts", "fact_quantities", "says_nothing_of", "subject_names", "unbound_claims",
           "unbound_labels", "unbound_names", "unbound_numbers"]
