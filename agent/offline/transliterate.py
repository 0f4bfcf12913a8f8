"""Bangla-script names against Latin-script records: "রহিম উদ্দিন" finds "Rahim Uddin".

``anyascii`` romanises the Bangla word (it writes no inherent vowel: "রহিম" -> "rhim"); both that
and every Latin name word are reduced to a consonant skeleton that spelling variants share
(vowels, "w"/"y" and aspiration dropped, "ph" = "f", "z" = "j", doubled letters once, and a
final vowel kept as a mark so "Rahim" and "Rahima" stay apart). Words with the same skeleton
are the candidates; ``rapidfuzz`` ranks them against the romanised form.
"""
from __future__ import annotations

import re

from anyascii import anyascii

_VOWELS = re.compile(r"[aeiouwy]")
_ASPIRATED = re.compile(r"(?<=[bcdgjkpst])h")


def romanise(word: str) -> str:
    """A Bangla word in Latin letters, lower case ("উদ্দিন" -> "uddin")."""
    return re.sub(r"[^a-z]", "", anyascii(word).lower())


def skeleton(word: str) -> str:
    """The consonant skeleton of a Latin-letter word (see the module docstring)."""
    text = re.sub(r"[^a-z]", "", word.lower()).replace("ph", "f").replace("z", "j").replace("q", "k")
    text = text.replace("v", "bh")
    final = "V" if text[-1:] in {"a", "e", "i", "o", "u", "y"} else ""
    text = _ASPIRATED.sub("", text)
    text = _VOWELS.sub("", text)
    text = re.sub(r"(.)\1+", r"\1", text)
    return text + final if text else ""
