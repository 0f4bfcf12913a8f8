"""Slack through a real uvicorn socket: the server's lifespan, acknowledgement latency under load."""
from __future__ import annotations

import statistics
import threading
import time
from contextlib import contextmanager

import httpx
import uvicorn
from sqlalchemy import func, select

from domain.models.channels import SlackDelivery
from tests.channels.fake_slack import (  # noqa: F401  (fixtures)
    RINA_SLACK,
    SECRET,
    event_body,
    fake_slack,
    make_rig,
    mention,
    rig,
    sign,
)

ACK_DEADLINE = 3.0  # Slack's: an event not acknowledged in 3 s is retried


@contextmanager
def serve(app):
    """The app under uvicorn on a free loopback port, lifespan included; yields the base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True  # the Slack lifespan lets background work finish first
        thread.join(60)


def signed_post(http: httpx.Client, body: str, **headers: str) -> httpx.Response:
    return http.post("/slack/events", content=body,
                     headers={"Content-Type": "application/json", **sign(SECRET, body), **headers})


def ack_latencies(http: httpx.Client, events: int, prefix: str) -> list[float]:
    """Seconds from sending each signed mention to Slack's 200, one after another."""
    timings = []
    for i in range(events):
        body = event_body(mention("who should I call today?", user=RINA_SLACK, ts=f"17636{i:05d}.000100"),
                          f"{prefix}-{i}")
        began = time.perf_counter()
        answer = signed_post(http, body)
        timings.append(time.perf_counter() - began)
        assert answer.status_code == 200
    return timings


def p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def test_mention_over_a_real_socket_is_answered_in_its_thread(rig):
    with serve(rig.app) as url, httpx.Client(base_url=url, timeout=10) as http:
        body = event_body(mention("who should I call today?", user=RINA_SLACK, ts="1763609999.000100"), "Ev-sock")
        assert signed_post(http, body).status_code == 200
        forged = http.post("/slack/events", content=body,
                           headers={"Content-Type": "application/json", **sign("wrong", body)})
        assert forged.status_code == 401
        [posted] = rig.fake.wait_for("chat.postMessage")
        assert posted.body["thread_ts"] == "1763609999.000100" and "Rahim Uddin" in str(posted.body["blocks"])
        assert signed_post(http, body, **{"X-Slack-Retry-Num": "1"}).status_code == 200


def test_acknowledgements_stay_fast_while_answers_run(rig):
    """Every event is acknowledged well inside Slack's 3 s while the agent works through them all."""
    events = 40
    with serve(rig.app) as url, httpx.Client(base_url=url, timeout=10) as http:
        signed_post(http, event_body(mention("hi", user=RINA_SLACK, ts="1.1"), "Ev-warm"))  # bolt's auth.test
        timings = ack_latencies(http, events, "Ev-load")
        rig.fake.wait_for("chat.postMessage", count=events + 1, timeout=300)
    with rig.sessions() as session:
        assert session.scalar(select(func.count(SlackDelivery.id))) == events + 1
    p50, p99 = p(timings, 50), p(timings, 99)
    print(f"\nSlack ack latency over {events} events: p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms")
    assert p99 < ACK_DEADLINE / 3, f"p99 {p99:.3f}s"
