"""The eval harness end to end with the LLM backends (``openai``, ``openai-json``) on a local fake server.

The fake's script does the right thing for every smoke case, so a failing case means the harness, the
backend or the settings that choose it are broken. Also checked: the report's model, latency and the
tokens the server reported, masking (no phone or email in any request body), and a 500 that the
client retries.
"""
import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

import channels.cli.evals  # noqa: F401  (registers `c360 eval`)
from channels.cli import app
from domain.settings import get_settings
from evals.case import load_cases
from evals.harness import run_cases
from tests.evals.fake_openai import FakeOpenAI, Rule

SMOKE = Path(__file__).parent / "smoke"
# the fixture's contact details, in the forms a body could carry them (not the tools' docstring
# examples, which are in every request's tool schemas)
PRIVATE = ("1912604417", "1912-604417", "1912 604417", "1819876543", "rahim.uddin@example.org")


def _next_friday(today):
    return today + timedelta(days=(4 - today.weekday()) % 7 or 7)


RULES = [
    Rule(r"\bwho\b.*\bcall\b", "call_priority_list", {},
         lambda r, m: f"Call {r['entries'][0]['name']} first: {r['entries'][0]['reasons'][0]}."),
    Rule(r"(?:picture|360|everything) (?:on|of|for) (?P<who>[A-Z]\w+(?: [A-Z]\w+)*)", "get_360",
         lambda m, today: {"customer": m["who"]},
         lambda r, m: f"{r['profile']['name']} ({r['profile']['city']}) has {r['metrics']['order_count']} orders, "
                      f"reachable at {r['profile']['phone']}."),
    Rule(r"called (?P<who>\[PHONE_\d+\]).*?(?P<product>blue kettle).*call (?:him|her) back next friday", "log_interaction",
         lambda m, today: {"customer": m["who"], "type": "call", "direction": "outbound", "outcome": "interested",
                           "notes": f"wants the {m['product']}", "products": [m["product"].title()],
                           "follow_up_at": f"{_next_friday(today).isoformat()}T10:00:00"},
         lambda r, m: f"Logged the call with {r['interaction']['customer_name']}; "
                      f"follow-up on {r['follow_up']['date']}."),
    Rule(r"\b(?:ticket|flight|weather)\b", None,
         reply="I can only help with your customers, their orders and follow-ups, not with travel."),
]


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    with FakeOpenAI(RULES) as server:
        mp.setenv("C360_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        mp.setenv("C360_LLM_BASE_URL", server.url)
        mp.setenv("C360_LLM_API_KEY", "sk-test-not-a-secret")
        mp.setenv("C360_LLM_MODEL", "fake-model")
        mp.setenv("C360_LLM_TOOL_RESULTS", "json")  # the fake's replies read the results' fields
        mp.setenv("C360_LLM_RETRY_WAIT_SECONDS", "0.05")  # a 500 is retried without slowing the suite
        mp.delenv("C360_LLM_BACKEND", raising=False)
        get_settings.cache_clear()  # nothing cached may point at (or miss) this server, here or later
        yield server
    mp.undo()
    get_settings.cache_clear()


@pytest.fixture(scope="module", params=["openai", "openai-json"])
def smoke(request, fake):
    """(backend, report, what the fake saw) for one run of the smoke set through ``run_cases``."""
    fake.reset()
    report = run_cases(load_cases([SMOKE]), model=request.param)
    seen = {"bodies": list(fake.bodies), "raw": list(fake.raw_bodies), "usage": list(fake.usage),
            "statuses": list(fake.statuses), "errors": list(fake.errors)}
    return request.param, report, seen


def _turns(report):
    return [turn for case in report["cases"] for trial in case["trials_detail"] for turn in trial["turns"]]


def test_every_smoke_case_passes(smoke):
    backend, report, seen = smoke
    assert seen["errors"] == []
    assert {c["id"]: c["failures"] for c in report["cases"] if not c["passed"]} == {}
    assert report["model"] == backend and report["metrics"]["pass^1"] == 1.0
    assert report["metrics"]["cases"] == 4 and report["metrics"]["irrelevance_accuracy"] == 1.0
    assert report["metrics"]["unconfirmed_write_rate"] == 0 and report["metrics"]["writes_after_decline"] == 0


def test_the_write_went_through_approval_and_the_database_check(smoke):
    _, report, _ = smoke
    case = next(c for c in report["cases"] if c["id"] == "llm-smoke-log-call-by-phone")
    trial = case["trials_detail"][0]
    [call] = [c for c in trial["turns"][0]["calls"] if c["name"] == "log_interaction"]
    # the model wrote the phone's placeholder; the backend restored the number before the tool ran
    assert call["status"] == "done" and call["arguments"]["customer"] == "01912-604417"
    assert trial["db_diff"] == [] and "Rahim Uddin" in trial["turns"][0]["reply"]


def test_the_backend_spoke_its_own_protocol(smoke):
    backend, _, seen = smoke
    steps = [b for b in seen["bodies"] if b.get("tools") or "c360_step" in json.dumps(b.get("response_format"))]
    assert steps and all(b["model"] == "fake-model" for b in seen["bodies"])
    if backend == "openai":
        assert all(b.get("tools") and "response_format" not in b for b in steps)
    else:
        assert all("tools" not in b and b["response_format"]["json_schema"]["name"] == "c360_step" for b in steps)
        assert any(m["content"].startswith("Result of get_360") for b in steps for m in b["messages"])
    # the 360 and the call list asked the LLM for their explanations (a grounded-text task)
    assert any(b.get("response_format", {}).get("json_schema", {}).get("name") == "insight_explanation"
               for b in seen["bodies"])


def test_latency_and_the_reported_tokens_are_recorded_per_turn(smoke):
    _, report, seen = smoke
    turns = _turns(report)
    assert len(turns) == 4 and all(t["latency_ms"] > 0 for t in turns)
    assert report["metrics"]["latency_p50_ms"] > 0
    assert all(t["tokens"]["total"] == t["tokens"]["prompt"] + t["tokens"]["completion"] > 0 for t in turns)
    # every completion the server answered is counted once, in the turn that asked for it
    assert sum(t["tokens"]["prompt"] for t in turns) == sum(u["prompt_tokens"] for u in seen["usage"])
    assert sum(t["tokens"]["completion"] for t in turns) == sum(u["completion_tokens"] for u in seen["usage"])
    totals = report["metrics"]["llm_tokens"]
    assert totals["total"] == sum(u["prompt_tokens"] + u["completion_tokens"] for u in seen["usage"])


def test_no_phone_or_email_reaches_the_model(smoke):
    _, report, seen = smoke
    leaks = [(value, i) for i, raw in enumerate(seen["raw"]) for value in PRIVATE if value in raw]
    assert leaks == []
    # they were there to leak: the user typed a phone, and the 360 and the call list carry contact details
    assert any("[PHONE_1]" in raw for raw in seen["raw"]) and any("[EMAIL_1]" in raw for raw in seen["raw"])
    reply = next(t["reply"] for c in report["cases"] if c["id"] == "llm-smoke-360-by-name"
                 for t in c["trials_detail"][0]["turns"])
    assert "+8801912604417" in reply  # the user sees the real number the model only knew as a placeholder


def test_the_harness_survives_a_server_error_the_client_retries(fake):
    fake.reset()
    fake.fail_next(1, status=500)
    [case] = [c for c in load_cases([SMOKE]) if c.id == "llm-smoke-360-by-name"]
    report = run_cases([case], model="openai")
    assert report["cases"][0]["passed"], report["cases"][0]["failures"]
    assert fake.statuses[:2] == [500, 200] and fake.errors == []
    assert len(fake.bodies) == len(fake.statuses)
    assert fake.bodies[0] == fake.bodies[1]  # the same request, sent again


def test_cli_runs_the_smoke_set_on_openai(fake, tmp_path):
    fake.reset()
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["eval", "run", str(SMOKE), "--model", "openai", "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "pass^1 = 1.000 (4/4)"
    report = json.loads(out.read_text())
    assert report["model"] == "openai" and all(t["tokens"] for t in _turns(report))
    assert fake.raw_bodies and not [v for raw in fake.raw_bodies for v in PRIVATE if v in raw]


def test_offline_turns_record_no_tokens(fake):
    [case] = [c for c in load_cases([SMOKE]) if c.id == "llm-smoke-out-of-scope"]
    fake.reset()
    report = run_cases([case], model="offline")
    assert report["cases"][0]["passed"] and _turns(report)[0]["tokens"] is None
    assert report["metrics"]["llm_tokens"] is None
    assert fake.bodies == []  # the offline model never calls the server, even with one configured
