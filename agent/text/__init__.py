"""Grounded LLM text, each with a deterministic fallback: insight explanations, post-call summaries,
reply wording. ``GroundedText`` plugs them into the graph (``annotate_result``, ``enrich_write``)."""
from __future__ import annotations

import logging
from typing import Any

import httpx
from sqlalchemy import select

from agent.text.call_summary import CallSummary, looks_like_transcript, suggested_log_fields, summarize_call
from agent.text.insights import annotate_360, annotate_call_list, explain
from agent.text.llm import TextLLM
from agent.text.wording import reword
from domain.db import read_session
from domain.models import Product
from domain.settings import Settings
from tools.context import ToolContext

log = logging.getLogger(__name__)
PRODUCT_LIMIT = 2000  # catalogue names offered to the summary; more would not fit a prompt anyway

__all__ = ["GroundedText", "CallSummary", "summarize_call", "explain", "reword"]


class GroundedText:
    """The grounded text tasks for one agent, on its LLM (or none: then every task uses its template)."""

    def __init__(self, settings: Settings, http_client: httpx.Client | None = None):
        self.llm = TextLLM(settings, http_client)

    def annotate_result(self, name: str, payload: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
        """A tool result with its grounded text added: explanations for 360s and call lists, a reworded draft."""
        if name == "get_360":
            return annotate_360(payload, self.llm)
        if name == "call_priority_list":
            return annotate_call_list(payload, self.llm)
        if name == "draft_reply" and self.llm.enabled:
            return {**payload, "worded": reword(payload, self.llm)}
        return payload

    def enrich_write(self, name: str, arguments: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
        """Fields to propose for a write: a post-call summary when log_interaction's notes are a transcript.

        Never raises: logging a call must not fail because a summary could not be made."""
        if name != "log_interaction" or not looks_like_transcript(arguments.get("notes") or ""):
            return {}
        try:
            summary = self.summarize(arguments["notes"], ctx)
            return suggested_log_fields(arguments, summary)
        except Exception:
            log.exception("post-call summary failed; the call is logged as written")
            return {}

    def summarize(self, text: str, ctx: ToolContext) -> CallSummary:
        with read_session(ctx.sessions) as session:
            products = list(session.scalars(select(Product.name).order_by(Product.id).limit(PRODUCT_LIMIT)))
        return summarize_call(text, products=products, now=ctx.clock.now(), llm=self.llm)
