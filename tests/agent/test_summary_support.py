"""An LLM post-call summary is accepted only when the call supports its outcome, products and date."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from agent.backends.llm_client import make_http_client
from agent.text.call_summary import _validated, rule_summary
from domain.settings import Settings

NOW = datetime(2026, 11, 25, 11, 0, tzinfo=ZoneInfo("Asia/Dhaka"))  # a Wednesday
PRODUCTS = ["Blue Kettle", "Cotton Panjabi", "Air Fryer 4L"]
CALL = ("Agent: Hello Amit bhai, about the blue kettle you looked at. Amit: I like it but I need to "
        "ask my wife first. Agent: Shall I call you back on Friday? Amit: Yes, Friday is good.")


def answer(**changes):
    base = {"summary": "Amit likes the blue kettle and will decide after asking his wife.",
            "outcome": "callback", "sentiment": "positive", "follow_up_date": "2026-11-27",
            "products": ["Blue Kettle"]}
    return {**base, **changes}


def test_a_summary_the_call_supports_is_accepted():
    rules = rule_summary(CALL, PRODUCTS, NOW)
    assert _validated(answer(), CALL, PRODUCTS, NOW, rules).source == "llm"


def test_outcome_products_or_date_the_call_does_not_support_are_rejected():
    rules = rule_summary(CALL, PRODUCTS, NOW)
    assert _validated(answer(outcome="purchased"), CALL, PRODUCTS, NOW, rules) is None  # nothing was bought
    assert _validated(answer(products=["Blue Kettle", "Cotton Panjabi"]), CALL, PRODUCTS, NOW, rules) is None
    assert _validated(answer(follow_up_date="2026-11-30"), CALL, PRODUCTS, NOW, rules) is None  # Monday, not Friday


def test_timeouts_connect_fast_and_read_for_a_cpu_server():
    settings = Settings(_env_file=None)
    assert settings.llm_timeout_seconds >= 60 and settings.llm_connect_timeout_seconds <= 10
    assert settings.llm_max_tokens > 0 and settings.llm_model is None
    client = make_http_client(settings)
    try:
        assert client.timeout == httpx.Timeout(settings.llm_timeout_seconds,
                                               connect=settings.llm_connect_timeout_seconds)
    finally:
        client.close()
