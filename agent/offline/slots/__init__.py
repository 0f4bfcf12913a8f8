"""Slot extraction: who, what, when and how, from one tokenized message.

Order matters and is deliberate: phones / emails / ids, then dates and times, then products,
then the closed vocabularies (types, outcomes, relationships, ...), and only the words left
over are read as customer names, so "blue kettle" or "Friday" is never taken for a person.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from agent.offline import lexicon as lx
from agent.offline import registry
from agent.offline.catalogue import Catalogue, DealIndex, Resolution
from agent.offline.bangla import CANONICAL as BANGLA_CANONICAL
from agent.offline.english import is_common_english
from agent.offline.slots.dates import VOCABULARY as DATE_WORDS
from agent.offline.slots.dates import Temporal, extract_temporal
from agent.offline.text import PhraseMatch, PhraseTable, Token, quoted_message

TABLES = {
    "type": PhraseTable(lx.INTERACTION_TYPES), "outcome": PhraseTable(lx.OUTCOMES),
    "relationship": PhraseTable(lx.RELATIONSHIPS), "channel": PhraseTable(lx.CHANNELS),
    "tone": PhraseTable(lx.TONES), "language": PhraseTable(lx.LANGUAGES),
    "segment": PhraseTable(lx.SEGMENTS), "temperature": PhraseTable(lx.TEMPERATURES),
    "lifecycle": PhraseTable(lx.LIFECYCLE), "mine": PhraseTable(dict.fromkeys(lx.MINE, True)),
    "inbound": PhraseTable(dict.fromkeys(lx.INBOUND, True)),
    "context": PhraseTable(dict.fromkeys(lx.CONTEXT_PHRASES, True)),
}
# words whose presence after them makes the next unknown word a person ("spoke to X")
_TARGET_WORDS = {"with", "to", "for", "called", "call", "phoned", "met", "ke", "from", "named",
                 "customer", "texted", "emailed", "whatsapped", "messaged", "rang", "visited", "show", "me"}
_FOLLOW_UP_TYPE = PhraseTable(dict.fromkeys(
    ["call back", "callback", "call him back", "call her back", "call them back", "call later", "call again",
     "will call", "call dibo", "call korbo", "call debo", "call me back", "pore call", "call tomorrow",
     "call next", "abar call", "to call"], True))
_INBOUND_VERBS = {"called", "phoned", "messaged", "texted", "whatsapped", "emailed", "rang", "knocked"}
_RECEIVE_VERBS = {"got", "received", "receive", "get", "gets", "had", "pelam", "peyechi", "paisi", "ashche", "ashlo",
                  "incoming"}
_CONTACT_NOUNS = {"message", "messages", "msg", "call", "calls", "text", "texts", "email", "emails", "mail", "dm",
                  "sms", "whatsapp", "inbox", "voicemail", "query", "enquiry", "inquiry", "reply", "ping", "missed"}
_CHANNEL_WORDS = {"whatsapp", "facebook", "fb", "messenger", "instagram", "insta", "ig", "sms", "email", "phone"}
_SUBJECTS = {"he", "she", "they", "customer", "uni", "tini", "o"}  # who did it: "she messaged" = she wrote to us
# titles and honorifics that say a person is meant (not "md" / "begum", which are parts of names)
_TITLES = lx.SOCIAL_HONORIFICS | {"mr", "mrs", "ms", "miss", "dr"}
_TRAILERS = lx.HONORIFICS | {"er", "r", "ke"} | {h + "r" for h in lx.HONORIFICS}
_ID_LEADS = {"customer", "id", "client", "cust"}
_DETERMINERS = {"the", "a", "an", "his", "her", "my", "their", "this", "that", "our", "your", "some", "these", "those"}
_DROPOFF_LEADS = {"cart", "dropoff", "drop", "off", "checkout"}
_SLOT_WORDS = frozenset(set().union(*(t.words() for t in TABLES.values())) | lx.STOPWORDS | lx.PRONOUNS
                        | lx.HONORIFICS | set(lx.NUMBER_WORDS) | DATE_WORDS | set(lx.ORDINALS))


def lexicon_words() -> frozenset[str]:
    """Every word the vocabularies and the registered intents' cues use (never read as a name alone)."""
    cues = registry.cue_words()
    if _LEXICON.get("cues") is not cues:
        _LEXICON.update(cues=cues, words=_SLOT_WORDS | cues)
    return _LEXICON["words"]


_LEXICON: dict[str, frozenset[str]] = {}


@dataclass
class CustomerMention:
    start: int
    end: int
    words: tuple[str, ...]
    via: str  # name, phone, email, id, unknown
    resolution: Resolution | None = None
    ref: int | str | None = None
    possessive: bool = False
    honorific: bool = False  # said with a title or honorific ("Mr. <surname>", "<surname> bhai / saheb")

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass
class Slots:
    tokens: list[Token]
    temporal: Temporal
    matches: dict[str, list[PhraseMatch]]
    customers: list[CustomerMention] = field(default_factory=list)
    pronoun: bool = False
    products: list[str] = field(default_factory=list)
    product_spans: set[int] = field(default_factory=set)
    loose_words: list[str] = field(default_factory=list)
    type: str | None = None
    talk: bool = False
    outcome: str | None = None
    inbound: bool = False
    relationships: list[PhraseMatch] = field(default_factory=list)
    limit: int | None = None
    dropoff_id: int | None = None
    quoted: str | None = None
    ordinal: int | None = None  # an ordinal or "number N": a row of the last list (-1 = last)
    question: bool = False  # the agent asks something (see ``_mood``)
    command: bool = False  # the message orders a write ("log", "add", "mark", ...)
    deals: DealIndex | None = None  # the book's deal names (to find whose deal a request names alone)

    @property
    def norms(self) -> list[str]:
        return [t.norm for t in self.tokens]

    def first(self, table: str) -> str | None:
        found = self.matches.get(table) or []
        return found[0].value if found else None

    def has(self, table: str) -> bool:
        return bool(self.matches.get(table))


def extract(tokens: list[Token], text: str, catalogue: Catalogue, now: datetime) -> Slots:
    """All slots of one message."""
    norms = [t.norm for t in tokens]
    temporal = extract_temporal(tokens, now)
    temporal.dates = [d for d in temporal.dates if not _negated(norms, d.start)]
    slots = Slots(tokens, temporal, {}, deals=catalogue.deals)
    blocked = set(temporal.used)
    _names_with_digits(slots, catalogue, text, blocked)
    _ids(slots, blocked)
    _products(slots, catalogue, blocked)
    for name, table in TABLES.items():
        slots.matches[name] = [m for m in table.find(norms, blocked=blocked)
                               if name not in _NEGATABLE or not _negated(norms, m.start)]
    slots.matches["city"] = catalogue.cities.find(norms, blocked=blocked)
    slots.matches["cue"] = registry.cue_table().find(norms, overlap=True)
    _honorific_relations(slots)
    slots.relationships = slots.matches["relationship"]
    _interaction(slots)
    slots.pronoun = any(n in lx.PRONOUNS for n in norms) or slots.has("context")
    slots.quoted = quoted_message(text)
    _names(slots, catalogue, blocked)
    _mood(slots)
    slots.ordinal = _ordinal(slots)
    return slots


_NEGATABLE = {"type", "channel", "temperature", "lifecycle", "segment", "tone", "language"}


def _negated(norms: list[str], start: int) -> bool:
    """ "not <value>", "instead of <value>", "rather than <value>": the value the user rules out."""
    before = norms[max(0, start - 2): start]
    return bool(before) and (before[-1] in {"not", "na"} or before in (["instead", "of"], ["rather", "than"]))


def _ordinal(slots: Slots) -> int | None:
    """An ordinal word, "Nth", "number N" or "last" before a row noun: which row of a list shown before."""
    tokens, norms = slots.tokens, slots.norms
    for k, tok in enumerate(tokens):
        value = lx.ORDINALS.get(tok.norm) if tok.kind == "word" else (tok.value if tok.kind == "ordinal" else None)
        after = norms[k + 1] if k + 1 < len(norms) else ""
        if value is not None and after in lx.ROW_NOUNS:
            return value
        if tok.kind == "num" and isinstance(tok.value, int) and k and norms[k - 1] in {"number", "no", "#"} \
                and 1 <= tok.value <= 50:
            return tok.value
    return None


def _mood(slots: Slots) -> None:
    """Is the message a question, and does it order a write?

    A question opens with a question word ("what", "who", "any", "did Rahim ..."; Banglish "kono",
    "kobe"), ends a sentence with "?" (unless the "?" closes a question the customer asked, as in
    "she asked if it can be delivered?") or closes with a Banglish particle ("... ache naki").
    """
    norms = slots.norms
    words = [k for k, t in enumerate(slots.tokens) if t.kind != "punct"]
    while words and norms[words[0]] in lx.LEAD_FILLERS:
        words.pop(0)
    if not words:
        return
    first = norms[words[0]]
    second = norms[words[1]] if len(words) > 1 else ""
    opener = (first in lx.QUESTION_OPENERS and not (first in {"did", "has", "is", "are"} and second in {"a", "an", "the"})
              ) or (first == "when" and second in lx.AUXILIARIES)
    marks = [k for k, n in enumerate(norms) if n == "?"]
    reported = bool(marks) and any(n in lx.REPORTED_SPEECH for n in norms[:marks[-1]])
    slots.question = opener or (bool(marks) and not reported) or norms[words[-1]] in lx.QUESTION_TAILS
    slots.command = any(n in lx.WRITE_COMMANDS and norms[k + 1: k + 3] not in (["to", "cart"], ["to", "the"])
                        for k, n in enumerate(norms))


def _names_with_digits(slots: Slots, catalogue: Catalogue, text: str, blocked: set[int]) -> None:
    """A stored name holding digits, typed in full, is that customer: its "#1" or phone number is part
    of the name, never an id or a phone of someone else. The longest such name wins."""
    index = catalogue.customers
    lowered = text.casefold()
    found = []
    for tok in slots.tokens:
        if tok.kind not in {"id", "num", "phone", "numdate", "ordinal"}:
            continue
        digits = "".join(ch for ch in tok.text if ch.isdigit())
        for entry in index.names_with_digits(digits) if digits else ():
            name = " ".join(entry.name.casefold().split())
            at = lowered.find(name)
            while at >= 0:
                end = at + len(name)
                if (at == 0 or not lowered[at - 1].isalnum()) and (end == len(lowered) or not lowered[end].isalnum()):
                    found.append((end - at, at, end, entry))
                at = lowered.find(name, at + 1)
    for _, begin, end, entry in sorted(found, key=lambda f: -f[0]):
        span = [k for k, t in enumerate(slots.tokens) if t.start >= begin and t.end <= end]
        if not span or blocked & set(span):
            continue
        resolution = Resolution("unique", (entry,), 100.0, exact=True)
        slots.customers.append(CustomerMention(span[0], span[-1] + 1, tuple(slots.tokens[k].norm for k in span),
                                               "name", resolution))
        blocked.update(span)


def _ids(slots: Slots, blocked: set[int]) -> None:
    tokens, norms = slots.tokens, slots.norms
    for i, tok in enumerate(tokens):
        if tok.kind in {"phone", "email"} and i not in blocked:
            slots.customers.append(CustomerMention(i, i + 1, (tok.text,), tok.kind, ref=tok.value))
            blocked.add(i)
        elif tok.kind in {"id", "num"} and isinstance(tok.value, int) and i not in blocked:
            before = {norms[k] for k in range(max(0, i - 2), i)}
            if before & _DROPOFF_LEADS:
                slots.dropoff_id = tok.value
                blocked.add(i)
            elif before & _ID_LEADS or tok.kind == "id":
                slots.customers.append(CustomerMention(i, i + 1, (tok.text,), "id", ref=tok.value))
                blocked.add(i)
            elif _counts_rows(norms, i):
                slots.limit = tok.value
                blocked.add(i)
        elif tok.kind == "word" and tok.norm in _COUNT_WORDS and i not in blocked and _counts_rows(norms, i):
            slots.limit = lx.NUMBER_WORDS[tok.norm]  # "the top three", "panch jon"
            blocked.add(i)


# a number right after these, or right before a row noun, is how many rows a list shows
_LIMIT_LEADS = {"top", "first", "limit", "best", "max", "maximum"}
_ONLY = {"only", "just", "shudhu", "sudhu"}  # "only 5" closing a message (never "only 2 fans")
_ROW_COUNTED = {"customers", "customer", "jon", "people", "persons", "names", "leads", "calls", "clients", "rows"}
_COUNT_WORDS = {w for w, n in lx.NUMBER_WORDS.items() if n > 1 and w not in {"couple", "few", "sat", "char", "tin"}}


def _counts_rows(norms: list[str], i: int) -> bool:
    if i and norms[i - 1] in _ONLY and all(n in {".", "!", "?", ","} for n in norms[i + 1:]):
        return True
    return bool(i and norms[i - 1] in _LIMIT_LEADS) or (i + 1 < len(norms) and norms[i + 1] in _ROW_COUNTED)


def _products(slots: Slots, catalogue: Catalogue, blocked: set[int]) -> None:
    """Runs of words that name a catalogue product; the product's last word (its noun) must be among them."""
    index = catalogue.products
    if not len(index):
        return
    tokens = slots.tokens
    i = 0
    while i < len(tokens):
        run: list[int] = []
        k = i
        while k < len(tokens) and k not in blocked and tokens[k].kind == "word" and len(run) < 5:
            word = tokens[k].norm
            if word in lx.STOPWORDS or word in lx.PRONOUNS or not index.word_matches(word, fuzzy=len(word) >= 5):
                break
            run.append(k)
            k += 1
        if not run:
            i += 1
            continue
        typed = [tokens[k].norm for k in run]
        if len(run) == 1 and typed[0] in _SLOT_WORDS and not tokens[run[0]].capitalised:
            # a word of the desk's vocabulary alone ("phone", "call", "message") is that word,
            # not a product whose name happens to contain it
            i = run[-1] + 1
            continue
        resolution = index.resolve(typed)
        covered = set()
        for word in typed:
            covered |= set(index.word_matches(word, fuzzy=len(word) >= 5))
        heads = [e for e in resolution.candidates if index.words_of(e) and
                 (_names_product(index.words_of(e), covered) or len(typed) >= 2)]
        if resolution.status == "unique" and heads:
            slots.products.append(heads[0].name)
        if heads:
            slots.product_spans.update(run)
            blocked.update(run)
            slots.loose_words.extend(typed)
        i = run[-1] + 1


def _names_product(words: tuple[str, ...], covered: set[str]) -> bool:
    """One typed word names a product when it is the product's noun ("fan" of "Ceiling Fan 56in": units
    and sizes do not count) or a distinctive word of its name ("jamdani"), never a colour or size alone."""
    meaningful = [w for w in words if len(w) >= 2 and w not in lx.PRODUCT_MODIFIERS and w not in lx.STOPWORDS]
    if not meaningful:
        return bool(words) and words[-1] in covered
    return meaningful[-1] in covered or any(len(w) >= 5 and w in covered for w in meaningful)


def _honorific_relations(slots: Slots) -> None:
    """ "rahim bhai" is a name with an honorific; "his bhai" / "tar bon" is a relative."""
    norms = slots.norms
    kept = []
    for match in slots.matches["relationship"]:
        word = norms[match.start]
        before = norms[match.start - 1] if match.start else ""
        possessive_before = before in {"his", "her", "their", "tar", "or", "onar", "unar"} or (
            match.start and slots.tokens[match.start - 1].possessive) or before in {"er", "r"}
        if word in lx.HONORIFIC_RELATIONS and match.end - match.start == 1 and not possessive_before:
            continue
        kept.append(match)
    slots.matches["relationship"] = kept


def _interaction(slots: Slots) -> None:
    norms = slots.norms
    follow = {k for m in _FOLLOW_UP_TYPE.find(norms) for k in range(m.start, m.end)}
    # a type word inside a multi-word outcome is how the contact went, not its type
    follow |= {k for m in slots.matches["outcome"] for k in range(m.start, m.end) if m.end - m.start > 1}
    types = [m for m in slots.matches["type"] if m.start not in follow]
    call_verbs = [m for m in types if m.value == "call" and m.phrase in lx.CALL_VERBS]
    if call_verbs:
        # a place named next to a past call is where they will come, not how they were reached
        types = [m for m in types if not (m.value == "in_person" and m.phrase in lx.IN_PERSON_PLACES)]
    explicit = [m for m in types if m.start and norms[m.start - 1] in {"on", "via", "over", "through", "by", "in"}
                and m.value != "call"]
    non_call = [m for m in types if m.value != "call"]
    slots.talk = any(n in lx.TALK_WORDS for n in norms)
    if explicit:
        slots.type = explicit[0].value
    elif any(m.value == "in_person" for m in types):
        slots.type = "in_person"
    elif types:
        slots.type = types[0].value
        if slots.type == "call" and non_call and not any(norms[m.start] in {"called", "phoned", "rang", "call"}
                                                          for m in types if m.value == "call"):
            slots.type = non_call[0].value
    elif slots.talk:
        slots.type = "call" if not non_call else non_call[0].value
    outcomes = []
    for m in slots.matches["outcome"]:
        window = norms[max(0, m.start - 2): m.start]
        if m.value in {"interested", "purchased", "resolved"} and any(w in lx.NEGATIONS for w in window):
            continue
        if m.value == "callback" and m.phrase in lx.WEAK_CALLBACK:
            continue
        outcomes.append(m.value)
    if not outcomes and any(m.value == "callback" for m in slots.matches["outcome"]):
        outcomes.append("callback")
    if outcomes:
        slots.outcome = min(outcomes, key=lx.OUTCOME_PRIORITY.index)
    elif slots.type is None and any(m.value == "no_answer" for m in slots.matches["outcome"]):
        slots.type = "call"
    if slots.type is None and (slots.outcome == "no_answer" or "busy" in norms):
        slots.type = "call"  # nobody "doesn't pick up" an email
    slots.inbound = slots.has("inbound") or any(
        n in _SUBJECTS and _next_verb(norms, k + 1) in _INBOUND_VERBS for k, n in enumerate(norms)) or _received(norms)


def _received(norms: list[str]) -> bool:
    """ "got / received / had a <channel> message|call|text", "<message> from him": the customer reached us."""
    for k, word in enumerate(norms):
        if word in _RECEIVE_VERBS:
            ahead = norms[k + 1: k + 5]
            if any(w in _CONTACT_NOUNS for w in ahead) and not ({"to", "for"} & set(ahead[:2])):
                return True
        if word == "from" and k and (norms[k - 1] in _CONTACT_NOUNS or norms[k - 1] in _CHANNEL_WORDS):
            return True
    return False


def _next_verb(norms: list[str], k: int) -> str:
    """The word at ``k`` after any adverbs ("she just messaged", "he finally called")."""
    while k < len(norms) and norms[k] in {"just", "also", "finally", "again", "then", "already", "herself",
                                          "himself", "abar", "nijei", "nije"}:
        k += 1
    return norms[k] if k < len(norms) else ""


def _names(slots: Slots, catalogue: Catalogue, blocked: set[int]) -> None:
    """Group the leftover words into customer mentions and resolve each against the catalogue."""
    tokens, norms = slots.tokens, slots.norms
    index = catalogue.customers
    reserved = set(blocked) | slots.product_spans
    for table in ("type", "outcome", "relationship", "channel", "tone", "language", "segment", "temperature",
                  "lifecycle", "mine", "inbound", "context", "city"):
        for m in slots.matches[table]:
            reserved.update(range(m.start, m.end))

    def name_like(i: int) -> bool:
        tok = tokens[i]
        if tok.kind != "word" or len(tok.norm) < 2:
            return False
        word = tok.norm
        if word in lx.HONORIFICS and not index.is_word(word):
            return False
        if i in reserved or word in lexicon_words():
            # a capitalised customer name that happens to be a keyword ("Mark", "Rose") is still a name
            return tok.capitalised and index.is_word(word) and word not in lx.STOPWORDS and word not in lx.PRONOUNS
        if word in catalogue.user_words and not index.is_word(word):
            return False
        return True

    def joins(i: int, words: list[str]) -> bool:
        tok = tokens[i]
        # an unknown lower-case word is the rest of a name only right after a lone first name, in the
        # same script: "called tania <surname>", never a third word after a full name nor a Latin
        # word after a name typed in Bangla
        surname = len(words) == 1 and words[0].isascii() and _surname_like(tok, catalogue)
        return name_like(i) and (bool(index.word_matches(tok.norm)) or tok.capitalised or tok.text[:1].isupper()
                                 or surname)

    i = 0
    while i < len(tokens):
        if not name_like(i):
            i += 1
            continue
        start, words = i, []
        possessive = False
        while i < len(tokens) and len(words) < 4 and tokens[i].norm not in _TRAILERS and (not words or joins(i, words)):
            words.append(tokens[i].norm)
            possessive = tokens[i].possessive
            i += 1
            if possessive:
                break
        # a trailing honorific or Banglish case ending belongs to the name
        titled = bool(start) and norms[start - 1] in _TITLES or (
            start > 1 and norms[start - 1] == "." and norms[start - 2] in _TITLES)
        while not possessive and i < len(tokens) and tokens[i].norm in _TRAILERS:
            titled = titled or tokens[i].norm in _TITLES or tokens[i].norm[:-1] in _TITLES
            possessive = tokens[i].possessive or tokens[i].norm in {"er", "r"} or (
                tokens[i].norm.endswith("r") and tokens[i].norm[:-1] in lx.HONORIFICS)
            i += 1
        if not words:
            i += 1
            continue
        while len(words) > 1 and not index.word_matches(words[0]) and index.word_matches(words[1]):
            # "save Karim's mother ...": a verb glued to the front of a name is not part of it
            words.pop(0)
            start += 1
        resolution = index.resolve(words)
        known = resolution.status != "none"
        after_target = start and norms[start - 1] in _TARGET_WORDS
        opener = start == 0 and tokens[start].text[:1].isupper()
        exact = all(index.word_matches(w, fuzzy=False) for w in words if w not in lx.HONORIFICS)
        if known and not exact and len(words) == 1 and start and not (after_target or tokens[start].capitalised):
            # one lower-case word in mid-sentence that only looks like a name (a fuzzy hit on an
            # ordinary word) is nobody: a write must not be aimed at a customer the user never named
            known = False
        thing = start and norms[start - 1] in _DETERMINERS or all(
            tokens[k].text.isupper() and len(tokens[k].text) <= 3 for k in range(start, i))
        if not known and thing and not after_target:
            pass  # "the X", "a X", an acronym: a thing talked about, not a person
        elif known or after_target or tokens[start].capitalised or opener or (
                len(words) >= 2 and index.word_matches(words[0], fuzzy=False)):
            # (the last: a known first name with more name words after it is a full name the book lacks)
            slots.customers.append(CustomerMention(start, i, tuple(words), "name" if known else "unknown",
                                                   resolution, possessive=possessive, honorific=titled))
        if not known:
            slots.loose_words.extend(words)
    for mention in slots.customers:
        if mention.via in {"name", "phone"} and mention.end < len(norms) and norms[mention.end] in _INBOUND_VERBS and (
                mention.start == 0 or norms[mention.start - 1] in {",", "."}):
            slots.inbound = True
        if mention.resolution and mention.resolution.status == "ambiguous":
            mention.resolution = narrow_by_city(mention.resolution, norms)


def _surname_like(tok: Token, catalogue: Catalogue) -> bool:
    """A lower-case word after a name word that is no keyword, product or ordinary English word: the
    rest of a name ("called tania <surname>"), so a full name nobody has is never cut to its first word."""
    word = tok.norm
    return (tok.kind == "word" and word.isascii() and word.isalpha() and len(word) >= 3
            and word not in _NOT_NAMES and not catalogue.products.is_word(word) and not is_common_english(word))


# words that are never the rest of a name: everyday Banglish, question words, the Bangla table's words
_NOT_NAMES = frozenset(lx.BANGLISH_WORDS | lx.SHORTHAND | lx.QUESTION_OPENERS | set(lx.QUESTION_TAILS) | set(lx.LEAD_FILLERS)
                       | set(BANGLA_CANONICAL) | lx.PLAIN_WORDS | set(lx.CHAT_SPELLINGS.values()))


def narrow_by_city(resolution: Resolution, words: list[str]) -> Resolution:
    """Keep the candidates whose city the message names ("<name> from <city>")."""
    said = {lx.CITY_ALIASES.get(w, w) for w in words}
    kept = tuple(c for c in resolution.candidates
                 if c.city and lx.CITY_ALIASES.get(c.city.lower(), c.city.lower()) in said)
    if not kept:
        return resolution
    return replace(resolution, status="unique" if len(kept) == 1 else "ambiguous", candidates=kept)
