"""Break 1: in a channel thread only the requester decides a pending write, typed or clicked.

Attack: Rina asks for a write in a channel; Karim (another c360 user in the channel) types "yes",
"no" or a new request in Rina's thread, or clicks a button whose value names Rina's thread.
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from domain.models import Interaction
from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    KARIM_SLACK,
    RINA_SLACK,
    anyio_backend,
    click,
    client,
    fake_slack,
    make_rig,
    mention,
    rig,
)

pytestmark = pytest.mark.anyio
ROOT = "1763600300.1"


def new_interactions(sessions) -> list[Interaction]:
    with sessions() as session:
        return list(session.scalars(select(Interaction).where(Interaction.notes != "call back")))


def button(call, action_id: str) -> str:
    for block in call.body.get("blocks") or []:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button in {call.body}")


async def rina_asks(rig, client):
    await rig.event(client, mention("log a call with Rahim, no answer", user=RINA_SLACK, ts=ROOT), "Ev-r1")
    await rig.bridge.drain(timeout=60)
    [confirm] = rig.fake.of("chat.postMessage")
    return confirm


async def test_another_user_typing_in_the_thread_neither_approves_nor_cancels(rig, client):
    confirm = await rina_asks(rig, client)
    thread = json.loads(button(confirm, "c360_approve"))["t"]
    for n, text in enumerate(["yes", "no", "who should I call today?"]):
        await rig.event(client, mention(text, user=KARIM_SLACK, ts=f"1763600301.{n + 1}", thread_ts=ROOT),
                        f"Ev-k{n}")
        await rig.bridge.drain(timeout=60)
        assert new_interactions(rig.sessions) == [], f"Karim's {text!r} wrote Rina's call"
        pending = rig.agent.pending(thread)
        assert pending is not None, f"Karim's {text!r} cancelled Rina's pending write"
    answers = rig.fake.of("chat.postMessage")[1:]
    assert len(answers) == 3 and all(a.body.get("thread_ts") == ROOT for a in answers)
    shown = " ".join(a.body["text"] for a in answers)
    assert "cancelled" not in shown.lower()
    # Rina's own "yes" still approves, written once under her name
    await rig.event(client, mention("yes", user=RINA_SLACK, ts="1763600302.1", thread_ts=ROOT), "Ev-r2")
    await rig.bridge.drain(timeout=60)
    [written] = new_interactions(rig.sessions)
    assert written.user_id == rig.ids["rina"]


async def test_a_button_value_naming_another_users_thread_decides_nothing(rig, client):
    confirm = await rina_asks(rig, client)
    value = json.loads(button(confirm, "c360_approve"))
    thread = value["t"]
    forged = json.dumps({**value, "u": KARIM_SLACK})  # Karim puts his own id in the value
    # clicked on Rina's confirmation message, and on a message in another thread of Karim's
    for message_ts, thread_ts, trigger in (("1800000000.000001", ROOT, "t1"),
                                            ("1800000000.000009", "1763609999.1", "t2")):
        for action_id in ("c360_approve", "c360_cancel"):
            payload = click(action_id, forged, user=KARIM_SLACK, channel="C0001", message_ts=message_ts,
                            thread_ts=thread_ts, response_url=rig.fake.response_url(), trigger_id=trigger)
            assert (await rig.interact(client, payload)).status_code == 200
            await rig.bridge.drain(timeout=60)
            assert new_interactions(rig.sessions) == []
            assert rig.agent.pending(thread) is not None
    assert rig.fake.of("chat.update") == []
    # the requester's click on her own message still works
    payload = click("c360_approve", json.dumps(value), user=RINA_SLACK, channel="C0001",
                    message_ts="1800000000.000001", thread_ts=ROOT, response_url=rig.fake.response_url())
    await rig.interact(client, payload)
    await rig.bridge.drain(timeout=60)
    [written] = new_interactions(rig.sessions)
    assert written.user_id == rig.ids["rina"]


async def test_rinas_value_clicked_on_a_message_of_another_thread_is_refused(rig, client):
    confirm = await rina_asks(rig, client)
    value = button(confirm, "c360_approve")
    payload = click("c360_approve", value, user=RINA_SLACK, channel="C0001", message_ts="1800000000.000077",
                    thread_ts="1763609999.1", response_url=rig.fake.response_url())
    await rig.interact(client, payload)
    await rig.bridge.drain(timeout=60)
    assert new_interactions(rig.sessions) == []
    assert rig.agent.pending(json.loads(value)["t"]) is not None
