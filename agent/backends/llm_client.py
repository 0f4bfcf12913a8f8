"""The OpenAI-compatible client every LLM feature shares: explicit httpx client, timeouts, retries.

The SDK's own retries are off; tenacity retries 429, 5xx, timeouts and connection errors with
exponential backoff from ``settings.llm_retry_wait_seconds``, honouring the server's Retry-After.
After the last attempt the failure becomes ``ModelUnavailable``, which callers turn into a
sensible reply or a deterministic fallback.
"""
from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from agent.decisions import ModelUnavailable
from domain.lazy import lazy_module
from domain.settings import Settings
from tools import telemetry

openai = lazy_module("openai")  # 0.7 s to import: only when a model server is called

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_WAIT_SECONDS = 30.0  # longest pause between attempts, whatever Retry-After asks


def make_http_client(settings: Settings) -> httpx.Client:
    """An httpx client with explicit timeouts: a short connect (a dead server fails fast), a read long
    enough for one step of a CPU server."""
    return httpx.Client(timeout=httpx.Timeout(settings.llm_timeout_seconds,
                                              connect=min(settings.llm_connect_timeout_seconds,
                                                          settings.llm_timeout_seconds)))


def make_openai_client(settings: Settings, http_client: httpx.Client | None = None) -> openai.OpenAI:
    """The SDK client for ``settings.llm_base_url``; a self-hosted server needs no key."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return openai.OpenAI(
        base_url=settings.llm_base_url or "https://api.openai.com/v1",
        api_key=key,
        http_client=http_client or make_http_client(settings),
        max_retries=0,  # tenacity owns retries, so Retry-After and the test waits apply uniformly
        timeout=httpx.Timeout(settings.llm_timeout_seconds,
                              connect=min(settings.llm_connect_timeout_seconds, settings.llm_timeout_seconds)),
    )


_MODEL_NAMES: dict[tuple[str, int], str] = {}
_MODEL_LOCK = threading.Lock()


def model_name(client: openai.OpenAI, settings: Settings) -> str:
    """The configured model, else the first one the server lists at /v1/models (asked once per client).

    A local server (Ollama, vLLM) answers 404 for a name it does not serve, so guessing is worse than
    asking; OpenAI itself without a configured name gets ``gpt-4o-mini``."""
    if settings.llm_model:
        return settings.llm_model
    key = (str(client.base_url), id(client))
    with _MODEL_LOCK:
        if key in _MODEL_NAMES:
            return _MODEL_NAMES[key]
    name = "gpt-4o-mini"
    if "api.openai.com" not in str(client.base_url):
        try:
            listed = client.models.list()
            ids = [m.id for m in getattr(listed, "data", []) or [] if getattr(m, "id", None)]
            name = ids[0] if ids else name
        except Exception as exc:  # best effort: a server without /v1/models still answers chats
            log.warning("the server did not list its models (%s); sending %s", exc, name)
    with _MODEL_LOCK:
        _MODEL_NAMES[key] = name
    return name


def is_retryable(exc: BaseException) -> bool:
    """Rate limits, server errors and failed connections are retried; a timed-out generation is not:
    at temperature 0 it would spend the same minutes again and time out again."""
    if isinstance(exc, openai.APITimeoutError):
        return False
    if isinstance(exc, openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in (408, 409, 429) or exc.status_code >= 500
    return False


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """The server's Retry-After (seconds or an HTTP date; also retry-after-ms), when it sent one."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    if headers.get("retry-after-ms"):
        try:
            return float(headers["retry-after-ms"]) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(parsed.timestamp() - time.time(), 0.0) if parsed else None


def backoff_wait(base_seconds: float) -> Callable[[RetryCallState], float]:
    """Exponential backoff from ``base_seconds``; Retry-After wins when the server sends it."""

    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(exc)
        if asked is not None:
            return min(asked, MAX_WAIT_SECONDS)
        return min(base_seconds * 2 ** (state.attempt_number - 1), MAX_WAIT_SECONDS)

    return wait


def describe_failure(exc: BaseException) -> tuple[str, int | None]:
    if isinstance(exc, openai.APITimeoutError):
        return "the language model did not answer in time", None
    if isinstance(exc, openai.APIConnectionError):
        return "the language model server could not be reached", None
    if isinstance(exc, openai.RateLimitError):
        return "the language model is rate-limiting requests (HTTP 429)", 429
    if isinstance(exc, openai.APIStatusError):
        return f"the language model server answered with an error (HTTP {exc.status_code})", exc.status_code
    return f"the language model call failed ({type(exc).__name__})", None


def call_with_retries(settings: Settings, fn: Callable[[], T]) -> T:
    """Run ``fn`` with the product's retry policy; raise ModelUnavailable when it keeps failing."""
    retrying = Retrying(
        stop=stop_after_attempt(max(settings.llm_max_retries, 0) + 1),
        wait=backoff_wait(settings.llm_retry_wait_seconds),
        retry=retry_if_exception(is_retryable),
        reraise=True,
        before_sleep=lambda s: log.warning("LLM call failed (%s); retrying", s.outcome.exception()),
    )
    try:
        return retrying(fn)
    except openai.OpenAIError as exc:
        reason, status = describe_failure(exc)
        raise ModelUnavailable(reason, status=status) from exc
    except httpx.HTTPError as exc:
        raise ModelUnavailable(f"the language model call failed ({type(exc).__name__})") from exc


@dataclass
class TokenUsage:
    """Tokens the LLM reported for the completions made inside one ``count_tokens`` block."""

    prompt: int = 0
    completion: int = 0
    completions: int = 0  # completions that reported usage (servers may omit it)
    cached: int = 0  # prompt tokens the server reused from its cache (llama.cpp timings, OpenAI details)
    max_prompt: int = 0  # the largest prompt of one step
    first_token_ms: list[float] = field(default_factory=list)  # per completion: prompt processing time
    per_step: list[dict[str, Any]] = field(default_factory=list)  # per completion: {prompt, cached, completion, ms}
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, usage: Any, timings: dict[str, Any] | None = None) -> None:
        if usage is None:
            return
        with self._lock:  # graph nodes may run on worker threads
            prompt = getattr(usage, "prompt_tokens", 0) or 0
            self.prompt += prompt
            self.completion += getattr(usage, "completion_tokens", 0) or 0
            self.completions += 1
            self.max_prompt = max(self.max_prompt, prompt)
            details = getattr(usage, "prompt_tokens_details", None)
            cached = getattr(details, "cached_tokens", None) if details is not None else None
            prompt_ms = None
            if timings:
                cached = timings.get("cache_n", cached)
                if timings.get("prompt_ms") is not None:
                    prompt_ms = round(float(timings["prompt_ms"]), 1)
                    self.first_token_ms.append(prompt_ms)
            self.cached += int(cached or 0)
            self.per_step.append({"prompt": prompt, "cached": int(cached or 0),
                                  "completion": getattr(usage, "completion_tokens", 0) or 0, "prompt_ms": prompt_ms})

    def as_dict(self) -> dict[str, Any] | None:
        """{prompt, completion, total, steps, max_prompt, cached, first_token_ms}, or None without usage."""
        if not self.completions:
            return None
        out: dict[str, Any] = {"prompt": self.prompt, "completion": self.completion,
                               "total": self.prompt + self.completion, "steps": self.completions,
                               "max_prompt": self.max_prompt, "cached": self.cached}
        if self.first_token_ms:
            out["first_token_ms"] = round(self.first_token_ms[0], 1)
        out["per_step"] = list(self.per_step)
        return out


# a mutable TokenUsage, so worker threads that run with a copy of the context still add to it
_token_meter: ContextVar[TokenUsage | None] = ContextVar("c360_llm_tokens", default=None)


@contextmanager
def count_tokens() -> Iterator[TokenUsage]:
    """Add up the usage of every ``chat`` call made inside the block (the agent's steps and its text tasks)."""
    usage = TokenUsage()
    token = _token_meter.set(usage)
    try:
        yield usage
    finally:
        _token_meter.reset(token)


def chat(client: openai.OpenAI, settings: Settings, **kwargs: Any):
    """One chat completion with retries, always bounded by ``max_tokens``; the model name comes from the
    settings or the server."""
    kwargs.setdefault("model", model_name(client, settings))
    kwargs.setdefault("max_tokens", settings.llm_max_tokens)
    with telemetry.llm_call():  # /metrics: LLM calls by outcome, their duration and tokens
        response = call_with_retries(settings, lambda: client.chat.completions.create(**kwargs))
    telemetry.llm_tokens(getattr(response, "usage", None))
    meter = _token_meter.get()
    if meter is not None:
        timings = getattr(response, "timings", None)  # llama.cpp's extra field (kept by the SDK)
        if timings is None and getattr(response, "model_extra", None):
            timings = response.model_extra.get("timings")
        meter.add(getattr(response, "usage", None), timings if isinstance(timings, dict) else None)
    return response
