"""More than one server process on one PostgreSQL database: two real ``c360 serve`` processes hold the
chat rate limit together, serialise one conversation (two approvals of the same write at once, one on
each process: written once) and run the daily refresh once, with the survivor taking over when the
leader dies; ``c360 serve --workers 2`` shares the limit between its workers; SQLite refuses workers."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import delete, select
from typer.testing import CliRunner

from domain.models import DailyRun, User
from domain.users import issue_token
from tests.channels.fake_slack import build_slack_world
from tests.channels.test_nginx import free_port, logged, stop, wait_until_up
from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 4


class Servers:
    """``c360 serve`` processes started by a test, each logging to its own file."""

    def __init__(self, db_url: str, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("C360_")},
                    "C360_DATABASE_URL": db_url, "C360_DATA_DIR": str(tmp_path),
                    "C360_NOW": "2026-11-20T10:30:00+06:00", "C360_TIMEZONE": "Asia/Dhaka",
                    "C360_LLM_BACKEND": "offline", "C360_CHAT_RATE_LIMIT_PER_MINUTE": str(LIMIT),
                    "C360_LEADER_POLL_SECONDS": "0.3"}
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def start(self, *args: str) -> str:
        port = free_port()
        log = self.tmp_path / f"serve-{port}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "channels.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--no-demo", "--log-level", "info", *args],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes.append(process)
        self.logs.append(log)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/healthz", process, f"c360 serve on {port}")
        return base

    def log(self, index: int) -> str:
        return self.logs[index].read_text(errors="replace")

    def count(self, text: str) -> int:
        return sum(self.log(i).count(text) for i in range(len(self.logs)))

    def stop_all(self) -> None:
        for process in self.processes:
            stop(process)


@pytest.fixture
def servers(db_url, tmp_path):
    running = Servers(db_url, tmp_path)
    yield running
    running.stop_all()


def _token(sessions, clock, user_id: int) -> str:
    with sessions.begin() as session:
        return issue_token(session, session.get(User, user_id), now=clock.now()).token


def _wait_for(condition, what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(0.2)


def _refresh_runs(sessions) -> list[DailyRun]:
    with sessions() as session:
        return list(session.scalars(select(DailyRun).where(DailyRun.job == "refresh")))


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
@pytest.mark.skipif("postgresql" not in BACKENDS, reason="several processes share PostgreSQL; not tested here")
def test_two_processes_hold_the_rate_limit_serialise_a_conversation_and_refresh_once(db_url, sessions, clock,
                                                                                     servers):
    ids = build_slack_world(sessions, clock)
    auth = {"Authorization": f"Bearer {_token(sessions, clock, ids['rina'])}"}
    first, second = servers.start(), servers.start()
    a, b = (httpx.Client(base_url=base, timeout=120, headers=auth) for base in (first, second))
    with a, b:
        # one conversation, its write approved on both processes at the same moment: written once
        before = logged(sessions, ids["rahim"])
        proposed = a.post("/chat", json={"message": "log a call with Rahim Uddin, no answer"})  # turn 1
        assert proposed.status_code == 200, proposed.text
        assert proposed.json()["pending"]["tool"] == "log_interaction"
        thread = proposed.json()["thread_id"]
        with ThreadPoolExecutor(2) as pool:
            answers = list(pool.map(lambda http: http.post(f"/chat/{thread}/decision", json={"decision": "approve"}),
                                    (a, b)))
        # the second approval waits for the first (whichever process each reached) and answers its committed
        # outcome: not a 409 for a write caught half-done, not the write run again into the gate's
        # idempotency record (a replayed result)
        assert [r.status_code for r in answers] == [200, 200], "\n".join(r.text for r in answers)
        assert not any('"replayed":true' in r.text for r in answers), "\n".join(r.text for r in answers)
        written = {r.json()["cards"][0]["interaction"]["id"] for r in answers}
        assert len(written) == 1  # both answers name the one interaction written
        assert logged(sessions, ids["rahim"]) == before + 1

        # the rate limit counts the turns on both processes together
        for http in (b, a, b):  # turns 2, 3 and 4
            answer = http.post("/chat", json={"message": "who should I call today?"})
            assert answer.status_code == 200, answer.text
        for http in (a, b):
            refused = http.post("/chat", json={"message": "who should I call today?"})
            assert refused.status_code == 429, refused.text
            assert 1 <= int(refused.headers["Retry-After"]) <= 61

    # the daily refresh ran once, in the leader; the other process keeps asking but never runs it
    _wait_for(lambda: servers.count("daily refresh:") >= 1, "a daily refresh")
    time.sleep(1.5)  # five polls of each process
    assert servers.count("daily refresh:") == 1
    [run] = _refresh_runs(sessions)
    pids = [p.pid for p in servers.processes]
    leader = pids.index(int(run.runner.rsplit(":", 1)[1]))
    survivor = 1 - leader
    assert "leads c360.daily-refresh" in servers.log(leader)
    assert "leads c360.daily-refresh" not in servers.log(survivor)

    # the leader dies without a word: the survivor takes the lead, and today's refresh is not run again
    os.killpg(servers.processes[leader].pid, signal.SIGKILL)
    servers.processes[leader].wait()
    _wait_for(lambda: "leads c360.daily-refresh" in servers.log(survivor), "the survivor taking the lead")
    time.sleep(1.0)
    assert servers.count("daily refresh:") == 1
    # a day without a refresh yet (its record gone): the new leader runs it
    with sessions.begin() as session:
        session.execute(delete(DailyRun))
    _wait_for(lambda: servers.log(survivor).count("daily refresh:") == 1, "the new leader's refresh")
    [run] = _refresh_runs(sessions)
    assert run.runner.endswith(f":{pids[survivor]}")


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
@pytest.mark.skipif("postgresql" not in BACKENDS, reason="several processes share PostgreSQL; not tested here")
def test_workers_of_one_serve_share_the_rate_limit(db_url, sessions, clock, servers):
    ids = build_slack_world(sessions, clock)
    auth = {"Authorization": f"Bearer {_token(sessions, clock, ids['rina'])}"}
    base = servers.start("--workers", "2")
    supervisor = servers.processes[0].pid
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    workers = [pid for pid in children if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text(errors="replace")]
    assert len(workers) == 2

    def turn(_: int) -> int:
        with httpx.Client(base_url=base, timeout=120, headers=auth) as http:  # a new connection each
            return http.post("/chat", json={"message": "who should I call today?"}).status_code

    with ThreadPoolExecutor(2 * LIMIT) as pool:
        statuses = list(pool.map(turn, range(2 * LIMIT)))
    assert sorted(statuses) == [200] * LIMIT + [429] * LIMIT
    assert "1 worker" not in servers.log(0) and "2 worker processes" in servers.log(0)


def test_serve_refuses_workers_on_sqlite_and_names_the_fix(tmp_path, monkeypatch):
    import channels.cli.serve  # noqa: F401  (registers the command)
    from channels.cli import app
    from domain.settings import get_settings

    monkeypatch.setenv("C360_DATABASE_URL", f"sqlite:///{tmp_path / 'c360.db'}")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--workers", "2"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "--workers 2 needs PostgreSQL" in result.output and "C360_DATABASE_URL" in result.output
