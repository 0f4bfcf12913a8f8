"""Consent rules: hand-computed verdicts, and the property that no verdict proposes an opted-out
channel or a time inside quiet hours."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from domain.consent import (
    CHANNEL_ORDER, ContactFacts, _single, channel_verdict, in_quiet_hours, quiet_period_end,
)
from domain.errors import DomainError

DHAKA = ZoneInfo("Asia/Dhaka")
NOW = datetime(2026, 11, 20, 10, 30, tzinfo=DHAKA)


def facts(**kw) -> ContactFacts:
    base = dict(phone="+8801712345678", email="rahim@example.com", timezone=DHAKA,
                last_whatsapp_inbound_at=NOW - timedelta(hours=2))
    base.update(kw)
    return ContactFacts(**base)


def test_everything_allowed_by_default_with_details_and_no_consent_rows():
    verdict = channel_verdict(facts(), "sms", NOW)
    assert (verdict.allowed, verdict.blocked_reason, verdict.alternative_channel) == (True, None, None)


def test_explicit_opt_out_blocks_and_offers_the_preferred_channel():
    verdict = channel_verdict(facts(consents={"whatsapp": False}, preferred_channel="email"), "whatsapp", NOW)
    assert (verdict.allowed, verdict.blocked_reason, verdict.alternative_channel) == (False, "opted_out", "email")
    # without a preference the fixed order applies: whatsapp, sms, email...
    assert channel_verdict(facts(consents={"whatsapp": False}), "whatsapp", NOW).alternative_channel == "sms"


def test_alternative_skips_opted_out_channels():
    verdict = channel_verdict(facts(consents={"whatsapp": False, "sms": False}), "whatsapp", NOW)
    assert verdict.alternative_channel == "email"


def test_erased_customer_is_opted_out_everywhere():
    verdict = channel_verdict(facts(erased=True), "email", NOW)
    assert (verdict.blocked_reason, verdict.alternative_channel) == ("opted_out", None)


def test_quiet_hours_crossing_midnight_end_next_morning():
    late = datetime(2026, 11, 20, 23, 30, tzinfo=DHAKA)
    verdict = channel_verdict(facts(quiet_start=time(21), quiet_end=time(9)), "sms", late)
    assert verdict.blocked_reason == "quiet_hours"
    assert verdict.next_allowed_at == datetime(2026, 11, 21, 9, 0, tzinfo=DHAKA)
    assert verdict.alternative_channel is None  # every channel waits for the end of quiet hours
    early = datetime(2026, 11, 21, 6, 15, tzinfo=DHAKA)
    assert channel_verdict(facts(quiet_start=time(21), quiet_end=time(9)), "sms", early).next_allowed_at == \
        datetime(2026, 11, 21, 9, 0, tzinfo=DHAKA)
    assert channel_verdict(facts(quiet_start=time(21), quiet_end=time(9)), "sms", NOW).allowed


def test_quiet_hours_are_read_in_the_customers_zone():
    london = ZoneInfo("Europe/London")
    # 10:30 in Dhaka is 04:30 in London (GMT in November): inside 22:00-07:00 there.
    verdict = channel_verdict(facts(timezone=london, quiet_start=time(22), quiet_end=time(7)), "email", NOW)
    assert verdict.next_allowed_at == datetime(2026, 11, 20, 7, 0, tzinfo=london)
    assert verdict.next_allowed_at == datetime(2026, 11, 20, 13, 0, tzinfo=DHAKA)


def test_zero_length_quiet_hours_mean_none():
    assert not in_quiet_hours(time(3), time(5), time(5))
    assert channel_verdict(facts(quiet_start=time(10), quiet_end=time(10)), "sms", NOW).allowed


def test_whatsapp_window_and_templates():
    inside = facts(last_whatsapp_inbound_at=NOW - timedelta(hours=23, minutes=59))
    assert channel_verdict(inside, "whatsapp", NOW).template_required is False
    stale = facts(last_whatsapp_inbound_at=NOW - timedelta(hours=24))
    with_template = channel_verdict(replace(stale, whatsapp_template_available=True), "whatsapp", NOW)
    assert (with_template.allowed, with_template.template_required) == (True, True)
    without = channel_verdict(stale, "whatsapp", NOW)
    assert (without.allowed, without.blocked_reason, without.template_required, without.alternative_channel) == \
        (False, "outside_whatsapp_window", True, "sms")
    never = channel_verdict(facts(last_whatsapp_inbound_at=None), "whatsapp", NOW)
    assert never.blocked_reason == "outside_whatsapp_window"


def test_missing_contact_details():
    assert channel_verdict(facts(phone=None), "sms", NOW).blocked_reason == "no_contact_detail"
    assert channel_verdict(facts(phone=None), "sms", NOW).alternative_channel == "email"
    assert channel_verdict(facts(email=None), "email", NOW).alternative_channel == "whatsapp"
    assert channel_verdict(facts(), "instagram", NOW).blocked_reason == "no_contact_detail"
    assert channel_verdict(facts(social_channels_seen=frozenset({"instagram"})), "instagram", NOW).allowed
    nothing = channel_verdict(facts(phone=None, email=None), "email", NOW)
    assert (nothing.blocked_reason, nothing.alternative_channel) == ("no_contact_detail", None)


def test_opt_out_is_reported_before_missing_detail():
    assert channel_verdict(facts(phone=None, consents={"sms": False}), "sms", NOW).blocked_reason == "opted_out"


def test_bad_input():
    with pytest.raises(DomainError, match="unknown channel"):
        channel_verdict(facts(), "pigeon", NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        channel_verdict(facts(), "sms", datetime(2026, 11, 20, 10, 30))


# --- the property -------------------------------------------------------------------------------

ZONES = [ZoneInfo(z) for z in ("Asia/Dhaka", "UTC", "Asia/Kolkata", "America/New_York", "Europe/London",
                               "Australia/Adelaide")]
FIXED_OFFSET = {"Asia/Dhaka", "UTC", "Asia/Kolkata"}
times = st.builds(time, st.integers(0, 23), st.sampled_from([0, 1, 15, 30, 59]))
channels = st.sampled_from(CHANNEL_ORDER)


@st.composite
def contact_facts(draw) -> ContactFacts:
    now = draw(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31),
                            timezones=st.just(timezone.utc)))
    quiet = draw(st.one_of(st.none(), st.tuples(times, times)))
    inbound = draw(st.one_of(st.none(), st.integers(0, 72 * 60)))
    return now, ContactFacts(
        phone=draw(st.sampled_from([None, "+8801712345678"])),
        email=draw(st.sampled_from([None, "a@example.com"])),
        consents=draw(st.dictionaries(channels, st.booleans())),
        timezone=draw(st.sampled_from(ZONES)),
        quiet_start=quiet[0] if quiet else None,
        quiet_end=quiet[1] if quiet else None,
        last_whatsapp_inbound_at=now - timedelta(minutes=inbound) if inbound is not None else None,
        social_channels_seen=frozenset(draw(st.sets(st.sampled_from(["instagram", "facebook"])))),
        preferred_channel=draw(st.one_of(st.none(), channels)),
        whatsapp_template_available=draw(st.booleans()),
    )


def quiet_at(f: ContactFacts, moment: datetime) -> bool:
    return in_quiet_hours(moment.astimezone(f.timezone).time(), f.quiet_start, f.quiet_end)


@settings(max_examples=600, deadline=None)
@given(contact_facts(), channels)
def test_no_verdict_proposes_an_opted_out_channel_or_a_quiet_time(case, channel):
    now, f = case
    verdict = channel_verdict(f, channel, now)
    proposed = [c for c in (channel if verdict.allowed else None, verdict.alternative_channel) if c]
    for c in proposed:
        assert f.consents.get(c) is not False, f"proposed {c}, which the customer opted out of"
        assert not quiet_at(f, now), f"proposed {c} now, inside quiet hours"
        assert _single(f, c, now).allowed
    assert verdict.alternative_channel != channel
    assert verdict.allowed == (verdict.blocked_reason is None)
    if verdict.next_allowed_at is not None:
        assert verdict.blocked_reason == "quiet_hours"
        assert now < verdict.next_allowed_at <= now + timedelta(hours=26)
        assert not quiet_at(f, verdict.next_allowed_at), "next_allowed_at lies inside quiet hours"
        if f.timezone.key in FIXED_OFFSET:  # the end is tight: a minute earlier is still quiet
            assert quiet_at(f, verdict.next_allowed_at - timedelta(minutes=1))
    if verdict.blocked_reason == "quiet_hours":
        assert verdict.next_allowed_at is not None and verdict.alternative_channel is None


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ZONES), times, times,
       st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(timezone.utc)))
def test_quiet_period_end_is_outside_quiet_hours(zone, start, end, now):
    f = ContactFacts(timezone=zone, quiet_start=start, quiet_end=end)
    found = quiet_period_end(now, f)
    assert (found is None) == (not quiet_at(f, now))
    if found is not None:
        assert found > now and not quiet_at(f, found)
