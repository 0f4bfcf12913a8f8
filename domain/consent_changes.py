"""Recording a customer's consent decision from a conversation or an API call.

Rules written here:

* ``channel`` is one of the five channels or ``all``. ``all`` records one change per channel the
  customer can be reached on: a channel we hold the contact detail for (``domain.consent`` rule 2:
  phone for WhatsApp and SMS, email, a past thread for Instagram and Facebook) or one with a
  consent row already. A customer reachable on none gets an error, nothing written.
* A channel already in the asked state is left alone (no new log line) and reported as unchanged;
  every real change updates the current state and appends to the consent log with reason,
  source and user, in the same transaction.
* An opt-out applies at once: ``draft_reply`` reads the current state on every call.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.consent import CHANNEL_ORDER, ContactFacts, has_contact_detail
from domain.customers import set_consent
from domain.enums import Channel, values
from domain.errors import DomainError
from domain.interactions import lock_customer
from domain.models import ChannelConsent, ConsentEvent, Customer, Interaction, User

ALL = "all"
MAX_REASON_CHARS = 500
CONSENT_CHANNELS = (*values(Channel), ALL)


@dataclass(frozen=True)
class ConsentChange:
    channel: str
    before: bool | None  # None: no explicit row (implied consent)
    after: bool

    @property
    def changed(self) -> bool:
        return self.before is not self.after


def check_channel(channel: str | None) -> str:
    value = (channel or "").strip().lower()
    if value not in CONSENT_CHANNELS:
        raise DomainError(
            f"unknown channel {channel!r}; use one of: {', '.join(CONSENT_CHANNELS)}", field="channel"
        )
    return value


def reachable_channels(session: Session, customer: Customer) -> list[str]:
    """Channels we could message this customer on, in the product's channel order."""
    social = frozenset(session.scalars(
        select(Interaction.type).where(Interaction.customer_id == customer.id,
                                       Interaction.type.in_(("instagram", "facebook"))).distinct()))
    facts = ContactFacts(phone=customer.phone, email=customer.email, social_channels_seen=social)
    rows = set(session.scalars(select(ChannelConsent.channel).where(ChannelConsent.customer_id == customer.id)))
    return [c for c in CHANNEL_ORDER if has_contact_detail(facts, c) or c in rows]


def planned_channels(session: Session, customer: Customer, channel: str) -> list[str]:
    """The channels a change on ``channel`` (maybe ``all``) touches; an error when none."""
    channel = check_channel(channel)
    if channel != ALL:
        return [channel]
    channels = reachable_channels(session, customer)
    if not channels:
        raise DomainError(
            f"{customer.name} has no phone, email or social thread on record, so there is no "
            "channel to change; name the channel", field="channel",
        )
    return channels


def offer_withheld(phone: str | None, email: str | None, opted_out: set[str]) -> bool:
    """An offer is withheld when the customer opted out of every channel we could send it on
    (WhatsApp and SMS with a phone, email with an address); a call may still be made, without a pitch."""
    reachable = ({"whatsapp", "sms"} if phone else set()) | ({"email"} if email else set())
    return bool(opted_out) and reachable <= opted_out


def opted_out_channels(session: Session, customer_ids: list[int]) -> dict[int, set[str]]:
    """Each listed customer's explicit opt-outs (erased customers never reach a call list)."""
    out: dict[int, set[str]] = {}
    if not customer_ids:
        return out
    for cid, channel in session.execute(select(ChannelConsent.customer_id, ChannelConsent.channel).where(
            ChannelConsent.customer_id.in_(customer_ids), ChannelConsent.opted_in.is_(False))):
        out.setdefault(cid, set()).add(channel)
    return out


def current_consent(session: Session, customer_id: int) -> dict[str, bool]:
    return {c: bool(v) for c, v in session.execute(
        select(ChannelConsent.channel, ChannelConsent.opted_in).where(ChannelConsent.customer_id == customer_id))}


def record_consent(session: Session, customer_id: int, *, channel: str, opted_in: bool,
                   reason: str | None, source: str, user_id: int | None, now: datetime) -> list[ConsentChange]:
    """Apply one consent decision; returns one entry per channel it concerned (changed or not)."""
    if not isinstance(opted_in, bool):
        raise DomainError("opted_in must be true (opt in) or false (opt out)", field="opted_in")
    clean_reason = " ".join((reason or "").split()) or None
    if clean_reason and len(clean_reason) > MAX_REASON_CHARS:
        raise DomainError(f"reason is longer than {MAX_REASON_CHARS} characters", field="reason")
    clean_source = " ".join((source or "").split())
    if not clean_source or len(clean_source) > 60:
        raise DomainError("source is required, at most 60 characters (agent, customer_request ...)",
                          field="source")
    check_channel(channel)
    customer = lock_customer(session, customer_id)
    state = current_consent(session, customer.id)
    changes = []
    for name in planned_channels(session, customer, channel):
        change = ConsentChange(name, state.get(name), opted_in)
        if change.changed:
            set_consent(session, customer.id, name, opted_in, source=clean_source, at=now,
                        reason=clean_reason, user_id=user_id)
        changes.append(change)
    return changes


@dataclass(frozen=True)
class ConsentLogLine:
    channel: str
    opted_in: bool
    source: str
    reason: str | None
    user: str | None
    occurred_at: datetime


def consent_log(session: Session, customer_id: int, limit: int = 50) -> list[ConsentLogLine]:
    """The customer's consent history, newest first, with who changed it."""
    rows = session.execute(
        select(ConsentEvent.channel, ConsentEvent.opted_in, ConsentEvent.source, ConsentEvent.reason,
               User.name, ConsentEvent.occurred_at)
        .outerjoin(User, User.id == ConsentEvent.user_id)
        .where(ConsentEvent.customer_id == customer_id)
        .order_by(ConsentEvent.occurred_at.desc(), ConsentEvent.id.desc())
        .limit(limit))
    return [ConsentLogLine(*row) for row in rows]
