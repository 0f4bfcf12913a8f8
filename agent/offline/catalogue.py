"""The dictionaries the offline model reads names against: customers, products and users.

Fuzzy matching stays fast at 100,000 customers because the fuzzy step never runs over whole
names: each typed word is first looked up exactly in the vocabulary of name words, and only a
word that is not found is compared (rapidfuzz) with the vocabulary words that start with the
same letter. Candidate customers then come from the posting lists of the matched words.
"""
from __future__ import annotations

import heapq
import re
from collections import Counter
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from agent.offline.lexicon import CITY_ALIASES, HONORIFICS, NAME_SUFFIXES
from agent.offline.bangla import ENDINGS as BANGLA_ENDINGS
from agent.offline.bangla import is_bangla
from agent.offline.text import PhraseTable, fold
from agent.offline.transliterate import romanise, skeleton

EXACT = 98.0  # a word score from here up is the word as typed (100), with a case ending (99) or a plural (98)
_DIGIT_RUN = re.compile(r"\d+")
_WORD = re.compile(r"(?:[^\W\d_]|[\u0980-\u09e5\u09f0-\u09ff])+")
# name words that identify nobody on their own ("Md. Rahim Uddin": "md")
_WEAK = {"md", "mohammad", "mohammed", "muhammad", "mst", "mosammat", "mr", "mrs", "ms", "dr", "begum",
         "sheikh", "al"}


def name_words(name: str) -> tuple[str, ...]:
    """Lower-case, accent-free words of a name (Bangla script kept as typed, NFKC)."""
    return tuple(_WORD.findall(fold(unicodedata.normalize("NFKC", name or ""))))


@dataclass(frozen=True)
class Entry:
    id: int
    name: str
    city: str | None = None


@dataclass(frozen=True)
class Resolution:
    """How a typed name matched: ``status`` is unique, ambiguous or none; ``candidates`` best first;
    ``closest``: for none, names sharing the typed words that did match (to offer instead).

    ``exact``: every typed word is a word of the name (as typed, or with a case ending / plural).
    ``partial``: the typed words leave out the name's first word (a surname alone, "Mr. Uddin").
    A write goes ahead only on a unique, exact, not partial match; anything else is asked first.
    """

    status: str
    candidates: tuple[Entry, ...] = ()
    score: float = 0.0
    exact: bool = False
    partial: bool = False
    closest: tuple[Entry, ...] = ()

    @property
    def sure(self) -> bool:
        return self.status == "unique" and self.exact and not self.partial

    @property
    def best(self) -> Entry | None:
        return self.candidates[0] if self.candidates else None


class NameIndex:
    """Word-level inverted index over names with a fuzzy fallback per word."""

    def __init__(self, entries: Iterable[Entry]):
        self.entries: list[Entry] = list(entries)
        self.words: list[tuple[str, ...]] = [name_words(e.name) for e in self.entries]
        self.postings: dict[str, list[int]] = {}
        for position, words in enumerate(self.words):
            for word in set(words):
                self.postings.setdefault(word, []).append(position)
        self._by_initial: dict[str, list[str]] = {}
        for word in self.postings:
            self._by_initial.setdefault(word[0], []).append(word)
        self._by_id = {e.id: e for e in self.entries}
        self._position = {e.id: position for position, e in enumerate(self.entries)}
        self._skeletons: dict[str, list[str]] | None = None  # built on the first Bangla-script query
        # names holding digits ("Shop Owner #1", "<phone> Store"), by each digit run: such a name typed
        # in full is that customer, never the id or phone inside it
        self._by_digits: dict[str, list[int]] = {}
        for position, entry in enumerate(self.entries):
            for run in set(_DIGIT_RUN.findall(entry.name or "")):
                self._by_digits.setdefault(run, []).append(position)
        self._full: dict[str, set[int]] = {}  # the name's strong words, joined: exact full-name lookups
        for position, words in enumerate(self.words):
            key = " ".join(w for w in words if w not in _WEAK) or " ".join(words)
            self._full.setdefault(key, set()).add(position)

    def __len__(self) -> int:
        return len(self.entries)

    def _stable(self, position: int) -> tuple[str, int]:
        """Namesakes are listed by name, then id: the same question always numbers them the same way."""
        entry = self.entries[position]
        return entry.name, entry.id

    def get(self, entry_id: int) -> Entry | None:
        return self._by_id.get(entry_id)

    def words_of(self, entry: Entry) -> tuple[str, ...]:
        return self.words[self._position[entry.id]]

    def is_word(self, word: str) -> bool:
        return word in self.postings

    def word_matches(self, word: str, fuzzy: bool = True) -> dict[str, float]:
        """Vocabulary words ``word`` may stand for, with a 0-100 score (exact = 100)."""
        if word in self.postings:
            return {word: 100.0}
        if is_bangla(word):
            return self._bangla_matches(word)
        for suffix in NAME_SUFFIXES:  # case endings: rahimer, rahimke, রহিমের
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= 3 and stem in self.postings:
                return {stem: 99.0}
        for suffix in ("es", "s"):  # plurals: "fans", "kettles", "sarees"
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= 3 and stem in self.postings:
                return {stem: 98.0}
        if not fuzzy or len(word) < 4:
            return {}
        cutoff = 80 if len(word) >= 5 else 85
        bucket = self._by_initial.get(word[0], ())
        hits = process.extract(word, bucket, scorer=fuzz.ratio, score_cutoff=cutoff, limit=6)
        return {hit: float(score) for hit, score, _ in hits}

    @staticmethod
    def _one_slip(typed: str, word: str) -> bool:
        """One letter added, dropped or changed, after the first letter, in a word of five or more."""
        return len(word) >= 5 and typed[:1] == word[:1] and Levenshtein.distance(typed, word) <= 1

    def names_with_digits(self, digits: str) -> list[Entry]:
        """Entries whose name holds this digit run."""
        return [self.entries[p] for p in self._by_digits.get(digits, ())]

    def _bangla_matches(self, word: str) -> dict[str, float]:
        """Latin name words a Bangla-script word spells (``agent.offline.transliterate``); 99 = as typed."""
        if self._skeletons is None:
            self._skeletons = {}
            for known in self.postings:
                if known.isascii():
                    self._skeletons.setdefault(skeleton(known), []).append(known)
        stems = [word] + [word[: -len(e)] for e in BANGLA_ENDINGS if word.endswith(e) and len(word) - len(e) >= 2]
        for stem in stems:
            if stem in self.postings:
                return {stem: 99.0}
            roman = romanise(stem)
            found = self._skeletons.get(skeleton(roman), []) if roman else []
            if found:
                ranked = {w: fuzz.ratio(roman, w) for w in found}
                best = max(ranked.values())
                return {w: 99.0 for w, r in ranked.items() if best - r <= 15}
        return {}

    def resolve(self, typed: Iterable[str], fuzzy: bool = True) -> Resolution:
        """Match typed name words (honorifics already removed) against every name."""
        query = [w for w in typed if w not in HONORIFICS or w in self.postings]
        strong = [w for w in query if w not in _WEAK] or query
        if not strong:
            return Resolution("none")
        per_word = [self.word_matches(w, fuzzy) for w in strong]
        if len(strong) >= 3:
            per_word = [m for m in per_word if m]
        if not per_word or any(not m for m in per_word):
            return self._loose(strong, fuzzy) or Resolution("none", closest=self._closest(per_word))
        # every typed word must match, so candidates are the intersection of the words' posting lists
        candidates: set[int] | None = None
        for matches in per_word:
            union: set[int] = set()
            for word in matches:
                union.update(self.postings[word])
            candidates = union if candidates is None else candidates & union
            if not candidates:
                return self._loose(strong, fuzzy) or Resolution("none", closest=self._closest(per_word))
        typed_key = " ".join(strong)
        exact = self._full.get(typed_key, set()) & candidates
        if len(strong) == 1:
            # one typed word is a whole name only for a one-word name: it must not single out
            # "<given> Begum" (whose second word is weak) from "<given> <surname>"
            exact = {p for p in exact if len(self.words[p]) == 1}
        if all(set(m.values()) == {100.0} for m in per_word):
            # exact words only: every candidate scores 100, so only a full-name match can stand out
            if len(candidates) == 1 or len(exact) == 1:
                position = next(iter(exact or candidates))
                return self._found("unique", [position], per_word, 100.0, strong)
            top = heapq.nsmallest(5, exact or candidates, key=self._stable)
            return self._found("ambiguous", top, per_word, 100.0, strong)
        if len(per_word) == 1 and not exact:
            # one fuzzy word: a candidate's score is that of the best vocabulary word in its name
            ranked = sorted(per_word[0].items(), key=lambda item: -item[1])
            best = ranked[0][1]
            near: set[int] = set()
            for word, score in ranked:
                if best - score < 8:
                    near.update(self.postings[word])
            top = heapq.nsmallest(5, near, key=self._stable)
            return self._found("unique" if len(near) == 1 else "ambiguous", top, per_word, best, strong)
        scored: list[tuple[int, float, int]] = []
        for position in candidates:
            words = self.words[position]
            total = sum(max((m.get(w, 0.0) for w in words), default=0.0) for m in per_word)
            scored.append((position, total / len(per_word), 1 if position in exact else 0))
        scored.sort(key=lambda s: (-s[2], -s[1], self._stable(s[0])))
        first = scored[0]
        if len(scored) == 1 or first[2] > scored[1][2] or first[1] - scored[1][1] >= 8:
            return self._found("unique", [first[0]], per_word, first[1], strong)
        close = [s[0] for s in scored[:5] if first[1] - s[1] < 8]
        return self._found("ambiguous", close, per_word, first[1], strong)

    def _loose(self, strong: list[str], fuzzy: bool) -> Resolution | None:
        """A full name typed with a slip in every word ("<given> <surname>", each a letter off): the names
        whose words each typed word is within ``_loose_distance`` edits of. Never exact, so a write asks
        "Did you mean ...?" first; a single word, or a word with no near name word, finds nothing."""
        if not fuzzy or len(strong) < 2 or any(len(w) < 3 or not w.isalpha() for w in strong):
            return None
        candidates: set[int] | None = None
        for typed in strong:
            near: set[int] = set()
            bucket = self._by_initial.get(typed[0], ())
            for word, distance, _ in process.extract(typed, bucket, scorer=OSA.distance,
                                                     score_cutoff=2, limit=20):
                if distance <= _loose_distance(word):
                    near.update(self.postings[word])
            candidates = near if candidates is None else candidates & near
            if not candidates:
                return None
        top = heapq.nsmallest(5, candidates, key=self._stable)
        return Resolution("unique" if len(top) == 1 else "ambiguous", tuple(self.entries[p] for p in top), 70.0)

    def _found(self, status: str, positions: list[int], per_word: list[dict[str, float]], score: float,
               strong: list[str]) -> Resolution:
        """A resolution with its exactness judged on the best candidate."""
        best = self.words[positions[0]]
        strong = [w for w in best if w not in _WEAK] or list(best)
        matched = [max(((w, m.get(w, 0.0)) for w in best), key=lambda x: x[1]) for m in per_word]
        exact = all(score_ >= EXACT for _, score_ in matched)
        if not exact and len(matched) >= 2 and any(score_ >= EXACT for _, score_ in matched):
            # a full name typed with one slip per word ("<given> <surnme>") still names that customer;
            # a different word that merely looks alike (another first name) does not
            exact = all(score_ >= EXACT or self._one_slip(typed, word)
                        for typed, (word, score_) in zip(strong, matched))
        partial = bool(strong) and strong[0] not in {w for w, _ in matched}
        return Resolution(status, tuple(self.entries[p] for p in positions), score, exact, partial)

    def _closest(self, per_word: list[dict[str, float]]) -> tuple[Entry, ...]:
        """Up to 5 names sharing the typed words that did match (to offer when the whole name does not)."""
        hit: set[int] = set()
        for matches in per_word:
            for word in matches:
                hit.update(self.postings[word][:50])
        return tuple(self.entries[p] for p in heapq.nsmallest(5, hit, key=self._stable))


def _loose_distance(word: str) -> int:
    """Edits (a swap of two neighbours is one) a typed word may be from a name word and still suggest it:
    one up to six letters, then two."""
    return 1 if len(word) <= 6 else 2


def city_table(cities: Iterable[str | None]) -> PhraseTable:
    """Phrase table of the cities the book's customers live in: typed words -> the stored spelling.

    Each city is found by its own words and by the other spellings of the same city
    (``lexicon.CITY_ALIASES``: "Chittagong", "ctg" and "Chattogram" are one city); when the book
    spells a city several ways, the most common spelling is what a filter uses.
    """
    counts: Counter[str] = Counter(" ".join(c.split()) for c in cities if c and c.strip())
    groups: dict[str, set[str]] = {}
    for alias, canonical in CITY_ALIASES.items():
        group = groups.setdefault(canonical, {canonical})
        group.add(alias)
        groups[alias] = group
    phrases: dict[str, tuple[str, int]] = {}
    for city, count in counts.items():
        words = [w for w in name_words(city) if len(w) > 1]
        if not words:
            continue
        key = " ".join(words)
        spellings = groups.get(key, {key}) | {key, "".join(words)}
        # Banglish glues "of" to the city: dhakar, sylheter, chattogramer
        spellings |= {w + ("r" if w[-1] in "aeiou" else "er") for w in spellings}
        for spelling in spellings:
            if spelling not in phrases or phrases[spelling][1] < count:
                phrases[spelling] = (city, count)
    return PhraseTable({phrase: city for phrase, (city, _) in phrases.items()})


def _entry(item: Any) -> Entry:
    if isinstance(item, Entry):
        return item
    if isinstance(item, dict):
        return Entry(int(item["id"]), str(item["name"]), item.get("city"))
    if isinstance(item, (tuple, list)):
        return Entry(int(item[0]), str(item[1]), item[2] if len(item) > 2 else None)
    return Entry(int(item.id), str(item.name), getattr(item, "city", None))


@dataclass(frozen=True)
class Deal:
    id: int
    name: str
    customer: Entry
    open: bool = True


class DealIndex:
    """Deal (opportunity) names, to find whose deal a request means when it names the deal alone.

    ``deals`` items: (id, name, customer_id[, status]) tuples; deals of customers not in the book
    (erased) are left out. Matching is by the deal name's words, exactly or with one slip per word.
    """

    def __init__(self, deals: Iterable[Any], customers: NameIndex):
        self.deals: dict[int, Deal] = {}
        for item in deals:
            deal_id, name, customer_id = int(item[0]), str(item[1] or ""), int(item[2])
            status = str(item[3]) if len(item) > 3 and item[3] is not None else "open"
            owner = customers.get(customer_id)
            if owner is not None and name.strip():
                self.deals[deal_id] = Deal(deal_id, name, owner, status == "open")
        self.names = NameIndex(Entry(d.id, d.name) for d in self.deals.values())

    def __len__(self) -> int:
        return len(self.deals)

    def named(self, typed: str) -> list[Deal]:
        """The deals the typed name means (every typed word in the name; open deals first)."""
        words = name_words(typed)
        if not words or not self.deals:
            return []
        found = self.names.resolve(words)
        if found.status == "none" or not found.exact:
            return []
        deals = [self.deals[e.id] for e in found.candidates]
        best = name_words(deals[0].name)
        deals = [d for d in deals if name_words(d.name) == best] or deals[:1]  # the same name, several owners
        open_ = [d for d in deals if d.open]
        return open_ or deals


class Catalogue:
    """Customers (id, name, optional city), product names and user names the model matches against.

    ``customers`` items may be Entry, (id, name[, city]) tuples, dicts or objects with id/name/city.
    ``details``, when given, describes a few customers for a clarifying question (the database
    knows phones and last contacts; the catalogue keeps only what matching needs).
    """

    def __init__(self, customers: Iterable[Any] = (), products: Iterable[Any] = (), users: Iterable[Any] = (),
                 details: Callable[[list[int]], dict[int, str]] | None = None, deals: Iterable[Any] = ()):
        self.details = details  # customer ids -> "017•••••678, last contact 2026-11-02" (read when asking)
        self.customers = NameIndex(_entry(c) for c in customers)
        product_entries = [
            _entry(p) if not isinstance(p, str) else Entry(position + 1, p)
            for position, p in enumerate(products)
        ]
        self.products = NameIndex(product_entries)
        self.user_words = {w for u in users for w in name_words(u if isinstance(u, str) else _entry(u).name)}
        self.cities = city_table(e.city for e in self.customers.entries)
        self.deals = DealIndex(deals, self.customers)

    def customer(self, customer_id: int) -> Entry | None:
        return self.customers.get(customer_id)

    def describe(self, candidates: tuple[Any, ...],
                 details: Callable[[list[int]], dict[int, str]] | None = None) -> tuple[Any, ...]:
        """Candidates with what tells them apart (phone as the user may see it, last contact).

        ``details`` (this request's, since what a user may see depends on who asks) wins over the
        catalogue's own; with neither, the candidates are returned as they are.
        """
        details = details or self.details
        if not candidates or details is None:
            return candidates
        try:
            known = details([c.id for c in candidates])
        except Exception:  # a failed look-up must not lose the question: ask with what we have
            return candidates
        return tuple(replace(c, detail=known.get(c.id) or c.detail) for c in candidates)
