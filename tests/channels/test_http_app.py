"""The app factory's Slack hook: off without settings, a clear log when the module is missing, and
``channels.slack.mount_slack(app, runtime)`` called when configured."""
from __future__ import annotations

import logging
import sys
import types

from fastapi import FastAPI
from fastapi.testclient import TestClient

from channels.http.deps import ServerRuntime

SLACK = {"slack_bot_token": "xoxb-test", "slack_signing_secret": "secret"}


def test_slack_is_off_without_token_and_secret(make_api, caplog):
    with caplog.at_level(logging.INFO, logger="c360.http"):
        api = make_api(slack_bot_token="xoxb-only-a-token")
    assert "Slack is off: set C360_SLACK_BOT_TOKEN and C360_SLACK_SIGNING_SECRET" in caplog.text
    assert api.client.get("/healthz").json()["slack"] is False
    assert api.client.post("/slack/events", json={}).status_code == 404


def test_configured_slack_without_the_module_says_so(make_api, caplog, monkeypatch):
    monkeypatch.setitem(sys.modules, "channels.slack", None)  # as if the package were not there
    with caplog.at_level(logging.INFO, logger="c360.http"):
        api = make_api(**SLACK)
    assert "Slack is configured but this build has no Slack channel" in caplog.text
    assert api.client.get("/healthz").json()["slack"] is False


def test_configured_slack_is_mounted_with_the_runtime(make_api, monkeypatch):
    mounted: list[ServerRuntime] = []
    fake = types.ModuleType("channels.slack")

    def mount_slack(app: FastAPI, runtime: ServerRuntime) -> None:
        mounted.append(runtime)
        app.add_api_route("/slack/events", lambda: {"ok": True}, methods=["POST"])

    fake.mount_slack = mount_slack
    monkeypatch.setitem(sys.modules, "channels.slack", fake)
    api = make_api(**SLACK)
    [runtime] = mounted
    assert runtime.agent is api.agent and runtime.sessions is api.sessions
    assert runtime.settings.slack_signing_secret.get_secret_value() == "secret"
    assert TestClient(api.app).post("/slack/events").json() == {"ok": True}
    assert api.client.get("/healthz").json()["slack"] is True
