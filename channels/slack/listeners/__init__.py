"""Bolt listeners, grouped by kind; each module's ``register(app, bridge)`` adds its handlers."""
from __future__ import annotations

from channels.slack.listeners import actions, commands, events, views

KINDS = (events, commands, actions, views)


def register_all(app, bridge) -> None:
    for module in KINDS:
        module.register(app, bridge)
