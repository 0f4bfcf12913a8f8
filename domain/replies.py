"""Reply drafts: decide whether the channel may be used, pick a template, fill it, lay it out. Never sends.

Steps: (1) retrieve the templates nearest to the topic (and the incoming message) for the channel;
the best hit's topic is the intent, and among that topic's variants the customer's language wins,
then a channel-specific variant. (2) The consent verdict (``domain.consent``), which for WhatsApp
outside the 24-hour window needs an approved variant of that topic. (3) Fill the slots with the
customer's facts and, when the template asks for ``{knowledge}``, the nearest snippet. (4) Lay it
out for the channel (``domain.messaging``).

The incoming message is untrusted customer text: it only steers retrieval and names a product from
the catalogue. None of its words is copied into the draft, so instructions inside it go nowhere.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain.consent import Verdict, channel_verdict
from domain.embeddings import MINILM
from domain.errors import DomainError, NotFound
from domain.messaging import SmsInfo, compose
from domain.models import Customer
from domain.reply_facts import CustomerFacts, ProductFacts, gather
from domain.retrieval import Hit, ReplyDoc, ReplyIndex

TONES = ("friendly", "formal", "apologetic")
MAX_MESSAGE_CHARS = 2000  # of the incoming message used for retrieval
SNIPPET_MIN_SCORE = {MINILM: 0.30, "lexical": 0.10}  # below this a snippet is off-topic
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
_SLOT = re.compile(r"\{(\w+)\}")
_CART_TOPIC = re.compile(r"cart|checkout|payment", re.I)
_ORDER_TOPIC = re.compile(r"order|deliver|parcel|ship|return|refund|warranty|purchase|complain|review|feedback", re.I)
_BN_DIGITS = str.maketrans("0123456789", "০১২৩৪৫৬৭৮৯")

PHRASES = {
    "en": {"greet": {"friendly": "Hi {who}!", "formal": "Dear {who},", "apologetic": "Dear {who},"},
           "close": {"friendly": "Thanks! - {business}", "formal": "Kind regards,\n{business}",
                     "apologetic": "Thank you for your patience.\n{business}"},
           "sorry": "We are sorry for the trouble.", "sorry_words": ("sorry", "apolog"),
           "fallback": {"product": "your item", "order": "order", "business": "our team"}},
    "bn": {"greet": {"friendly": "হ্যালো {who}!", "formal": "প্রিয় {who},", "apologetic": "প্রিয় {who},"},
           "close": {"friendly": "ধন্যবাদ! - {business}", "formal": "শুভেচ্ছান্তে,\n{business}",
                     "apologetic": "ধৈর্যের জন্য ধন্যবাদ।\n{business}"},
           "sorry": "অসুবিধার জন্য আমরা দুঃখিত।", "sorry_words": ("দুঃখিত",),
           "fallback": {"product": "আপনার পণ্য", "order": "অর্ডার", "business": "আমাদের টিম"}},
}


@dataclass(frozen=True)
class Draft:
    channel: str
    language: str
    tone: str
    subject: str | None
    body: str
    verdict: Verdict
    template: ReplyDoc
    snippets: list[ReplyDoc] = field(default_factory=list)
    sms: SmsInfo | None = None
    notes: list[str] = field(default_factory=list)


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


def pick_product(facts: CustomerFacts, topic: str) -> ProductFacts | None:
    """The product the reply is about: named in the message, else by topic (cart or order), else viewed."""
    if facts.mentioned_product:
        return facts.mentioned_product
    if _CART_TOPIC.search(topic):
        order = [facts.dropoff_product, facts.order_product]
    elif _ORDER_TOPIC.search(topic):
        order = [facts.order_product, facts.dropoff_product]
    else:
        order = [facts.dropoff_product, facts.viewed_product, facts.order_product]
    return next((p for p in order + [facts.viewed_product] if p), None)


def fill(template: str, values: dict[str, str | None], fallbacks: dict[str, str]) -> tuple[str, set[str]]:
    """Fill ``{slots}``; a ``[part]`` whose slots are not all known is dropped. Returns the unknown slots."""
    unknown: set[str] = set()

    def optional(match: re.Match) -> str:
        inner = match.group(1)
        return inner if all(values.get(s) for s in _SLOT.findall(inner)) else ""

    def slot(match: re.Match) -> str:
        name = match.group(1)
        if values.get(name):
            return str(values[name])
        if name not in values and name not in fallbacks:
            unknown.add(name)
        return fallbacks.get(name, "")

    text = _SLOT.sub(slot, _OPTIONAL.sub(optional, template))
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([.,!?;:।)])", r"\1", text)
    text = re.sub(r"\( *\)", "", text)
    return text.strip(), unknown


def choose_template(hits: list[Hit], variants: list[ReplyDoc], channel: str, language: str,
                    template_required: bool) -> ReplyDoc | None:
    """Among the variants of the best topic: approved when required (else free-form first), the
    wanted language, then a channel-specific one, then the retrieval order."""
    pool = [v for v in variants if v.channel in (channel, "any")]
    if template_required:
        pool = [v for v in pool if v.approved]
    if not pool:
        return None
    rank = {h.doc.doc_id: i for i, h in enumerate(hits)}
    return min(pool, key=lambda v: (v.language != language, v.approved != template_required,
                                    v.channel != channel, rank.get(v.doc_id, len(rank)), v.doc_id))


def build_draft(session: Session, index: ReplyIndex, customer: Customer, *, channel: str, topic: str,
                now: datetime, business_tz: ZoneInfo, tone: str = "friendly", language: str | None = None,
                incoming_message: str | None = None, business_name: str | None = None) -> Draft:
    """The consent verdict and a filled draft for ``customer`` on ``channel``. Reads only; sends nothing."""
    if tone not in TONES:
        raise DomainError(f"unknown tone {tone!r}; use one of: {', '.join(TONES)}", field="tone")
    topic = (topic or "").strip()
    if not topic:
        raise DomainError("topic is empty: say what the reply is about, e.g. 'cart reminder'", field="topic")
    message = (incoming_message or "").strip()[:MAX_MESSAGE_CHARS]
    facts = gather(session, customer, now, business_tz, message or None)
    wanted = (language or facts.language or "en").strip().lower()
    notes: list[str] = []

    index.sync(session)
    query = f"{topic}. {message}" if message else topic
    hits = index.search(query, kind="template", channel=channel, limit=8)
    if not hits:
        raise NotFound(f"no reply template can be used on {channel}; add one for this channel or "
                       "for any channel", field="channel")
    best_topic = hits[0].doc.topic
    variants = index.template_variants(best_topic)
    approved_fits = any(v.approved and v.channel in ("whatsapp", "any") for v in variants)
    contact = replace(facts.contact, whatsapp_template_available=approved_fits)
    verdict = channel_verdict(contact, channel, now)

    template = choose_template(hits, variants, channel, wanted, verdict.template_required)
    if template is None:  # outside the WhatsApp window with no approved variant: draft free-form anyway
        template = choose_template(hits, variants, channel, wanted, False)
    if template.language != wanted:
        notes.append(f"no {wanted!r} template for this topic; drafted in {template.language!r}")
    lang = template.language if template.language in PHRASES else "en"
    phrases = PHRASES[lang]

    snippets: list[ReplyDoc] = []
    if "{knowledge}" in template.body:
        found = index.search(f"{best_topic}. {query}", kind="snippet", language=template.language, limit=1)
        floor = SNIPPET_MIN_SCORE.get(index.backend, 0.3)
        snippets = [h.doc for h in found if h.score >= floor]

    product = pick_product(facts, best_topic)
    who = addressed_name(facts, lang, tone)
    business = business_name or phrases["fallback"]["business"]
    bold = channel == "whatsapp" and "*{product}*" not in template.body
    order_word = phrases["fallback"]["order"]
    values: dict[str, str | None] = {
        "name": who, "first_name": facts.first_name,
        "product": (f"*{product.name}*" if bold else product.name) if product else None,
        "price": money(product.price, lang) if product and product.price else None,
        "order": f"{order_word} #{facts.order_ref}" if facts.order_ref else None,
        "order_date": facts.order_date.isoformat() if facts.order_date else None,
        "cart_value": money(facts.cart_value, lang),
        "business": business, "knowledge": " ".join(s.body for s in snippets) or None,
        "points": str(facts.points).translate(_BN_DIGITS) if facts.points and lang == "bn"
        else str(facts.points) if facts.points else None,
        "tier": facts.tier,
    }
    fallbacks = dict(phrases["fallback"], business=business)
    body, unknown = fill(template.body, values, fallbacks)
    subject = fill(template.subject, values, fallbacks)[0] if template.subject else None
    if unknown:
        notes.append(f"template {template.name!r} has unknown slots left empty: {', '.join(sorted(unknown))}")

    addressed = "{name}" in template.body or "{first_name}" in template.body
    if addressed and tone != "friendly":
        notes.append(f"template {template.name!r} is fixed text; the {tone} tone was not applied")
    if tone == "apologetic" and not addressed and not any(w in body.lower() for w in phrases["sorry_words"]):
        body = f"{phrases['sorry']} {body}"
    if channel == "email" and not subject:
        subject = f"{best_topic.split(',')[0].strip().capitalize()} - {business}"
    laid_out = compose(channel, greeting=phrases["greet"][tone].format(who=who), body=body,
                       closing=phrases["close"][tone].format(business=business), signature=business,
                       subject=subject, addressed=addressed)
    return Draft(channel=channel, language=template.language, tone=tone, subject=laid_out.subject,
                 body=laid_out.body, verdict=verdict, template=template, snippets=snippets,
                 sms=laid_out.sms, notes=notes)
