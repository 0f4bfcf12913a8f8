"""``update_consent``: opt a customer in or out of a channel, or of all marketing (write)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from domain.consent_changes import CONSENT_CHANNELS, check_channel, current_consent, planned_channels, record_consent
from domain.errors import DomainError
from tools.access import ensure_can_act
from tools.context import ToolContext
from tools.gate import audit, subject_customer
from tools.registry import tool
from tools.resolve import CustomerRef, resolve_customer
from tools.results import ToolResult


class UpdateConsentArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    customer: CustomerRef = Field(description="The customer: id, name (fuzzy), phone number in any form, or email.")
    channel: Literal[CONSENT_CHANNELS] = Field(description="whatsapp, sms, email, instagram, facebook, or all (every channel "
                                     "the customer can be reached on).")
    opted_in: bool = Field(description="false: the customer does not want messages on it; true: they agreed again.")
    reason: str | None = Field(None, description="Why, in the customer's words when they gave one.")
    source: str = Field("agent", description="Who asked: agent (default), customer_request, ...")

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, value: Any) -> Any:
        try:
            return check_channel(value) if isinstance(value, str) else value
        except DomainError as exc:
            raise ValueError(exc.message) from None


class ConsentChangeOut(BaseModel):
    channel: str
    before: bool | None  # None: no explicit decision on record (implied consent)
    after: bool
    changed: bool


class UpdateConsentResult(ToolResult):
    customer_id: int
    customer_name: str
    opted_in: bool
    changes: list[ConsentChangeOut]
    consent: dict[str, bool]  # the current explicit state per channel, after the change


def authorize_consent(ctx: ToolContext, session: Session, args: UpdateConsentArgs) -> None:
    """Anybody may record an opt-out at once (a compliance duty); opting in follows the usual rule."""
    customer = subject_customer(session, args, ctx)
    if args.opted_in and customer is not None:
        ensure_can_act(session, ctx.actor, customer, ctx.settings)


def preview_consent(ctx: ToolContext, session: Session, args: UpdateConsentArgs) -> list[str]:
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    state = current_consent(session, customer.id)
    word = "opted in" if args.opted_in else "opted out"
    lines = []
    for channel in planned_channels(session, customer, args.channel):
        before = state.get(channel)
        was = "no decision on record" if before is None else ("opted in" if before else "opted out")
        lines.append(f"{channel}: {was} -> {word}" if before is not args.opted_in
                     else f"{channel}: already {word} (unchanged)")
    return lines


@tool("write", authorize=authorize_consent, preview=preview_consent)
def update_consent(ctx: ToolContext, session: Session, args: UpdateConsentArgs) -> UpdateConsentResult:
    """Record that a customer opts out of (or back into) messages on a channel, or on all channels.

    Use it the moment a customer says to stop (or start again) WhatsApp, SMS, email, Instagram or
    Facebook messages: channel "all" for "stop all marketing". The opt-out applies at once:
    draft_reply on that channel then answers not allowed (opted_out). Appends to the consent log
    with the reason and source; a channel already in that state is left unchanged and said so.
    """
    customer = resolve_customer(session, args.customer, ctx.actor, ctx.settings)
    changes = record_consent(session, customer.id, channel=args.channel, opted_in=args.opted_in,
                             reason=args.reason, source=args.source, user_id=ctx.actor.id,
                             now=ctx.clock.now())
    state = current_consent(session, customer.id)
    changed = [c for c in changes if c.changed]
    if changed:
        audit(session, entity="consent", entity_id=None, customer_id=customer.id,
              before={c.channel: c.before for c in changed},
              after={**{c.channel: c.after for c in changed},
                     "reason": args.reason, "source": args.source})
    word = "opted in to" if args.opted_in else "opted out of"
    if changed:
        text = f"{customer.name} (#{customer.id}) is now {word} {', '.join(c.channel for c in changed)}."
        same = [c.channel for c in changes if not c.changed]
        if same:
            text += f" Already so: {', '.join(same)}."
        if not args.opted_in:
            text += " Drafts on " + ("those channels" if len(changed) > 1 else "that channel") + " are blocked from now."
    else:
        text = (f"Nothing changed: {customer.name} (#{customer.id}) was already {word} "
                f"{', '.join(c.channel for c in changes)}.")
    return UpdateConsentResult(
        text=text, customer_id=customer.id, customer_name=customer.name, opted_in=args.opted_in,
        changes=[ConsentChangeOut(channel=c.channel, before=c.before, after=c.after, changed=c.changed)
                 for c in changes],
        consent=state,
    )

