"""Break 11: requests that got a 500. ``/call-list?date=9999-12-31`` (date overflow), a Slack request
with timestamp ``abc``, a Slack body whose content type does not match it; and dates at the edge
of the calendar on the other date parameters."""
from __future__ import annotations

import json
import time

import pytest

from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    RINA_SLACK,
    SECRET,
    anyio_backend,
    client,
    fake_slack,
    form_body,
    make_rig,
    mention,
    rig,
    sign,
)
from tests.channels.http_fixtures import make_api  # noqa: F401  (fixture)


@pytest.mark.parametrize("url", ["/call-list?date=9999-12-31", "/call-list?date=0001-01-01",
                                 "/customers/1/timeline?since=9999-12-31", "/customers/1/timeline?until=0001-01-01",
                                 "/customers/1/timeline?since=0001-01-01&until=9999-12-31"])
def test_calendar_edges_are_a_4xx_or_an_answer(make_api, url):  # noqa: F811
    api = make_api()
    answer = api.client.get(url, headers=api.auth())
    assert answer.status_code < 500, answer.text
    anonymous = api.client.get(url)
    assert anonymous.status_code == 401


@pytest.mark.anyio
@pytest.mark.parametrize("stamp", ["abc", "", "1e9", "-1", "99999999999999999999999", "12.5"])
async def test_a_slack_timestamp_that_is_not_a_number_is_a_401(rig, client, stamp):
    body = json.dumps({"type": "event_callback", "event": {"type": "app_mention"}})
    headers = {"Content-Type": "application/json", **sign(SECRET, body)}
    headers["X-Slack-Request-Timestamp"] = stamp
    answer = await client.post("/slack/events", content=body, headers=headers)
    assert answer.status_code == 401


@pytest.mark.anyio
async def test_a_slack_body_of_another_content_type_is_a_4xx(rig, client):
    now = int(time.time())
    event = json.dumps({"type": "event_callback", "team_id": "T0001", "event_id": "Ev-ct",
                        "event": mention("hi", user=RINA_SLACK, ts="1763600000.1")})
    interaction = form_body({"type": "block_actions", "actions": []})
    for body, content_type in ((event, "application/x-www-form-urlencoded"), (interaction, "application/json"),
                               ("payload=%7Bnot json", "application/x-www-form-urlencoded"),
                               ("\xff\xfe", "application/json"), ("{}", "text/plain")):
        answer = await client.post("/slack/events", content=body.encode("utf-8", "surrogatepass"), headers={
            "Content-Type": content_type, **sign(SECRET, body, now)})
        assert 400 <= answer.status_code < 500, (content_type, body[:40], answer.status_code)
    await rig.bridge.drain(timeout=30)
    assert rig.fake.of("chat.postMessage") == []
