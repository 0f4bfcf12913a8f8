"""docs/slack.md followed literally by a new user: every ``c360`` line of its ``sh`` blocks, in order,
in subprocesses (the product's real CLI) against a fresh data folder, the two secrets in ``.env``
as step 3 says, ``c360 serve`` started as step 4 says, the local fake Slack Web API standing in for
Slack; then a signed mention (step 6) and the answer posted in its thread."""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.channels.fake_slack import FakeSlack, event_body, mention, sign

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "slack.md"
SECRET = "8f2c-doc-walkthrough-signing-secret"
APP_TOKEN = "xapp-1-A0001-1234-doc-walkthrough"


def doc_commands() -> list[list[str]]:
    """The ``c360`` command lines of the doc's ``sh`` blocks, in order, comments dropped."""
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "c360":
                lines.append(words)
    return lines


@pytest.fixture
def fake():
    f = FakeSlack()
    f.start()
    yield f
    f.stop()


def test_docs_slack_md_followed_literally_gets_to_an_answered_mention(tmp_path, fake):
    walk(tmp_path, fake, socket=None)


def test_docs_slack_md_in_socket_mode_gets_to_an_answered_mention(tmp_path, fake):
    import asyncio
    import threading

    from tests.channels.fake_socket_mode import FakeSocketMode

    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    socket = asyncio.run_coroutine_threadsafe(FakeSocketMode().__aenter__(), loop).result(10)
    fake.socket_url = socket.url
    try:
        walk(tmp_path, fake, socket=(socket, loop))
    finally:
        asyncio.run_coroutine_threadsafe(socket.__aexit__(None, None, None), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)


def walk(tmp_path, fake, socket) -> None:
    commands = doc_commands()
    assert [c[:3] for c in commands][:2] == [["c360", "slack", "manifest"]] * 2
    here = tmp_path / "team"  # where the new user runs c360
    here.mkdir()
    way = f"C360_SLACK_APP_TOKEN={APP_TOKEN}" if socket else f"C360_SLACK_SIGNING_SECRET={SECRET}"
    (here / ".env").write_text(f"C360_SLACK_BOT_TOKEN=xoxb-1-doc-walkthrough\n{way}\n")  # step 3
    assert sum(1 for line in (here / ".env").read_text().splitlines() if line.startswith("C360_SLACK_")) == 2
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("C360_")},
           "PYTHONPATH": str(ROOT), "C360_DATA_DIR": str(tmp_path / "data"), "C360_SLACK_API_URL": fake.api_url}

    def c360(words: list[str], **kw) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "channels.cli", *words[1:]], cwd=here, env=env,
                              capture_output=True, text=True, timeout=180, **kw)

    port = None
    server = None
    try:
        for words in commands:
            if words[1] == "serve":  # step 4: c360 runs from here on
                port = _free_port()  # the doc says 8360; other test runs may hold it
                words = [*words[:words.index("--port") + 1], str(port)]
                log = open(tmp_path / "serve.log", "w")
                server = subprocess.Popen([sys.executable, "-m", "channels.cli", *words[1:]], cwd=here, env=env,
                                          stdout=log, stderr=subprocess.STDOUT)
                _wait_for(tmp_path / "serve.log",
                          "Slack is on: Socket Mode" if socket else "Slack is on: events at /slack/events", server)
                continue
            line = " ".join(words)
            target = None
            if ">" in words:  # the shell's redirection: the output into a file
                target = here / words[words.index(">") + 1]
                words = words[:words.index(">")]
            done = c360(words)
            assert done.returncode == 0, f"{line}: {done.stderr}"
            if target is not None:
                target.write_text(done.stdout)
                if target.name.endswith(".yaml"):  # what the new user pastes into Slack: Slack's schema
                    import jsonschema
                    import yaml

                    from tests.channels.test_slack_manifest import SCHEMA

                    jsonschema.validate(yaml.safe_load(target.read_text()), SCHEMA)
            if words[1:3] == ["slack", "manifest"]:  # step 1's check
                for scope in "app_mentions:read chat:write commands im:history im:read im:write users:read".split():
                    assert scope in done.stdout
                for event in ("app_home_opened", "app_mention", "message.im"):
                    assert event in done.stdout
        assert server is not None, "the doc never starts c360"
        listed = c360(["c360", "users", "list"])  # step 5's check
        assert "U0123RINA" in listed.stdout and "U0456KARIM" in listed.stdout, listed.stdout

        # step 6: Rina mentions the app in a channel
        body = event_body(mention("who should I call today?", user="U0123RINA", ts="1764000000.100"), "Ev-doc-1")
        if socket:  # Slack sends it over the websocket c360 opened
            import asyncio

            fake_socket, loop = socket
            envelope = asyncio.run_coroutine_threadsafe(fake_socket.send("events_api", json.loads(body)),
                                                        loop).result(10)
            ack = asyncio.run_coroutine_threadsafe(fake_socket.acked(envelope), loop).result(30)
            assert ack == {"envelope_id": envelope}
        else:  # Slack posts it, signed, to the request URL
            answer = httpx.post(f"http://127.0.0.1:{port}/slack/events", content=body,
                                headers={"Content-Type": "application/json", **sign(SECRET, body)}, timeout=30)
            assert answer.status_code == 200
        [posted] = fake.wait_for("chat.postMessage", 1, timeout=90)
        assert posted.body["thread_ts"] == "1764000000.100" and posted.body["channel"] == "C0001"
        assert posted.headers["Authorization"] == "Bearer xoxb-1-doc-walkthrough"
        assert "call" in json.dumps(posted.body).lower()
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json()
        assert health["slack"] is True
        if socket:
            assert health["slack_socket_mode"]["state"] == "connected"
            [opened] = fake.of("apps.connections.open")
            assert opened.headers["Authorization"] == f"Bearer {APP_TOKEN}"
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(log: Path, text: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        assert process.poll() is None, f"c360 serve ended: {log.read_text()[-2000:]}"
        time.sleep(0.2)
    raise AssertionError(f"no {text!r} in the log: {log.read_text()[-2000:]}")
