"""The 360 card's Add note and Opt out… buttons: each opens a modal whose submission is the approval of one
write through the same tool and write gate, written once however often Slack delivers it, and refused
(with no form) for a user who may not make it. Against the fake Web API."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from domain.models import AuditLog, ChannelConsent, ConsentEvent, Note
from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    KARIM_SLACK,
    RINA_SLACK,
    STRANGER,
    anyio_backend,
    click,
    client,
    command_body,
    fake_slack,
    form_body,
    make_rig,
    rig,
    value_of,
)

pytestmark = pytest.mark.anyio
FORM = "application/x-www-form-urlencoded"


async def card_360(rig, client, user=RINA_SLACK) -> list[dict]:
    body = command_body("360 Rahim", user=RINA_SLACK, response_url=rig.fake.response_url("cmd"), trigger_id="t-360")
    await rig.post(client, body, content_type=FORM)
    await rig.bridge.drain(timeout=60)
    return rig.fake.of("response_url")[-1].body["blocks"]


async def press(rig, client, blocks, action_id: str, *, user=RINA_SLACK, trigger="trig-form"):
    payload = click(action_id, value_of(blocks, action_id), user=user, channel="C0001", message_ts="1800000000.1",
                    response_url=rig.fake.response_url(f"click-{user}"), trigger_id=trigger, ephemeral=True)
    assert (await rig.interact(client, payload)).status_code == 200
    await rig.bridge.drain(timeout=60)


def submission(view: dict, values: dict, *, user=RINA_SLACK, view_id="V-form-1") -> str:
    return form_body({"type": "view_submission", "team": {"id": "T0001"}, "user": {"id": user, "team_id": "T0001"},
                      "view": {**view, "id": view_id, "state": {"values": values}}})


def note_values(text: str, kind="complaint", pinned=True) -> dict:
    return {"text": {"value": {"type": "plain_text_input", "value": text}},
            "type": {"value": {"type": "static_select", "selected_option": {"value": kind}}},
            "pinned": {"value": {"type": "checkboxes", "selected_options": [{"value": "pinned"}] if pinned else []}}}


def count(sessions, model, *where) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def private_texts(rig) -> str:
    return json.dumps([c.body for c in rig.fake.of("response_url") + rig.fake.of("chat.postEphemeral")],
                      ensure_ascii=False)


async def test_the_360_card_has_the_record_buttons(rig, client):
    blocks = await card_360(rig, client)
    actions = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert actions[-2:] == ["c360_add_note", "c360_opt_out"]
    assert json.loads(value_of(blocks, "c360_add_note"))["c"] == rig.ids["rahim"]


async def test_add_note_form_writes_one_signed_note_however_often_it_is_submitted(rig, client):
    blocks = await card_360(rig, client)
    await press(rig, client, blocks, "c360_add_note", trigger="trig-note")
    [opened] = rig.fake.of("views.open")
    view = opened.body["view"]
    assert opened.body["trigger_id"] == "trig-note" and view["callback_id"] == "c360_note_form"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["text", "type", "pinned"]

    blank = await rig.post(client, submission(view, note_values("   ")), content_type=FORM)
    assert blank.json() == {"response_action": "errors", "errors": {"text": "Write the note."}}
    body = submission(view, note_values("Prefers bKash, no COD"))
    for retry in (None, "1", "2"):  # the submission, then Slack delivering it again
        headers = {"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"} if retry else None
        assert (await rig.post(client, body, content_type=FORM, headers=headers)).status_code == 200
    await rig.bridge.drain(timeout=60)
    with rig.sessions() as s:
        [note] = s.scalars(select(Note)).all()
        assert (note.customer_id, note.body, note.type, note.pinned, note.author_id) == (
            rig.ids["rahim"], "Prefers bKash, no COD", "complaint", True, rig.ids["rina"])
    assert count(rig.sessions, AuditLog, AuditLog.action == "add_note") == 1
    done = [c for c in rig.fake.of("response_url") if c.body.get("text", "").startswith("✅")]
    assert len(done) == 1


async def test_opt_out_form_records_the_opt_out_once_and_drafts_stop(rig, client):
    blocks = await card_360(rig, client)
    await press(rig, client, blocks, "c360_opt_out", trigger="trig-opt")
    [opened] = rig.fake.of("views.open")
    view = opened.body["view"]
    assert view["callback_id"] == "c360_opt_out_form"
    options = [o["value"] for b in view["blocks"] if b.get("block_id") == "channel" for o in b["element"]["options"]]
    assert options == ["whatsapp", "sms", "email", "instagram", "facebook", "all"]
    missing = await rig.post(client, submission(view, {}), content_type=FORM)
    assert missing.json()["errors"] == {"channel": "Choose the channel (or all channels)."}
    values = {"channel": {"value": {"type": "static_select", "selected_option": {"value": "sms"}}},
              "reason": {"value": {"type": "plain_text_input", "value": "asked us to stop SMS"}},
              "source": {"value": {"type": "radio_buttons", "selected_option": {"value": "customer_request"}}}}
    body = submission(view, values, view_id="V-opt-1")
    for _ in range(2):
        assert (await rig.post(client, body, content_type=FORM)).status_code == 200
    await rig.bridge.drain(timeout=60)
    with rig.sessions() as s:
        [event] = s.scalars(select(ConsentEvent)).all()
        assert (event.channel, event.opted_in, event.source, event.reason, event.user_id) == (
            "sms", False, "customer_request", "asked us to stop SMS", rig.ids["rina"])
        assert s.scalar(select(ChannelConsent.opted_in).where(ChannelConsent.channel == "sms")) is False
    assert count(rig.sessions, AuditLog, AuditLog.action == "update_consent") == 1
    from tools.context import Actor
    draft = await rig.bridge.tool("draft_reply", {"customer": rig.ids["rahim"], "channel": "sms", "topic": "eid offer"},
                                  Actor(rig.ids["rina"], "Rina Akter", "agent"))
    assert draft["allowed"] is False and draft["blocked_reason"] == "opted_out"


async def test_a_user_without_the_right_gets_no_form_and_a_forged_submission_writes_nothing(make_rig, fake_slack):
    import httpx

    rig = make_rig(agents_see_all_customers=False)  # agents work on their own customers only
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=rig.app), base_url="http://slack.test") as client:
        blocks = await card_360(rig, client)
        await press(rig, client, blocks, "c360_add_note", user=KARIM_SLACK)  # Rahim is Rina's
        assert rig.fake.of("views.open") == []
        assert "assigned to another agent" in private_texts(rig)
        await press(rig, client, blocks, "c360_opt_out", user=STRANGER)  # no c360 user at all
        assert rig.fake.of("views.open") == []
        assert "c360 users add" in private_texts(rig)

        await press(rig, client, blocks, "c360_add_note", user=RINA_SLACK)
        [opened] = rig.fake.of("views.open")
        forged = submission(opened.body["view"], note_values("not mine"), user=KARIM_SLACK, view_id="V-forged")
        assert (await rig.post(client, forged, content_type=FORM)).status_code == 200
        await rig.bridge.drain(timeout=60)
        assert count(rig.sessions, Note) == 0 and count(rig.sessions, AuditLog, AuditLog.action == "add_note") == 0
        [told] = [c for c in rig.fake.of("chat.postEphemeral") if c.body["user"] == KARIM_SLACK]
        assert "opened by <@URINA>; nothing was written" in told.body["text"]
        # the opener's own submission still goes through the gate's check at write time
        with rig.sessions.begin() as s:
            from domain.models import Customer
            s.get(Customer, rig.ids["rahim"]).assigned_to_id = rig.ids["karim"]  # reassigned meanwhile
        late = submission(opened.body["view"], note_values("too late"), view_id="V-late")
        assert (await rig.post(client, late, content_type=FORM)).status_code == 200
        await rig.bridge.drain(timeout=60)
        assert count(rig.sessions, Note) == 0
        assert "⚠ Rahim Uddin (#" in private_texts(rig) and "assigned to another agent" in private_texts(rig)
    await rig.bridge.drain(timeout=60)
    rig.bridge.close()
