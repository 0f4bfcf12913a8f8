"""Break 4: personal data in the logs of a real ``c360 serve``.

Attack: put an email and phone numbers, URL-encoded, in request paths and query strings (the access
log writes them as sent), and send Slack requests that fail verification with message text in them
(Slack's library logs the whole body).
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

import httpx

from tests.channels.fake_slack import FakeSlack, sign
from tests.security.serve import c360_serve

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
PRIVATE = ["faisal0", "gmail.com", "1712345678", "1812 345", "rahim.k", "mangoes for the wedding"]


def test_the_access_log_and_slack_failures_hold_no_personal_data(tmp_path):
    fake = FakeSlack().start()
    env = {"C360_SLACK_BOT_TOKEN": "xoxb-test", "C360_SLACK_SIGNING_SECRET": SECRET,
           "C360_SLACK_API_URL": fake.api_url}
    try:
        with c360_serve(tmp_path, "--log-level", "info", env=env) as served:
            with httpx.Client(base_url=served.base, timeout=10) as http:
                http.get("/customers/faisal0%40gmail.com/360")
                http.get("/customers/%2B8801712345678/timeline")
                http.get("/call-list?" + urlencode({"q": "+880 1812 345678", "who": "rahim.k@example.org"}))
                http.get("/customers/faisal0%2540gmail.com/360")  # encoded twice
                body = urlencode({"payload": json.dumps({"type": "block_actions",
                                                         "text": "mangoes for the wedding"})})
                for headers in (sign("not-the-secret", body), {}):
                    answer = http.post("/slack/events", content=body, headers={
                        "Content-Type": "application/x-www-form-urlencoded", **headers})
                    assert answer.status_code == 401
        log = served.log()
    finally:
        fake.stop()
    assert '"GET /customers/' in log, "the access log is on"
    assert "Invalid request signature" in log or "/slack/events" in log
    from urllib.parse import unquote_plus

    decoded = unquote_plus(unquote_plus(log)).lower()
    leaked = [p for p in PRIVATE if p.lower() in log.lower() or p.lower() in decoded]
    assert leaked == [], f"the log holds {leaked}:\n{log}"
    assert "payload=" not in log and "%22text%22" not in log
