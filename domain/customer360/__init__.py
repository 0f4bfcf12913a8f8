"""The 360 view of one customer: everything known, in one call, fast enough for every chat turn."""

from domain.customer360.loader import Customer360Data, load_customer_360
from domain.customer360.results import (
    BehaviourSummary,
    FamilyEntry,
    Loyalty,
    OpportunitySummary,
    Preferences,
    TicketSummary,
)
from domain.customer360.timeline import (
    TIMELINE_TYPES,
    TimelineItem,
    TimelinePage,
    decode_cursor,
    encode_cursor,
    load_timeline,
)

__all__ = [
    "TIMELINE_TYPES",
    "BehaviourSummary",
    "Customer360Data",
    "FamilyEntry",
    "Loyalty",
    "OpportunitySummary",
    "Preferences",
    "TicketSummary",
    "TimelineItem",
    "TimelinePage",
    "decode_cursor",
    "encode_cursor",
    "load_customer_360",
    "load_timeline",
]
