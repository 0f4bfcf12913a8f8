"""Thin adapters over the agent: Slack, the HTTP endpoint, the web page and the CLI."""
