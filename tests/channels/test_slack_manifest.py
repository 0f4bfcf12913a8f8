"""`c360 slack manifest`: valid against the manifest schema as Slack documents it (required keys,
lengths, scopes and events that exist), covering every listener, and the same as docs/slack-manifest.yaml."""
from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

import channels.cli.slack  # noqa: F401  (registers the command)
from channels.cli import app
from channels.slack.manifest import BOT_EVENTS, BOT_SCOPES, manifest
from domain.errors import DomainError

# Slack's bot token scopes and Events API event types (api.slack.com/scopes, /events), the ones an
# app of this kind can ask for: a misspelt or invented name fails the enum.
KNOWN_BOT_SCOPES = [
    "app_mentions:read", "channels:history", "channels:join", "channels:read", "chat:write",
    "chat:write.customize", "chat:write.public", "commands", "files:read", "files:write", "groups:history",
    "groups:read", "im:history", "im:read", "im:write", "mpim:history", "mpim:read", "mpim:write",
    "reactions:read", "reactions:write", "team:read", "users:read", "users:read.email", "users.profile:read",
]
KNOWN_BOT_EVENTS = [
    "app_home_opened", "app_mention", "app_uninstalled", "channel_created", "member_joined_channel",
    "message.channels", "message.groups", "message.im", "message.mpim", "reaction_added", "team_join",
    "tokens_revoked", "user_change",
]
URL = {"type": "string", "pattern": "^https://[^\\s/]+(/\\S*)?$"}
SCHEMA = {
    "type": "object",
    "required": ["display_information"],
    "additionalProperties": False,
    "properties": {
        "_metadata": {"type": "object", "properties": {"major_version": {"type": "integer"},
                                                        "minor_version": {"type": "integer"}}},
        "display_information": {
            "type": "object", "required": ["name"], "additionalProperties": False,
            "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 35},
                           "description": {"type": "string", "maxLength": 140},
                           "long_description": {"type": "string", "minLength": 174, "maxLength": 4000},
                           "background_color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"}}},
        "features": {"type": "object", "additionalProperties": False, "properties": {
            "app_home": {"type": "object", "additionalProperties": False, "properties": {
                k: {"type": "boolean"} for k in ("home_tab_enabled", "messages_tab_enabled",
                                                 "messages_tab_read_only_enabled")}},
            "bot_user": {"type": "object", "required": ["display_name"], "properties": {
                "display_name": {"type": "string", "minLength": 1, "maxLength": 80},
                "always_online": {"type": "boolean"}}},
            "slash_commands": {"type": "array", "maxItems": 50, "items": {
                "type": "object", "required": ["command", "description"], "additionalProperties": False,
                "properties": {"command": {"type": "string", "pattern": "^/[a-z0-9_-]{1,31}$"},
                               "url": URL, "description": {"type": "string", "minLength": 1, "maxLength": 2000},
                               "usage_hint": {"type": "string", "maxLength": 1000},
                               "should_escape": {"type": "boolean"}}}}}},
        "oauth_config": {"type": "object", "properties": {"scopes": {"type": "object", "properties": {
            "bot": {"type": "array", "maxItems": 255, "uniqueItems": True,
                    "items": {"enum": KNOWN_BOT_SCOPES}}}}}},
        "settings": {"type": "object", "additionalProperties": False, "properties": {
            "event_subscriptions": {"type": "object", "properties": {
                "request_url": URL,
                "bot_events": {"type": "array", "maxItems": 100, "uniqueItems": True,
                               "items": {"enum": KNOWN_BOT_EVENTS}}}},
            "interactivity": {"type": "object", "required": ["is_enabled"], "properties": {
                "is_enabled": {"type": "boolean"}, "request_url": URL}},
            "org_deploy_enabled": {"type": "boolean"}, "socket_mode_enabled": {"type": "boolean"},
            "token_rotation_enabled": {"type": "boolean"}}},
    },
}


def test_the_manifest_validates_against_the_documented_schema():
    jsonschema.validate(manifest("https://c360.example.com/"), SCHEMA)


def test_every_request_url_is_the_bolt_route_and_every_listener_is_subscribed():
    m = manifest("https://desk.example.com/c360")
    urls = {m["settings"]["event_subscriptions"]["request_url"], m["settings"]["interactivity"]["request_url"],
            *(c["url"] for c in m["features"]["slash_commands"])}
    assert urls == {"https://desk.example.com/c360/slack/events"}
    # the listeners: app_mention, message (DMs only), app_home_opened; the worker opens DMs and posts
    assert set(BOT_EVENTS) == {"app_mention", "message.im", "app_home_opened"}
    assert {"chat:write", "im:write", "commands", "app_mentions:read", "im:history"} <= set(BOT_SCOPES)
    assert m["features"]["app_home"]["home_tab_enabled"] and m["settings"]["interactivity"]["is_enabled"]


@pytest.mark.parametrize("url", ["http://c360.example.com", "c360.example.com", "https://"])
def test_a_url_slack_cannot_call_is_refused(url):
    with pytest.raises(DomainError) as err:
        manifest(url)
    assert err.value.field == "url"


def test_the_command_prints_what_docs_slack_manifest_yaml_holds():
    result = CliRunner().invoke(app, ["slack", "manifest", "--url", "https://c360.example.com"])
    assert result.exit_code == 0
    committed = Path(__file__).resolve().parents[2] / "docs" / "slack-manifest.yaml"
    assert result.output == committed.read_text()
    jsonschema.validate(yaml.safe_load(result.output), SCHEMA)
    bad = CliRunner().invoke(app, ["slack", "manifest", "--url", "http://localhost:8360"])
    assert bad.exit_code == 2 and "https://" in bad.output


def test_the_socket_mode_manifest_has_no_request_urls():
    m = manifest(None, socket_mode=True)
    jsonschema.validate(m, SCHEMA)
    assert m["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in m["settings"]["event_subscriptions"]
    assert "request_url" not in m["settings"]["interactivity"]
    assert "url" not in m["features"]["slash_commands"][0]
    with pytest.raises(DomainError) as err:
        manifest(None)
    assert err.value.field == "url"
    printed = CliRunner().invoke(app, ["slack", "manifest", "--socket-mode", "--json"])
    assert printed.exit_code == 0 and yaml.safe_load(printed.output) == m
