"""What Slack's library would turn into a 500, answered as the client error it is, before Bolt runs.

Bolt verifies the signature and the timestamp's age, but a timestamp that is not a number, a body
that is not UTF-8, or a body whose content type does not match it (JSON sent as a form, a form
whose ``payload`` is not JSON) made it raise. Every Slack request is one of: a JSON object
(Events API), or a form with ``payload`` (interactivity, a JSON object), ``command`` (slash
commands) or ``ssl_check``. Anything else is refused here.
"""
from __future__ import annotations

import json
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse

FORM = "application/x-www-form-urlencoded"


def _refuse(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail, "error": "invalid" if status != 401 else "unauthorized"},
                        status_code=status)


async def malformed(request: Request) -> JSONResponse | None:
    """A 4xx for a request no Slack client sends; None when Bolt should see it."""
    stamp = request.headers.get("x-slack-request-timestamp", "")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return _refuse(401, "missing or malformed X-Slack-Request-Timestamp")
    raw = await request.body()  # bounded by channels.http.limits; Starlette keeps it for Bolt
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse(400, "the body is not UTF-8")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/json":
        try:
            body = json.loads(text)
        except ValueError:
            return _refuse(400, "the body is not valid JSON")
        return None if isinstance(body, dict) else _refuse(400, "the body must be a JSON object")
    if kind == FORM:
        form = parse_qs(text, keep_blank_values=True)
        if "payload" in form:
            try:
                payload = json.loads(form["payload"][0])
            except ValueError:
                return _refuse(400, "the payload field is not valid JSON")
            return None if isinstance(payload, dict) else _refuse(400, "the payload must be a JSON object")
        if "command" in form or "ssl_check" in form:
            return None
        return _refuse(400, "a form body must carry payload, command or ssl_check")
    return _refuse(415, f"unsupported content type {kind or '(none)'}: Slack sends JSON or a form")
