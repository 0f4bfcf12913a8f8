"""c360 speaks first: threshold crossings become alert events, delivered through an outbox to Slack
and signed webhooks (docs/alerts.md). Kinds: ``rules``; what holds now: ``conditions``; recording:
``crossings``; delivery bookkeeping: ``outbox``; per-user choices: ``preferences``."""
from domain.alerts.crossings import record_crossings
from domain.alerts.rules import LABELS, TRIGGERS, AlertRules

__all__ = ["LABELS", "TRIGGERS", "AlertRules", "record_crossings"]
