"""Break 10: a customer-controlled string (a name) with Slack markup reached Slack unescaped.

Attack: a customer named ``<!channel> … <https://evil.example|Verify>``; every payload the app sends
(message ``text``, blocks, the Log call modal, App Home, confirmations) is checked for live markup.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import update

from domain.models import Customer
from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    RINA_SLACK,
    anyio_backend,
    click,
    client,
    dm,
    fake_slack,
    make_rig,
    mention,
    rig,
)

pytestmark = pytest.mark.anyio
EVIL = "<!channel> Rahim Uddin <https://evil.example|Verify your account> <@UKARIM> <!here>"
LIVE = ("<!channel>", "<!here>", "<https://evil", "<@UKARIM>")


def rendered(value, key: str = "") -> list[str]:
    """The strings Slack renders as markup: a message's ``text`` and every mrkdwn text object.
    (plain_text is shown as typed and never parsed; button values and private_metadata come back to
    the app only.)"""
    out: list[str] = []
    if isinstance(value, dict):
        if value.get("type") == "mrkdwn" and isinstance(value.get("text"), str):
            out.append(value["text"])
        for k, item in value.items():
            if k not in ("value", "private_metadata"):
                out += rendered(item, k)
    elif isinstance(value, list):
        for item in value:
            out += rendered(item, key)
    return out


def live_markup(fake) -> list[str]:
    found = []
    for call in fake.calls:
        texts = rendered(call.body) + ([call.body["text"]] if isinstance(call.body.get("text"), str) else [])
        found += [f"{call.method}: {m} in {t[:80]!r}" for t in texts for m in LIVE if m in t]
    return found


def button_value(calls, action_id: str) -> str:
    """The button's value in the first posted message that has one (answers arrive in any order)."""
    for call in calls:
        for block in call.body.get("blocks") or []:
            for element in block.get("elements", []):
                if element.get("action_id") == action_id:
                    return element["value"]
    raise AssertionError(f"no {action_id} button posted")


async def test_every_payload_escapes_customer_text(rig, client):
    with rig.sessions.begin() as session:
        session.execute(update(Customer).where(Customer.id == rig.ids["rahim"]).values(name=EVIL))
    rahim = rig.ids["rahim"]
    await rig.event(client, mention("who should I call today?", user=RINA_SLACK, ts="1763600000.1"), "Ev-e1")
    await rig.event(client, dm(f"show me customer #{rahim}", user=RINA_SLACK, ts="1763600001.1"), "Ev-e2")
    await rig.bridge.drain(timeout=60)  # one DM conversation: the next request must come after this one
    await rig.event(client, dm(f"log a call with customer #{rahim}, no answer", user=RINA_SLACK,
                               ts="1763600002.1"), "Ev-e3")
    await rig.bridge.drain(timeout=60)
    posted = rig.fake.of("chat.postMessage")
    assert len(posted) == 3
    assert all("Verify your account" in json.dumps(p.body["blocks"]) for p in posted)  # shown, as text
    await rig.interact(client, click("c360_log_call", button_value(posted, "c360_log_call"), user=RINA_SLACK,
                                     channel="C0001", message_ts="1800000000.000001", thread_ts="1763600000.1",
                                     response_url=rig.fake.response_url(), trigger_id="trig-log"))
    await rig.interact(client, click("c360_edit", button_value(posted, "c360_edit"), user=RINA_SLACK,
                                     channel="D0001", message_ts="1800000000.000003",
                                     response_url=rig.fake.response_url(), trigger_id="trig-edit"))
    await rig.bridge.drain(timeout=60)
    await rig.interact(client, click("c360_approve", button_value(posted, "c360_approve"), user=RINA_SLACK,
                                     channel="D0001", message_ts="1800000000.000003",
                                     response_url=rig.fake.response_url()))
    await rig.event(client, {"type": "app_home_opened", "user": RINA_SLACK, "tab": "home", "channel": "D0001",
                             "event_ts": "1763600003.1"}, "Ev-e4")
    await rig.bridge.drain(timeout=60)
    assert len(rig.fake.of("views.open")) == 2 and rig.fake.of("chat.update") and rig.fake.of("views.publish")
    found = live_markup(rig.fake)
    assert found == [], "\n".join(found)
