"""Recording orders: items resolved to products, aggregates refreshed, bad input writes nothing."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from domain.errors import Conflict, DomainError, NotFound
from domain.models import CustomerStats, Order, OrderItem
from domain.orders import parse_amount, record_order
from tests.factories import make_customer, make_product

DHAKA = ZoneInfo("Asia/Dhaka")
TODAY = date(2026, 11, 20)
OCT_1 = datetime(2026, 10, 1, 15, 0, tzinfo=DHAKA)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_order_with_items_refreshes_the_customer(session):
    customer = make_customer(session)
    kettle = make_product(session, "Blue Kettle", price=4500)
    order = record_order(
        session,
        customer.id,
        ordered_at=OCT_1,
        amount="5,100",
        today=TODAY,
        items=["blue kettle", {"name": "Gift wrap", "quantity": 2}],
        external_id="SHOP-1",
    )
    items = sorted(order.items, key=lambda i: i.product_name)
    assert [(i.product_name, i.product_id, i.quantity, i.unit_price) for i in items] == [
        ("Blue Kettle", kettle.id, 1, Decimal("4500")),
        ("Gift wrap", None, 2, Decimal("300.00")),
    ]
    stats = session.get(CustomerStats, customer.id)
    assert (stats.order_count, stats.total_spent) == (1, Decimal("5100.00"))
    session.refresh(customer)
    assert customer.lifecycle_stage == "first_buyer"


def test_cancelled_orders_do_not_count_as_spend(session):
    customer = make_customer(session)
    record_order(session, customer.id, ordered_at=OCT_1, amount=900, status="cancelled", today=TODAY)
    assert session.get(CustomerStats, customer.id).order_count == 0


@pytest.mark.parametrize(
    "kwargs, error, field",
    [
        ({"amount": -1}, DomainError, "amount"),
        ({"amount": "lots"}, DomainError, "amount"),
        ({"status": "shipped"}, DomainError, "status"),
        ({"ordered_at": datetime(2026, 12, 1, tzinfo=DHAKA)}, DomainError, "ordered_at"),
        ({"ordered_at": datetime(2026, 10, 1)}, DomainError, "ordered_at"),
        ({"items": [{"name": "Kettle", "quantity": 0}]}, DomainError, "items"),
        ({"customer_id": 999}, NotFound, "customer_id"),
    ],
)
def test_bad_orders_write_nothing(session, kwargs, error, field):
    customer = make_customer(session)
    args = {"customer_id": customer.id, "ordered_at": OCT_1, "amount": 100, "today": TODAY, **kwargs}
    with pytest.raises(error) as raised:
        record_order(session, args.pop("customer_id"), **args)
    assert raised.value.field == field
    assert (
        count(session, Order) == 0 and count(session, OrderItem) == 0 and count(session, CustomerStats) == 0
    )


def test_an_external_id_is_recorded_once(session):
    customer = make_customer(session)
    record_order(session, customer.id, ordered_at=OCT_1, amount=100, today=TODAY, external_id="SHOP-9")
    with pytest.raises(Conflict, match="SHOP-9"):
        record_order(session, customer.id, ordered_at=OCT_1, amount=100, today=TODAY, external_id="SHOP-9")
    assert count(session, Order) == 1


@pytest.mark.parametrize("raw", ["1e400", "1000000000000", "99999999999999.99"])
def test_amounts_too_large_for_the_books_are_refused(raw):
    with pytest.raises(DomainError, match="too large"):
        parse_amount(raw)
