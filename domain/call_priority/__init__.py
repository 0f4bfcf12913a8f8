"""Who should I call today: the ranked call list with reasons, offers, products and best times."""

from domain.call_priority.details import BestCallTime, FollowUp, OpenDropoff, RecommendedProduct
from domain.call_priority.ranking import CallPriorityEntry, Factor, call_priority

__all__ = [
    "BestCallTime",
    "CallPriorityEntry",
    "Factor",
    "FollowUp",
    "OpenDropoff",
    "RecommendedProduct",
    "call_priority",
]
