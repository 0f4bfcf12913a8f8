"""The slash command, the customer buttons, the modals and App Home, against the fake Web API."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from domain.models import Interaction
from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    RINA_SLACK,
    STRANGER,
    anyio_backend,
    click,
    client,
    command_body,
    dm,
    fake_slack,
    form_body,
    make_rig,
    mention,
    rig,
    value_of,
)

pytestmark = pytest.mark.anyio
FORM = "application/x-www-form-urlencoded"


def new_interactions(sessions) -> list[Interaction]:
    with sessions() as session:
        return list(session.scalars(select(Interaction).where(Interaction.notes != "call back")))


async def command(rig, client, text: str, trigger: str = "trig-1"):
    body = command_body(text, user=RINA_SLACK, response_url=rig.fake.response_url("cmd"), trigger_id=trigger)
    return await rig.post(client, body, content_type=FORM)


async def test_slash_command_shorthands_answer_privately(rig, client):
    usage = await command(rig, client, "")
    assert usage.status_code == 200 and "/c360 call list" in usage.json()["text"]

    assert (await command(rig, client, "call list", "t1")).status_code == 200
    await rig.bridge.drain(timeout=60)
    [listed] = rig.fake.of("response_url")
    assert listed.body["response_type"] == "ephemeral"
    assert listed.body["blocks"][0]["type"] == "header" and "Rahim Uddin" in json.dumps(listed.body["blocks"])

    await command(rig, client, "360 Rahim", "t2")
    await command(rig, client, "360 Rahim", "t2")  # the same command delivered twice: answered once
    await rig.bridge.drain(timeout=60)
    answers = rig.fake.of("response_url")
    assert len(answers) == 2
    card = answers[1].body["blocks"]
    assert card[0]["text"]["text"] == f"Rahim Uddin (#{rig.ids['rahim']})"
    assert any(b["type"] == "section" and "fields" in b for b in card)  # the compact 360 card


async def test_open_360_and_draft_buttons_answer_in_the_same_thread(rig, client):
    await rig.event(client, mention("who should I call today?", user=RINA_SLACK, ts="1763600000.1"), "Ev-a1")
    await rig.bridge.drain(timeout=60)
    [listed] = rig.fake.of("chat.postMessage")
    for action_id in ("c360_open_360", "c360_draft_whatsapp"):
        payload = click(action_id, value_of(listed.body["blocks"], action_id), user=RINA_SLACK, channel="C0001",
                        message_ts="1800000000.000001", thread_ts="1763600000.1",
                        response_url=rig.fake.response_url(), trigger_id=f"trig-{action_id}")
        assert (await rig.interact(client, payload)).status_code == 200
        await rig.bridge.drain(timeout=60)
    _, card, draft = rig.fake.of("chat.postMessage")
    assert card.body["thread_ts"] == draft.body["thread_ts"] == "1763600000.1"
    assert card.body["blocks"][0]["text"]["text"].startswith("Rahim Uddin")
    shown = json.dumps(draft.body["blocks"])
    assert "Draft for Rahim Uddin" in shown and "(not sent)" in shown
    assert ":no_entry: *whatsapp* is blocked now" in shown or ":white_check_mark: *whatsapp* is allowed" in shown


async def test_log_call_button_opens_a_form_whose_submission_logs_once(rig, client):
    await rig.event(client, mention("who should I call today?", user=RINA_SLACK, ts="1763600000.2"), "Ev-a2")
    await rig.bridge.drain(timeout=60)
    [listed] = rig.fake.of("chat.postMessage")
    payload = click("c360_log_call", value_of(listed.body["blocks"], "c360_log_call"), user=RINA_SLACK,
                    channel="C0001", message_ts="1800000000.000001", thread_ts="1763600000.2",
                    response_url=rig.fake.response_url(), trigger_id="trig-log")
    await rig.interact(client, payload)
    await rig.bridge.drain(timeout=60)
    [opened] = rig.fake.of("views.open")
    view = opened.body["view"]
    assert opened.body["trigger_id"] == "trig-log" and view["callback_id"] == "c360_log_call_form"

    def submitted(notes: str) -> dict:
        state = {"outcome": {"value": {"type": "static_select", "selected_option": {"value": "interested"}}},
                 "notes": {"value": {"type": "plain_text_input", "value": notes}},
                 "follow_up": {"value": {"type": "datepicker", "selected_date": "2026-11-27"}}}
        return {"type": "view_submission", "team": {"id": "T0001"}, "user": {"id": RINA_SLACK, "team_id": "T0001"},
                "view": {**view, "id": "V-log-1", "state": {"values": state}}}

    blank = await rig.post(client, form_body(submitted("  ")), content_type=FORM)
    assert blank.json() == {"response_action": "errors", "errors": {"notes": "Write a word or two about the call."}}
    for _ in range(2):  # a double submit
        assert (await rig.post(client, form_body(submitted("liked the kettle")), content_type=FORM)).status_code == 200
    await rig.bridge.drain(timeout=60)
    [row] = new_interactions(rig.sessions)
    assert (row.customer_id, row.outcome, row.notes) == (rig.ids["rahim"], "interested", "liked the kettle")
    assert row.follow_up_at.astimezone(rig.settings.tz).date().isoformat() == "2026-11-27"
    done = rig.fake.of("chat.postMessage")[-1]
    assert done.body["thread_ts"] == "1763600000.2" and done.body["text"].startswith("✅ Logged")


async def test_edit_opens_the_fields_and_saves_the_edited_write(rig, client):
    await rig.event(client, dm("log a call with Rahim, no answer", user=RINA_SLACK, ts="1763600300.1"), "Ev-e1")
    await rig.bridge.drain(timeout=60)
    [confirm] = rig.fake.of("chat.postMessage")
    payload = click("c360_edit", value_of(confirm.body["blocks"], "c360_edit"), user=RINA_SLACK, channel="D0001",
                    message_ts="1800000000.000001", response_url=rig.fake.response_url(), trigger_id="trig-edit")
    await rig.interact(client, payload)
    await rig.bridge.drain(timeout=60)
    [opened] = rig.fake.of("views.open")
    view = opened.body["view"]
    fields = {b["block_id"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}
    assert fields["notes"] == "No answer" and fields["outcome"] == "no_answer" and "customer" not in fields
    values = {name: {"value": {"type": "plain_text_input", "value": initial}} for name, initial in fields.items()}
    values["notes"]["value"]["value"] = "No answer, rang twice"
    values["follow_up_at"]["value"]["value"] = "2026-11-23"
    submission = {"type": "view_submission", "team": {"id": "T0001"}, "user": {"id": RINA_SLACK, "team_id": "T0001"},
                  "view": {**view, "id": "V-edit-1", "state": {"values": values}}}
    assert (await rig.post(client, form_body(submission), content_type=FORM)).status_code == 200
    await rig.bridge.drain(timeout=60)
    [row] = new_interactions(rig.sessions)
    assert row.notes == "No answer, rang twice" and row.outcome == "no_answer"
    assert row.follow_up_at.astimezone(rig.settings.tz).date().isoformat() == "2026-11-23"
    [update] = rig.fake.of("chat.update")
    assert "Edited and approved by <@URINA>" in json.dumps(update.body["blocks"])
    decided = update.body["blocks"][0]["text"]["text"]  # what was written, not what was proposed
    assert "No answer, rang twice" in decided and "2026-11-23" in decided


async def test_app_home_shows_the_users_own_call_list(rig, client):
    from tests.channels.fake_slack import KARIM_SLACK

    for n, user in enumerate((RINA_SLACK, KARIM_SLACK, STRANGER)):
        event = {"type": "app_home_opened", "user": user, "channel": f"D{n}", "tab": "home", "event_ts": "1.1"}
        await rig.event(client, event, f"Ev-home-{n}")
    await rig.bridge.drain(timeout=60)
    views = {c.body["user_id"]: json.dumps(c.body["view"]) for c in rig.fake.of("views.publish")}
    assert "Your calls for Fri 20 Nov" in views[RINA_SLACK] and "Rahim Uddin" in views[RINA_SLACK]
    assert "Rahim Uddin" not in views[KARIM_SLACK]  # only their own customers
    assert "c360 users add" in views[STRANGER] and "Rahim" not in views[STRANGER]
