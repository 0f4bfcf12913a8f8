"""One JSON answer from the configured LLM for a text task, masked on the way out; None on any failure.

Text tasks are never essential: each caller has a deterministic fallback, so every failure here
(no LLM configured, server error, timeout, unparseable answer) is just ``None``.
"""
from __future__ import annotations

import logging
from typing import Any

import httpx

from agent.backends import resolve_backend_name
from agent.backends.llm_client import chat, make_openai_client
from agent.backends.openai_json import extract_json_object
from agent.decisions import ModelUnavailable
from agent.privacy import Masker
from domain.settings import Settings
from prompts import render

log = logging.getLogger(__name__)


class TextLLM:
    """The LLM used for grounded text, or nothing when the settings choose the offline model."""

    def __init__(self, settings: Settings, http_client: httpx.Client | None = None):
        self.settings = settings
        self.enabled = resolve_backend_name(settings) in ("openai", "openai-json")
        self.client = make_openai_client(settings, http_client) if self.enabled else None

    def masker(self) -> Masker:
        return Masker(self.settings.phone_region)

    def complete_json(self, prompt: str, schema: dict[str, Any], masker: Masker, **slots: Any) -> dict[str, Any] | None:
        """Render ``prompt`` with ``slots``, masked; ask for one JSON object; return it still masked, so the
        caller checks it against the masked facts and then unmasks it with the same masker."""
        if not self.enabled:
            return None
        text = masker.mask(render(prompt, **slots))
        try:
            response = chat(self.client, self.settings, temperature=0,
                            messages=[{"role": "user", "content": text}],
                            response_format={"type": "json_schema",
                                             "json_schema": {"name": prompt, "schema": schema}})
        except ModelUnavailable as exc:
            log.info("text task %s falls back to its template: %s", prompt, exc.reason)
            return None
        content = response.choices[0].message.content or ""
        value = extract_json_object(content)
        if value is None:
            log.info("text task %s: the answer was not JSON; using the template", prompt)
            return None
        return value
