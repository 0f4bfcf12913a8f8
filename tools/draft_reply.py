"""``draft_reply``: a consent-aware reply draft for one customer on one channel (read; never sends)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from domain.enums import Channel
from domain.replies import build_draft
from domain.retrieval import ReplyIndex, reply_index
from tools.access import ensure_can_act
from tools.context import ToolContext
from tools.registry import tool
from tools.resolve import CustomerRef, fold_enum, resolve_customer
from tools.results import ToolResult

BLOCKED_WORDS = {
    "opted_out": "the customer opted out of this channel",
    "quiet_hours": "it is the customer's quiet hours",
    "outside_whatsapp_window": "no inbound WhatsApp message in 24 h and no approved template fits",
    "no_contact_detail": "no contact detail on file for this channel",
    "incomplete": "the customer's records cannot complete this draft",
}
INDEX_KEY = "reply_index"  # ToolContext.extras may carry a ReplyIndex (tests, a shared server index)


class DraftReplyArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef = Field(description="The customer: id, name (fuzzy), phone number in any form, or email.")
    channel: Channel = Field(description="Where the reply would go: whatsapp, sms, email, instagram or facebook.")
    topic: str = Field(min_length=1, max_length=300,
                       description="What the reply is about, e.g. 'cart reminder', 'delivery status', "
                                   "'birthday wishes', 'apology for a late delivery'.")
    tone: Literal["friendly", "formal", "apologetic"] = Field("friendly", description="The reply's tone.")
    language: str | None = Field(None, description="'en' or 'bn'; default: the customer's language.")
    incoming_message: str | None = Field(
        None, max_length=4000,
        description="The customer's message being answered, verbatim. Treated as data only: it steers "
                    "the topic and the product, and is never copied into the draft.")

    @field_validator("channel", "tone", mode="before")
    @classmethod
    def _fold(cls, value: Any) -> Any:
        return fold_enum(value)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        folded = value.strip().lower()
        names = {"english": "en", "bangla": "bn", "bengali": "bn", "বাংলা": "bn"}
        folded = names.get(folded, folded)
        if folded not in ("en", "bn"):
            raise ValueError("language must be 'en' or 'bn'")
        return folded


class FactOut(BaseModel):
    kind: str = Field(description="customer, product, price, order, order_date, cart_value, person, relation, "
                                  "offer, business, agent, points, tier, knowledge")
    value: str = Field(description="as written in the draft")
    source: str = Field(description="the record it comes from")


class SourceOut(BaseModel):
    kind: str  # template | snippet
    id: int | None = Field(None, description="row id; None for a starter template shipped with c360")
    name: str


class DraftReplyResult(ToolResult):
    customer_id: int
    customer_name: str
    channel: str
    allowed: bool
    blocked_reason: str | None = None
    next_allowed_at: datetime | None = None
    alternative_channel: str | None = None
    template_required: bool = False
    subject: str | None = None
    draft: str
    language: str
    tone: str
    sms_segments: int | None = None
    sms_encoding: str | None = None
    sources: list[SourceOut] = Field(default_factory=list)
    template: str = Field("none", description="the template used, or 'none' for the product's own words")
    topic_class: str | None = Field(None, description="what the draft is about: complaint, cart, thanks, ...")
    complete: bool = Field(True, description="every part of the draft filled from the customer's records")
    missing: list[str] = Field(default_factory=list, description="what the records lack when incomplete")
    facts: list[FactOut] = Field(default_factory=list,
                                 description="every fact the draft states; a reworded draft keeps exactly these")
    retrieval_backend: str
    notes: list[str] = Field(default_factory=list)
    sent: bool = Field(False, description="always false: draft_reply never sends anything")


def _index(ctx: ToolContext) -> ReplyIndex:
    index = ctx.extras.get(INDEX_KEY)
    return index if isinstance(index, ReplyIndex) else reply_index(ctx.settings.data_dir)


@tool("read")
def draft_reply(ctx: ToolContext, session: Session, args: DraftReplyArgs) -> DraftReplyResult:
    """Draft a reply to a customer on a channel; never sends it. First says whether the channel may be
    used now (allowed; else blocked_reason: opted_out, quiet_hours with next_allowed_at,
    outside_whatsapp_window, no_contact_detail, or incomplete when the customer's records cannot
    complete a draft on this topic, with what is missing; plus alternative_channel when another
    channel is allowed now), then gives the draft in the words that fit the topic (a template, or the
    product's own when none fits: template 'none'), filled only from the customer's records (name,
    family member, product, order, cart, offer), shaped for the channel (SMS segments, email
    subject, WhatsApp lines), with the facts it states. Show the draft to the user; do not claim it
    was sent."""
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    ensure_can_act(session, ctx.actor, customer, ctx.settings)
    index = _index(ctx)
    draft = build_draft(
        session, index, customer, channel=args.channel.value, topic=args.topic, tone=args.tone,
        now=ctx.clock.now(), business_tz=ctx.settings.tz, language=args.language,
        incoming_message=args.incoming_message, business_name=getattr(ctx.settings, "business_name", None),
        agent_name=ctx.actor.name,
    )
    verdict = draft.verdict
    sources = [SourceOut(kind="template", id=draft.template.row_id, name=draft.template.name)] if draft.template else []
    sources += [SourceOut(kind="snippet", id=s.row_id, name=s.name) for s in draft.snippets]
    result = DraftReplyResult(
        customer_id=customer.id, customer_name=customer.name, channel=draft.channel,
        allowed=verdict.allowed, blocked_reason=verdict.blocked_reason,
        next_allowed_at=verdict.next_allowed_at.astimezone(ctx.settings.tz) if verdict.next_allowed_at else None,
        alternative_channel=verdict.alternative_channel, template_required=verdict.template_required,
        subject=draft.subject, draft=draft.body, language=draft.language, tone=draft.tone,
        sms_segments=draft.sms.segments if draft.sms else None,
        sms_encoding=draft.sms.encoding if draft.sms else None,
        sources=sources, retrieval_backend=index.backend, notes=draft.notes,
        template=draft.template.name if draft.template else "none", topic_class=draft.topic_class,
        complete=draft.complete, missing=draft.missing,
        facts=[FactOut(kind=f.kind, value=f.value, source=f.source) for f in draft.facts],
    )
    result.text = render(result)
    return result


def render(result: DraftReplyResult) -> str:
    """The short plain-text rendering: the verdict in one line, then the draft."""
    who = f"{result.customer_name} (#{result.customer_id})"
    if result.allowed:
        head = f"DRAFT (not sent) for {who} on {result.channel}: may be sent now"
        if result.template_required:
            head += " as an approved WhatsApp template"
    else:
        reason = BLOCKED_WORDS[result.blocked_reason or "opted_out"]
        head = f"DRAFT (not sent) for {who} on {result.channel}: NOT allowed now, {reason}"
        if result.next_allowed_at:
            head += f"; allowed from {result.next_allowed_at.isoformat(timespec='minutes')}"
        if result.alternative_channel:
            head += f"; {result.alternative_channel} is allowed now"
    lines = [head]
    if result.missing:
        lines.append("Cannot be drafted from the records: missing " + "; ".join(result.missing) + ".")
    if result.subject:
        lines.append(f"Subject: {result.subject}")
    if result.draft:
        lines.append(result.draft)
    if result.sms_segments:
        lines.append(f"({result.sms_segments} SMS segment{'s' if result.sms_segments > 1 else ''}, "
                     f"{result.sms_encoding})")
    lines.extend(f"note: {n}" for n in result.notes)
    return "\n".join(lines)

