"""Is a lower-case word ordinary English? (pyspellchecker's English word frequencies.)

Used where a word after a customer's first name could be their surname typed in lower case
("called tania <surname>"): an ordinary English word ("finally", "again") is not part of the name,
anything else is read as the rest of a name, so a full name the book does not have is "not found"
instead of being written to the one customer who shares the first name. Names common enough to
appear in English text (Paul, Roy) score low in the table; ordinary words score in the thousands.
"""
from __future__ import annotations

from functools import lru_cache

COMMON = 3000  # frequency from which a word is ordinary English (names such as "paul" stay below)


@lru_cache(maxsize=1)
def _frequencies():
    from spellchecker import SpellChecker  # loaded on first use (about 0.2 s)

    return SpellChecker(language="en", distance=1).word_frequency


@lru_cache(maxsize=20_000)
def is_common_english(word: str) -> bool:
    """True for an ordinary English word ("wanted", "finally"), False for names and non-English words."""
    return _frequencies()[word.lower()] >= COMMON
