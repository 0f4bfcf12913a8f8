"""Reply drafts: decide whether the channel may be used, pick words that fit, fill them from facts. Never sends.

Steps: (1) the topic class of the request and of the incoming message (``domain.reply_topics``):
a complaint in the message wins, then the class the agent asked for, then the message's; a
question with no class is answered from the knowledge snippets. (2) What the class needs from the
customer's records (an open cart, an order, a birthday...); when it is not there the draft is
*incomplete*: ``missing`` says what, and it is never offered as sendable. (3) The templates of that
class for the channel, the business's before the starter ones, the wanted language first; the
first whose every slot is filled from facts wins; none: the product's own text for the class
(``template: none``). (4) The consent verdict (``domain.consent``): outside WhatsApp's 24-hour
window only an approved template of the class may be used. (5) The channel layout
(``domain.messaging``) and the list of facts the text states, for grounding a reworded draft.

The incoming message is untrusted customer text: it only steers the class and names a product from
the catalogue. None of its words is copied into the draft, so instructions inside it go nowhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain.audience import Audience, age_on, suits
from domain.consent import Verdict, channel_verdict
from domain.embedding_names import MINILM
from domain.errors import DomainError
from domain.events import relation_word
from domain.messaging import SmsInfo, compose
from domain.models import Customer
from domain.reply_facts import CustomerFacts, Offer, Person, ProductFacts, gather, own_mention
from domain.reply_texts import GENERIC, RELATION_BN, RELATION_BN_ANY, WILL_CHECK
from domain.reply_topics import TOPICS, asks_a_question, classify, needs, template_class
from domain.retrieval import ReplyDoc, ReplyIndex

TONES = ("friendly", "formal", "apologetic")
MAX_MESSAGE_CHARS = 2000  # of the incoming message used for retrieval
SNIPPET_MIN_SCORE = {MINILM: 0.30, "lexical": 0.10}  # below this a snippet is off-topic
CUSTOM_MIN_SCORE = {MINILM: 0.55, "lexical": 0.35}  # an unclassed business template this near is used
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{(\w+)\}")
_BN_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")
_DETERMINER = re.compile(r"^(?:the|our|your|a|an|this|these|some|his|her|their)\b", re.I)
_CLAUSE = re.compile(r"\b(?:that|is|are|was|were|has|have|had|will|would|can|could|should|did|does|do|"
                     r"saying|say|tell|told)\b", re.I)
_ADDRESSED = re.compile(r"\{(?:name|first_name)\}|^\{(?:shop|business)\}")
_TOPIC_LEAD = re.compile(r"^(?:about|regarding|re:?|on|for|reply to:?)\s+", re.I)
SLOT_ALIASES = {"shop": "business", "customer": "name"}
MISSING_WORDS = {
    "cart": "an open cart or checkout on record",
    "failed_payment": "a failed payment on record",
    "open_order": "an order on record",
    "order": "an order on record",
    "completed_order": "a completed order on record",
    "birthday": "a birthday of the customer or their family within two weeks, or a family member named in the topic",
    "anniversary": "a wedding anniversary of the customer or their family within two weeks",
    "product": "a product: named in the message, or carted, viewed or bought by the customer",
    "loyalty": "a loyalty account",
}

PHRASES = {
    "en": {"greet": {"friendly": "Hi {who}!", "formal": "Dear {who},", "apologetic": "Dear {who},"},
           "close": {"friendly": "Thanks! - {business}", "formal": "Kind regards,\n{business}",
                     "apologetic": "Thank you for your patience.\n{business}"},
           "sorry": "We are sorry for the trouble.", "sorry_words": ("sorry", "apolog"),
           "business": "The team"},
    "bn": {"greet": {"friendly": "হ্যালো {who}!", "formal": "প্রিয় {who},", "apologetic": "প্রিয় {who},"},
           "close": {"friendly": "ধন্যবাদ! - {business}", "formal": "শুভেচ্ছান্তে,\n{business}",
                     "apologetic": "ধৈর্যের জন্য ধন্যবাদ।\n{business}"},
           "sorry": "অসুবিধার জন্য আমরা দুঃখিত।", "sorry_words": ("দুঃখিত",),
           "business": "আমাদের টিম"},
}


@dataclass(frozen=True)
class Fact:
    """One thing a draft states, as written in it, and the record it comes from."""

    kind: str  # customer, product, price, order, order_date, cart_value, person, relation, offer, ...
    value: str
    source: str


@dataclass(frozen=True)
class Draft:
    channel: str
    language: str
    tone: str
    subject: str | None
    body: str
    verdict: Verdict
    template: ReplyDoc | None  # None: the product's own words (``template: none``)
    topic_class: str | None = None
    snippets: list[ReplyDoc] = field(default_factory=list)
    sms: SmsInfo | None = None
    notes: list[str] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def addressed_name(facts: CustomerFacts, language: str, tone: str) -> str:
    """First name with the honorific that fits the language and tone ("Mr. Rahim", "Rahim ভাই")."""
    first, gender = facts.first_name, facts.gender
    if language == "bn":
        if tone == "friendly":
            return {"male": f"{first} ভাই", "female": f"{first} আপা"}.get(gender or "", first)
        return {"male": f"জনাব {first}", "female": f"{first} ম্যাডাম"}.get(gender or "", first)
    if tone == "friendly":
        return first
    return {"male": f"Mr. {first}", "female": f"Ms. {first}"}.get(gender or "", facts.full_name)


def money(amount: Decimal | None, language: str) -> str | None:
    if amount is None:
        return None
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{text.translate(_BN_DIGITS)} টাকা" if language == "bn" else f"BDT {text}"


# classes whose text says the customer bought, ordered or looked at the product: a product named in the
# message or topic is theirs only when their records show it
HISTORY_CLAIMS = frozenset({"thanks", "feedback", "order_status", "order_confirmation", "product_followup"})


def pick_product(facts: CustomerFacts, topic: str) -> ProductFacts | None:
    """The product the reply is about: named in the message, else the one the topic class is about
    (the cart's, the order's), else one the customer looked at. Never a product off their records."""
    cls = classify(topic) if topic and topic not in TOPICS else topic
    if cls in ("cart", "payment_failed"):  # the cart's own product, whatever else the message names
        return facts.dropoff_product if facts.has_cart or facts.has_failed_payment else None
    mentioned = facts.mentioned_product
    if mentioned and cls in HISTORY_CLAIMS:  # "thank you for buying X" only for an X they bought
        own = (facts.viewed_product, facts.dropoff_product) if cls == "product_followup" else ()
        if not (facts.mention_in_orders or any(p and p.name == mentioned.name for p in own)):
            mentioned = None
    if mentioned:
        return mentioned
    if cls == "complaint":
        order = [facts.order_product]
    elif cls in ("order_status", "order_confirmation", "thanks", "feedback", "complaint", "warranty_question",
                 "return_question"):
        order = [facts.order_product]
    elif cls in ("price_question", "missed_call", "question"):  # only the product asked or told about
        return None
    elif cls in ("back_in_stock", "product_followup"):
        order = [facts.viewed_product, facts.dropoff_product, facts.order_product]
    elif cls in ("delivery_question", "payment_question", "promotion"):
        order = [facts.dropoff_product]
    else:
        order = [facts.dropoff_product, facts.viewed_product, facts.order_product]
    return next((p for p in order if p), None)


def class_from_product(topic: str, facts: CustomerFacts) -> str | None:
    """A topic that only names a product: a cart reminder when it is in the open cart, a delivery
    update when it is on an open order, a follow-up when the customer looked at it."""
    for cls, product, present in (("cart", facts.dropoff_product, facts.has_cart),
                                  ("payment_failed", facts.dropoff_product, facts.has_failed_payment),
                                  ("order_status", facts.order_product, facts.order_status == "pending"),
                                  ("product_followup", facts.viewed_product, True)):
        if present and product and own_mention(topic, [product.name]):
            return cls
    return None


def fill(template: str, values: dict[str, str | None],
         fallbacks: dict[str, str] | None = None) -> tuple[str, set[str]]:
    """Fill ``{slots}``; a ``[part]`` whose slots are not all known is dropped. Returns the text and the
    bare slots that had no value and no fallback (then the text must not be used)."""
    unknown: set[str] = set()
    fallbacks = fallbacks or {}

    def value(name: str) -> str | None:
        key = SLOT_ALIASES.get(name, name)
        return values.get(key) or fallbacks.get(key)

    def optional(match: re.Match) -> str:
        inner = match.group(1)
        return inner if all(value(s) for s in _SLOT.findall(inner)) else ""

    def slot(match: re.Match) -> str:
        found = value(match.group(1))
        if not found:
            unknown.add(match.group(1))
            return ""
        return str(found)

    text = _SLOT.sub(slot, _OPTIONAL.sub(optional, template))
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([.,!?;:।)])", r"\1", text)
    text = re.sub(r"\( *\)", "", text)
    return text.strip(), unknown


def _relation(person: Person, language: str) -> str:
    if language == "bn":
        return RELATION_BN.get((person.relationship, person.gender or ""), RELATION_BN_ANY.get(person.relationship, ""))
    return relation_word(person.relationship, person.gender)


def event_person(facts: CustomerFacts, cls: str, topic: str) -> tuple[Person | None, object | None]:
    """Whose birthday or anniversary: a family member the topic names (by name or relation word; of
    several, the one whose day is nearest), else the nearest such event on record. (person, event or None)."""
    kind = "birthday" if cls == "birthday" else "anniversary"
    words = set(re.findall(r"[^\W\d_]+", topic.lower()))
    named = [p for p in facts.people if not p.is_self and (
        p.first_name.lower() in words or relation_word(p.relationship, p.gender) in words
        or p.relationship in words)]
    events = [e for e in facts.events if e.kind == kind]
    if named:
        # several fit the words ("daughter" with two daughters): the one whose day is nearest
        upcoming = [e for e in events if not e.is_self and any(p.name == e.person_name for p in named)]
        if upcoming:
            event = upcoming[0]  # nearest first
            return next(p for p in named if p.name == event.person_name), event
        return named[0], None
    if not events:
        return None, None
    event = events[0]
    person = next((p for p in facts.people if (p.is_self and event.is_self) or (
        not p.is_self and not event.is_self and p.name == event.person_name)), None)
    return person, event


# an offer snippet's audience tag -> who it is for (domain.audience; "kids" takes babies too)
OFFER_AUDIENCES = {"kids": Audience.child, "women": Audience.women, "men": Audience.men, "adults": Audience.adult}


def fitting_offer(offers: tuple[Offer, ...], cls: str, person: Person | None, today,
                  language: str = "en") -> Offer | None:
    """The current offer for this occasion that fits the person best: one for their audience (kids'
    wear for a child's birthday) before a general one, never one for another audience (nothing
    for men for a one-year-old); the draft's language first."""
    occasions = {"birthday", "anniversary", "cart", "win_back", "promotion"}
    age = age_on(person.date_of_birth, today) if person is not None and today else None
    gender = person.gender if person is not None else None
    fits = []
    for offer in offers:
        tagged = offer.tags & occasions
        if tagged and cls not in tagged:
            continue
        groups = offer.tags & set(OFFER_AUDIENCES)
        if groups and (person is None or not any(
                suits(OFFER_AUDIENCES[g], age, gender) or (g == "kids" and suits(Audience.baby, age, gender))
                for g in groups)):
            continue
        fits.append((offer.language != language, not groups, not tagged, offer.row_id, offer))
    return min(fits, key=lambda f: f[:4])[4] if fits else None


def quotes_message(topic: str, message: str) -> bool:
    """Whether the topic carries words of the (untrusted) incoming message: three in a row."""
    if not message:
        return False
    said = re.findall(r"\w+", message.lower())
    text = " " + " ".join(re.findall(r"\w+", topic.lower())) + " "
    return len(said) < 3 and " ".join(said) in text or any(
        f" {' '.join(said[k:k + 3])} " in text for k in range(max(0, len(said) - 2)))


def subject_words(topic: str, language: str) -> str | None:
    """The agent's topic as a noun phrase for a generic draft: "Eid offers" -> "our Eid offers"."""
    text = _TOPIC_LEAD.sub("", " ".join(topic.split())).strip(" .,:;!?")
    if not text or len(text) > 80 or _CLAUSE.search(text):  # a sentence, not a thing to tell about
        return None
    if language == "en" and not _DETERMINER.match(text):
        text = f"our {text}"
    return text


@dataclass
class _Choice:
    body: str
    subject: str | None
    template: ReplyDoc | None


def addresses_itself(body: str) -> bool:
    """A template that greets the customer or names the sender itself gets no greeting or sign-off."""
    return bool(_ADDRESSED.search(body.strip()))


def _candidates(index: ReplyIndex, cls: str | None, channel: str, language: str, approved: bool,
                family_event: bool, tone: str = "friendly") -> list[ReplyDoc]:
    pool = [t for t in index.templates() if t.channel in (channel, "any") and template_class(t.name, t.topic) == cls]
    if approved:
        pool = [t for t in pool if t.approved]
    elif tone != "friendly":  # fixed greetings cannot take a formal or apologetic tone
        pool = [t for t in pool if not addresses_itself(t.body)]
    if family_event:  # a template that greets the customer as the one celebrating does not fit
        pool = [t for t in pool if "{person}" in t.body]
    return sorted(pool, key=lambda t: (t.language != language, t.row_id is None, t.approved != approved,
                                       t.channel != channel, t.doc_id))


def build_draft(session: Session, index: ReplyIndex, customer: Customer, *, channel: str, topic: str,
                now: datetime, business_tz: ZoneInfo, tone: str = "friendly", language: str | None = None,
                incoming_message: str | None = None, business_name: str | None = None,
                agent_name: str | None = None) -> Draft:
    """The consent verdict and a filled draft for ``customer`` on ``channel``. Reads only; sends nothing."""
    if tone not in TONES:
        raise DomainError(f"unknown tone {tone!r}; use one of: {', '.join(TONES)}", field="tone")
    topic = (topic or "").strip()
    if not topic:
        raise DomainError("topic is empty: say what the reply is about, e.g. 'cart reminder'", field="topic")
    message = (incoming_message or "").strip()[:MAX_MESSAGE_CHARS]
    facts = gather(session, customer, now, business_tz, message or None, topic)
    wanted = (language or facts.language or "en").strip().lower()
    lang = wanted if wanted in PHRASES else "en"
    notes: list[str] = []
    index.sync(session)

    asked, said = classify(topic), classify(message)
    cls = "complaint" if said == "complaint" else asked or said
    question = asks_a_question(message)
    if cls is None and question:
        cls = "question"
    if cls is None:  # "about the kettle": what the customer's records say of that product
        cls = class_from_product(topic, facts)
    if cls is None and tone == "apologetic":  # an apology is about something that went wrong
        cls = "complaint"
    if cls == "thanks" and facts.order_status == "pending":  # thanks for an order not yet delivered
        cls = "order_confirmation"
    query = f"{topic}. {message}" if message else topic

    # what the class needs, and the values every text may use
    product = pick_product(facts, cls or topic)
    person, event = (event_person(facts, cls, topic) if cls in ("birthday", "anniversary") else (None, None))
    offer = fitting_offer(facts.offers, cls or "", person or (facts.people[0] if facts.people else None),
                          facts.today, lang) if cls in ("birthday", "anniversary", "cart", "win_back", "promotion") else None
    have = {"cart": facts.has_cart, "failed_payment": facts.has_failed_payment,
            "open_order": facts.order_ref is not None, "order": facts.order_ref is not None,
            "completed_order": facts.completed_order and facts.order_product is not None,
            "birthday": person is not None, "anniversary": person is not None,
            "product": product is not None, "loyalty": facts.points is not None}
    missing = [MISSING_WORDS[n] for n in needs(cls) if not have.get(n, True)]
    if cls == "thanks" and re.search(r"buy|bought|purchas|order|\bkin(?:a|sen|si|lam|echen)\b", query, re.I) and not facts.completed_order:
        missing.append(MISSING_WORDS["completed_order"])
    if cls == "price_question" and product is not None and not product.price:
        missing.append(f"a price for {product.name}")

    snippets: list[ReplyDoc] = []
    cls_info = TOPICS.get(cls or "")
    if question or (cls_info and cls_info.question) or cls in ("complaint", "order_status"):
        offer_ids = {o.row_id for o in facts.offers}
        found = index.search(query, kind="snippet", language=lang, limit=3)
        floor = SNIPPET_MIN_SCORE.get(index.backend, 0.3)
        snippets = [h.doc for h in found if h.score >= floor and h.doc.row_id not in offer_ids][:1]

    who = addressed_name(facts, lang, tone)
    business = business_name or None
    person_first = person.first_name if person and not person.is_self else None
    values: dict[str, str | None] = {
        "name": who, "first_name": facts.first_name,
        "product": product.name if product else None,
        "price": money(product.price, lang) if product and product.price else None,
        "order": f"{'অর্ডার' if lang == 'bn' else 'order'} #{facts.order_ref}" if facts.order_ref else None,
        "order_date": facts.order_date.isoformat() if facts.order_date else None,
        "cart_value": money(facts.cart_value, lang) if facts.has_cart or facts.has_failed_payment else None,
        "business": business, "agent": agent_name or None,
        "offer": offer.text if offer else None,
        "knowledge": " ".join(s.body for s in snippets) or None,
        "points": (str(facts.points).translate(_BN_DIGITS) if lang == "bn" else str(facts.points))
        if facts.points is not None else None,
        "tier": facts.tier, "person": person_first,
        "relation": _relation(person, lang) if person_first else None,
        # the customer's own words never reach the draft, not even through the topic
        "subject": None if quotes_message(topic, message) else subject_words(topic, lang),
    }
    if cls not in ("cart", "payment_failed"):
        values["cart_value"] = None  # a cart is never mentioned by a draft that is not about it
    if cls == "complaint" and message and not facts.mention_in_orders:
        # a complaint about something the records do not show: no product or order is named
        values["order"] = values["order_date"] = None
        if not facts.mentioned_product:
            values["product"] = values["price"] = None
    if cls in ("cart", "payment_failed"):
        values["order"] = None

    # the consent verdict needs to know whether an approved WhatsApp template of the class fills
    family_event = person is not None and not person.is_self
    # templates about an order in transit, or thanking for a purchase, need those records
    usable = not ((cls == "order_status" and facts.order_status != "pending")
                  or (cls == "thanks" and not facts.completed_order))
    # a template that announces an answer ("here is how returns work") needs the answer
    answerless = not snippets

    def first_filled(approved: bool, same_language: bool = True) -> _Choice | None:
        for doc in _candidates(index, cls, channel, lang, approved, family_event, tone) if usable else []:
            if same_language and not approved and doc.language != lang:
                continue
            if answerless and "{knowledge}" in doc.body and cls_info is not None and cls_info.question:
                continue
            shown = dict(values, name=addressed_name(facts, doc.language if doc.language in PHRASES else lang, tone))
            if channel == "whatsapp" and values["product"] and "*{product}*" not in doc.body:
                shown["product"] = f"*{values['product']}*"
            # a sign-off slot may fall back to "The team"; a sender prefix ("{shop}: ...") may not
            tail = {"business": PHRASES.get(doc.language, PHRASES["en"])["business"]} \
                if re.search(r"\{(?:business|shop)\}\W*$", doc.body) else None
            body, unknown = fill(doc.body, shown, tail)
            subject = fill(doc.subject, values) if doc.subject else ("", set())
            if not unknown and not subject[1] and body:
                return _Choice(body, subject[0] or None, doc)
        return None

    approved_choice = first_filled(True) if channel == "whatsapp" and not missing else None
    contact = replace(facts.contact, whatsapp_template_available=approved_choice is not None)
    verdict = channel_verdict(contact, channel, now)
    if missing:
        choice = None
    elif verdict.template_required:
        choice = approved_choice or first_filled(False)
    else:
        choice = first_filled(False)
    if choice is None and not missing:
        shown = dict(values, product=f"*{values['product']}*") if channel == "whatsapp" and values["product"] \
            else values
        choice = _generic(cls, shown, facts, lang, question, snippets, topic) or first_filled(False, False)
        if choice is None:
            missing.append("a subject for the draft: say what it is about" if values["subject"] is None
                           else "facts for this topic")
    if choice is not None and choice.template is None and cls not in (None, "question"):
        notes.append(f"no template for {cls.replace('_', ' ')} fits this customer's records; "
                     "drafted in the product's own words")
    if choice is not None and choice.template is None and cls is None:
        notes.append("no template fits this topic: a plain draft (template: none)")
    if choice is not None and question and not snippets and WILL_CHECK[lang] not in choice.body \
            and cls not in ("order_status", "price_question"):
        # before a sign-off the template carries itself (" - {business}"), not after it
        sign_off = re.search(r"\s+[-\u2013\u2014]\s+[^-\u2013\u2014.!?\u0964]+$", choice.body)
        at = sign_off.start() if sign_off else len(choice.body)
        choice.body = f"{choice.body[:at]} {WILL_CHECK[lang]}{choice.body[at:]}"
    if choice is not None and choice.template and choice.template.language != lang:
        notes.append(f"no {lang!r} template for this topic; drafted in {choice.template.language!r}")

    if missing:
        verdict = verdict if not verdict.allowed else replace(verdict, allowed=False, blocked_reason="incomplete")
        notes.append("not sendable: the records lack " + "; ".join(missing))
        return Draft(channel=channel, language=lang, tone=tone, subject=None, body="", verdict=verdict,
                     template=None, topic_class=cls, snippets=snippets, notes=notes, missing=missing)

    used_lang = choice.template.language if choice.template and choice.template.language in PHRASES else lang
    phrases = PHRASES[used_lang]
    signature = business or phrases["business"]
    body = choice.body
    addressed = addresses_itself(choice.template.body) if choice.template else False
    if addressed and tone != "friendly":
        notes.append(f"template {choice.template.name!r} is fixed text; the {tone} tone was not applied")
    if tone == "apologetic" and not any(w in body.lower() for w in phrases["sorry_words"]):
        body = f"{phrases['sorry']} {body}"
    subject = choice.subject
    if channel == "email" and not subject:
        subject = _email_subject(cls, values, used_lang, business)
    keep = [v for k, v in values.items() if v and k in ("product", "order", "cart_value", "person", "offer",
                                                         "price", "order_date")]
    laid_out = compose(channel, greeting=phrases["greet"][tone].format(who=who), body=body,
                       closing=phrases["close"][tone].format(business=signature), signature=signature,
                       subject=subject, addressed=addressed, keep=keep)
    if verdict.template_required and choice.template is not None and choice.template.approved:
        notes.append(f"outside the 24-hour window: send as the approved WhatsApp template {choice.template.name!r}")
    text = f"{laid_out.subject or ''}\n{laid_out.body}"
    stated = _facts(values, facts, person, offer, snippets, text, business)
    return Draft(channel=channel, language=used_lang, tone=tone, subject=laid_out.subject, body=laid_out.body,
                 verdict=verdict, template=choice.template, topic_class=cls, snippets=snippets, sms=laid_out.sms,
                 notes=notes, facts=stated)


def _generic(cls, values, facts: CustomerFacts, lang: str, question: bool, snippets, topic: str) -> _Choice | None:
    """The product's own words for the class; None when even they cannot be filled from facts."""
    keys: list[str]
    if cls == "thanks":
        keys = ["thanks_purchase", "thanks"] if facts.completed_order else ["thanks"]
    elif cls == "cart":
        keys = ["cart", "cart_value_only"]
    elif cls == "order_status":
        keys = ["order_status_pending" if facts.order_status == "pending" else "order_status_done"]
    elif cls in ("birthday", "anniversary"):
        keys = [f"{cls}_family" if values.get("person") else f"{cls}_self"]
    elif cls in GENERIC:
        keys = [cls]
    elif cls is not None and TOPICS.get(cls) and TOPICS[cls].question:
        keys = [cls, "question"] if cls in GENERIC else ["question"]
    elif cls == "question":
        keys = ["question"]
    else:
        keys = ["none", "none_plain"]
    for key in keys:
        body, unknown = fill(GENERIC[key][lang], values)
        if not unknown and body:
            if (key == "question" or key.endswith("_question")) and not snippets and key != "price_question":
                body = f"{body} {WILL_CHECK[lang]}"
            return _Choice(body, None, None)
    return None


_SUBJECTS = {"en": {"complaint": "We are sorry", "cart": "Your cart is waiting", "order_status": "Update on your {order}",
                    "birthday": "Birthday wishes", "anniversary": "Anniversary wishes", "thanks": "Thank you",
                    "payment_failed": "Your payment did not go through", "win_back": "We miss you"},
             "bn": {"complaint": "আমরা দুঃখিত", "cart": "আপনার কার্ট", "birthday": "জন্মদিনের শুভেচ্ছা",
                    "thanks": "ধন্যবাদ"}}


def _email_subject(cls: str | None, values: dict, lang: str, business: str | None) -> str:
    head = _SUBJECTS.get(lang, {}).get(cls or "") or _SUBJECTS["en"].get(cls or "")
    if head is not None:
        text, unknown = fill(head, values)
        return text if not unknown else (f"A message from {business}" if business else "A message for you")
    head = (values.get("subject") or "A message for you").removeprefix("our ").strip()
    head = head[:1].upper() + head[1:]
    return f"{head} - {business}" if business else head


def _facts(values: dict, facts: CustomerFacts, person: Person | None, offer: Offer | None, snippets,
           text: str, business: str | None) -> list[Fact]:
    """The facts the final text states, each with the record it comes from."""
    sources = {"name": f"customer #{facts.customer_id}", "first_name": f"customer #{facts.customer_id}",
               "product": "the customer's records", "price": "the product catalogue",
               "order": "the customer's orders", "order_date": "the customer's orders",
               "cart_value": "the customer's open cart", "business": "setting C360_BUSINESS_NAME",
               "agent": "the acting user", "points": "the loyalty account", "tier": "the loyalty account",
               "person": f"family member {person.name}" if person else "", "relation": "the family record",
               "offer": f"offer snippet #{offer.row_id}" if offer else "",
               "knowledge": ", ".join(f"snippet #{s.row_id}" for s in snippets), "subject": "the request"}
    plain = text.replace("*", "")
    out = []
    for kind, value in values.items():
        if kind in ("name", "first_name", "knowledge", "subject") or not value:
            continue
        if str(value) in plain:
            out.append(Fact(kind, str(value), sources.get(kind, "")))
    if facts.first_name in plain:
        out.insert(0, Fact("customer", facts.first_name, sources["name"]))
    for s in snippets:
        if s.body in plain:
            out.append(Fact("knowledge", s.body, f"snippet #{s.row_id}" if s.row_id else s.name))
    return out
