"""All tables. Import models from here."""
from domain.models.alerts import (
    AlertBaseline, AlertDailyCount, AlertDelivery, AlertDeliveryAttempt, AlertEvent, AlertLatch, AlertPreference,
)
from domain.models.analytics import CallPriorityDay, CallPriorityScore, ClvModel
from domain.models.base import Base, UTCDateTime, utcnow
from domain.models.channels import SlackDelivery
from domain.models.commerce import (
    BehaviorEvent, Category, Dropoff, LoyaltyAccount, LoyaltyTransaction, Order, OrderItem, Product,
)
from domain.models.engagement import (
    FollowUp, Interaction, KnowledgeSnippet, Opportunity, ReplyTemplate, Segment, SupportTicket,
    interaction_products, segment_members,
)
from domain.models.people import (
    ApiToken, ChannelConsent, ConsentEvent, Customer, CustomerStats, FamilyMember, Note, Tag, User,
)
from domain.models.system import AuditLog, ChatTurnWindow, DailyRun, IdempotencyRecord

__all__ = [
    "AlertBaseline", "AlertDailyCount", "AlertDelivery", "AlertDeliveryAttempt", "AlertEvent", "AlertLatch", "AlertPreference",
    "ApiToken", "AuditLog", "Base", "BehaviorEvent", "CallPriorityDay", "CallPriorityScore", "Category",
    "ChannelConsent", "ChatTurnWindow", "ClvModel",
    "ConsentEvent",
    "Customer", "CustomerStats", "DailyRun", "Dropoff", "FamilyMember", "FollowUp", "IdempotencyRecord", "Interaction",
    "KnowledgeSnippet", "LoyaltyAccount", "LoyaltyTransaction", "Note", "Opportunity", "Order",
    "OrderItem", "Product", "ReplyTemplate", "Segment", "SlackDelivery", "SupportTicket", "Tag", "User", "UTCDateTime",
    "interaction_products", "segment_members", "utcnow",
]
