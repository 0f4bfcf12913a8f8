"""get_360's working sections: pinned and latest notes with authors' names, tags, consent per
channel (with when and why), open follow-ups; and that a write through the tools shows at once."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from domain.models import ConsentEvent, Note
from tests.factories import DHAKA, make_consent, make_customer, make_interaction, make_user
from tests.tools.conftest import call


@pytest.fixture
def rahim(build):
    def world(s):
        rina = make_user(s, "Rina Akter")
        c = make_customer(s, "Rahim Uddin", phone="01712-345678", email="rahim@example.com", assigned_to=rina,
                          quiet_hours_start=time(21), quiet_hours_end=time(9), tags=["eid-shopper"])
        make_consent(s, c, "whatsapp", True)
        s.add(ConsentEvent(customer_id=c.id, channel="whatsapp", opted_in=True, source="signup",
                           reason="ticked the box", occurred_at=datetime(2026, 1, 5, 12, tzinfo=DHAKA)))
        for i, (body, pinned) in enumerate([("Prefers bKash", True), ("old note", False), ("Call after 6 pm", False)]):
            s.add(Note(customer_id=c.id, author_id=rina.id, type="internal", body=body, pinned=pinned,
                       created_at=datetime(2026, 11, 1 + i, 9, tzinfo=DHAKA)))
        make_interaction(s, c, at=date(2026, 11, 10), outcome="callback", follow_up_at=datetime(2026, 11, 19, 10, tzinfo=DHAKA),
                         user=rina, notes="send the price list")
        return c.id
    return build(world)


def test_notes_tags_consent_and_follow_ups_are_shown(make_ctx, rahim):
    result = call("get_360", {"customer": rahim}, make_ctx("Rina Akter"))
    assert result.ok, result.text
    assert [(n.text, n.author) for n in result.notes.pinned] == [("Prefers bKash", "Rina Akter")]
    assert [n.text for n in result.notes.latest] == ["Call after 6 pm", "old note"] and result.notes.count == 3
    assert result.tags == ["eid-shopper"]
    consent = {c.channel: c for c in result.consent}
    assert list(consent) == ["whatsapp", "sms", "email", "instagram", "facebook"]
    assert (consent["whatsapp"].opted_in, consent["whatsapp"].source, consent["whatsapp"].since.date()) == (
        True, "signup", date(2026, 1, 5))
    assert consent["sms"].opted_in is None
    assert (result.preferences.quiet_hours_start, result.preferences.quiet_hours_end) == (time(21), time(9))
    [follow_up] = result.open_follow_ups
    assert (follow_up.due_at, follow_up.overdue, follow_up.set_by) == (
        datetime(2026, 11, 19, 10, tzinfo=DHAKA), True, "Rina Akter")
    text = result.text
    assert "Tags: eid-shopper" in text and "📌 Prefers bKash — Rina Akter, 2026-11-01" in text
    assert "Follow-up OVERDUE, was due Thu 19 Nov 2026 10:00 (set by Rina Akter): send the price list" in text
    assert "Latest notes: Call after 6 pm — Rina Akter" in text and "quiet hours 21:00-09:00" in text


def test_writes_show_at_once(make_ctx, rahim):
    ctx = make_ctx("Rina Akter")
    assert call("add_note", {"customer": rahim, "text": "VIP: always offer free delivery", "pinned": True,
                             "type": "reminder"}, ctx).ok
    assert call("update_consent", {"customer": rahim, "channel": "sms", "opted_in": False,
                                   "reason": "too many offers"}, ctx).ok
    assert call("tag_customer", {"customer": rahim, "add": ["bulk buyer"], "remove": ["eid-shopper"]}, ctx).ok
    result = call("get_360", {"customer": rahim}, ctx)
    assert result.notes.pinned[0].text == "VIP: always offer free delivery" and result.notes.pinned[0].type == "reminder"
    sms = next(c for c in result.consent if c.channel == "sms")
    assert (sms.opted_in, sms.reason, sms.changed_by, sms.source) == (False, "too many offers", "Rina Akter", "agent")
    assert result.preferences.consent["sms"] is False and result.tags == ["bulk-buyer"]
    assert "Opted out: sms since 2026-11-20 (too many offers)" in result.text
    assert "📌 [reminder] VIP: always offer free delivery — Rina Akter, 2026-11-20" in result.text
