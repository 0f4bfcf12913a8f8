"""May we message this customer on this channel now? Deterministic rules, no I/O.

The rules, checked in this order (the first that fails is the ``blocked_reason``):

1. ``opted_out``: an explicit ``ChannelConsent`` row with ``opted_in = false`` always wins; an
   erased customer is opted out of everything. With *no* row for a channel, consent is implied
   for one-to-one replies on a contact detail the customer gave us (soft opt-in of an existing
   relationship); the conservative part is that implied consent never covers a channel we hold no
   detail for (rule 2), nor a WhatsApp free-form message outside the 24-hour window (rule 3), and
   that ``draft_reply`` only drafts, for one customer, never bulk marketing.
2. ``no_contact_detail``: sms and whatsapp need a phone number, email an email address; instagram
   and facebook need an earlier interaction on that channel (there is no handle column, and a
   thread must exist before a business may message someone there).
3. ``outside_whatsapp_window``: WhatsApp allows free-form messages only within 24 hours of the
   customer's last inbound WhatsApp message. Outside it only an approved template may be sent:
   then ``template_required`` is true, and the channel is allowed when an approved template fits
   the topic, blocked otherwise.
4. ``quiet_hours``: no channel during the customer's quiet hours, read in the customer's time
   zone (else the business zone). ``start == end`` means no quiet hours; ``start > end`` crosses
   midnight (21:00-09:00). ``next_allowed_at`` is the end of the current quiet period.

``alternative_channel`` is the first other channel allowed *now*, in the order: the customer's
preferred channel, then whatsapp, sms, email, facebook, instagram. So it is never a channel the
customer opted out of and never offered inside quiet hours.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Literal, Mapping
from zoneinfo import ZoneInfo

from domain.enums import Channel
from domain.errors import DomainError

# ``incomplete`` is set by ``domain.replies``: a draft its records cannot complete is never sendable.
BlockedReason = Literal["opted_out", "quiet_hours", "outside_whatsapp_window", "no_contact_detail", "incomplete"]

WHATSAPP_WINDOW = timedelta(hours=24)
CHANNEL_ORDER: tuple[str, ...] = ("whatsapp", "sms", "email", "facebook", "instagram")
PHONE_CHANNELS = frozenset({"whatsapp", "sms"})
SOCIAL_CHANNELS = frozenset({"facebook", "instagram"})


@dataclass(frozen=True)
class ContactFacts:
    """What the rules need to know about one customer; built from the database by the caller."""

    phone: str | None = None
    email: str | None = None
    consents: Mapping[str, bool] = field(default_factory=dict)  # explicit rows only
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Dhaka"))
    quiet_start: time | None = None
    quiet_end: time | None = None
    last_whatsapp_inbound_at: datetime | None = None
    social_channels_seen: frozenset[str] = frozenset()  # instagram / facebook with a thread
    preferred_channel: str | None = None
    whatsapp_template_available: bool = False  # an approved template fits the topic
    erased: bool = False


@dataclass(frozen=True)
class Verdict:
    channel: str
    allowed: bool
    blocked_reason: BlockedReason | None = None
    next_allowed_at: datetime | None = None
    alternative_channel: str | None = None
    template_required: bool = False


def in_quiet_hours(local: time, start: time | None, end: time | None) -> bool:
    """Whether a local wall-clock time lies in the window [start, end); crossing midnight allowed."""
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_period_end(moment: datetime, facts: ContactFacts) -> datetime | None:
    """The first instant at or after ``moment`` outside quiet hours; None when not in them now."""
    if not _quiet_at(moment, facts):
        return None
    candidate = moment
    # Bounded: each step jumps to the next local ``end``; a DST gap can land inside a later window
    # (that is why this is a loop), but never more than a couple of times.
    for _ in range(4):
        local = candidate.astimezone(facts.timezone)
        end = datetime.combine(local.date(), facts.quiet_end, tzinfo=facts.timezone)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), facts.quiet_end,
                                   tzinfo=facts.timezone)
        candidate = end.astimezone(moment.tzinfo)
        if not _quiet_at(candidate, facts):
            return candidate
    raise ValueError("quiet hours never end; check quiet_hours_start / quiet_hours_end")


def _quiet_at(moment: datetime, facts: ContactFacts) -> bool:
    local = moment.astimezone(facts.timezone).time()
    return in_quiet_hours(local, facts.quiet_start, facts.quiet_end)


def has_contact_detail(facts: ContactFacts, channel: str) -> bool:
    """Whether we hold the detail a channel needs (see the module docstring, rule 2)."""
    if channel in PHONE_CHANNELS:
        return bool(facts.phone)
    if channel == "email":
        return bool(facts.email)
    return channel in facts.social_channels_seen


def opted_out(facts: ContactFacts, channel: str) -> bool:
    """Explicit opt-out (or erasure); no consent row means implied consent (rule 1)."""
    return facts.erased or facts.consents.get(channel) is False


def in_whatsapp_window(facts: ContactFacts, now: datetime) -> bool:
    last = facts.last_whatsapp_inbound_at
    return last is not None and last <= now and now - last < WHATSAPP_WINDOW


def _single(facts: ContactFacts, channel: str, now: datetime) -> Verdict:
    """The verdict for one channel, without looking for an alternative."""
    if opted_out(facts, channel):
        return Verdict(channel, False, "opted_out")
    if not has_contact_detail(facts, channel):
        return Verdict(channel, False, "no_contact_detail")
    template_required = channel == "whatsapp" and not in_whatsapp_window(facts, now)
    if template_required and not facts.whatsapp_template_available:
        return Verdict(channel, False, "outside_whatsapp_window", template_required=True)
    quiet_end = quiet_period_end(now, facts)
    if quiet_end is not None:
        return Verdict(channel, False, "quiet_hours", next_allowed_at=quiet_end,
                       template_required=template_required)
    return Verdict(channel, True, template_required=template_required)


def alternative_order(facts: ContactFacts) -> list[str]:
    """Channels in the order alternatives are tried: the preferred channel first."""
    order = list(CHANNEL_ORDER)
    if facts.preferred_channel in order:
        order.remove(facts.preferred_channel)
        order.insert(0, facts.preferred_channel)
    return order


def channel_verdict(facts: ContactFacts, channel: str, now: datetime) -> Verdict:
    """Whether ``channel`` may be used at ``now`` (aware), why not, when, and what else may be used."""
    if channel not in CHANNEL_ORDER:
        known = ", ".join(c.value for c in Channel)
        raise DomainError(f"unknown channel {channel!r}; use one of: {known}", field="channel")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    verdict = _single(facts, channel, now)
    if verdict.allowed:
        return verdict
    for other in alternative_order(facts):
        if other != channel and _single(facts, other, now).allowed:
            return Verdict(verdict.channel, False, verdict.blocked_reason, verdict.next_allowed_at,
                           other, verdict.template_required)
    return verdict
