"""Socket Mode end to end: c360 dials out (apps.connections.open with the app token), the local fake
Socket Mode server sends envelopes, every one is acknowledged, and the same listeners answer once,
even when Slack re-sends an envelope. No signing secret and no public URL."""
from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qsl

import pytest

from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    RINA_SLACK,
    anyio_backend,
    command_body,
    event_body,
    fake_slack,
    make_rig,
    mention,
)
from tests.channels.fake_socket_mode import FakeSocketMode

pytestmark = pytest.mark.anyio
APP_TOKEN = "xapp-1-A0001-1234-test"


async def settled(rig, method: str, count: int, timeout: float = 60.0):
    """The fake's calls of ``method`` once there are ``count`` and the background work is done."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(rig.fake.of(method)) < count and loop.time() < deadline:
        await asyncio.sleep(0.05)
    await rig.bridge.drain(timeout=timeout)
    return rig.fake.of(method)


async def test_socket_mode_answers_mentions_and_commands_once(make_rig, fake_slack):
    async with FakeSocketMode() as socket:
        fake_slack.socket_url = socket.url
        rig = make_rig(slack_signing_secret=None, slack_app_token=APP_TOKEN)
        assert not any(getattr(r, "path", "") == "/slack/events" for r in rig.app.routes)  # no public URL
        async with rig.app.router.lifespan_context(rig.app):
            [opened] = fake_slack.of("apps.connections.open")
            assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"

            body = json.loads(event_body(mention("who should I call today?", user=RINA_SLACK, ts="1763600000.1"),
                                         "Ev-socket-1"))
            first = await socket.send("events_api", body)
            assert await socket.acked(first) == {"envelope_id": first}
            [answer] = await settled(rig, "chat.postMessage", 1)
            assert answer.body["thread_ts"] == "1763600000.1" and "Rahim Uddin" in json.dumps(answer.body["blocks"])

            again = await socket.send("events_api", body, retry_attempt=1)  # Slack re-sends it
            assert await socket.acked(again) == {"envelope_id": again}
            await asyncio.sleep(0.3)
            assert len(await settled(rig, "chat.postMessage", 1)) == 1  # answered once

            command = dict(parse_qsl(command_body("360 Rahim", user=RINA_SLACK,
                                                  response_url=fake_slack.response_url("sock"), trigger_id="t-s1")))
            envelope = await socket.send("slash_commands", command)
            assert (await socket.acked(envelope))["envelope_id"] == envelope
            [private] = await settled(rig, "response_url", 1)
            assert private.body["response_type"] == "ephemeral"
            assert private.body["blocks"][0]["text"]["text"].startswith("Rahim Uddin")
        assert socket.connections == 1


def test_the_app_token_is_checked_at_start():
    from pydantic import ValidationError

    from domain.settings import Settings

    with pytest.raises(ValidationError, match="xapp-"):
        Settings(_env_file=None, slack_app_token="xoxb-not-an-app-token")
    assert Settings(_env_file=None, slack_app_token="").slack_app_token is None
