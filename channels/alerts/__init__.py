"""Alert delivery: the worker that drains the outbox (``domain.alerts.outbox``) into Slack cards
(``cards``) and signed webhooks (``senders``). docs/alerts.md."""
