"""A local stand-in for Slack's Web API (loopback only) and Slack-signed event requests.

The server under test posts its answers here instead of to slack.com, so the Slack row of the
benchmark never uses the network. Only the methods the event flow calls are answered.
"""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

from slack_sdk.signature import SignatureVerifier

BOT_USER, TEAM = "UC360BOT", "TC360BENCH"


class FakeSlackApi:
    """Answers Web API calls like Slack does (minimal fields) and counts them per method."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.lock = threading.Condition()
        self._ts = 0
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet: the benchmark prints its own table
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                method = self.path.split("/api/", 1)[-1].split("?")[0]
                payload = json.dumps(fake.answer(method)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def answer(self, method: str) -> dict[str, Any]:
        with self.lock:
            self.counts[method] += 1
            self._ts += 1
            ts = f"1800000000.{self._ts:06d}"
            self.lock.notify_all()
        if method == "auth.test":
            return {"ok": True, "url": "https://c360-bench.slack.com/", "team": "Bench", "user": "c360",
                    "team_id": TEAM, "user_id": BOT_USER, "bot_id": "BC360BOT"}
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            return {"ok": True, "ts": ts, "message_ts": ts, "channel": "CBENCH"}
        if method in ("views.publish", "views.open"):
            return {"ok": True, "view": {"id": f"V{ts}"}}
        return {"ok": False, "error": "unknown_method"}

    def wait_for(self, method: str, count: int, timeout: float) -> int:
        """How many ``method`` calls arrived, waiting up to ``timeout`` s for ``count`` of them."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while self.counts[method] < count and (left := deadline - time.monotonic()) > 0:
                self.lock.wait(left)
            return self.counts[method]

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def signed_mention(secret: str, *, user: str, text: str, channel: str, ts: str, event_id: str) -> tuple[str, dict]:
    """An ``app_mention`` Events API request: its JSON body and Slack's signature headers."""
    event = {"type": "app_mention", "user": user, "text": f"<@{BOT_USER}> {text}", "ts": ts, "channel": channel,
             "event_ts": ts, "team": TEAM}
    body = json.dumps({"token": "legacy", "team_id": TEAM, "api_app_id": "AC360BENCH", "type": "event_callback",
                       "event_id": event_id, "event_time": int(time.time()), "event": event,
                       "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]})
    stamp = int(time.time())
    signature = SignatureVerifier(secret).generate_signature(timestamp=str(stamp), body=body)
    headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(stamp),
               "X-Slack-Signature": signature}
    return body, headers
