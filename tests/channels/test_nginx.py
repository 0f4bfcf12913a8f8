"""The path past one machine: Debian's nginx with deploy/nginx/c360.conf in front of two ``c360 serve``
processes on one database. A chat turn proposed through one process is approved through the proxy
(whichever process answers) and written once; a Slack event is acknowledged and answered; both
processes take requests; /metrics stays off the proxy. Skipped when nginx is not installed."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from domain.models import Interaction
from domain.users import issue_token
from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    RINA_SLACK,
    SECRET,
    build_slack_world,
    event_body,
    fake_slack,
    mention,
    sign,
)
from tests.conftest import BACKENDS

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)

pytestmark = [
    pytest.mark.skipif(NGINX is None, reason="needs Debian's nginx: apt-get install -y nginx"),
    # the documented path: PostgreSQL shared by the processes (SQLite when PostgreSQL is not tested)
    pytest.mark.parametrize("db_url", ["postgresql" if "postgresql" in BACKENDS else "sqlite"], indirect=True),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def wait_until_up(url: str, process: subprocess.Popen, what: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while True:
        assert process.poll() is None, f"{what} exited: " + (process.stdout.read() or b"").decode()[-3000:]
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"{what} did not start in {timeout:.0f} s"
        time.sleep(0.3)


def nginx_config(tmp_path: Path, listen: int, upstreams: list[int]) -> Path:
    """deploy/nginx/c360.conf with the test's ports, inside a main config that keeps nginx's files in tmp."""
    site = (ROOT / "deploy" / "nginx" / "c360.conf").read_text()
    site = site.replace("listen 8360;", f"listen 127.0.0.1:{listen};")
    site = site.replace("127.0.0.1:8361", f"127.0.0.1:{upstreams[0]}").replace("127.0.0.1:8362",
                                                                           f"127.0.0.1:{upstreams[1]}")
    (tmp_path / "c360.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(f"""daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    log_format upstream '$upstream_addr $status $request_uri';
    access_log {tmp_path}/access.log upstream;
    client_body_temp_path {tmp_path}/body;
    proxy_temp_path {tmp_path}/proxy;
    fastcgi_temp_path {tmp_path}/fastcgi;
    uwsgi_temp_path {tmp_path}/uwsgi;
    scgi_temp_path {tmp_path}/scgi;
    include {tmp_path}/c360.conf;
}}
""")
    return main


def test_two_c360_processes_behind_nginx_share_chat_approvals_and_slack(db_url, sessions, clock, tmp_path,
                                                                        fake_slack):
    ids = build_slack_world(sessions, clock)
    with sessions.begin() as session:
        from domain.models import User

        token = issue_token(session, session.get(User, ids["rina"]), now=clock.now()).token
    env = {**os.environ, "C360_DATABASE_URL": db_url, "C360_DATA_DIR": str(tmp_path),
           "C360_NOW": "2026-11-20T10:30:00+06:00", "C360_TIMEZONE": "Asia/Dhaka", "C360_LLM_BACKEND": "offline",
           "C360_SLACK_BOT_TOKEN": "xoxb-test-token", "C360_SLACK_SIGNING_SECRET": SECRET,
           "C360_SLACK_API_URL": fake_slack.api_url, "C360_CHAT_RATE_LIMIT_PER_MINUTE": "0"}
    ports = [free_port(), free_port()]
    listen = free_port()
    processes: list[subprocess.Popen] = []
    try:
        for port in ports:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "channels.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
                 "--no-demo", "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True))
        for port, process in zip(ports, processes):
            wait_until_up(f"http://127.0.0.1:{port}/healthz", process, f"c360 serve on {port}")
        proxy = subprocess.Popen([NGINX, "-p", str(tmp_path), "-c", str(nginx_config(tmp_path, listen, ports))],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        processes.append(proxy)
        wait_until_up(f"http://127.0.0.1:{listen}/healthz", proxy, "nginx")

        with httpx.Client(base_url=f"http://127.0.0.1:{listen}", timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            before = logged(sessions, ids["rahim"])
            proposed = http.post("/chat", json={"message": "log a call with Rahim Uddin, no answer"})
            assert proposed.status_code == 200, proposed.text
            assert proposed.headers.get("x-request-id")
            thread = proposed.json()["thread_id"]
            assert proposed.json()["pending"]["tool"] == "log_interaction"
            assert logged(sessions, ids["rahim"]) == before
            approved = http.post(f"/chat/{thread}/decision", json={"decision": "approve"})
            assert approved.status_code == 200, approved.text
            again = http.post(f"/chat/{thread}/decision", json={"decision": "approve"})  # a double click
            # nothing waits any more, on either process: the retry answers the committed write (issue 11)
            assert again.status_code == 200, again.text
            assert again.json()["cards"][0]["interaction"]["id"] == approved.json()["cards"][0]["interaction"]["id"]
            assert logged(sessions, ids["rahim"]) == before + 1
            for _ in range(3):
                assert http.get("/healthz").status_code == 200

            body = event_body(mention("who should I call today?", user=RINA_SLACK, ts="1763600000.000100"),
                              "Ev-nginx-1")
            ack = http.post("/slack/events", content=body,
                            headers={"Content-Type": "application/json", **sign(SECRET, body)})
            assert ack.status_code == 200, ack.text
            posted = fake_slack.wait_for("chat.postMessage", timeout=60)
            assert any("Rahim Uddin" in str(call.body) for call in posted)

            assert http.get("/metrics").status_code == 404  # per process, never through the proxy
        served_by = {line.split()[0] for line in (tmp_path / "access.log").read_text().splitlines()
                     if line.split()[0] != "-"}
        assert served_by == {f"127.0.0.1:{port}" for port in ports}, served_by
    finally:
        for process in reversed(processes):
            stop(process, signal.SIGQUIT if process.args[0] == NGINX else signal.SIGTERM)


def logged(sessions, customer_id: int) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Interaction).where(Interaction.customer_id == customer_id))
