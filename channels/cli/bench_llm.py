"""``c360 bench-llm``: first-token latency of turn 1 vs turn 2 of a fresh conversation on a real server."""
from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from channels.cli import app

console = Console(stderr=True)


@app.command("bench-llm")
def bench_llm(
    base_url: str = typer.Option(..., "--base-url", envvar="C360_LLM_BASE_URL",
                                 help="The server's OpenAI-compatible /v1 URL."),
    model: str = typer.Option("local", "--model", envvar="C360_LLM_MODEL", help="Model name to send."),
    max_tokens: int = typer.Option(48, "--max-tokens", min=1, help="Tokens to generate per turn."),
    timeout: float = typer.Option(600.0, "--timeout", min=1, help="Seconds one turn may take."),
    out: Path | None = typer.Option(None, "--out", help="Write the figures as JSON here."),
) -> None:
    """Stream two turns of a never-seen conversation; print each turn's first-token time and prefix reuse."""
    import httpx  # only here: `c360 --help` must not load an HTTP client

    from evals.prefix_bench import run

    with httpx.Client(timeout=httpx.Timeout(timeout, connect=5.0)) as client:
        result = run(client, base_url, model, max_tokens=max_tokens)
    for turn in ("turn1", "turn2"):
        t = result[turn]
        console.print(f"{turn}: first token {t['first_token_s']:.2f} s, total {t['total_s']:.2f} s, "
                      f"prompt {t['prompt_tokens']} tokens, {t['cached_tokens']} from the cache "
                      f"({t['reuse']:.0%})")
    console.print(f"turn 2 / turn 1 first token: {result['first_token_ratio']} "
                  f"(target <= {result['target_ratio']}): {'met' if result['met'] else 'NOT met'}")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result))
