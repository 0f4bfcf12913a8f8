"""The contract's matching rules, one by one."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from evals.matchers import as_local_date, match_args, match_calls, match_value, reply_failures

TZ = ZoneInfo("Asia/Dhaka")


@pytest.mark.parametrize("expected, actual, ok", [
    ("call", "call", True),
    ("Call", "  call ", True),
    ("call", "whatsapp", False),
    (3, 3.0, True),
    ({"any": ["sms", "whatsapp"]}, "WhatsApp", True),
    ({"any": ["sms", "whatsapp"]}, "email", False),
    ({"contains": "kettle"}, "loved the Blue Kettle", True),
    ({"contains": "Blue Kettle"}, ["blue kettle", "Rice Cooker"], True),
    ({"contains": ["Blue Kettle", "Rice Cooker"]}, ["blue kettle"], False),
    ({"contains": ["Blue Kettle", "Rice Cooker"]}, ["Rice Cooker", "Blue Kettle"], True),
    ({"date": date(2026, 11, 27)}, "2026-11-27", True),
    ({"date": date(2026, 11, 27)}, "2026-11-27T18:00:00+06:00", True),
    # 20:00 UTC on the 26th is 02:00 on the 27th in Dhaka
    ({"date": "2026-11-27"}, "2026-11-26T20:00:00+00:00", True),
    ({"date": "2026-11-27"}, "2026-11-26T17:00:00+00:00", False),
    ({"approx": 4500, "tol": 10}, 4495, True),
    ({"approx": 4500, "tol": 10}, 4400, False),
    ({"approx": 4500, "tol": 10}, "not a number", False),
    ({"absent": True}, None, True),
    ({"absent": True}, "x", False),
])
def test_match_value(expected, actual, ok):
    assert match_value(expected, actual, TZ)[0] is ok


def test_failed_match_says_why():
    ok, reason = match_value({"date": "2026-11-27"}, "2026-11-28", TZ)
    assert not ok and "2026-11-27" in reason and "2026-11-28" in reason


def test_reference_params_match_by_fixture_key():
    keys = {7: "rahim", 8: "karim"}

    def resolver(kind, value):
        assert kind == "customer"
        return keys.get(int(value)) if str(value).isdigit() else None

    verdicts = match_args({"customer": "rahim", "type": "call"}, {"customer": 7, "type": "call"}, TZ, resolver)
    assert all(v.ok for v in verdicts)
    verdicts = match_args({"customer": "rahim"}, {"customer": 8}, TZ, resolver)
    assert not verdicts[0].ok and "karim" in verdicts[0].reason
    verdicts = match_args({"customer": {"any": ["rahim", "karim"]}}, {"customer": 8}, TZ, resolver)
    assert verdicts[0].ok


def test_unlisted_params_are_not_checked():
    assert all(v.ok for v in match_args({"type": "call"}, {"type": "call", "notes": "anything"}, TZ))


def test_calls_match_in_order_with_others_between():
    actual = [{"name": "find_customers", "arguments": {}},
              {"name": "get_360", "arguments": {"customer": "x"}},
              {"name": "log_interaction", "arguments": {"type": "call"}}]
    expected = [{"tool": "get_360", "args": {}}, {"tool": "log_interaction", "args": {"type": "call"}}]
    assert all(m.ok for m in match_calls(expected, actual, TZ))
    reversed_expected = list(reversed(expected))
    matches = match_calls(reversed_expected, actual, TZ)
    assert matches[0].ok and not matches[1].ok  # get_360 came before log_interaction


def test_a_later_call_with_matching_args_is_preferred():
    actual = [{"name": "log_interaction", "arguments": {"type": "sms"}},
              {"name": "log_interaction", "arguments": {"type": "call"}}]
    [m] = match_calls([{"tool": "log_interaction", "args": {"type": "call"}}], actual, TZ)
    assert m.ok and m.actual_index == 1


def test_missing_call_is_reported():
    [m] = match_calls([{"tool": "draft_reply", "args": {"channel": "sms"}}], [], TZ)
    assert not m.ok and m.actual_index is None and m.verdicts[0].reason == "call not made"


def test_reply_checks_are_case_insensitive():
    assert reply_failures({"contains": ["rahim", "Friday"]}, "Logged: call with Rahim, follow-up friday") == []
    assert reply_failures({"contains": "sarah"}, "Rahim") == ["reply does not contain 'sarah'"]
    assert reply_failures({"not_contains": ["01712"]}, "phone +880*******678") == []
    assert reply_failures({"not_contains": "01712"}, "call 01712-345678") == ["reply contains '01712'"]


def test_local_date_reads_naive_as_business_time():
    assert as_local_date(datetime(2026, 11, 27, 23, 30), TZ) == date(2026, 11, 27)
    assert as_local_date("garbage", TZ) is None


def test_result_fields_match_with_the_argument_matchers_and_nest():
    from evals.matchers import match_result

    result = {"ok": True, "allowed": False, "blocked_reason": "opted_out",
              "follow_up": {"date": "2026-11-27", "due_at": "2026-11-27T10:00+06:00"},
              "opportunity": {"stage": "negotiation", "probability": 70.0}}
    ok = match_result({"allowed": False, "blocked_reason": {"any": ["opted_out", "quiet_hours"]},
                       "follow_up": {"date": "2026-11-27", "due_at": {"date": "2026-11-27"}},
                       "opportunity": {"stage": "Negotiation", "probability": {"approx": 70, "tol": 1}}},
                      result, TZ)
    assert all(v.ok for v in ok), [v.reason for v in ok if not v.ok]
    bad = match_result({"allowed": True, "opportunity": {"stage": "won"}, "missing": {"absent": True}}, result, TZ)
    assert [(v.param, v.ok) for v in bad] == [("result.allowed", False), ("result.opportunity.stage", False),
                                              ("result.missing", True)]
    assert "result.opportunity.stage: expected 'won', got 'negotiation'" == bad[1].reason


def test_a_deal_reference_matches_its_fixture_key_or_its_name_as_written():
    resolver = lambda kind, value: {"eid bulk": "eid"}.get(str(value).casefold()) if kind == "opportunity" else None
    [by_key] = match_args({"opportunity": "eid"}, {"opportunity": "Eid bulk"}, TZ, resolver)
    [by_name] = match_args({"opportunity": "Eid bulk order"}, {"opportunity": "eid bulk order"}, TZ, resolver)
    [wrong] = match_args({"opportunity": "eid"}, {"opportunity": "winter stock"}, TZ, resolver)
    assert by_key.ok and by_name.ok and not wrong.ok
