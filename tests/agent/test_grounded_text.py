"""Grounded LLM text: explanations, post-call summaries and reply wording, each with its fallback."""
from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx

from agent.text.call_summary import rule_summary, summarize_call, suggested_log_fields
from agent.text.grounding import ungrounded
from agent.text.insights import annotate_call_list, entry_facts, explain, template_explanation
from agent.text.llm import TextLLM
from agent.text.wording import reword
from domain.settings import Settings
from tests.agent.llm_mock import BASE_URL, completion

NOW = datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Dhaka"))
RAHIM = {"customer_id": 1, "name": "Rahim Uddin", "temperature": "hot", "score": 8.7, "order_count": 3,
         "reasons": ["3 purchases in the last 60 days", "viewed Blue Kettle 3 times this week",
                     "wife Sarah's birthday on Thursday 2026-11-26"],
         "phone": "+8801712345678", "email": "rahim@example.com", "next_action": "Call about the Blue Kettle"}
KARIM = {"customer_id": 2, "name": "Karim Ahmed", "temperature": "warm", "order_count": 1,
         "reasons": ["open cart of BDT 5,500 from 2026-11-18"]}


@pytest.fixture
def endpoint():
    """(answers, bodies, client): queue answers (a JSON-able dict, or an httpx.Response)."""
    answers, bodies = [], []

    def respond(request: httpx.Request) -> httpx.Response:
        bodies.append(request.content.decode())
        answer = answers.pop(0) if answers else httpx.Response(500)
        return answer if isinstance(answer, httpx.Response) else completion({"content": json.dumps(answer)})

    client = httpx.Client()
    with respx.mock(base_url=BASE_URL) as router:
        router.post("/chat/completions").mock(side_effect=respond)
        yield answers, bodies, client
    client.close()


def llm_for(client) -> TextLLM:
    settings = Settings(_env_file=None, llm_backend="openai", llm_base_url=BASE_URL, llm_api_key="k",
                        llm_max_retries=0, llm_retry_wait_seconds=0)
    return TextLLM(settings, client)


def test_a_fabricated_number_is_replaced_by_the_deterministic_text(endpoint):
    answers, bodies, client = endpoint
    answers.append({"explanations": [
        {"key": "1", "text": "Rahim is hot: 3 purchases in 60 days and his wife's birthday is Thursday."},
        {"key": "2", "text": "Karim left a cart of BDT 7,200 on 2026-11-18."},  # 7,200 is invented
    ]})
    payload = annotate_call_list({"ok": True, "entries": [RAHIM, KARIM]}, llm_for(client))
    rahim, karim = (e["explanation"] for e in payload["entries"])
    assert rahim == {"text": "Rahim is hot: 3 purchases in 60 days and his wife's birthday is Thursday.",
                     "source": "llm"}
    assert karim == {"text": template_explanation(entry_facts(KARIM)), "source": "template"}
    assert "5,500" in karim["text"]
    assert "8801712345678" not in bodies[0] and "rahim@example.com" not in bodies[0]


def test_explanations_fall_back_when_the_llm_fails(endpoint):
    answers, _, client = endpoint
    answers.append(httpx.Response(503))
    out = explain([("1", entry_facts(RAHIM))], llm_for(client))
    assert out["1"]["source"] == "template"
    assert out["1"]["text"].startswith("Rahim Uddin is hot: 3 purchases in the last 60 days")


@pytest.mark.parametrize("facts", [entry_facts(RAHIM), entry_facts(KARIM), {"name": "Mim", "order_count": 0}])
def test_template_explanations_are_grounded_in_their_facts(facts):
    assert ungrounded(template_explanation(facts), facts) == []


@pytest.mark.parametrize("text, bad", [
    ("He spent BDT 13,500 in 2026.", ["13,500"]),
    ("Birthday on Nov 27.", ["Nov 27"]),
    ("Call him on Monday at 18:30.", ["18:30", "monday"]),
    ("Score 8.7, viewed three times, 3 orders.", []),
    ("Score rounds to 9 and churn is 2x.", ["2"]),
])
def test_ungrounded_finds_invented_numbers_and_dates(text, bad):
    assert sorted(ungrounded(text, RAHIM)) == sorted(bad)


TRANSCRIPT = ("Agent: Hello Rahim bhai, this is Rina from the shop.\nCustomer: Hi. I saw the Blue Kettle online.\n"
              "Agent: It is BDT 4500 with free delivery.\nCustomer: Sounds good, but I am busy now, call me back "
              "Friday.\nAgent: Sure, I will call you on Friday. Thank you!\n" * 2)


def test_rule_summary_reads_outcome_date_and_products():
    summary = rule_summary(TRANSCRIPT, ["Blue Kettle", "Red Toaster"], NOW)
    assert (summary.outcome, summary.follow_up_date, summary.products) == ("callback", date(2026, 11, 27),
                                                                           ["Blue Kettle"])
    assert summary.source == "rules" and summary.sentiment == "positive"


def test_llm_summary_is_used_when_valid_and_rejected_when_not(endpoint):
    answers, bodies, client = endpoint
    good = {"summary": "Rahim asked about the Blue Kettle at BDT 4500; call back Friday.", "outcome": "callback",
            "sentiment": "positive", "follow_up_date": "2026-11-27", "products": ["Blue Kettle"]}
    answers += [good, {**good, "products": ["Golden Kettle"]}, {**good, "follow_up_date": "2026-11-01"},
                {**good, "summary": "He will pay BDT 9999."}]
    llm = llm_for(client)
    first = summarize_call(TRANSCRIPT, products=["Blue Kettle"], now=NOW, llm=llm)
    assert first.source == "llm" and first.summary == good["summary"]
    for _ in range(3):  # an unknown product, a past follow-up, an invented amount
        assert summarize_call(TRANSCRIPT, products=["Blue Kettle"], now=NOW, llm=llm).source == "rules"
    assert "<untrusted>" in bodies[0] and "Customer: Hi." in bodies[0]


def test_suggestions_only_fill_what_the_call_left_out():
    summary = rule_summary(TRANSCRIPT, ["Blue Kettle"], NOW)
    fields = suggested_log_fields({"notes": TRANSCRIPT, "outcome": "interested"}, summary)
    assert "outcome" not in fields and fields["follow_up_at"] == "2026-11-27"
    assert fields["notes"].startswith("Summary (positive): ") and fields["notes"].endswith(TRANSCRIPT)


DRAFT = {"ok": True, "draft": "Hi Rahim! Your Blue Kettle (BDT 4,500) is still in your cart. Reply here by 2026-11-25.",
         "allowed": False, "blocked_reason": "quiet_hours", "tone": "formal", "language": "en", "channel": "whatsapp"}


def test_reworded_draft_keeps_facts_and_verdict(endpoint):
    answers, _, client = endpoint
    answers += [{"text": "Dear Rahim, your Blue Kettle (BDT 4,500) awaits in your cart. Kindly reply by 2026-11-25."},
                {"text": "Dear Rahim, your Blue Kettle is 10% off today! Reply by 2026-11-25."}]
    llm = llm_for(client)
    worded = reword(DRAFT, llm)
    assert worded["source"] == "llm" and "Kindly" in worded["text"]
    assert reword(DRAFT, llm) == {"text": DRAFT["draft"], "source": "template"}  # dropped 4,500, added 10%


def test_without_an_llm_every_task_uses_its_template():
    llm = TextLLM(Settings(_env_file=None))
    assert not llm.enabled
    assert reword(DRAFT, llm)["source"] == "template"
    assert summarize_call(TRANSCRIPT, products=["Blue Kettle"], now=NOW, llm=llm).source == "rules"
    assert explain([("1", entry_facts(RAHIM))], llm)["1"]["source"] == "template"


FAMILY_DRAFT = {"ok": True, "allowed": True, "tone": "friendly", "language": "en", "channel": "whatsapp",
                "draft": "Hi Sadia!\nHappy birthday to your husband Masud from all of us at Deshi Bazar!",
                "facts": [{"kind": "person", "value": "Masud", "source": "family member Masud Islam"},
                          {"kind": "relation", "value": "husband", "source": "the family record"},
                          {"kind": "business", "value": "Deshi Bazar", "source": "setting C360_BUSINESS_NAME"}]}


def test_reworded_draft_is_grounded_per_fact(endpoint):
    answers, _, client = endpoint
    answers += [{"text": "Dear Sadia, warm birthday wishes to your husband Masud from everyone at Deshi Bazar."},
                {"text": "Dear Sadia, warm birthday wishes to your husband from everyone at Deshi Bazar."},
                {"text": "Dear Sadia, warm birthday wishes to your husband Masud and your son Ayaan from Deshi Bazar."}]
    llm = llm_for(client)
    assert reword(FAMILY_DRAFT, llm)["source"] == "llm"
    assert reword(FAMILY_DRAFT, llm)["source"] == "template"  # the family member's name was dropped
    assert reword(FAMILY_DRAFT, llm)["source"] == "template"  # a person the records do not name was added
    incomplete = {**FAMILY_DRAFT, "draft": "", "complete": False, "allowed": False}
    assert reword(incomplete, llm) == {"text": "", "source": "template"}  # nothing to reword, no LLM call
