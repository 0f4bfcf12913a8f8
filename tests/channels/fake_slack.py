"""A local fake of Slack's Web API, and helpers to send Slack-signed requests to the app.

``FakeSlack`` is a small HTTP server on 127.0.0.1 (a random port) that records every call:
Web API methods under ``/api/`` (``auth.test``, ``chat.postMessage``, ``chat.update``,
``chat.postEphemeral``, ``views.publish``, ``views.open``, ``conversations.open``, ``users.list``) and posts to
response URLs under ``/response/<id>``. Point ``C360_SLACK_API_URL`` at ``fake.api_url``.
"""
from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import pytest

BOT_USER, BOT_ID, TEAM = "UBOT", "BBOT", "T0001"


@dataclass
class Call:
    method: str  # "chat.postMessage", ..., or "response_url"
    body: dict[str, Any]
    path: str
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    """Records calls; answers each Web API method the way Slack does (minimal fields)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.lock = threading.Condition()
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self.fail: dict[str, str] = {}  # method -> Slack error to answer with
        self.members: list[dict[str, Any]] = []  # what users.list pages through
        self.drop: set[str] = set()  # methods whose connection is closed unanswered (a network failure)
        self.socket_url: str | None = None  # what apps.connections.open hands out (tests/channels/fake_socket_mode.py)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                body = _parse(raw, self.headers.get("Content-Type", ""))
                if "?" in self.path:  # some methods send their arguments in the query string
                    body = {**dict(parse_qsl(self.path.split("?", 1)[1])), **body}
                if self.path.split("/api/", 1)[-1].split("?")[0] in fake.drop:
                    self.close_connection = True  # nothing answered: the client sees the connection drop
                    return
                if self.path.startswith("/response/"):
                    method, answer = "response_url", {"ok": True}
                else:
                    method = self.path.split("/api/", 1)[-1].split("?")[0]
                    answer = fake.answer(method, body)
                with fake.lock:
                    fake.calls.append(Call(method, body, self.path, dict(self.headers)))
                    fake.lock.notify_all()
                payload = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"{self.base_url}/response/{name}"

    def answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method in self.fail:
            return {"ok": False, "error": self.fail[method]}
        if method == "auth.test":
            return {"ok": True, "url": "https://c360-test.slack.com/", "team": "Test", "user": "c360",
                    "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID}
        if method == "chat.postMessage":
            return {"ok": True, "channel": body.get("channel"), "ts": f"1800000000.{next(self._ts):06d}",
                    "message": {"text": body.get("text")}}
        if method == "chat.update":
            return {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1800000000.{next(self._ts):06d}"}
        if method in ("views.publish", "views.open"):
            return {"ok": True, "view": {"id": f"V{next(self._views):05d}"}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url} if self.socket_url else {"ok": False, "error": "not_allowed"}
        if method == "users.list":  # cursor = the index of the next member
            start, size = int(body.get("cursor") or 0), int(body.get("limit") or 100)
            page = self.members[start:start + size]
            more = start + size < len(self.members)
            return {"ok": True, "members": page, "response_metadata": {"next_cursor": str(start + size) if more else ""}}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(body.get("users", "X")).split(",")[0]}}
        return {"ok": False, "error": "unknown_method"}

    def of(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 30.0) -> list[Call]:
        """The calls of ``method`` once there are at least ``count``; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                found = [c for c in self.calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self.calls]
                    raise AssertionError(f"expected {count} {method} call(s) within {timeout}s; saw {seen}")
                self.lock.wait(left)

    def start(self) -> FakeSlack:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    body: dict[str, Any] = dict(parse_qsl(raw))
    for key in ("blocks", "view", "attachments"):  # form posts carry these as JSON strings
        if isinstance(body.get(key), str):
            body[key] = json.loads(body[key])
    return body


# --- signed requests from "Slack" ----------------------------------------------------------


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends: v0 HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def event_body(event: dict[str, Any], event_id: str, team: str = TEAM) -> str:
    """An Events API ``event_callback`` envelope as JSON text."""
    return json.dumps({"token": "legacy", "team_id": team, "api_app_id": "A0001", "type": "event_callback",
                       "event_id": event_id, "event_time": int(time.time()), "event": event,
                       "authorizations": [{"team_id": team, "user_id": BOT_USER, "is_bot": True}]})


def mention(text: str, *, user: str, ts: str, channel: str = "C0001", thread_ts: str | None = None) -> dict:
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts, "channel": channel,
             "event_ts": ts, "team": TEAM}
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def dm(text: str, *, user: str, ts: str, channel: str = "D0001") -> dict:
    return {"type": "message", "channel_type": "im", "user": user, "text": text, "ts": ts, "channel": channel,
            "event_ts": ts, "team": TEAM}


def form_body(payload: dict[str, Any]) -> str:
    """An interactivity request: ``payload=<json>`` form-encoded."""
    from urllib.parse import urlencode

    return urlencode({"payload": json.dumps(payload)})


def command_body(text: str, *, user: str, response_url: str, channel: str = "C0001",
                 trigger_id: str = "trig-1") -> str:
    from urllib.parse import urlencode

    return urlencode({"token": "legacy", "team_id": TEAM, "channel_id": channel, "user_id": user,
                      "command": "/c360", "text": text, "response_url": response_url, "trigger_id": trigger_id})


def click(action_id: str, value: str, *, user: str, channel: str, message_ts: str, response_url: str,
          thread_ts: str | None = None, trigger_id: str = "trig-click", ephemeral: bool = False) -> dict:
    """A block_actions payload for a button on a message."""
    container = {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": ephemeral}
    message = {"ts": message_ts, "type": "message", "user": BOT_USER}
    if thread_ts:
        container["thread_ts"] = thread_ts
        message["thread_ts"] = thread_ts
    return {"type": "block_actions", "team": {"id": TEAM}, "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0001", "container": container, "channel": {"id": channel}, "message": message,
            "trigger_id": trigger_id, "response_url": response_url,
            "actions": [{"type": "button", "action_id": action_id, "block_id": "b1", "value": value,
                         "action_ts": str(time.time())}]}


# --- fixtures: import the ones a test module uses by name, as the HTTP tests do ----------------

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
RINA_SLACK, KARIM_SLACK, STRANGER = "URINA", "UKARIM", "USTRANGER"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake_slack():
    fake = FakeSlack().start()
    yield fake
    fake.stop()


def build_slack_world(sessions, clock) -> dict[str, int]:
    """Rina (agent, Slack URINA) owns Rahim Uddin (two orders, a follow-up due today); Karim (UKARIM)
    owns Karim Ahmed; a Blue Kettle. Nobody is linked to USTRANGER."""
    from datetime import date, datetime

    from domain.stats import refresh_derived, refresh_stats
    from tests.factories import make_customer, make_interaction, make_order, make_product, make_user

    with sessions.begin() as session:
        rina = make_user(session, "Rina Akter", slack_user_id=RINA_SLACK)
        karim = make_user(session, "Karim Hasan", slack_user_id=KARIM_SLACK)
        kettle = make_product(session, "Blue Kettle", price=4500)
        rahim = make_customer(session, "Rahim Uddin", phone="01712345678", email="rahim@example.com",
                              city="Dhaka", assigned_to=rina)
        other = make_customer(session, "Karim Ahmed", phone="01812345678", city="Chittagong", assigned_to=karim)
        make_order(session, rahim, at=date(2026, 6, 1), amount=4500, items=[kettle])
        make_order(session, rahim, at=date(2026, 10, 1), amount=4500, items=[kettle])
        make_order(session, other, at=date(2026, 9, 1), amount=1200, items=["Tea Set"])
        make_interaction(session, rahim, at=datetime(2026, 11, 14, 11, 0), outcome="callback", notes="call back",
                         follow_up_at=date(2026, 11, 20), user=rina)
        refresh_stats(session, now=clock.now())
        refresh_derived(session, clock.today(), tz="Asia/Dhaka")
        return {"rina": rina.id, "karim": karim.id, "rahim": rahim.id, "other": other.id}


@dataclass
class SlackRig:
    """The FastAPI app with Slack mounted, its bridge, the fake Web API and a signed-request client."""

    app: Any
    bridge: Any
    agent: Any
    fake: FakeSlack
    sessions: Any
    ids: dict[str, int]
    settings: Any

    async def post(self, client, body: str, *, content_type: str = "application/json",
                   headers: dict[str, str] | None = None, timestamp: int | None = None, secret: str = SECRET):
        sent = {"Content-Type": content_type, **sign(secret, body, timestamp), **(headers or {})}
        return await client.post("/slack/events", content=body, headers=sent)

    async def event(self, client, event: dict, event_id: str, **kwargs):
        return await self.post(client, event_body(event, event_id), **kwargs)

    async def interact(self, client, payload: dict):
        return await self.post(client, form_body(payload), content_type="application/x-www-form-urlencoded")


def slack_settings(db_url: str, tmp_path, fake: FakeSlack, **overrides):
    from domain.settings import Settings

    values = dict(data_dir=tmp_path, database_url=db_url, llm_backend="offline", timezone="Asia/Dhaka",
                  rfm_monetary_thresholds=(5000, 2500, 1000, 500), chat_rate_limit_per_minute=0,
                  slack_bot_token="xoxb-test-token", slack_signing_secret=SECRET, slack_api_url=fake.api_url)
    values.update(overrides)
    return Settings(_env_file=None, **values)


@pytest.fixture
def make_rig(db_url, tmp_path, sessions, clock, fake_slack):
    """``make_rig(**settings)`` -> SlackRig on the test database, the offline model and the fixed clock."""
    from agent.runner import Agent
    from channels.http.app import create_app

    made: list[Any] = []
    world: dict[str, int] = {}

    def make(**overrides) -> SlackRig:
        if not world:
            world.update(build_slack_world(sessions, clock))
        settings = slack_settings(db_url, tmp_path, fake_slack, **overrides)
        agent = Agent(settings, sessions, clock)
        app = create_app(agent=agent)
        made.append(agent)
        return SlackRig(app, app.state.slack, agent, fake_slack, sessions, dict(world), settings)

    yield make
    for agent in made:
        agent.close()


@pytest.fixture
def rig(make_rig) -> SlackRig:
    return make_rig()


@pytest.fixture
async def client(rig):
    """An httpx client on the app in this event loop (background work runs here; ``rig.bridge.drain()``)."""
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=rig.app), base_url="http://slack.test") as c:
        yield c
    await rig.bridge.drain(timeout=60)
    rig.bridge.close()


def value_of(blocks: list[dict], action_id: str) -> str:
    """The ``value`` of the button ``action_id`` in a message's blocks."""
    for block in blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element["value"]
    raise AssertionError(f"no {action_id} button")
