"""The final-database check masks ids and creation times and shows the rows that differ."""
from datetime import datetime, timezone

from domain.models import Customer, Interaction
from evals import dbstate


def _customer(session, name="Rahim Uddin"):
    row = Customer(name=name, phone="+8801712345678")
    session.add(row)
    session.flush()
    return row


def test_equal_content_with_other_ids_and_creation_times_is_equal(sessions, engine):
    with sessions.begin() as s:
        s.add(Customer(id=50, name="Rahim Uddin", created_at=datetime(2020, 1, 1, tzinfo=timezone.utc)))
    first = dbstate.snapshot(engine)
    with sessions.begin() as s:
        s.query(Customer).delete()
        s.add(Customer(id=99, name="Rahim Uddin", created_at=datetime(2024, 5, 5, tzinfo=timezone.utc)))
    assert dbstate.diff(dbstate.snapshot(engine), first) == []


def test_an_extra_row_is_shown_with_its_side(sessions, engine):
    with sessions.begin() as s:
        customer = _customer(s)
    before = dbstate.snapshot(engine)
    with sessions.begin() as s:
        s.add(Interaction(customer_id=customer.id, type="call", direction="outbound", notes="hello",
                          occurred_at=datetime(2026, 11, 20, 4, 30, tzinfo=timezone.utc)))
    rows = dbstate.diff(dbstate.snapshot(engine), before)
    assert len(rows) == 1
    assert rows[0]["table"] == "interactions" and rows[0]["side"] == "actual only"
    assert rows[0]["row"]["notes"] == "hello" and "id" not in rows[0]["row"]
    assert dbstate.diff(before, dbstate.snapshot(engine))[0]["side"] == "expected only"


def test_expect_db_reads_every_contract_entity(sessions):
    """expect_db rows carry the fields CONTRACT §2 lists; follow-ups come from the follow-ups table."""
    from datetime import date
    from zoneinfo import ZoneInfo

    from domain.models import ChannelConsent, Dropoff, FamilyMember, FollowUp, Note, Opportunity, Tag, User
    from evals.case import DbExpectation
    from evals.fixture import World

    tz = ZoneInfo("Asia/Dhaka")
    at = datetime(2026, 11, 27, 4, 0, tzinfo=timezone.utc)  # 10:00 in Dhaka
    with sessions.begin() as s:
        c = _customer(s)
        rina = User(name="Rina Akter")
        s.add(rina)
        s.flush()
        s.add_all([
            Interaction(customer_id=c.id, type="call", direction="outbound", notes="n", follow_up_at=at,
                        occurred_at=datetime(2026, 11, 20, 4, 30, tzinfo=timezone.utc)),
            FollowUp(customer_id=c.id, due_at=at, set_at=datetime(2026, 11, 20, 4, 30, tzinfo=timezone.utc)),
            FollowUp(customer_id=c.id, due_at=datetime(2026, 11, 22, 4, 0, tzinfo=timezone.utc),
                     set_at=datetime(2026, 11, 19, tzinfo=timezone.utc),
                     closed_at=datetime(2026, 11, 20, 4, 30, tzinfo=timezone.utc), close_reason="replaced"),
            FamilyMember(customer_id=c.id, name="Sarah", name_key="sarah", relationship="spouse",
                         anniversary_date=date(2015, 2, 14)),
            ChannelConsent(customer_id=c.id, channel="sms", opted_in=False,
                           updated_at=datetime(2026, 1, 1, tzinfo=timezone.utc)),
            Note(customer_id=c.id, author_id=rina.id, type="internal", body="Prefers bKash", pinned=True),
            Tag(customer_id=c.id, tag="eid-shopper"),
            Opportunity(customer_id=c.id, name="Eid bulk order", stage="proposal", value=250000, probability=0.5,
                        status="open"),
        ])
        s.flush()
        drop = Dropoff(customer_id=c.id, stage="add_to_cart", cart_value=5500,
                       occurred_at=datetime(2026, 11, 18, tzinfo=timezone.utc))
        s.add(drop)
        s.flush()
        deal = s.query(Opportunity).one()
        world = World(actor_id=rina.id, customers={"rahim": c.id}, dropoffs={"cart1": drop.id},
                      opportunities={"eid": deal.id})
    checks = [
        {"entity": "follow_ups", "where": {"customer": "rahim", "open": True}, "count": 1,
         "fields": {"at": {"date": "2026-11-27"}}},
        {"entity": "follow_ups", "where": {"customer": "rahim", "open": True},
         "fields": {"at": datetime(2026, 11, 27, 10, 0)}},
        {"entity": "follow_ups", "where": {"customer": "rahim", "open": False}, "count": 1},
        {"entity": "interactions", "where": {"customer": "rahim"}, "fields": {"occurred_at": {"date": "2026-11-20"},
                                                                            "type": "call"}},
        {"entity": "family_members", "where": {"name": "sarah"}, "fields": {"anniversary_date": date(2015, 2, 14)}},
        {"entity": "dropoffs", "where": {"key": "cart1"}, "fields": {"recovered": False, "customer": "rahim"}},
        {"entity": "consent", "where": {"channel": "sms"}, "fields": {"opted_in": False}},
        {"entity": "consent", "where": {"channel": "email"}, "exists": False},
        {"entity": "notes", "where": {"pinned": True}, "fields": {"text": {"contains": "bkash"}, "author": "Rina Akter"}},
        {"entity": "tags", "where": {"tag": "eid-shopper"}, "exists": True},
        {"entity": "opportunities", "where": {"key": "eid"}, "fields": {"probability": 50, "value": 250000,
                                                                       "stage": "proposal", "status": "open"}},
    ]
    with sessions() as s:
        assert dbstate.check_expectations(s, [DbExpectation(**c) for c in checks], world, tz) == []
        failures = dbstate.check_expectations(s, [
            DbExpectation(entity="tags", where={"customer": "rahim"}, count=2),
            DbExpectation(entity="notes", where={"pinned": False}),
            DbExpectation(entity="consent", where={"channel": "sms"}, exists=False),
        ], world, tz)
    assert failures[0].endswith("expected 2 row(s), found 1 (e.g. {customer: rahim, tag: eid-shopper})")
    assert "no such row; there are 1 notes rows" in failures[1]
    assert "expected no such row" in failures[2]
