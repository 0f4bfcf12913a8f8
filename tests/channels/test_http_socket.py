"""The API through a real uvicorn socket: chat, approval, streaming and the page, over TCP."""
from __future__ import annotations

import json

import httpx

from tests.channels.http_fixtures import running_server


def test_chat_approve_and_stream_over_a_real_socket(make_api):
    api = make_api()
    with running_server(api.app) as base, httpx.Client(base_url=base, headers=api.auth(), timeout=30) as http:
        assert http.get("/healthz").json()["status"] == "ok"
        assert "<title>c360" in http.get("/").text
        assert http.get("/static/app.js").status_code == 200
        assert httpx.post(f"{base}/chat", json={"message": "hi"}).status_code == 401

        turn = http.post("/chat", json={"message": "log a call with Rahim Uddin, no answer"}).json()
        assert turn["pending"]["tool"] == "log_interaction"
        done = http.post(f"/chat/{turn['thread_id']}/decision", json={"decision": "approve"}).json()
        assert done["cards"][0]["interaction"]["customer_id"] == api.ids["rahim"]

        kinds, final = [], None
        with http.stream("POST", "/chat/stream", json={"message": "who should I call today?",
                                                       "thread_id": turn["thread_id"]}) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            event = None
            for line in response.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                    kinds.append(event)
                elif line.startswith("data: ") and event == "final":
                    final = json.loads(line[6:])
        assert kinds[0] == "tool" and kinds[-1] == "final" and "text" in kinds
        assert final["thread_id"] == turn["thread_id"]
        assert final["cards"][0]["entries"][0]["name"] == "Rahim Uddin"
        bad = http.post("/chat", content=b"{nope", headers={"Content-Type": "application/json"})
        assert bad.status_code == 400 and "not valid JSON" in bad.json()["detail"]
