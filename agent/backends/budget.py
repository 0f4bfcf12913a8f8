"""A conservative estimate of a chat request's prompt tokens, for budgets checked without a server.

The eval harness reports the server's own count (``usage.prompt_tokens``). Without a server, this
estimate stands in for it: every digit is a token (Qwen2.5 and Llama 3 split numbers digit by digit),
the other characters of the messages and tool schemas count 3.3 to a token, plus the chat
template's few tokens per message. On the 43 recorded real requests
(``../shared/data/llm-recordings``) it is 0-14 % above the server's count, never below. A
``response_format`` schema is not counted: the server turns it into a grammar, not prompt text.
"""
from __future__ import annotations

import json
import math
from typing import Any

PROMPT_BUDGET = 1500  # prompt tokens one step may cost
CHARS_PER_TOKEN = 3.3  # characters other than digits
TOKENS_PER_MESSAGE = 5  # <|im_start|>role\n ... <|im_end|>\n


def estimate_text_tokens(text: str) -> float:
    digits = sum(c.isdigit() for c in text)
    return digits + (len(text) - digits) / CHARS_PER_TOKEN


def estimate_prompt_tokens(body: dict[str, Any]) -> int:
    """Prompt tokens of a chat-completions request body, estimated from the high side."""
    messages = body.get("messages") or []
    parts = []
    for message in messages:
        parts.append(message.get("content") or "")
        if message.get("tool_calls"):
            parts.append(json.dumps(message["tool_calls"]))
    if body.get("tools"):  # the chat template writes the schemas into the prompt
        parts.append(json.dumps(body["tools"], ensure_ascii=False))
    return math.ceil(estimate_text_tokens("".join(parts))) + TOKENS_PER_MESSAGE * len(messages)
