"""A tool result costs a bounded share of a step's prompt, counted from the high side, on a busy
world: a 360 of a customer with a long history and a call list of ten rows."""
from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import respx

from domain.enums import Role
from tools.context import Actor
from agent.backends.budget import PROMPT_BUDGET, estimate_prompt_tokens
from tests.agent.llm_mock import BASE_URL, MockLLM, is_agent_step
from tests.factories import make_customer, make_interaction, make_order, make_product, make_user

RESULT_BUDGET = 500  # estimated tokens a get_360 or 10-row call-list result may add to a step (it added 700-855)
RECORDINGS = Path(__file__).parent / "data" / "qwen2.5-coder-1.5b-llamacpp.jsonl"  # real requests and counts


@pytest.fixture
def busy(sessions):
    """Rina with fourteen customers; Nasrin has years of orders and calls, the rest a little each."""
    with sessions() as session, session.begin():
        rina = make_user(session, "Rina Akter")
        products = [make_product(session, name, price=price) for name, price in
                    [("Blue Kettle", 4500), ("Cotton Saree", 3200), ("Rice Cooker", 6100), ("Tea Set", 2100)]]
        nasrin = make_customer(session, "Nasrin Sultana", phone="01711000001", email="nasrin@example.com",
                               city="Dhaka", assigned_to=rina, tags=["vip", "eid-buyer"])
        start = date(2026, 1, 5)
        for i in range(24):
            make_order(session, nasrin, at=start + timedelta(days=13 * i), amount=1500 + 250 * i,
                       items=[products[i % 4]])
            make_interaction(session, nasrin, at=start + timedelta(days=13 * i + 2), outcome="interested",
                             notes=f"Talked about the {products[i % 4].name} and delivery to Dhanmondi, round {i}",
                             user=rina, products=[products[i % 4]])
        for n in range(13):
            other = make_customer(session, f"Customer Number{n} Hossain", phone=f"0181200{n:04d}",
                                  city="Chattogram" if n % 2 else "Dhaka", assigned_to=rina)
            for k in range(1 + n % 4):
                make_order(session, other, at=date(2026, 6, 1) + timedelta(days=30 * k + n), amount=900 + 100 * n,
                           items=[products[(n + k) % 4]])
        return {"rina": rina.id, "nasrin": nasrin.id}


@pytest.fixture(params=["openai", "openai-json"])
def mode(request):
    return request.param


def _carries(body, tool: str) -> bool:
    return any(f'<data tool="{tool}">' in (m.get("content") or "") for m in body["messages"])


def _run(mode, settings_for, agents, busy, script, ask):
    mock = MockLLM(mode, steps_only=True).add(*script)
    client = httpx.Client()
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=mock)
        router.get("/models").mock(return_value=httpx.Response(200, json={"data": [{"id": "test-model"}]}))
        settings = settings_for(llm_backend=mode, llm_base_url=BASE_URL, llm_api_key="test-key")
        agent = agents(settings, http_client=client)
        agent.run_turn(f"budget-{uuid.uuid4().hex}", Actor(id=busy["rina"], name="Rina Akter", role=Role.agent), ask)
    client.close()
    return [b for b in mock.bodies if is_agent_step(b)]


def test_a_360_step_stays_under_the_budget(mode, settings_for, agents, busy):
    steps = _run(mode, settings_for, agents, busy,
                 [("tool", "get_360", {"customer": "Nasrin Sultana"}), ("reply", "Nasrin Sultana from Dhaka.")],
                 "Tell me everything about Nasrin Sultana")
    assert len(steps) == 2 and _carries(steps[1], "get_360")
    sizes = [estimate_prompt_tokens(b) for b in steps]
    assert max(sizes) <= PROMPT_BUDGET, sizes
    assert sizes[1] - sizes[0] <= RESULT_BUDGET, sizes  # the tool call and its result in the model's view


def test_a_ten_row_call_list_step_stays_under_the_budget(mode, settings_for, agents, busy):
    steps = _run(mode, settings_for, agents, busy,
                 [("tool", "call_priority_list", {"limit": 10}), ("reply", "Here is your list.")],
                 "Who should I call today? Show me 10")
    assert len(steps) == 2 and _carries(steps[1], "call_priority_list")
    sizes = [estimate_prompt_tokens(b) for b in steps]
    assert max(sizes) <= PROMPT_BUDGET, sizes
    assert sizes[1] - sizes[0] <= RESULT_BUDGET, sizes  # the tool call and its result in the model's view


def test_the_estimate_is_never_below_the_servers_count():
    rows = [json.loads(line) for line in RECORDINGS.read_text().splitlines() if line.strip()]
    counted = [(estimate_prompt_tokens(r["request"]), r["response"]["usage"]["prompt_tokens"])
               for r in rows if (r.get("response") or {}).get("usage")]
    assert len(counted) >= 40
    assert all(real <= estimate <= real * 1.2 for estimate, real in counted), counted
