"""Customer writes: normalization, validation errors that write nothing, tags, consent, quiet hours."""

from datetime import date, datetime, time, timezone

import pytest
from sqlalchemy import func, select

from domain.customers import add_tag, create_customer, set_consent, set_quiet_hours, update_customer
from domain.errors import Conflict, DomainError, NotFound
from domain.models import ChannelConsent, ConsentEvent, Customer, Tag
from tests.factories import make_customer, make_user

TODAY = date(2026, 11, 20)
AT = datetime(2026, 11, 20, 4, 30, tzinfo=timezone.utc)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_create_normalizes_phone_and_email(session):
    rina = make_user(session)
    customer = create_customer(
        session,
        name="  Rahim   Uddin ",
        phone="01712-345678",
        email="Rahim@Example.COM",
        today=TODAY,
        gender="Male",
        date_of_birth="1988-03-02",
        anniversary_date=date(2015, 1, 9),
        assigned_to_id=rina.id,
        account_kind="wholesale",
    )
    assert (customer.name, customer.phone, customer.email) == (
        "Rahim Uddin",
        "+8801712345678",
        "rahim@example.com",
    )
    assert (customer.gender, customer.date_of_birth, customer.account_kind) == (
        "male",
        date(1988, 3, 2),
        "wholesale",
    )
    assert customer.customer_type == "new" and customer.assigned_to_id == rina.id


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"phone": "12345"}, "phone"),
        ({"email": "rahim@"}, "email"),
        ({"date_of_birth": date(2027, 1, 1)}, "date_of_birth"),
        ({"date_of_birth": "1990-02-30"}, "date_of_birth"),
        ({"date_of_birth": date(1990, 1, 1), "anniversary_date": date(1985, 1, 1)}, "anniversary_date"),
        ({"gender": "robot"}, "gender"),
        ({"account_kind": "reseller"}, "account_kind"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_bad_customer_input_is_refused_and_writes_nothing(session, fields, field):
    with pytest.raises(DomainError) as error:
        create_customer(session, name="Fatema Begum", today=TODAY, **fields)
    assert error.value.field == field
    assert count(session, Customer) == 0


def test_several_problems_are_reported_together(session):
    with pytest.raises(DomainError) as error:
        create_customer(session, name="Nusrat Jahan", phone="abc", gender="x", today=TODAY)
    assert "phone" in error.value.message and "gender" in error.value.message


def test_duplicate_phone_or_unknown_user_is_refused(session):
    first = create_customer(session, name="Tanvir Ahmed", phone="+880 1712 345678", today=TODAY)
    with pytest.raises(Conflict, match=f"customer {first.id}"):
        create_customer(session, name="Tanvir A.", phone="8801712345678", today=TODAY)
    with pytest.raises(NotFound):
        create_customer(session, name="Sadia", assigned_to_id=999, today=TODAY)
    assert count(session, Customer) == 1


def test_update_validates_against_stored_values(session):
    customer = make_customer(session, date_of_birth=date(1990, 5, 5))
    with pytest.raises(DomainError, match="before date_of_birth"):
        update_customer(session, customer.id, anniversary_date=date(1980, 1, 1), today=TODAY)
    updated = update_customer(session, customer.id, city="Sylhet", lifecycle_stage="loyal", today=TODAY)
    assert (updated.city, updated.lifecycle_stage, updated.lifecycle_locked) == ("Sylhet", "loyal", True)
    assert session.get(Customer, customer.id).anniversary_date is None
    with pytest.raises(NotFound):
        update_customer(session, 999, city="Dhaka", today=TODAY)


def test_duplicate_tag_is_a_conflict(session):
    customer = make_customer(session)
    assert add_tag(session, customer.id, "  Eid  Shopper").tag == "eid-shopper"
    with pytest.raises(Conflict):
        add_tag(session, customer.id, "eid-shopper")
    with pytest.raises(DomainError):
        add_tag(session, customer.id, "   ")
    with pytest.raises(NotFound):
        add_tag(session, 999, "vip")
    assert count(session, Tag) == 1


def test_consent_keeps_current_state_and_appends_the_log(session):
    customer, agent = make_customer(session), make_user(session)
    set_consent(session, customer.id, "whatsapp", False, source="customer_request", reason="STOP", at=AT)
    later = AT.replace(hour=6)
    consent = set_consent(session, customer.id, "whatsapp", True, source="agent", user_id=agent.id, at=later)
    assert consent.opted_in is True and consent.updated_at == later
    assert count(session, ChannelConsent) == 1
    events = session.scalars(select(ConsentEvent).order_by(ConsentEvent.id)).all()
    assert [(e.opted_in, e.source, e.reason) for e in events] == [
        (False, "customer_request", "STOP"),
        (True, "agent", None),
    ]


@pytest.mark.parametrize(
    "channel, kwargs, error",
    [
        ("pigeon", {}, DomainError),
        ("sms", {"source": ""}, DomainError),
        ("sms", {"at": datetime(2026, 1, 1)}, DomainError),
        ("sms", {"customer_id": 999}, NotFound),
    ],
)
def test_bad_consent_writes_nothing(session, channel, kwargs, error):
    customer = make_customer(session)
    args = {"customer_id": customer.id, "source": "agent", "at": AT, **kwargs}
    with pytest.raises(error):
        set_consent(session, args.pop("customer_id"), channel, False, **args)
    assert count(session, ChannelConsent) == 0 and count(session, ConsentEvent) == 0


def test_quiet_hours_may_wrap_midnight_and_need_both_ends(session):
    customer = make_customer(session)
    set_quiet_hours(session, customer.id, "21:00", time(9, 0))
    assert (customer.quiet_hours_start, customer.quiet_hours_end) == (time(21, 0), time(9, 0))
    for start, end in (("21:00", None), ("10:00", "10:00"), ("25:00", "09:00")):
        with pytest.raises(DomainError):
            set_quiet_hours(session, customer.id, start, end)
    assert session.get(Customer, customer.id).quiet_hours_start == time(21, 0)
    set_quiet_hours(session, customer.id, None, None)
    assert customer.quiet_hours_start is None
