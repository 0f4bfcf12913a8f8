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
