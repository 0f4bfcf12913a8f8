"""The turn-1 / turn-2 first-token bench against a local fake server with a prefix cache and a
clock that advances with the prompt tokens it has to read."""
from __future__ import annotations

import json

import httpx

from evals.prefix_bench import TurnTiming, run, summarize


class FakeCachingServer:
    """Streams SSE like llama.cpp: reads 1 ms per uncached character before the first token, reuses the
    longest common prefix with the previous prompt, reports ``timings.prompt_n`` / ``cache_n``."""

    def __init__(self):
        self.now = 0.0
        self.previous = ""
        self.bodies: list[dict] = []

    def clock(self) -> float:
        return self.now

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        prompt = "".join(m["role"] + m["content"] for m in body["messages"])
        common = 0
        for a, b in zip(prompt, self.previous):
            if a != b:
                break
            common += 1
        self.previous = prompt
        fresh = len(prompt) - common

        def chunks():
            self.now += fresh * 0.001
            for word in ("I ", "can ", "help."):
                self.now += 0.01
                yield f'data: {json.dumps({"choices": [{"delta": {"content": word}}]})}\n\n'.encode()
            done = {"choices": [], "timings": {"prompt_n": fresh, "cache_n": common}}
            yield f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode()

        return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=chunks())


def test_turn_two_reuses_the_prefix_and_its_first_token_is_measured():
    server = FakeCachingServer()
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        result = run(client, "http://llm.test/v1", "m", clock=server.clock)
    one, two = result["turn1"], result["turn2"]
    assert one["cached_tokens"] == 0 and one["reuse"] == 0.0  # a never-seen conversation
    assert two["cached_tokens"] > 0.8 * two["prompt_tokens"] and two["reuse"] > 0.8
    assert one["text"] == "I can help."
    assert all(b["stream"] and b["max_tokens"] == 48 for b in server.bodies)
    assert result["first_token_ratio"] == round(two["first_token_s"] / one["first_token_s"], 3)
    assert result["met"] is True
    # two runs never share turn 1's text: nothing of it could come from an earlier run's cache
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        again = run(client, "http://llm.test/v1", "m", clock=server.clock)
    assert again["turn1"]["reuse"] < 0.05


def test_summary_arithmetic():
    one = TurnTiming(first_token_s=8.0, total_s=10.0, prompt_tokens=1000, cached_tokens=0, text="a")
    two = TurnTiming(first_token_s=1.6, total_s=3.0, prompt_tokens=1200, cached_tokens=1050, text="b")
    result = summarize(one, two)
    assert result["first_token_ratio"] == 0.2 and result["met"] is True
    assert result["turn2"]["reuse"] == 0.875
    slow = summarize(one, TurnTiming(4.0, 5.0, 1200, 0, "c"))
    assert slow["first_token_ratio"] == 0.5 and slow["met"] is False
