"""Whether a stored conversation mentions a customer: by id in tool calls and results, or by text.

Used by ``agent.checkpoint.forget_customer`` to find the threads an erasure must delete. A match
errs towards deleting: a conversation about a namesake goes too, a customer's data never stays.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

import phonenumbers

from domain.phone import try_normalize_phone

MIN_TERM = 3  # shorter strings identify nobody and would match everywhere
# keys whose value is a customer reference (tool arguments, results, the conversation's context)
ID_KEYS = frozenset({"customer_id", "customer"})
# keys whose value is a customer record {"id", "name"} or a list of them
RECORD_KEYS = frozenset({"customer", "profile", "recent", "candidates", "customers", "matches"})
# a run of digits as people write phone numbers: +880 1712-345678, (01712) 345678, 8801712345678
PHONE_RUN = re.compile(r"\+?\d[\d\s().\-]{5,}\d")
MAX_PREFIX_DIGITS = 5  # a trunk or country prefix before the national number: 0, 880, 00880


class Mentions:
    """A matcher for one customer: ``Mentions(id, terms).found_in(value) -> bool``.

    ``terms`` are names, emails and phone numbers (any form). Names and emails match as whole words,
    case-insensitively, with any spacing; a phone matches any run of digits ending in its national
    number (``01712-345678`` and ``+880 1712 345678`` alike); the id matches ``customer_id`` and
    ``customer`` values, customer records and ``"customer_id": 5`` inside JSON text.
    """

    def __init__(self, customer_id: int, terms: Iterable[str], *, region: str = "BD"):
        self.customer_id = int(customer_id)
        words, phones = set(), set()
        for term in terms:
            term = " ".join(str(term).split())
            if len(term) < MIN_TERM:
                continue
            e164 = try_normalize_phone(term, region) if _looks_like_phone(term) else None
            if e164:
                phones.add(str(phonenumbers.parse(e164, None).national_number))
            else:
                words.add(term.casefold())
        self.phones = frozenset(phones)
        patterns = [r"\s+".join(map(re.escape, w.split(" "))) for w in sorted(words, key=len, reverse=True)]
        self._words = re.compile(rf"(?<!\w)(?:{'|'.join(patterns)})(?!\w)") if patterns else None
        self._id_text = re.compile(rf'"customer(?:_id)?"\s*:\s*(?:\{{\s*"id"\s*:\s*)?"?#?{self.customer_id}(?!\d)')
        self._id_value = re.compile(rf"\s*#?\s*{self.customer_id}\s*")

    def found_in(self, value: Any) -> bool:
        """Whether ``value`` (nested dicts, lists, strings, dataclasses such as interrupts) mentions the customer."""
        stack: list[tuple[Any, Any]] = [(None, value)]
        while stack:
            key, node = stack.pop()
            if isinstance(node, bytes):
                node = node.decode("utf-8", errors="replace")
            if isinstance(node, str):
                if (key in ID_KEYS and self._id_value.fullmatch(node)) or self.in_text(node):
                    return True
            elif isinstance(node, bool) or node is None:
                continue
            elif isinstance(node, int):
                if key in ID_KEYS and node == self.customer_id:
                    return True
            elif isinstance(node, dict):
                if key in RECORD_KEYS and node.get("id") == self.customer_id and node.get("kind", "customer") == "customer":
                    return True
                stack.extend((k, v) for k, v in node.items())
            elif isinstance(node, (list, tuple, set, frozenset)):
                stack.extend((key, item) for item in node)  # list items keep their list's key
            elif dataclasses.is_dataclass(node) and not isinstance(node, type):
                stack.extend((f.name, getattr(node, f.name, None)) for f in dataclasses.fields(node))
            elif hasattr(node, "model_dump"):
                stack.append((key, node.model_dump(mode="json")))
            elif hasattr(node, "__dict__"):
                stack.extend(vars(node).items())
            elif not isinstance(node, float):
                stack.append((key, str(node)))
        return False

    def in_text(self, text: str) -> bool:
        """Whether free text names the customer, gives one of the phone numbers, or holds the id as JSON."""
        if self._words is not None and self._words.search(text.casefold()):
            return True
        if self.phones:
            for run in PHONE_RUN.finditer(text):
                digits = re.sub(r"\D", "", run.group())
                if any(digits.endswith(n) and len(digits) - len(n) <= MAX_PREFIX_DIGITS for n in self.phones):
                    return True
        return '"customer' in text and self._id_text.search(text) is not None


def _looks_like_phone(term: str) -> bool:
    digits = sum(ch.isdigit() for ch in term)
    return digits >= 6 and digits >= len(term.replace(" ", "")) - 4  # mostly digits: not a name or an email
