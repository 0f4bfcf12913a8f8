"""Slack events end to end: signed requests into the FastAPI app, answers recorded by the fake Web API."""
from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from domain.models import Interaction
from domain.models.channels import SlackDelivery
from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    RINA_SLACK,
    SECRET,
    STRANGER,
    anyio_backend,
    client,
    dm,
    fake_slack,
    make_rig,
    mention,
    rig,
)

pytestmark = pytest.mark.anyio


def interactions(sessions) -> int:
    """Interactions logged today (the world holds one from last week)."""
    with sessions() as session:
        return session.scalar(select(func.count(Interaction.id)).where(Interaction.notes != "call back"))


def button(message_call, action_id: str) -> str:
    """The value of a button in a posted message."""
    for block in message_call.body["blocks"]:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button in {message_call.body['blocks']}")


async def test_url_verification_is_answered(rig, client):
    body = json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    answer = await rig.post(client, body)
    assert answer.status_code == 200
    assert answer.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


async def test_bad_signature_and_stale_timestamp_get_401_and_do_nothing(rig, client):
    event = mention("who should I call today?", user=RINA_SLACK, ts="1763600000.000100")
    forged = await rig.event(client, event, "Ev-forged", secret="not-the-secret")
    stale = await rig.event(client, event, "Ev-stale", timestamp=int(time.time()) - 6 * 60)
    unsigned = await client.post("/slack/events", content=json.dumps({"type": "event_callback"}),
                                 headers={"Content-Type": "application/json"})
    assert (forged.status_code, stale.status_code, unsigned.status_code) == (401, 401, 401)
    await rig.bridge.drain(timeout=30)
    assert rig.fake.of("chat.postMessage") == []
    with rig.sessions() as session:
        assert session.scalar(select(func.count(SlackDelivery.id))) == 0


async def test_mention_gets_the_call_list_in_a_thread(rig, client):
    event = mention("who should I call today?", user=RINA_SLACK, ts="1763600000.000100", channel="C0001")
    answer = await rig.event(client, event, "Ev-mention-1")
    assert answer.status_code == 200
    await rig.bridge.drain(timeout=60)
    [posted] = rig.fake.of("chat.postMessage")
    assert posted.body["channel"] == "C0001" and posted.body["thread_ts"] == "1763600000.000100"
    blocks = posted.body["blocks"]
    assert blocks[0]["type"] == "header" and "Call list" in blocks[0]["text"]["text"]
    first = blocks[1]["text"]["text"]
    assert "Rahim Uddin" in first and "*Why:*" in first and "*Offer:*" in first and "*Best time:*" in first
    assert "follow-up" in first.lower()  # the reason: his callback is due today
    assert [e["action_id"] for e in blocks[2]["elements"]] == ["c360_open_360", "c360_log_call",
                                                               "c360_draft_whatsapp"]
    assert rig.fake.of("auth.test"), "bolt checks its token with auth.test"


async def test_dm_log_call_approve_writes_once_and_updates_the_message(rig, client):
    ask = dm("log a call with Rahim, no answer", user=RINA_SLACK, ts="1763600100.000200")
    assert (await rig.event(client, ask, "Ev-dm-1")).status_code == 200
    await rig.bridge.drain(timeout=60)
    [confirm] = rig.fake.of("chat.postMessage")
    assert confirm.body["channel"] == "D0001" and "thread_ts" not in confirm.body  # the DM's top level
    assert "Log an interaction for Rahim Uddin" in json.dumps(confirm.body["blocks"])
    assert interactions(rig.sessions) == 0  # nothing before approval

    # Slack retries the same event, then delivers the same message under a new event id
    retry = await rig.event(client, ask, "Ev-dm-1", headers={"X-Slack-Retry-Num": "1",
                                                            "X-Slack-Retry-Reason": "http_timeout"})
    duplicate = await rig.event(client, ask, "Ev-dm-1-again")
    assert retry.status_code == duplicate.status_code == 200
    await rig.bridge.drain(timeout=60)
    assert len(rig.fake.of("chat.postMessage")) == 1

    from tests.channels.fake_slack import click

    value = button(confirm, "c360_approve")
    payload = click("c360_approve", value, user=RINA_SLACK, channel="D0001", message_ts="1800000000.000001",
                    response_url=rig.fake.response_url())
    first, double = await rig.interact(client, payload), await rig.interact(client, payload)
    assert first.status_code == double.status_code == 200
    await rig.bridge.drain(timeout=60)
    assert interactions(rig.sessions) == 1
    [update] = rig.fake.of("chat.update")
    assert update.body["channel"] == "D0001" and update.body["ts"] == "1800000000.000001"
    shown = json.dumps(update.body["blocks"])
    assert "Approved by <@URINA>" in shown and "Logged outbound call with Rahim Uddin" in shown
    assert "c360_approve" not in shown  # the buttons are gone

    # the original event once more, much later: still nothing new
    await rig.event(client, ask, "Ev-dm-1", headers={"X-Slack-Retry-Num": "2"})
    await rig.bridge.drain(timeout=60)
    assert interactions(rig.sessions) == 1 and len(rig.fake.of("chat.postMessage")) == 1


async def test_cancel_writes_nothing_and_says_so(rig, client):
    from tests.channels.fake_slack import click

    await rig.event(client, dm("log a call with Rahim, no answer", user=RINA_SLACK, ts="1763600200.1"), "Ev-c1")
    await rig.bridge.drain(timeout=60)
    [confirm] = rig.fake.of("chat.postMessage")
    payload = click("c360_cancel", button(confirm, "c360_cancel"), user=RINA_SLACK, channel="D0001",
                    message_ts="1800000000.000001", response_url=rig.fake.response_url())
    await rig.interact(client, payload)
    await rig.bridge.drain(timeout=60)
    assert interactions(rig.sessions) == 0
    [update] = rig.fake.of("chat.update")
    assert "Cancelled by <@URINA>" in json.dumps(update.body["blocks"])


async def test_only_the_requester_can_approve(rig, client):
    from tests.channels.fake_slack import KARIM_SLACK, click

    await rig.event(client, mention("log a call with Rahim, no answer", user=RINA_SLACK, ts="1763600300.1"),
                    "Ev-o1")
    await rig.bridge.drain(timeout=60)
    [confirm] = rig.fake.of("chat.postMessage")
    assert confirm.body["thread_ts"] == "1763600300.1"
    payload = click("c360_approve", button(confirm, "c360_approve"), user=KARIM_SLACK, channel="C0001",
                    message_ts="1800000000.000001", thread_ts="1763600300.1", response_url=rig.fake.response_url())
    await rig.interact(client, payload)
    await rig.bridge.drain(timeout=60)
    assert interactions(rig.sessions) == 0 and rig.fake.of("chat.update") == []
    [note] = rig.fake.of("response_url")
    assert "Only <@URINA> can decide this" in note.body["text"]
    # the requester still can: Karim's click did not use up the confirmation
    payload["user"] = {"id": RINA_SLACK, "team_id": payload["team"]["id"]}
    await rig.interact(client, payload)
    await rig.bridge.drain(timeout=60)
    assert interactions(rig.sessions) == 1 and len(rig.fake.of("chat.update")) == 1


async def test_unknown_slack_user_gets_the_access_note_and_no_data(rig, client):
    await rig.event(client, mention("who should I call today?", user=STRANGER, ts="1763600400.1"), "Ev-s1")
    await rig.event(client, dm("show me Rahim", user=STRANGER, ts="1763600401.1", channel="DSTRANGE"), "Ev-s2")
    await rig.bridge.drain(timeout=60)
    posted = rig.fake.of("chat.postMessage")
    assert len(posted) == 2
    for call in posted:
        text = call.body["text"] + json.dumps(call.body["blocks"])
        assert f'--slack-id {STRANGER}' in text and "c360 users add" in text
        assert "Rahim" not in text and "+880" not in text


async def test_bot_messages_and_edits_are_ignored(rig, client):
    edited = {**dm("hello", user=RINA_SLACK, ts="1763600500.1"), "subtype": "message_changed"}
    from_bot = {**dm("hello", user=RINA_SLACK, ts="1763600501.1"), "bot_id": "BOTHER"}
    channel_chatter = {**dm("hello", user=RINA_SLACK, ts="1763600502.1"), "channel_type": "channel"}
    for n, event in enumerate((edited, from_bot, channel_chatter)):
        assert (await rig.event(client, event, f"Ev-i{n}")).status_code == 200
    await rig.bridge.drain(timeout=30)
    assert rig.fake.of("chat.postMessage") == []


async def test_a_call_list_in_a_channel_hides_phones_and_sends_them_privately(rig, client):
    event = mention("who should I call today?", user=RINA_SLACK, ts="1763600000.000300", channel="C0001")
    await rig.event(client, event, "Ev-mask-1")
    await rig.bridge.drain(timeout=60)
    [posted] = rig.fake.of("chat.postMessage")
    shown = json.dumps(posted.body["blocks"]) + posted.body["text"]
    assert "1712345678" not in shown and "•••678" in shown
    assert "hidden in channels" in shown
    [private] = rig.fake.of("chat.postEphemeral")
    assert private.body["user"] == RINA_SLACK and private.body["channel"] == "C0001"
    assert private.body["thread_ts"] == "1763600000.000300"
    assert "+8801712345678" in json.dumps(private.body["blocks"])


async def test_a_dm_keeps_the_phone_numbers(rig, client):
    await rig.event(client, dm("who should I call today?", user=RINA_SLACK, ts="1763600000.000400"), "Ev-mask-2")
    await rig.bridge.drain(timeout=60)
    [posted] = rig.fake.of("chat.postMessage")
    assert "+8801712345678" in json.dumps(posted.body["blocks"]) and not rig.fake.of("chat.postEphemeral")
