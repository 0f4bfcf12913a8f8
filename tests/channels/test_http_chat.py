"""POST /chat, /chat/stream and /chat/{thread_id}/decision: turns, approvals, ownership, bad input, auth."""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from domain.db import transaction
from domain.models import Interaction
from domain.users import find_user, revoke_tokens


def interactions(api, customer_id: int) -> int:
    with api.sessions() as session:
        return session.scalar(select(func.count()).select_from(Interaction)
                              .where(Interaction.customer_id == customer_id))


def chat(api, message: str, thread_id: str | None = None, who: str = "rina"):
    return api.client.post("/chat", json={"message": message, "thread_id": thread_id}, headers=api.auth(who))


def test_call_list_turn_returns_reply_cards_and_calls(api):
    response = chat(api, "who should I call today?")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"thread_id", "reply", "cards", "pending", "tool_calls"}
    assert body["thread_id"].startswith(f"http-{api.ids['rina']}-")
    assert "Rahim Uddin" in body["reply"]
    assert body["pending"] is None
    [card] = [c for c in body["cards"] if c["tool"] == "call_priority_list"]
    assert card["entries"][0]["name"] == "Rahim Uddin"
    assert card["entries"][0]["reasons"]
    assert [c["name"] for c in body["tool_calls"]] == ["call_priority_list"]
    assert body["tool_calls"][0]["ok"] is True


def test_log_call_waits_for_approval_then_writes_once(api):
    before = interactions(api, api.ids["rahim"])
    first = chat(api, "log a call with Rahim Uddin, no answer")
    body = first.json()
    assert first.status_code == 200, first.text
    pending = body["pending"]
    assert pending["tool"] == "log_interaction"
    assert pending["customer"] == {"id": api.ids["rahim"], "name": "Rahim Uddin"}
    assert pending["arguments"]["outcome"] == "no_answer"
    assert "Approve" in body["reply"]
    assert interactions(api, api.ids["rahim"]) == before  # nothing written before approval

    done = api.client.post(f"/chat/{body['thread_id']}/decision", json={"decision": "approve"}, headers=api.auth())
    assert done.status_code == 200, done.text
    result = done.json()
    assert result["pending"] is None
    assert [c["tool"] for c in result["cards"]] == ["log_interaction"]
    assert result["cards"][0]["interaction"]["outcome"] == "no_answer"
    assert interactions(api, api.ids["rahim"]) == before + 1

    # a retried approval (its answer lost) gets the committed outcome, not "nothing waits"; written once
    again = api.client.post(f"/chat/{body['thread_id']}/decision", json={"decision": "approve"}, headers=api.auth())
    assert again.status_code == 200, again.text
    assert again.json()["cards"][0]["interaction"]["id"] == result["cards"][0]["interaction"]["id"]
    assert interactions(api, api.ids["rahim"]) == before + 1


def test_cancel_writes_nothing_and_edit_changes_the_write(api):
    before = interactions(api, api.ids["rahim"])
    thread = chat(api, "log a call with Rahim Uddin, no answer").json()["thread_id"]
    cancelled = api.client.post(f"/chat/{thread}/decision", json={"decision": "cancel"}, headers=api.auth())
    assert cancelled.status_code == 200
    assert cancelled.json()["pending"] is None
    assert interactions(api, api.ids["rahim"]) == before

    assert chat(api, "log a call with Rahim Uddin, no answer", thread).json()["pending"] is not None
    no_changes = api.client.post(f"/chat/{thread}/decision", json={"decision": "edit"}, headers=api.auth())
    assert no_changes.status_code == 422
    assert "changes" in no_changes.json()["detail"]
    edited = api.client.post(f"/chat/{thread}/decision", headers=api.auth(),
                             json={"decision": "edit", "changes": {"outcome": "callback"}})
    assert edited.status_code == 200, edited.text
    body = edited.json()
    if body["pending"] is not None:  # the agent shows the edited write again before writing it
        body = api.client.post(f"/chat/{thread}/decision", json={"decision": "approve"}, headers=api.auth()).json()
    assert body["cards"][-1]["interaction"]["outcome"] == "callback"
    assert interactions(api, api.ids["rahim"]) == before + 1


def test_a_thread_continues_and_belongs_to_its_creator(api):
    thread = chat(api, "who should I call today?").json()["thread_id"]
    follow = chat(api, "tell me about Rahim Uddin", thread)
    assert follow.status_code == 200
    assert follow.json()["thread_id"] == thread
    assert any(c["tool"] == "get_360" for c in follow.json()["cards"])

    stolen = chat(api, "who should I call today?", thread, who="karim")
    assert stolen.status_code == 404
    assert stolen.json()["detail"] == chat(api, "hi", "http-999-unknown", who="karim").json()["detail"].replace(
        "http-999-unknown", thread)
    decision = api.client.post(f"/chat/{thread}/decision", json={"decision": "approve"}, headers=api.auth("karim"))
    assert decision.status_code == 404


@pytest.mark.parametrize("thread_id", ["http-1-doesnotexist", "slack-C1-123.45", "cli-1-abc"])
def test_unknown_thread_is_404_with_a_message(api, thread_id):
    response = chat(api, "hello", thread_id)
    assert response.status_code == 404
    assert "thread_id null" in response.json()["detail"]


def test_stream_sends_tool_steps_text_then_the_final_result(api):
    with api.client.stream("POST", "/chat/stream", json={"message": "who should I call today?"},
                           headers=api.auth()) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = "".join(response.iter_text())
    events = []
    for block in raw.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    kinds = [k for k, _ in events]
    assert kinds[0] == "tool" and kinds[-1] == "final"
    assert set(kinds[1:-1]) == {"text"}
    assert events[0][1]["name"] == "call_priority_list"
    final = events[-1][1]
    assert "".join(d["text"] for k, d in events if k == "text") == final["reply"]
    assert final["cards"][0]["tool"] == "call_priority_list"

    again = api.client.post("/chat/stream", json={"message": "tell me about Rahim Uddin",
                                                  "thread_id": final["thread_id"]}, headers=api.auth())
    assert '"name": "get_360"' in again.text
    assert api.client.post("/chat/stream", json={"message": "hi", "thread_id": "http-1-nope"},
                           headers=api.auth()).status_code == 404


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("body, status, words", [
    (b'{"message": "who', 400, "not valid JSON"),
    (b"not json at all", 400, "not valid JSON"),
    (b"{}", 422, "message: this field is required"),
    (b"[]", 422, "JSON object"),
    (b'{"message": 42}', 422, "message"),
    (b'{"message": "   "}', 422, "empty"),
    (b'{"message": ""}', 422, "message"),
    (b'{"message": "hi", "thread_id": "../../etc"}', 422, "thread_id"),
    (b'{"message": "hi", "colour": "red"}', 422, "colour"),
])
def test_bad_chat_bodies_get_a_4xx_saying_what_is_wrong(api, body, status, words):
    response = api.client.post("/chat", content=body, headers={**api.auth(), "Content-Type": "application/json"})
    assert response.status_code == status, response.text
    assert words in response.json()["detail"]


def test_a_9kb_message_is_refused_with_413(api):
    response = chat(api, "x" * 9 * 1024)
    assert response.status_code == 413
    assert "9216 bytes" in response.json()["detail"] and "8 KB" in response.json()["detail"]
    # the limit is in bytes: 3,000 Bengali letters are 9,000 bytes
    assert chat(api, "ক" * 3000).status_code == 413
    assert chat(api, "x" * 8192).status_code == 200


@pytest.mark.parametrize("body, words", [
    ({"decision": "maybe"}, "decision"),
    ({}, "decision: this field is required"),
    ({"decision": "edit", "changes": "outcome=callback"}, "changes"),
])
def test_bad_decisions_get_422(api, body, words):
    thread = chat(api, "log a call with Rahim Uddin, no answer").json()["thread_id"]
    response = api.client.post(f"/chat/{thread}/decision", json=body, headers=api.auth())
    assert response.status_code == 422
    assert words in response.json()["detail"]


# --- auth -------------------------------------------------------------------------------------

def test_no_wrong_or_revoked_token_get_the_same_401(api):
    answers = [api.client.post("/chat", json={"message": "who should I call today?"}),
               api.client.post("/chat", json={"message": "hi"}, headers={"Authorization": "Bearer nope"}),
               api.client.post("/chat", json={"message": "hi"}, headers={"Authorization": f"Basic {api.tokens['rina']}"})]
    with transaction(api.sessions) as session:
        revoke_tokens(session, find_user(session, "Rina Akter"), now=api.agent.clock.now())
    answers.append(chat(api, "who should I call today?"))
    answers.append(api.client.post("/chat/stream", json={"message": "hi"}, headers=api.auth()))
    answers.append(api.client.post("/chat/http-1-x/decision", json={"decision": "approve"}, headers=api.auth()))
    assert {r.status_code for r in answers} == {401}
    assert len({r.text for r in answers}) == 1
    assert answers[0].headers["www-authenticate"] == "Bearer"
    assert chat(api, "who should I call today?", who="karim").status_code == 200


def test_rate_limit_answers_429_with_retry_after(make_api):
    api = make_api(chat_rate_limit_per_minute=2)
    assert chat(api, "who should I call today?").status_code == 200
    assert chat(api, "who should I call today?").status_code == 200
    third = chat(api, "who should I call today?")
    assert third.status_code == 429
    assert int(third.headers["retry-after"]) >= 1
    assert "2 chat turns" in third.json()["detail"]
    assert chat(api, "who should I call today?", who="karim").status_code == 200  # per user


def test_a_bug_is_a_500_with_an_incident_id_not_a_traceback(api):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    api.agent.run_turn = broken
    # as a real server would: the exception is answered, not re-raised into the test
    client = TestClient(api.app, raise_server_exceptions=False)
    response = client.post("/chat", json={"message": "who should I call today?"}, headers=api.auth())
    assert response.status_code == 500
    assert "incident" in response.json()["detail"]
    assert "secret" not in response.text
