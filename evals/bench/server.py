"""Turns over HTTP and Slack acknowledgements, against ``c360 serve`` run as a subprocess on loopback.

The server runs on the bench database with the frozen clock and the offline model; its Slack Web
API points at a local fake, so nothing leaves the machine. Clients are bounded in count and time.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path

import httpx

from domain.db import transaction
from domain.users import issue_token
from evals.bench.agent_turns import Played, Step, play, script, turn_rows
from evals.bench.fake_slack import FakeSlackApi, signed_mention
from evals.bench.measure import Row, Target, summarize, unavailable
from evals.bench.world import BENCH_SLACK_ID, World
from tools.context import Actor

SLACK_ACK_TARGET = Target("p99", 3000)  # Slack retries an event it has not seen acknowledged within 3 s
HTTP_LABEL = "agent turn over HTTP"
SLACK_LABEL = "Slack event acknowledgement"
START_TIMEOUT = 120.0
LAUNCH = "import sys; from channels.cli import main; sys.argv[0] = 'c360'; main()"


@dataclass
class Served:
    """A running server: where it listens, its Slack secret, and the conversations it held."""

    base_url: str
    slack_secret: str
    fake: FakeSlackApi
    log_path: Path
    threads: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(world: World, port: int, secret: str, slack_api: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("C360_")}
    s = world.settings
    env.update({
        "C360_DATABASE_URL": s.resolved_database_url, "C360_DATA_DIR": str(s.data_dir.resolve()),
        "C360_NOW": s.now.isoformat() if s.now else "", "C360_TIMEZONE": s.timezone,
        "C360_LLM_BACKEND": "offline", "C360_LLM_BASE_URL": "", "C360_LLM_API_KEY": "",
        "C360_CHAT_RATE_LIMIT_PER_MINUTE": "0", "C360_DEMO_MODE": "false",
        "C360_RFM_MONETARY_THRESHOLDS": json.dumps(list(s.rfm_monetary_thresholds)),
        "C360_HOST": "127.0.0.1", "C360_PORT": str(port), "C360_DIGEST_AT": "",
        # Slack always points at the local fake: a .env with real Slack secrets must not reach slack.com
        "C360_SLACK_BOT_TOKEN": "xoxb-c360-bench", "C360_SLACK_SIGNING_SECRET": secret,
        "C360_SLACK_API_URL": slack_api,
    })
    return env


@contextmanager
def running_server(world: World, *, env: dict[str, str] | None = None,
                   log_path: Path | None = None) -> Iterator[Served]:
    """``c360 serve`` on a free loopback port until the block ends (then SIGINT, so Slack work drains).

    ``env`` overrides the server's settings (e.g. ``C360_CHAT_RATE_LIMIT_PER_MINUTE``); its output goes
    to ``log_path`` (default ``<data_dir>/bench/serve.log``)."""
    port, secret = free_port(), secrets.token_hex(16)
    log_path = (log_path or world.settings.data_dir / "bench" / "serve.log").resolve()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with FakeSlackApi() as fake, open(log_path, "w", encoding="utf-8") as log:
        env = {**_server_env(world, port, secret, fake.api_url), **(env or {})}
        process = subprocess.Popen([sys.executable, "-c", LAUNCH, "serve", "--log-level", "warning"],
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
        served = Served(f"http://127.0.0.1:{port}", secret, fake, log_path)
        try:
            _wait_healthy(served.base_url, process, log_path)
            yield served
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(base_url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"c360 serve exited with code {process.returncode}; see {log_path}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"c360 serve did not answer /healthz within {START_TIMEOUT:.0f} s; see {log_path}")


def http_rows(world: World, served: Served, actor: Actor, name: str, *, clients: int, rounds: int,
              seconds: float) -> list[Row]:
    """``clients`` concurrent conversations, ``rounds`` each at most, stopping after ``seconds``."""
    with transaction(world.sessions) as session:
        token = issue_token(session, actor, now=world.clock.now()).token
    steps = script(name)
    deadline = time.monotonic() + seconds

    def client_run(index: int) -> tuple[Played, list[str]]:
        server_threads: dict[str, str] = {}
        with httpx.Client(base_url=served.base_url, timeout=120,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            def run_step(thread: str, step: Step):
                if step.message is None:
                    answer = http.post(f"/chat/{server_threads[thread]}/decision", json={"decision": "approve"})
                else:
                    answer = http.post("/chat", json={"message": step.message,
                                                      "thread_id": server_threads.get(thread)})
                if answer.status_code != 200:
                    return [{"name": "http", "ok": False, "error": f"{answer.status_code} {answer.text[:200]}"}], None
                data = answer.json()
                server_threads[thread] = data["thread_id"]
                return data.get("tool_calls") or [], data.get("pending")

            played = play(steps, rounds, run_step, prefix=f"http{index}", deadline=deadline)
        return played, list(server_threads.values())

    with httpx.Client(base_url=served.base_url, timeout=120, headers={"Authorization": f"Bearer {token}"}) as http:
        warm = http.post("/chat", json={"message": steps[0].message, "thread_id": None})  # the server's caches
        if warm.status_code == 200:
            served.threads.append(warm.json()["thread_id"])
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(client_run, range(clients)))
    wall = time.perf_counter() - began
    merged = Played({s.kind: [] for s in steps}, [], [], wall)
    for played, threads in results:
        for kind, durations in played.durations.items():
            merged.durations[kind].extend(durations)
        merged.problems += played.problems
        served.threads += threads
    return turn_rows(merged, f"{HTTP_LABEL} ({clients} clients)", per_second=merged.turns / wall if wall else None,
                     clients=clients)


def slack_available(world: World) -> str | None:
    """Why the Slack row cannot be measured here, or None when it can."""
    from sqlalchemy import inspect

    if find_spec("channels.slack") is None or find_spec("slack_bolt") is None:
        return "no Slack channel (channels.slack / slack-bolt) in this build"
    with world.engine.connect() as conn:
        if not inspect(conn).has_table("slack_deliveries"):
            return "the database has no slack_deliveries table (run the migrations)"
    return None


def slack_rows(world: World, served: Served, name: str, *, events: int, interval: float) -> list[Row]:
    """``events`` signed app_mention events, one every ``interval`` s; the time to each 200 is the ack."""
    why = slack_available(world)
    if why:
        return [unavailable(SLACK_LABEL, why, SLACK_ACK_TARGET)]
    channel, run = "CBENCH", secrets.token_hex(4)
    messages = ["who should I call today?", f"show me {name}"]
    durations, failures = [], []
    with httpx.Client(base_url=served.base_url, timeout=30) as http:
        for i in range(-1, events):  # -1: the warm-up (Bolt checks its token once with auth.test)
            started = time.perf_counter()
            ts = f"{1800000000 + i + 1}.{int(run, 16) % 1000000:06d}"
            body, headers = signed_mention(served.slack_secret, user=BENCH_SLACK_ID, text=messages[i % 2],
                                           channel=channel, ts=ts, event_id=f"Ev{run}{i + 1}")
            answer = http.post("/slack/events", content=body, headers=headers)
            elapsed = time.perf_counter() - started
            served.threads.append(f"slack:TC360BENCH:{channel}:{ts}")
            if answer.status_code == 404:
                return [unavailable(SLACK_LABEL, "the server did not mount /slack/events", SLACK_ACK_TARGET)]
            if answer.status_code != 200:
                failures.append(f"{answer.status_code} {answer.text[:120]}")
            elif i >= 0:
                durations.append(elapsed)
            time.sleep(max(0.0, interval - (time.perf_counter() - started)))
    # let the answers reach the fake Web API before the server stops (bounded)
    posted = served.fake.wait_for("chat.postMessage", events + 1, timeout=max(60.0, 5.0 * events))
    row = summarize(SLACK_LABEL, durations, target=SLACK_ACK_TARGET, interval_s=interval,
                    answers_posted=posted, events_sent=events + 1)
    row.per_second = None  # the events are paced, so acks per second would only echo the interval
    if failures:
        row.note = f"{len(failures)} event(s) not acknowledged with 200, first: {failures[0]}"
    return [row]


def served_rows(world: World, actor: Actor, name: str, *, clients: int, rounds: int, seconds: float,
                slack_events: int, slack_interval: float) -> tuple[list[Row], list[str]]:
    """The HTTP and Slack rows (marked not available when the server or Slack is missing), and the
    conversation ids the server used (to delete from the checkpointer afterwards)."""
    http_label = f"{HTTP_LABEL} ({clients} clients): all turns"
    if find_spec("channels.http.app") is None:
        return [unavailable(http_label, "no HTTP channel in this build"),
                unavailable(SLACK_LABEL, "no HTTP channel in this build", SLACK_ACK_TARGET)], []
    try:
        with running_server(world) as served:
            rows = http_rows(world, served, actor, name, clients=clients, rounds=rounds, seconds=seconds)
            rows += slack_rows(world, served, name, events=slack_events, interval=slack_interval)
    except RuntimeError as exc:
        return [unavailable(http_label, str(exc)), unavailable(SLACK_LABEL, str(exc), SLACK_ACK_TARGET)], []
    return rows, served.threads
