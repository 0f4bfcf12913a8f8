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
import openai
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from agent.decisions import ModelUnavailable
from domain.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_WAIT_SECONDS = 30.0  # longest pause between attempts, whatever Retry-After asks


def make_http_client(settings: Settings) -> httpx.Client:
    """An httpx client with explicit timeouts (connect is short: a dead server should fail fast)."""
    total = settings.llm_timeout_seconds
    return httpx.Client(timeout=httpx.Timeout(total, connect=min(10.0, total)))


def make_openai_client(settings: Settings, http_client: httpx.Client | None = None) -> openai.OpenAI:
    """The SDK client for ``settings.llm_base_url``; a self-hosted server needs no key."""
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return openai.OpenAI(
        base_url=settings.llm_base_url or "https://api.openai.com/v1",
        api_key=key,
        http_client=http_client or make_http_client(settings),
        max_retries=0,  # tenacity owns retries, so Retry-After and the test waits apply uniformly
        timeout=settings.llm_timeout_seconds,
    )


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError)):
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
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, usage: Any) -> None:
        if usage is None:
            return
        with self._lock:  # graph nodes may run on worker threads
            self.prompt += getattr(usage, "prompt_tokens", 0) or 0
            self.completion += getattr(usage, "completion_tokens", 0) or 0
            self.completions += 1

    def as_dict(self) -> dict[str, int] | None:
        """{prompt, completion, total}, or None when no completion reported usage."""
        if not self.completions:
            return None
        return {"prompt": self.prompt, "completion": self.completion, "total": self.prompt + self.completion}


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
    """One chat completion with retries; ``model`` defaults to ``settings.llm_model``."""
    kwargs.setdefault("model", settings.llm_model)
    response = call_with_retries(settings, lambda: client.chat.completions.create(**kwargs))
    meter = _token_meter.get()
    if meter is not None:
        meter.add(getattr(response, "usage", None))
    return response
