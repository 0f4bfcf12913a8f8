"""The closed vocabularies of the business (also the contract's enumerations)."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    agent = "agent"
    manager = "manager"
    admin = "admin"


class InteractionType(StrEnum):
    call = "call"
    whatsapp = "whatsapp"
    sms = "sms"
    email = "email"
    meeting = "meeting"
    facebook = "facebook"
    instagram = "instagram"
    in_person = "in_person"


class Direction(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


class Outcome(StrEnum):
    interested = "interested"
    not_interested = "not_interested"
    callback = "callback"
    no_answer = "no_answer"
    purchased = "purchased"
    complaint = "complaint"
    resolved = "resolved"
    other = "other"


class Relationship(StrEnum):
    spouse = "spouse"
    child = "child"
    parent = "parent"
    sibling = "sibling"
    grandparent = "grandparent"
    other = "other"


class Channel(StrEnum):
    whatsapp = "whatsapp"
    sms = "sms"
    email = "email"
    instagram = "instagram"
    facebook = "facebook"


class Temperature(StrEnum):
    hot = "hot"
    warm = "warm"
    cold = "cold"


class LifecycleStage(StrEnum):
    lead = "lead"
    prospect = "prospect"
    first_buyer = "first_buyer"
    repeat_buyer = "repeat_buyer"
    loyal = "loyal"
    inactive = "inactive"


class CustomerType(StrEnum):
    new = "new"
    repeat = "repeat"
    vip = "vip"
    inactive = "inactive"


class AccountKind(StrEnum):
    retail = "retail"
    wholesale = "wholesale"
    distributor = "distributor"


class OrderStatus(StrEnum):
    completed = "completed"
    pending = "pending"
    cancelled = "cancelled"
    refunded = "refunded"


class BehaviorType(StrEnum):
    product_view = "product_view"
    add_to_cart = "add_to_cart"
    wishlist = "wishlist"
    search = "search"


class DropoffStage(StrEnum):
    product_view = "product_view"
    add_to_cart = "add_to_cart"
    checkout_initiated = "checkout_initiated"
    payment_failed = "payment_failed"


class OpportunityStatus(StrEnum):
    open = "open"
    won = "won"
    lost = "lost"


class TicketStatus(StrEnum):
    open = "open"
    pending = "pending"
    resolved = "resolved"
    closed = "closed"


class RfmSegment(StrEnum):
    champions = "Champions"
    loyal = "Loyal Customers"
    potential_loyalists = "Potential Loyalists"
    new_customers = "New Customers"
    at_risk = "At Risk"
    lost = "Lost"
    vip = "VIP"


def values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]
