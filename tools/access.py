"""Who may act on a customer, and what of a customer a user may see.

The acting user is always ``ctx.actor`` (set by the channel from the signed-in user), never a tool
argument. Three rules, the seed 360 service's:

* Acting (writes): managers and admins act on every customer. Agents act on every customer while
  the setting ``agents_see_all_customers`` is true (the default); when it is false, only on the
  customers assigned to them and on unassigned ones.
* Private details: opportunity values and family members' personal mobile numbers are shown to
  managers and admins, and to the agent the customer is assigned to; any other agent sees them
  redacted (unassigned customers included: nobody owns them yet).
* Contact details (the customer's own phone and email) are shown in full to whoever may act on
  the customer (an agent needs the number to make the call) and masked for everyone else.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.errors import Forbidden
from domain.models import Customer, User
from domain.phone import mask_phone
from domain.settings import Settings
from tools.context import Actor

REDACTED = "(hidden: not your customer)"


def can_act(actor: Actor, customer: Customer, settings: Settings) -> bool:
    """May ``actor`` write to (log, add family, recover drop-offs of) this customer?"""
    if actor.is_manager or settings.agents_see_all_customers:
        return True
    return customer.assigned_to_id in (None, actor.id)


def ensure_can_act(session: Session, actor: Actor, customer: Customer, settings: Settings) -> None:
    """Raise ``Forbidden`` naming the assigned agent (and the managers) to ask, when ``actor`` may not act."""
    if can_act(actor, customer, settings):
        return
    owner = session.get(User, customer.assigned_to_id) if customer.assigned_to_id else None
    managers = list(
        session.scalars(
            select(User.name)
            .where(User.role.in_(("manager", "admin")), User.is_active.is_(True))
            .order_by(User.name)
        )
    )
    ask = f"ask {owner.name}, who is assigned to them" if owner else "ask the assigned agent"
    if managers:
        ask += f", or a manager ({', '.join(managers[:3])}) to reassign them"
    raise Forbidden(
        f"{customer.name} (#{customer.id}) is assigned to another agent and agents may only work on "
        f"their own and unassigned customers; {ask}",
        field="customer",
    )


def can_see_private(actor: Actor, customer: Customer | int | None) -> bool:
    """Opportunity values and family mobiles: managers, admins and the assigned agent only.

    ``customer`` may be the row or its ``assigned_to_id`` (so list queries need not load rows).
    """
    if actor.is_manager:
        return True
    assigned = customer.assigned_to_id if isinstance(customer, Customer) else customer
    return assigned is not None and assigned == actor.id


def can_see_contact(actor: Actor, assigned_to_id: int | None, settings: Settings) -> bool:
    """The customer's own phone and email: in full for whoever may act on the customer."""
    if actor.is_manager or settings.agents_see_all_customers:
        return True
    return assigned_to_id in (None, actor.id)


def contact_phone(
    actor: Actor, assigned_to_id: int | None, phone: str | None, settings: Settings
) -> str | None:
    """The phone as ``actor`` may see it: E.164 in full, or masked to its last three digits."""
    if not phone:
        return None
    return phone if can_see_contact(actor, assigned_to_id, settings) else mask_phone(phone)


def contact_email(
    actor: Actor, assigned_to_id: int | None, email: str | None, settings: Settings
) -> str | None:
    """The email as ``actor`` may see it: in full, or ``r***@example.com``."""
    if not email:
        return None
    if can_see_contact(actor, assigned_to_id, settings):
        return email
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def redact_family(
    actor: Actor, customer: Customer | int | None, members: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Family members as dicts; ``phone`` is removed (``phone_redacted`` set) unless ``actor`` may see it."""
    visible = can_see_private(actor, customer)
    out = []
    for member in members:
        row = dict(member)
        if not visible and row.get("phone"):
            row["phone"] = None
            row["phone_redacted"] = True
        out.append(row)
    return out


def redact_opportunity_value(actor: Actor, customer: Customer | int | None, value: Any) -> Any:
    """An opportunity value, or None when ``actor`` may not see it (render it as ``REDACTED``)."""
    return value if can_see_private(actor, customer) else None
