"""The call list with follow-ups that live and lapse, recent negative outcomes, do-not-call, and
"why / why not": hand-computed points on a small world (today Fri 2026-11-20)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from domain.call_priority import call_priority, scoring
from domain.call_priority.explain import explain
from domain.models import Tag
from domain.settings import Settings
from domain.stats import refresh_derived, refresh_stats
from tests.factories import DHAKA, make_customer, make_interaction, make_order, make_user

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=DHAKA)


def ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def settings(**kw) -> Settings:
    return Settings(_env_file=None, timezone="Asia/Dhaka", **kw)


@pytest.fixture
def world(session):
    rina = make_user(session, "Rina Akter")
    sumi = make_user(session, "Sumi Akter")
    due = make_customer(session, "Dalia Due", assigned_to=rina)
    make_interaction(session, due, at=ago(7), outcome="callback", follow_up_at=TODAY)
    overdue = make_customer(session, "Omar Overdue", assigned_to=sumi)
    make_interaction(session, overdue, at=ago(40), outcome="callback", follow_up_at=ago(20))
    lapsed = make_customer(session, "Lina Lapsed")
    make_interaction(session, lapsed, at=ago(200), outcome="callback", follow_up_at=ago(181))
    answered = make_customer(session, "Anis Answered")  # asked for a callback and got one
    make_interaction(session, answered, at=ago(60), outcome="callback", follow_up_at=ago(50))
    make_interaction(session, answered, at=ago(49), outcome="other", notes="called back")
    cold = make_customer(session, "Nadia Notinterested")
    make_interaction(session, cold, at=ago(30), outcome="callback", follow_up_at=TODAY)
    make_interaction(session, cold, at=ago(14), outcome="not_interested", notes="not right now")
    make_interaction(session, cold, at=ago(12), type="email", direction="inbound",
                     outcome="not_interested", notes="please stop")
    upset = make_customer(session, "Kamal Complaint", lifecycle_stage="loyal")
    for k in range(6):
        make_order(session, upset, at=ago(10 + 20 * k), amount=3000)
    make_interaction(session, upset, at=ago(3), direction="inbound", outcome="complaint",
                     notes="the kettle leaks")
    calmed = make_customer(session, "Rumi Resolved")
    make_interaction(session, calmed, at=ago(9), outcome="complaint", notes="late delivery")
    make_interaction(session, calmed, at=ago(6), outcome="resolved", notes="refunded")
    dnc = make_customer(session, "Dipu Dontcall", temperature="hot")
    make_interaction(session, dnc, at=ago(5), outcome="callback", follow_up_at=TODAY)
    session.add(Tag(customer_id=dnc.id, tag="do-not-call"))
    gone = make_customer(session, "Ina Inactive", status="inactive")
    make_interaction(session, gone, at=ago(5), outcome="callback", follow_up_at=TODAY)
    session.flush()
    refresh_stats(session, now=NOW)
    refresh_derived(session, TODAY, tz=DHAKA)
    session.commit()
    return {n: c.id for n, c in (("rina", rina), ("sumi", sumi), ("due", due), ("overdue", overdue),
                                 ("lapsed", lapsed), ("answered", answered), ("cold", cold),
                                 ("upset", upset), ("calmed", calmed), ("dnc", dnc), ("gone", gone))}


def by_name(session, **kw):
    return {e.name: e for e in call_priority(session, TODAY, limit=50, now=NOW,
                                             settings=settings(), **kw)}


def test_follow_ups_due_overdue_and_lapsed(session, world):
    entries = by_name(session)
    due, overdue, lapsed = entries["Dalia Due"], entries["Omar Overdue"], entries["Lina Lapsed"]
    assert [(f.name, f.points) for f in due.factors] == [("follow_up", 50.0)]
    assert [(f.name, f.points) for f in overdue.factors] == [("follow_up", 42.0)]
    assert overdue.reasons[0].startswith("follow-up overdue by 20 days")
    # 181 days overdue is past the 30-day window: a weak "lapsed" factor, never "overdue by 181"
    assert [(f.name, f.points) for f in lapsed.factors] == [("lapsed_follow_up", 8.0)]
    assert lapsed.reasons == ["lapsed follow-up: due 181 days ago and never answered (due 2026-05-23)"]
    assert "it lapsed long ago" in lapsed.next_action
    assert not any("overdue by 181" in r for e in entries.values() for r in e.reasons)
    # answered the next day: nothing left to follow up
    assert entries["Anis Answered"].follow_up is None
    assert not any(f.name.endswith("follow_up") for f in entries["Anis Answered"].factors)


def test_the_lapse_window_is_a_setting(session, world):
    entries = {e.name: e for e in call_priority(session, TODAY, limit=50, now=NOW,
                                                settings=settings(follow_up_lapse_days=10))}
    assert [(f.name, f.points) for f in entries["Omar Overdue"].factors] == [("lapsed_follow_up", 8.0)]
    entries = {e.name: e for e in call_priority(session, TODAY, limit=50, now=NOW,
                                                settings=settings(follow_up_lapse_days=200))}
    assert [(f.name, f.points) for f in entries["Lina Lapsed"].factors] == [("follow_up", 42.0)]


def test_a_recent_not_interested_lowers_the_score_with_the_reason(session, world):
    entries = by_name(session)
    cold = entries["Nadia Notinterested"]
    # a follow-up due today (50), warm from the inbound email (5), "not interested" 12 days ago
    # (-25); both contacts came before the follow-up's day, so the follow-up stays open
    assert [(f.name, f.points) for f in cold.factors] == [
        ("follow_up", 50.0), ("temperature", 5.0), ("not_interested", -25.0)]
    assert cold.points == 30.0
    assert "said not interested 12 days ago" in cold.reasons[-1]
    names = list(entries)
    assert names.index("Dalia Due") < names.index("Omar Overdue") < names.index("Nadia Notinterested")
    # past the window it no longer counts
    later = {e.name: e for e in call_priority(session, TODAY, limit=50, now=NOW,
                                              settings=settings(negative_outcome_days=10))}
    assert [f.name for f in later["Nadia Notinterested"].factors] == ["follow_up", "temperature"]


def test_a_complaint_lowers_the_score_and_makes_it_a_service_call(session, world):
    entries = by_name(session)
    upset = entries["Kamal Complaint"]
    assert ("complaint", -15.0) in [(f.name, f.points) for f in upset.factors]
    assert "complaint 3 days ago, not resolved yet" in upset.reasons
    assert upset.offer_type == "service_call" and upset.recommended_products == []
    assert "put it right" in upset.next_action and "upgrade" not in upset.next_action
    # a complaint followed by a resolved contact no longer counts
    calmed = entries["Rumi Resolved"]
    assert not any(f.name == "complaint" for f in calmed.factors) and calmed.offer_type != "service_call"


def test_do_not_call_and_inactive_customers_never_appear(session, world):
    names = by_name(session)
    assert "Dipu Dontcall" not in names and "Ina Inactive" not in names


def test_score_of_a_net_negative_is_the_floor(session, world):
    assert scoring.score_from_points([-25.0])[0] == 1.0


# ------------------------------------------------------------------------------- why / why not
def why(session, cid, **kw):
    return explain(session, cid, TODAY, now=NOW, settings=settings(), **kw)


def test_why_on_the_list_gives_the_factors_and_rank(session, world):
    done = why(session, world["due"], limit=3)
    assert (done.rule, done.rank, done.overall_rank) == ("on_list", 1, 1)
    assert [(f.name, f.points) for f in done.entry.factors] == [("follow_up", 50.0)]
    assert done.entry.points == 50.0


def test_why_not_below_the_cut(session, world):
    ranking = list(by_name(session))
    done = why(session, world["lapsed"], limit=2)
    assert done.rule == "below_cut" and done.rank == ranking.index("Lina Lapsed") + 1
    assert done.cut_points == 42.0  # the list's second place: Omar, overdue 20 days
    assert f"ranks #{done.rank} of" in done.reason and "#2 has 42" in done.reason


def test_why_not_filtered(session, world):
    done = why(session, world["due"], temperature="hot")
    assert done.rule == "filtered" and done.rank is None and done.overall_rank == 1
    assert "hot customers only" in done.reason and "Dalia Due is cold" in done.reason
    done = why(session, world["due"], lifecycle_stage="loyal")
    assert done.rule == "filtered" and "loyal customers only" in done.reason


def test_why_not_assigned_elsewhere(session, world):
    done = why(session, world["overdue"], assigned_to_id=world["rina"])
    assert done.rule == "assigned_elsewhere" and "assigned to Sumi Akter" in done.reason
    mine = why(session, world["due"], assigned_to_id=world["rina"])
    assert (mine.rule, mine.rank) == ("on_list", 1)
    nobody = why(session, world["lapsed"], assigned_to_id=world["rina"])
    assert nobody.rule == "assigned_elsewhere" and "not assigned to anyone" in nobody.reason


def test_why_not_eligible_and_do_not_call(session, world):
    gone = why(session, world["gone"])
    assert gone.rule == "not_eligible" and "status is inactive" in gone.reason and gone.entry is None
    dnc = why(session, world["dnc"])
    assert dnc.rule == "do_not_call" and "do-not-call" in dnc.reason
