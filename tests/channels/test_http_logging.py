"""Every request has an id: echoed in X-Request-ID and stamped on every log line the request causes,
with the agent turn's id too; no phone number, email or message text reaches the log."""
from __future__ import annotations

import logging

from agent.runner import Agent
from domain import logs


def test_request_and_turn_ids_are_on_every_line_and_nothing_private(api, caplog, monkeypatch):
    probe = logging.getLogger("c360.test.probe")
    original = Agent._result

    def logged_result(self, thread_id):  # a line from inside the turn, naming private data
        probe.warning("turn for rahim@example.com +8801712345678")
        return original(self, thread_id)

    monkeypatch.setattr(Agent, "_result", logged_result)
    logs.install()
    try:
        with caplog.at_level(logging.INFO):
            answer = api.client.post("/chat", json={"message": "who should I call today?"}, headers={
                **api.auth(), "X-Request-ID": "req-abc-123"})
    finally:
        logs.uninstall()
    assert answer.status_code == 200 and answer.headers["X-Request-ID"] == "req-abc-123"
    [line] = [r for r in caplog.records if r.name == "c360.test.probe"]
    assert line.request_id == "req-abc-123" and line.turn_id
    text = line.getMessage()
    assert "rahim@example.com" not in text and "8801712345678" not in text


def test_a_malformed_request_id_is_replaced(api):
    answer = api.client.get("/healthz", headers={"X-Request-ID": "bad id with spaces\n"})
    rid = answer.headers["X-Request-ID"]
    assert rid != "bad id with spaces\n" and len(rid) == 12
