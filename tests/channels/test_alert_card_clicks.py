"""The alert card's buttons are the customer buttons the Slack app already answers: a click on
Open 360 in the DM the worker posted to brings the customer's 360 card there."""
from __future__ import annotations

import json

import pytest
from channels.alerts.worker import AlertWorker
from domain.alerts import AlertRules, record_crossings
from domain.db import transaction
from domain.models import Customer
from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    RINA_SLACK,
    anyio_backend,
    click,
    client,
    fake_slack,
    make_rig,
    rig,
)
from tests.conftest import DHAKA, NOW
from tests.factories import make_dropoff

pytestmark = pytest.mark.anyio


async def test_open_360_on_an_alert_card_answers_in_the_dm(rig, client):
    rules = AlertRules.from_settings(rig.settings)
    with transaction(rig.sessions) as s:
        record_crossings(s, None, today=NOW.date(), now=NOW, tz=DHAKA, source="refresh", rules=rules)
        rahim = s.get(Customer, rig.ids["rahim"])
        make_dropoff(s, rahim, at=NOW.replace(hour=8), stage="payment_failed", cart_value=12000)
        [event] = record_crossings(s, None, today=NOW.date(), now=NOW, tz=DHAKA, source="refresh", rules=rules)
    assert event.kind == "cart_abandoned"
    assert AlertWorker(rig.settings, rig.sessions, now=lambda: NOW).run_once() == {"sent": 1}
    [card] = rig.fake.of("chat.postMessage")
    assert card.body["channel"] == f"D{RINA_SLACK}"
    value = next(e["value"] for b in card.body["blocks"] if b["type"] == "actions" for e in b["elements"]
                 if e["action_id"] == "c360_open_360")
    payload = click("c360_open_360", value, user=RINA_SLACK, channel=f"D{RINA_SLACK}",
                    message_ts="1800000000.000001", response_url=rig.fake.response_url())
    assert (await rig.interact(client, payload)).status_code == 200
    await rig.bridge.drain(timeout=60)
    _, answer = rig.fake.of("chat.postMessage")
    assert answer.body["channel"] == f"D{RINA_SLACK}"
    assert answer.body["blocks"][0]["text"]["text"].startswith("Rahim Uddin")
    assert "12,000" in json.dumps(card.body["blocks"])
