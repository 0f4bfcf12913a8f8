"""``c360 users`` issues and revokes the tokens the HTTP API accepts; ``GET /demo-token`` in demo mode."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import channels.cli.users  # noqa: F401  (registers the commands)
from channels.cli import app as cli
from domain.settings import get_settings

runner = CliRunner()


@pytest.fixture
def cli_env(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("C360_DATABASE_URL", db_url)
    monkeypatch.setenv("C360_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("C360_NOW", "2026-11-20T10:30:00+06:00")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def users(*args: str):
    return runner.invoke(cli, ["users", *args])


def test_users_add_prints_a_token_the_api_accepts_until_revoked(cli_env, api):
    added = users("add", "Sadia Islam", "--role", "manager", "--slack-id", "U0SADIA")
    assert added.exit_code == 0, added.output
    token = added.stdout.strip()
    assert "shown once" in added.stderr
    me = api.client.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["name"] == "Sadia Islam" and me.json()["role"] == "manager"

    second = users("token", "sadia islam")
    assert second.exit_code == 0
    token2 = second.stdout.strip()
    assert token2 != token
    listed = users("list")
    assert "Sadia Islam" in listed.stdout and "U0SADIA" in listed.stdout

    one = users("revoke-token", "Sadia Islam", "--token", token)
    assert one.exit_code == 0 and "revoked 1 token of Sadia Islam" in one.stdout
    assert api.client.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert api.client.get("/me", headers={"Authorization": f"Bearer {token2}"}).status_code == 200
    rest = users("revoke-token", "Sadia Islam")
    assert "revoked 1 token" in rest.stdout
    assert api.client.get("/me", headers={"Authorization": f"Bearer {token2}"}).status_code == 401


@pytest.mark.parametrize("args, words", [
    (["add", "Rina Akter"], "already exists"),
    (["add", "Someone", "--slack-id", "U0SAME"], "already belongs"),
    (["token", "Nobody Here"], "no user named"),
    (["revoke-token", "Rina Akter", "--token", "not-a-token"], "not a live token"),
])
def test_user_commands_explain_mistakes(cli_env, api, args, words):
    assert users("add", "Other Person", "--slack-id", "U0SAME").exit_code == 0
    result = users(*args)
    assert result.exit_code == 1
    assert words in " ".join(result.stderr.split())


def test_bad_role_is_refused_by_the_cli(cli_env):
    result = users("add", "Someone", "--role", "boss")
    assert result.exit_code == 2
    assert "boss" in result.stderr


def test_demo_token_is_off_by_default(api):
    response = api.client.get("/demo-token")
    assert response.status_code == 404
    assert "demo mode is off" in response.json()["detail"]


def test_demo_token_in_demo_mode_for_loopback_clients_only(make_api):
    api = make_api(demo_mode=True)
    response = api.client.get("/demo-token")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["user"] == "Demo Agent" and body["role"] == "agent"
    me = api.client.get("/me", headers={"Authorization": f"Bearer {body['token']}"}).json()
    assert me["name"] == "Demo Agent"
    chat = api.client.post("/chat", json={"message": "who should I call today?"},
                           headers={"Authorization": f"Bearer {body['token']}"})
    assert chat.status_code == 200 and chat.json()["cards"]

    remote = TestClient(api.app, client=("203.0.113.9", 4000))
    assert remote.get("/demo-token").status_code == 403
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):
        proxied = api.client.get("/demo-token", headers={header: "203.0.113.9"})
        assert proxied.status_code == 403
        assert "own machine" in proxied.json()["detail"]
    assert api.client.get("/healthz").json()["demo_mode"] is True
