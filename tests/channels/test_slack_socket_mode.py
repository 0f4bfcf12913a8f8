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


async def connected(rig, timeout: float = 20.0) -> dict:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while rig.app.state.slack_socket.status.state != "connected" and loop.time() < deadline:
        await asyncio.sleep(0.02)
    return rig.app.state.slack_socket.snapshot()


async def test_socket_mode_answers_mentions_and_commands_once(make_rig, fake_slack):
    async with FakeSocketMode() as socket:
        fake_slack.socket_url = socket.url
        rig = make_rig(slack_signing_secret=None, slack_app_token=APP_TOKEN)
        assert not any(getattr(r, "path", "") == "/slack/events" for r in rig.app.routes)  # no public URL
        async with rig.app.router.lifespan_context(rig.app):
            await connected(rig)
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


async def health(rig) -> dict:
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=rig.app), base_url="http://c360.test") as c:
        answer = await c.get("/healthz")
    assert answer.status_code == 200  # the server answers whatever Socket Mode's state
    return answer.json()["slack_socket_mode"]


async def test_a_refused_app_token_does_not_stop_the_server_and_is_retried(make_rig, fake_slack, monkeypatch,
                                                                           caplog):
    import channels.slack.socket_link as link

    monkeypatch.setattr(link, "FIRST_WAIT", 0.05)
    async with FakeSocketMode() as socket:
        fake_slack.socket_url = socket.url
        fake_slack.fail["apps.connections.open"] = "invalid_auth"  # a wrong or revoked app token
        rig = make_rig(slack_signing_secret=None, slack_app_token=APP_TOKEN)
        async with rig.app.router.lifespan_context(rig.app):
            while len(fake_slack.of("apps.connections.open")) < 3:  # retried, with growing pauses
                await asyncio.sleep(0.02)
            state = await health(rig)
            assert state["state"] == "retrying" and state["attempts"] >= 3
            assert "invalid_auth" in state["error"] and "xapp-" in state["error"]
            assert state["next_retry_in"] >= 0.2  # 0.05, 0.1, 0.2, ...: backoff
            assert any("Slack Socket Mode did not connect" in r.getMessage() and r.levelname == "ERROR"
                       for r in caplog.records)
            del fake_slack.fail["apps.connections.open"]  # the token fixed (Slack side)
            assert (await connected(rig))["state"] == "connected"
            assert (await health(rig))["error"] is None
            body = json.loads(event_body(mention("who should I call today?", user=RINA_SLACK, ts="1763600001.1"),
                                         "Ev-socket-retry"))
            envelope = await socket.send("events_api", body)
            assert await socket.acked(envelope) == {"envelope_id": envelope}
            [answer] = await settled(rig, "chat.postMessage", 1)
            assert answer.body["thread_ts"] == "1763600001.1"


async def test_an_unreachable_socket_mode_server_is_retried_until_it_answers(make_rig, fake_slack, monkeypatch):
    import socket as sockets

    import channels.slack.socket_link as link

    monkeypatch.setattr(link, "FIRST_WAIT", 0.05)
    monkeypatch.setattr(link, "CONNECT_TIMEOUT", 0.5)
    closed = sockets.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: the connection is refused
    fake_slack.socket_url = f"ws://127.0.0.1:{port}/link/?ticket=test"
    rig = make_rig(slack_signing_secret=None, slack_app_token=APP_TOKEN)
    async with rig.app.router.lifespan_context(rig.app):
        while rig.app.state.slack_socket.status.attempts < 2:
            await asyncio.sleep(0.02)
        state = await health(rig)
        assert state["state"] == "retrying" and "unreachable" in state["error"]
        async with FakeSocketMode() as socket:  # Slack reachable again
            fake_slack.socket_url = socket.url
            assert (await connected(rig))["state"] == "connected"
            assert socket.connections == 1
