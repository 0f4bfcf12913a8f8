"""Socket Mode end to end: c360 opens the websocket itself (apps.connections.open on the fake Web
API, then a local fake Socket Mode server), acks each envelope, and runs the same listeners, dedupe
and exactly-once writes as the HTTP events route."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from domain.models.channels import SlackDelivery
from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    RINA_SLACK,
    FakeSocketMode,
    anyio_backend,
    command_envelope,
    events_envelope,
    fake_slack,
    make_rig,
    mention,
)

pytestmark = pytest.mark.anyio
APP_TOKEN = "xapp-1-A0001-test"


@pytest.fixture
def socket_server(fake_slack):
    server = FakeSocketMode().start()
    fake_slack.socket_url = server.url
    yield server
    server.stop()


@pytest.fixture
def socket_rig(make_rig, socket_server):
    return make_rig(slack_signing_secret=None, slack_app_token=APP_TOKEN)


async def wait_acked(server, envelope_id):
    import anyio

    return await anyio.to_thread.run_sync(server.ack_of, envelope_id)


async def test_a_mention_over_the_socket_is_acked_answered_once_and_a_retry_is_not_run_again(
        socket_rig, socket_server):
    rig = socket_rig
    routes = {getattr(r, "path", None) for r in rig.app.routes}
    assert "/slack/events" not in routes  # Socket Mode alone: no public route to reach
    async with rig.app.router.lifespan_context(rig.app):
        [opened] = rig.fake.of("apps.connections.open")
        assert opened.headers.get("Authorization") == f"Bearer {APP_TOKEN}"  # the app token, not the bot's
        event = mention("who should I call today?", user=RINA_SLACK, ts="1763600000.000100", channel="C0001")
        socket_server.send(events_envelope(event, "Ev-socket-1", "env-1"))
        assert (await wait_acked(socket_server, "env-1")) == {"envelope_id": "env-1"}
        await rig.bridge.drain(timeout=60)
        [posted] = rig.fake.of("chat.postMessage")
        assert posted.body["thread_ts"] == "1763600000.000100" and "Call list" in posted.body["text"] + str(
            posted.body["blocks"])
        socket_server.send(events_envelope(event, "Ev-socket-1", "env-2", retry=1))  # Slack's retry
        await wait_acked(socket_server, "env-2")
        await rig.bridge.drain(timeout=60)
        assert len(rig.fake.of("chat.postMessage")) == 1  # acked, not answered twice
    with rig.sessions() as session:
        assert session.scalar(select(func.count(SlackDelivery.id))) == 1


async def test_a_slash_command_over_the_socket_is_acked_with_its_answer(socket_rig, socket_server):
    rig = socket_rig
    async with rig.app.router.lifespan_context(rig.app):
        socket_server.send(command_envelope("help", user=RINA_SLACK, response_url=rig.fake.response_url("c1"),
                                            envelope_id="env-cmd"))
        ack = await wait_acked(socket_server, "env-cmd")
        await rig.bridge.drain(timeout=60)
    assert ack["envelope_id"] == "env-cmd"
    assert ack["payload"]["response_type"] == "ephemeral"  # the help answers in the ack itself
    assert "/c360 call list" in ack["payload"]["text"]


async def test_a_refused_app_token_stops_the_start_with_what_to_fix(make_rig, socket_server):
    rig = make_rig(slack_signing_secret=None, slack_app_token=APP_TOKEN)
    rig.fake.fail["apps.connections.open"] = "invalid_auth"
    with pytest.raises(RuntimeError, match="C360_SLACK_APP_TOKEN"):
        async with rig.app.router.lifespan_context(rig.app):
            pass


def test_a_bot_token_in_place_of_the_app_token_is_refused(make_rig, socket_server):
    with pytest.raises(ValueError, match="xapp-"):
        make_rig(slack_signing_secret=None, slack_app_token="xoxb-not-an-app-token")
