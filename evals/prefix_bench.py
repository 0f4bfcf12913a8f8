"""First-token latency of turn 1 and turn 2 of one fresh conversation against a running server.

Turn 1 starts with text the server has never seen (a nonce ahead of the agent's instructions), so
nothing of it can come from the prefix cache; turn 2 repeats turn 1 and adds the reply and a new
question, so a server that reuses the prefix reads only the new messages. Streams both turns and
reads the prefix reuse the server reports (llama.cpp's ``timings.cache_n`` / ``prompt_n``, or
``usage.prompt_tokens_details.cached_tokens``). Needs a server; nothing in ``make test`` calls it
except against a local fake.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any, Callable

import httpx

from agent.backends.conversation import system_prompt

TARGET_RATIO = 0.25  # turn 2's first token within a quarter of turn 1's


@dataclass
class TurnTiming:
    first_token_s: float  # request sent -> first streamed content
    total_s: float
    prompt_tokens: int  # the prompt as the server counted it
    cached_tokens: int  # of which came from its prefix cache
    text: str


def _reuse(prompt: int, cached: int) -> float:
    return round(cached / prompt, 3) if prompt else 0.0


def stream_turn(client: httpx.Client, base_url: str, model: str, messages: list[dict[str, Any]],
                max_tokens: int = 48, clock: Callable[[], float] = time.monotonic) -> TurnTiming:
    body = {"model": model, "messages": messages, "stream": True, "max_tokens": max_tokens,
            "temperature": 0, "stream_options": {"include_usage": True}, "cache_prompt": True}
    start = clock()
    first: float | None = None
    text, prompt, cached = [], 0, 0
    with client.stream("POST", base_url.rstrip("/") + "/chat/completions", json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data:") or line[5:].strip() == "[DONE]":
                continue
            chunk = json.loads(line[5:])
            for choice in chunk.get("choices") or []:
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    if first is None:
                        first = clock() - start
                    text.append(piece)
            timings = chunk.get("timings") or {}
            if "prompt_n" in timings:  # llama.cpp: prompt_n tokens read now, cache_n reused
                cached = int(timings.get("cache_n") or 0)
                prompt = cached + int(timings["prompt_n"])
            usage = chunk.get("usage") or {}
            if usage.get("prompt_tokens") and not prompt:
                prompt = int(usage["prompt_tokens"])
                cached = int((usage.get("prompt_tokens_details") or {}).get("cached_tokens") or 0)
    total = clock() - start
    return TurnTiming(first if first is not None else total, total, prompt, cached, "".join(text))


def run(client: httpx.Client, base_url: str, model: str, *, max_tokens: int = 48,
        clock: Callable[[], float] = time.monotonic) -> dict[str, Any]:
    """Two turns of one new conversation; the figures and whether turn 2 met the target."""
    nonce = uuid.uuid4().hex
    messages = [
        {"role": "system", "content": f"Conversation {nonce}.\n\n" + system_prompt(True)},
        {"role": "user", "content": f"Hello, I am staff member {nonce[:8]}. In one sentence: what can you do?"},
    ]
    one = stream_turn(client, base_url, model, messages, max_tokens, clock)
    messages += [{"role": "assistant", "content": one.text},
                 {"role": "user", "content": "Thanks. In one sentence: which customers can you not change?"}]
    two = stream_turn(client, base_url, model, messages, max_tokens, clock)
    return summarize(one, two)


def summarize(one: TurnTiming, two: TurnTiming) -> dict[str, Any]:
    ratio = round(two.first_token_s / one.first_token_s, 3) if one.first_token_s > 0 else None
    return {
        "turn1": {**asdict(one), "reuse": _reuse(one.prompt_tokens, one.cached_tokens)},
        "turn2": {**asdict(two), "reuse": _reuse(two.prompt_tokens, two.cached_tokens)},
        "first_token_ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "met": ratio is not None and ratio <= TARGET_RATIO,
    }
