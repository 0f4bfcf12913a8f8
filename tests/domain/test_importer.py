"""CSV import: happy paths, idempotent re-imports, and files with bad rows that import nothing."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from domain.db import transaction
from domain.importer import ImportFailed, import_csv
from domain.models import (
    ConsentEvent,
    Customer,
    CustomerStats,
    Interaction,
    Order,
    OrderItem,
    Tag,
    interaction_products,
)
from tests.factories import make_customer, make_product, make_user

CUSTOMERS = """external_key,name,phone,email,date_of_birth,gender,assigned_to,tags,consent_sms,quiet_hours_start,quiet_hours_end
C-1,Rahim Uddin,01712-345678,Rahim@Example.com,1988-03-02,male,Rina Akter,eid-shopper;prefers-cod,no,21:00,09:00
C-2,Fatema Begum,+880 1812 345678,,1990-11-22,female,,,yes,,
,Nusrat Jahan,8801912345678,nusrat@example.com,,,,,,,
"""
BAD_CUSTOMERS = """name,phone,date_of_birth,gender,anniversary_date
Rahim Uddin,12345,1988-03-02,male,
Fatema Begum,01812345678,2030-01-01,female,
Tanvir Ahmed,01912345678,1990-01-01,robot,1980-01-01
,01612345678,,,
"""


def write(tmp_path, name: str, body: str):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def run(sessions, kind, path, clock):
    with transaction(sessions) as session:
        return import_csv(session, kind, path, clock=clock)


def test_customers_import_and_reimport_changes_nothing(sessions, clock, tmp_path):
    with transaction(sessions) as session:
        make_user(session, "Rina Akter")
    path = write(tmp_path, "customers.csv", CUSTOMERS)
    first = run(sessions, "customers", path, clock)
    assert (first.created, first.updated) == (3, 0)
    again = run(sessions, "customers", path, clock)
    assert (again.created, again.updated) == (0, 3)
    with sessions() as s:
        assert count(s, Customer) == 3 and count(s, Tag) == 2 and count(s, ConsentEvent) == 2
        rahim = s.scalar(select(Customer).where(Customer.external_key == "C-1"))
        assert (rahim.phone, rahim.email, rahim.assigned_to.name) == (
            "+8801712345678",
            "rahim@example.com",
            "Rina Akter",
        )
        assert str(rahim.quiet_hours_start) == "21:00:00"


def test_bad_customer_rows_are_all_reported_and_nothing_is_written(sessions, clock, tmp_path):
    with pytest.raises(ImportFailed) as failed:
        run(sessions, "customers", write(tmp_path, "bad.csv", BAD_CUSTOMERS), clock)
    found = {(e.row, e.column) for e in failed.value.errors}
    assert {(2, "phone"), (3, "date_of_birth"), (4, "gender"), (4, "anniversary_date"), (5, "name")} <= found
    assert "not a valid phone number" in str(failed.value.errors[0])
    with sessions() as s:
        assert count(s, Customer) == 0


def test_unknown_columns_are_refused(sessions, clock, tmp_path):
    with pytest.raises(ImportFailed, match="problem") as failed:
        run(sessions, "orders", write(tmp_path, "o.csv", "customer,when\nx,y\n"), clock)
    assert {e.column for e in failed.value.errors} >= {"customer", "ordered_at", "amount"}


def orders_world(sessions):
    with transaction(sessions) as session:
        make_customer(session, "Rahim Uddin", phone="01712345678", external_key="C-1")
        make_customer(session, "Fatema Begum", email="fatema@example.com")
        make_product(session, "Blue Kettle", price=4500)
        make_user(session, "Rina Akter")


def test_orders_import_resolves_customers_and_is_idempotent(sessions, clock, tmp_path):
    orders_world(sessions)
    path = write(
        tmp_path,
        "orders.csv",
        (
            "external_id,customer_key,customer_phone,customer_email,ordered_at,amount,status,items\n"
            "O-1,C-1,,,2026-10-01,4500,,Blue Kettle\n"
            ",,+880 1712-345678,,2026-11-01T18:30,1200,completed,Tea x3; Blue kettle\n"
            ",,,FATEMA@example.com,2026-09-15,800,cancelled,\n"
        ),
    )
    assert run(sessions, "orders", path, clock).created == 3
    again = run(sessions, "orders", path, clock)
    assert (again.created, again.skipped) == (0, 3)
    with sessions() as s:
        assert count(s, Order) == 3 and count(s, OrderItem) == 3
        rahim = s.scalar(select(Customer).where(Customer.external_key == "C-1"))
        stats = s.get(CustomerStats, rahim.id)
        assert (stats.order_count, stats.total_spent) == (2, Decimal("5700.00"))
        tea = s.scalar(select(OrderItem).where(OrderItem.product_name == "Tea"))
        assert (tea.quantity, tea.product_id) == (3, None)


def test_bad_order_rows_import_nothing(sessions, clock, tmp_path):
    orders_world(sessions)
    path = write(
        tmp_path,
        "orders.csv",
        (
            "external_id,customer_phone,customer_id,ordered_at,amount,status\n"
            "O-1,01712345678,,2026-10-01,4500,\n"
            "O-2,01799999999,,2026-10-01,100,\n"
            "O-3,01712345678,,2026-10-01,-5,\n"
            "O-4,,,2026-10-01,5,\n"
            "O-5,,424242,2026-13-01,5,shipped\n"
            "O-1,01712345678,,2027-01-01,5,\n"
        ),
    )
    with pytest.raises(ImportFailed) as failed:
        run(sessions, "orders", path, clock)
    found = {(e.row, e.column) for e in failed.value.errors}
    assert {
        (3, "customer_phone"),
        (4, "amount"),
        (5, None),
        (6, "customer_id"),
        (6, "ordered_at"),
        (6, "status"),
        (7, "ordered_at"),
        (7, "external_id"),
    } <= found
    with sessions() as s:
        assert count(s, Order) == 0 and count(s, CustomerStats) == 0


def test_interactions_import_links_products_and_is_idempotent(sessions, clock, tmp_path):
    orders_world(sessions)
    path = write(
        tmp_path,
        "interactions.csv",
        (
            "external_id,customer_key,occurred_at,type,direction,outcome,notes,follow_up_at,products,logged_by\n"
            "I-1,C-1,2026-11-18T11:00,call,outbound,interested,loved the kettle,2026-11-27,Blue Kettle,Rina Akter\n"
            ",C-1,2026-11-19,whatsapp,inbound,,where is my parcel?,,,\n"
        ),
    )
    assert run(sessions, "interactions", path, clock).created == 2
    assert run(sessions, "interactions", path, clock).skipped == 2
    with sessions() as s:
        assert count(s, Interaction) == 2 and count(s, interaction_products) == 1
        call = s.scalar(select(Interaction).where(Interaction.type == "call"))
        assert (
            call.follow_up_required
            and call.follow_up_at.astimezone(clock.tz).date().isoformat() == "2026-11-27"
        )
        assert s.scalar(select(CustomerStats.last_inbound_at)) is not None


def test_bad_interaction_rows_import_nothing(sessions, clock, tmp_path):
    orders_world(sessions)
    path = write(
        tmp_path,
        "interactions.csv",
        (
            "customer_key,occurred_at,type,outcome,duration_seconds,follow_up_at,products,logged_by\n"
            "C-1,2026-11-18,telegram,,,,,\n"
            "C-1,2026-11-18T12:00,call,happy,-3,2026-11-17,Red Kettle,Nobody\n"
            "C-1,,call,,,,,\n"
        ),
    )
    with pytest.raises(ImportFailed) as failed:
        run(sessions, "interactions", path, clock)
    found = {(e.row, e.column) for e in failed.value.errors}
    assert {
        (2, "type"),
        (3, "outcome"),
        (3, "duration_seconds"),
        (3, "follow_up_at"),
        (3, "products"),
        (3, "logged_by"),
        (4, "occurred_at"),
    } <= found
    with sessions() as s:
        assert count(s, Interaction) == 0


def test_cli_import_lists_problems_and_exits_non_zero(db_url, sessions, tmp_path):
    import channels.cli.data  # noqa: F401  (registers the commands)
    from channels.cli import app

    runner = CliRunner()
    bad = runner.invoke(
        app, ["import", "customers", str(write(tmp_path, "b.csv", BAD_CUSTOMERS)), "--db", db_url]
    )
    assert bad.exit_code == 1 and "row 2, column phone" in bad.output and "nothing was imported" in bad.output
    good = runner.invoke(
        app,
        [
            "import",
            "customers",
            str(write(tmp_path, "g.csv", "name,phone\nRahim,01712345678\n")),
            "--db",
            db_url,
        ],
    )
    assert good.exit_code == 0, good.output
    assert "1 created" in good.output
    with sessions() as s:
        assert count(s, Customer) == 1
