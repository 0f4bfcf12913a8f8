"""The columns an import file may have, with what each holds: the import's checks use them, and
``c360 import --help`` prints them (so this module imports nothing but the vocabularies)."""

from __future__ import annotations

from domain.enums import InteractionType, Outcome, values

REFERENCE = {
    "customer_id": "the customer's c360 id",
    "customer_key": "the customer's external_key",
    "customer_phone": "the customer's phone, any common form",
    "customer_email": "the customer's email",
}
COLUMNS: dict[str, dict[str, str]] = {
    "customers": {
        "name": "required",
        "external_key": "your system's id; makes re-imports update instead of duplicate",
        "phone": "e.g. 01712-345678 (stored +8801712345678)",
        "email": "",
        "company": "",
        "city": "",
        "district": "",
        "address": "",
        "gender": "male, female, other",
        "date_of_birth": "YYYY-MM-DD",
        "marital_status": "single, married, divorced, widowed",
        "anniversary_date": "YYYY-MM-DD",
        "profession": "",
        "best_time_to_contact": "free text, e.g. 18:00-20:00",
        "customer_type": "new, repeat, vip, inactive",
        "account_kind": "retail, wholesale, distributor",
        "source": "",
        "language": "bn, en",
        "timezone": "IANA name, e.g. Asia/Dhaka",
        "preferred_channel": "whatsapp, sms, email, instagram, facebook",
        "assigned_to": "a user's name or email",
        "tags": "separated by ;",
        "consent_whatsapp": "yes/no",
        "consent_sms": "yes/no",
        "consent_email": "yes/no",
        "quiet_hours_start": "HH:MM",
        "quiet_hours_end": "HH:MM",
    },
    "orders": {
        "external_id": "your order number; makes re-imports skip it",
        **REFERENCE,
        "ordered_at": "required; YYYY-MM-DD or YYYY-MM-DDTHH:MM[+06:00], local time without an offset",
        "amount": "required; total in the business currency, 0 or more",
        "status": "completed (default), pending, cancelled, refunded",
        "items": "product names separated by ;, optional ' x2' quantity, e.g. Blue Kettle; Tea Premium 500g x2",
        "channel": "web, shop, phone, facebook ...",
    },
    "interactions": {
        "external_id": "your id; makes re-imports skip it",
        **REFERENCE,
        "occurred_at": "required; YYYY-MM-DD or YYYY-MM-DDTHH:MM[+06:00]",
        "type": "required; " + ", ".join(values(InteractionType)),
        "direction": "inbound, outbound (default)",
        "outcome": ", ".join(values(Outcome)),
        "subject": "",
        "notes": "",
        "duration_seconds": "0-43200",
        "follow_up_at": "YYYY-MM-DD or date-time, after occurred_at",
        "products": "catalogue product names separated by ;",
        "logged_by": "a user's name or email",
    },
}
