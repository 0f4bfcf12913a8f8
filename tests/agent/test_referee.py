"""The user's words referee an LLM (respx on the SDK's httpx client): invented arguments, untraceable
customers, replies without tools and ungrounded answers never reach the user or the database."""
from __future__ import annotations

import json

import httpx
import pytest
import respx
from sqlalchemy import func, select

from agent.backends.tool_schemas import step_schema
from agent.turn_report import turn_report
from domain.models import FamilyMember
from tests.agent.llm_mock import BASE_URL, MockLLM
from tools.registry import load_tools, openai_tools


@pytest.fixture(params=["openai", "openai-json"])
def refereed(request, settings_for, agents):
    mock = MockLLM(request.param, steps_only=True)
    client = httpx.Client()
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=mock)
        router.get("/models").mock(return_value=httpx.Response(200, json={
            "object": "list", "data": [{"id": "qwen2.5-coder-1.5b-instruct", "object": "model"}]}))
        settings = settings_for(llm_backend=request.param, llm_base_url=BASE_URL)
        yield request.param, mock, agents(settings, http_client=client)
    client.close()


def test_invented_filters_are_dropped_and_the_model_name_comes_from_the_server(refereed, world, actor, thread_id):
    mode, mock, agent = refereed
    mock.add(("tool", "call_priority_list", {"temperature": "cold", "lifecycle_stage": "first_buyer", "limit": 7}),
             ("reply", "Here is your list."))
    with turn_report() as report:
        result = agent.run_turn(thread_id, actor, "who should I call today?")
    call = result.calls[0]
    assert call["name"] == "call_priority_list"
    assert not {"temperature", "lifecycle_stage", "limit"} & set(call["arguments"])
    assert any(c["kind"] == "arguments_corrected" for c in report.corrections)
    body = mock.bodies[0]
    assert body["model"] == "qwen2.5-coder-1.5b-instruct" and body["max_tokens"] > 0
    if mode == "openai":
        assert body["tool_choice"] == "required"
        assert [t["function"]["name"] for t in body["tools"]][0] == "call_priority_list"  # the intent's family
    else:
        names = [o["properties"]["tool"]["const"] for o in body["response_format"]["json_schema"]["schema"]["anyOf"]]
        assert "call_priority_list" in names and "log_interaction" not in names


def test_an_untraceable_customer_is_replaced_by_the_one_the_user_named(refereed, world, actor, sessions, thread_id):
    mode, mock, agent = refereed
    mock.add(("tool", "add_family_member", {"customer": "1", "name": "Sarah", "relationship": "spouse",
                                            "date_of_birth": "1990-11-22"}),
             ("reply", "Added."))
    result = agent.run_turn(thread_id, actor, "add Karim Ahmed's wife Sarah")
    assert result.pending["customer"]["id"] == world["karim"]
    assert "date_of_birth" not in result.pending["arguments"]  # nobody said a birthday
    agent.resume(thread_id, actor, "approve")
    with sessions() as session:
        assert session.scalar(select(func.count(FamilyMember.id))) == 1


def test_a_reply_without_a_tool_runs_the_read_instead(refereed, world, actor, thread_id):
    mode, mock, agent = refereed
    mock.add(("reply", "The RFM segment of Rahim Uddin is Champions."), ("reply", "Rahim Uddin is Champions."))
    with turn_report() as report:
        result = agent.run_turn(thread_id, actor, "what's the RFM segment of Rahim Uddin?")
    assert result.calls and result.calls[0]["name"] == "rfm_segment"
    assert "Champions" not in result.reply  # the true segment comes from the tool
    assert report.grounding_failures == 1


def test_a_write_for_a_why_question_is_not_made(refereed, world, actor, sessions, thread_id):
    mode, mock, agent = refereed
    mock.add(("tool", "mark_dropoff_recovered", {"customer": "Rahim Uddin", "note": "at risk"}),
             ("reply", "Rahim is at risk."))
    result = agent.run_turn(thread_id, actor, "why is Rahim Uddin at risk?")
    assert result.pending is None
    assert all(c["name"] != "mark_dropoff_recovered" for c in result.calls)


def test_an_ungrounded_number_is_replaced_by_the_composed_reply(refereed, world, actor, thread_id):
    mode, mock, agent = refereed
    fabricated = ("reply", "Rahim Uddin spent BDT 99,999.")
    mock.add(("tool", "get_360", {"customer": "Rahim Uddin"}), fabricated, fabricated)  # (a text task may ask too)
    with turn_report() as report:
        result = agent.run_turn(thread_id, actor, "tell me about Rahim Uddin")
    assert "99,999" not in result.reply and "Rahim Uddin" in result.reply
    assert report.grounding_failures == 1


def test_the_same_failing_call_twice_ends_the_turn(settings_for, agents, world, actor, thread_id):
    mock = MockLLM("openai")
    client = httpx.Client()
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=mock)
        agent = agents(settings_for(llm_backend="openai", llm_base_url=BASE_URL, llm_model="m", llm_referee=False),
                       http_client=client)
        mock.add(*[("tool", "get_360", {"customer": "Nobody Known"})] * 4)
        result = agent.run_turn(thread_id, actor, "open Nobody Known")
    assert len(mock.bodies) == 2 and "failed twice" in result.reply and "Nothing was written" in result.reply


def test_the_json_step_schema_binds_each_tool_to_its_own_arguments():
    load_tools()
    schema = step_schema([t for t in openai_tools() if t["function"]["name"] in ("log_interaction", "get_360")])
    options = schema["anyOf"]
    log = next(o for o in options if o["properties"].get("tool", {}).get("const") == "log_interaction")
    arguments = log["properties"]["arguments"]
    assert arguments["additionalProperties"] is False and "customer" in arguments["required"]
    assert "call" in arguments["properties"]["type"]["enum"]
    assert options[-1]["required"] == ["reply"]


def test_a_first_step_prompt_fits_the_budget_and_turn_two_starts_with_turn_one(settings_for, agents, world, actor,
                                                                              thread_id):
    mock = MockLLM("openai")
    client = httpx.Client()
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=mock)
        agent = agents(settings_for(llm_backend="openai", llm_base_url=BASE_URL, llm_model="m"), http_client=client)
        mock.add(("tool", "get_360", {"customer": "Rahim Uddin"}), ("reply", "Rahim Uddin, Dhaka."),
                 ("tool", "log_interaction", {"customer": world["rahim"], "type": "call", "notes": "no answer",
                                              "outcome": "no_answer"}))
        agent.run_turn(thread_id, actor, "show me Rahim Uddin")
        agent.run_turn(thread_id, actor, "called him, no answer")
    steps = [b for b in mock.bodies if "tools" in b]  # the agent's steps (text tasks send no tools)
    first = json.dumps({"messages": steps[0]["messages"], "tools": steps[0]["tools"]})
    assert len(first) / 3.3 < 1500  # ~3.3 characters a token, below what Qwen's tokenizer does on such text
    turn_one = steps[1]["messages"]  # the last step of turn 1 ...
    turn_two = steps[2]["messages"]
    assert turn_two[:len(turn_one)] == turn_one  # ... is where turn 2's prompt begins
    names = [[t["function"]["name"] for t in step["tools"]] for step in steps]
    assert names[2][:len(names[0])] == names[0]  # the tools of turn 1 stay first, in their order


def test_a_read_the_user_did_not_ask_for_is_dropped_and_flagged(refereed, world, actor, thread_id):
    mode, mock, agent = refereed
    mock.add(("tool", "call_priority_list", {}), ("reply", "Rahim Uddin is a customer in Dhaka."))
    with turn_report() as report:
        result = agent.run_turn(thread_id, actor, "show me Rahim Uddin")
    assert [c["name"] for c in result.calls] == ["get_360"]
    assert any(c["kind"] == "read_not_asked" and c["tool"] == "call_priority_list" for c in report.corrections)


def test_no_tool_runs_for_a_request_no_tool_serves(refereed, world, actor, thread_id):
    mode, mock, agent = refereed
    mock.add(("tool", "find_customers", {"query": "joke"}), ("reply", "Here is a joke."))
    with turn_report() as report:
        result = agent.run_turn(thread_id, actor, "tell me a joke about cats")
    assert result.calls == [] and result.pending is None
    assert any(c["kind"] == "read_not_asked" for c in report.corrections)


def test_the_acting_user_is_never_the_customer_of_a_write(refereed, world, actor, thread_id):
    mode, mock, agent = refereed
    mock.add(("tool", "get_360", {"customer": "Rahim Uddin"}), ("reply", "Rahim Uddin, Dhaka."),
             ("tool", "log_interaction", {"customer": "Rina Akter", "type": "call", "notes": "no answer"}))
    agent.run_turn(thread_id, actor, "show me Rahim Uddin")
    with turn_report() as report:
        result = agent.run_turn(thread_id, actor, "log a call with him: no answer")
    assert result.pending["customer"]["id"] == world["rahim"]
    assert any(c["kind"] == "arguments_corrected" for c in report.corrections)
    assert "Checked against your words" in result.reply and "Rina Akter" in result.reply


def test_a_date_the_user_said_wins_over_the_models_and_invented_durations_go(refereed, world, actor, thread_id):
    mode, mock, agent = refereed  # the clock says Friday 2026-11-20: "Tuesday" is 2026-11-24
    mock.add(("tool", "log_interaction", {"customer": "Karim Ahmed", "type": "call", "notes": "wants the kettle",
                                          "duration_seconds": 120, "follow_up_at": "2026-11-30"}))
    with turn_report() as report:
        result = agent.run_turn(thread_id, actor, "called Karim Ahmed, he wants the kettle, call him back Tuesday")
    arguments = result.pending["arguments"]
    assert "duration_seconds" not in arguments
    assert arguments["follow_up_at"].startswith("2026-11-24")
    changes = next(c for c in report.corrections if c["kind"] == "arguments_corrected")["changes"]
    assert any("duration seconds" in c for c in changes) and any("2026-11-30" in c for c in changes)
    assert "Checked against your words" in result.reply


def test_referee_arguments_table():
    cases = [  # (model's arguments, the reading's, keep the model's customer, expected arguments)
        ({"customer": "1", "limit": 7}, {"customer": 5}, False, {"customer": 5}),
        ({"customer": "Rahim"}, {"customer": 5}, True, {"customer": "Rahim"}),
        ({"customer": "Rina Akter", "type": "call"}, {"type": "call"}, False, {"type": "call"}),
        ({"since": "2026-11-20", "until": "2026-11-20"}, {}, True, {}),
        ({"follow_up_at": "2026-11-30"}, {"follow_up_at": "2026-11-27"}, True, {"follow_up_at": "2026-11-27"}),
    ]
    from agent.referee import referee_arguments
    for model, reading, keep, expected in cases:
        fixed, changes = referee_arguments(model, reading, keep_customer=keep)
        assert fixed == expected, (model, reading)
        assert bool(changes) == (fixed != model), (model, changes)


def test_without_the_readings_call_only_values_the_user_said_stay():
    from agent.referee import unsaid_dropped
    said = "show me the cold leads, top 5"
    fixed, changes = unsaid_dropped({"temperature": "cold", "limit": 5, "lifecycle_stage": "first_buyer",
                                     "since": "2026-11-20", "query": "x"}, said)
    assert fixed == {"temperature": "cold", "limit": 5, "query": "x"}
    assert len(changes) == 2


@pytest.mark.parametrize("claim", ["Call logged successfully.", "The WhatsApp message has been sent.",
                                   "Follow-up scheduled for Friday."])
def test_a_reply_claiming_a_write_that_did_not_happen_is_replaced(refereed, world, actor, thread_id, claim):
    mode, mock, agent = refereed
    mock.add(("tool", "get_360", {"customer": "Rahim Uddin"}), ("reply", f"Rahim Uddin lives in Dhaka. {claim}"))
    with turn_report() as report:
        result = agent.run_turn(thread_id, actor, "show me Rahim Uddin")
    assert claim not in result.reply and "Rahim Uddin" in result.reply
    failure = next(c for c in report.corrections if c["kind"] == "grounding_failure")
    assert "claims a write that did not happen" in failure["problems"]


def test_a_reply_that_names_nobody_the_results_are_about_is_replaced(refereed, world, actor, thread_id):
    mode, mock, agent = refereed
    mock.add(("tool", "get_360", {"customer": "Rahim Uddin"}), ("reply", "Here is the profile you asked for."))
    with turn_report() as report:
        result = agent.run_turn(thread_id, actor, "show me Rahim Uddin")
    assert "Rahim Uddin" in result.reply
    assert [c["kind"] for c in report.corrections] == ["reply_uninformative"]


def test_subject_names_and_what_a_reply_says_of_them():
    from agent.text.binding import says_nothing_of, subject_names
    facts = [{"ok": True, "profile": {"name": "Rahim Uddin"}, "entries": [{"name": "Karim Ahmed"}]},
             {"ok": False, "name": "Nobody Known"}]
    assert subject_names(facts) == ["Rahim Uddin", "Karim Ahmed"]
    assert says_nothing_of("Here you go.", facts) and not says_nothing_of("Karim first, then Rahim.", facts)
    assert not says_nothing_of("Nothing to report.", [{"ok": True, "segment_count": 3}])
