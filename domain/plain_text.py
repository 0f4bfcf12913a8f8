"""Text from outside (chat messages, tool arguments, imported cells) without control characters.

PostgreSQL refuses U+0000 in text and jsonb (SQLite stores it), and the other C0/C1 control
characters have no business in a name or a note: they hide text in terminals and logs. Stripping
them at the edges makes both engines behave the same. Tabs and line breaks stay.
"""
from __future__ import annotations

import re
from typing import Any

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_chars(text: str) -> bool:
    return bool(CONTROL.search(text))


def without_control_chars(text: str) -> str:
    """``text`` with every control character but tab, line feed and carriage return removed."""
    return CONTROL.sub("", text) if CONTROL.search(text) else text


def clean_strings(value: Any, depth: int = 0) -> Any:
    """Every string inside ``value`` (dicts, lists) without control characters."""
    if isinstance(value, str):
        return without_control_chars(value)
    if depth > 20:
        return value
    if isinstance(value, dict):
        return {clean_strings(k, depth + 1): clean_strings(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_strings(v, depth + 1) for v in value]
    return value
