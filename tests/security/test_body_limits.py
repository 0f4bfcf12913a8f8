"""Break 5: memory exhaustion before authentication.

Attack: unauthenticated POSTs announcing or streaming huge bodies, to ``/chat`` and to
``/slack/events``, over a real socket of a real ``c360 serve``. The server must answer 413 from the
``Content-Length`` alone, and stop a streamed (chunked) body once it passes the limit, before
anything parses it.
"""
from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.channels.fake_slack import FakeSlack
from tests.security.serve import c360_serve

ROUTES = ["/chat", "/chat/stream", "/slack/events", "/chat/t1/decision", "/no/such/route"]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    fake = FakeSlack().start()
    env = {"C360_SLACK_BOT_TOKEN": "xoxb-test", "C360_SLACK_SIGNING_SECRET": "s3cret", "C360_SLACK_API_URL": fake.api_url}
    try:
        with c360_serve(tmp_path_factory.mktemp("limits"), env=env) as server:
            yield server
    finally:
        fake.stop()


def raw_request(port: int, head: str, body: bytes, timeout: float = 5.0) -> bytes:
    """Send the head and part of a body; the first bytes of the answer (b"" when none came in time)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(head.encode() + body)
        try:
            return conn.recv(4096)
        except TimeoutError:
            return b""


@pytest.mark.parametrize("path", ROUTES)
def test_a_huge_content_length_is_refused_before_the_body_is_read(served, path):
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {100 * 1024 * 1024}\r\n\r\n")
    answer = raw_request(served.port, head, b"{" + b" " * 1024)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


@pytest.mark.parametrize("path", ROUTES[:-1])  # an unknown route never reads the body: 404 at once
def test_a_streamed_body_is_cut_off_at_the_limit(served, path):
    def chunks():
        for _ in range(64):  # 4 MiB in 64 KiB pieces, no Content-Length
            yield b" " * 65536

    with httpx.Client(base_url=served.base, timeout=30) as http:
        # a well-formed Slack timestamp, so /slack/events reads the body (a malformed one is refused unread)
        answer = http.post(path, content=chunks(), headers={"Content-Type": "application/json",
                                                            "X-Slack-Request-Timestamp": str(int(time.time()))})
    assert answer.status_code == 413
    assert "too large" in answer.json()["detail"]


def test_normal_requests_still_pass(served):
    with httpx.Client(base_url=served.base, timeout=30) as http:
        assert http.post("/chat", json={"message": "hi"}).status_code == 401  # reaches authentication
        assert http.get("/healthz").status_code == 200
