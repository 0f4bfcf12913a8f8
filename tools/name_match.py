"""Fuzzy name matching, word by word, and the "clearly best" rule (used by ``tools.resolve``).

Names match ignoring case, accents, punctuation, word order and honorifics (Mr, Mrs, sir, madam,
bhai, apu ...). Each typed word scores against the best word of a name: 100 when equal, otherwise
FUZZY_WEIGHT x the rapidfuzz (Indel) ratio, so a typo never ties a real match ("rahin"/"rahim" 68,
"rahima"/"rahim" 77). A name's score is the mean over the typed words.

"Clearly best", the rule that picks one record without asking:
  1. exactly one record whose whole name (honorifics dropped) equals what was typed; otherwise
  2. the top score is at least MIN_SCORE and leads the runner-up by at least MARGIN points.
Otherwise the records within MARGIN of the top are the contenders; nothing at MIN_SCORE is a miss.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Sequence

import numpy as np
from rapidfuzz import fuzz, process

MIN_SCORE = 60.0
MARGIN = 10.0
FUZZY_WEIGHT = 0.85  # a non-identical word scores at most 85, below any exact word match

HONORIFICS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "sir",
        "madam",
        "maam",
        "mam",
        "bhai",
        "bhaiya",
        "vai",
        "bhaijan",
        "apu",
        "apa",
        "sahib",
        "saheb",
        "shaheb",
        "sahab",
        "ji",
        "janab",
        "mister",
    }
)
PRODUCT_STOPWORDS = frozenset({"the", "a", "an", "one", "of", "that", "this"})


def _fold_char(ch: str) -> str:
    # Only Latin letters lose accents (José -> jose); Bengali vowel signs and viramas are letters'
    # parts, and a word is any run of letters, marks and digits (so "রহিম" stays one word).
    if "\u00c0" <= ch <= "\u024f":
        return "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return ch if unicodedata.category(ch)[0] in "LMN" else " "


_ASCII_WORD = re.compile(r"[a-z0-9]+")


def words(text: str, drop: frozenset[str] = HONORIFICS) -> list[str]:
    """Lower-case, accent-free words of ``text`` without honorifics: "Mr. Rahim-Uddin" -> [rahim, uddin]."""
    text = (text or "").replace("'", "").replace("\u2019", "").casefold()
    if text.isascii():  # the common case, 20x faster than the per-character path
        return [w for w in _ASCII_WORD.findall(text) if w not in drop]
    return [w for w in "".join(_fold_char(ch) for ch in text).split() if w not in drop]


@dataclass(frozen=True)
class Match:
    id: int
    name: str
    score: float
    exact: bool  # the whole name equals what was typed


def score_names(
    query: list[str], rows: Sequence[tuple[int, str]], drop: frozenset[str] = HONORIFICS
) -> list[Match]:
    """Score ``(id, name)`` rows against the typed words; best first.

    Each distinct name is scored once (common names repeat thousands of times), vectorized.
    """
    if not query or not rows:
        return []
    distinct = {name: words(name, drop) for name in {name for _, name in rows}}
    names = [name for name, toks in distinct.items() if toks]
    if not names:
        return []
    vocab: dict[str, int] = {}
    flat: list[int] = []
    starts: list[int] = []
    for name in names:
        starts.append(len(flat))
        flat.extend(vocab.setdefault(t, len(vocab)) for t in distinct[name])
    ratio = process.cdist(query, list(vocab), scorer=fuzz.ratio, dtype=np.float32, workers=1)
    per_word = np.where(ratio >= 100.0, 100.0, ratio * FUZZY_WEIGHT)  # (typed words, vocabulary)
    best = np.maximum.reduceat(per_word[:, flat], starts, axis=1)  # (typed words, names)
    typed = " ".join(query)
    by_name = {
        name: (round(float(score), 1), " ".join(distinct[name]) == typed)
        for name, score in zip(names, best.mean(axis=0))
    }
    matches = [Match(rid, name, *by_name[name]) for rid, name in rows if name in by_name]
    matches.sort(key=lambda m: (-m.exact, -m.score, m.id))
    return matches


def pick(matches: list[Match]) -> tuple[Match | None, list[Match]]:
    """Apply the "clearly best" rule: (the winner, []) or (None, the tied contenders)."""
    exact = [m for m in matches if m.exact]
    if len(exact) == 1:
        return exact[0], []
    if len(exact) > 1:
        return None, exact
    good = [m for m in matches if m.score >= MIN_SCORE]
    if not good:
        return None, []
    if len(good) == 1 or good[0].score - good[1].score >= MARGIN:
        return good[0], []
    return None, [m for m in good if good[0].score - m.score < MARGIN]
