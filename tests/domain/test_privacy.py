"""Customer data rights: export, erasure (right to be forgotten), the consent log and the vector-index hook."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from domain.customers import set_consent
from domain.db import transaction
from domain.enums import Role
from domain.errors import DomainError, Forbidden, NotFound
from domain.models import (
    AuditLog,
    Base,
    Customer,
    CustomerStats,
    FamilyMember,
    Interaction,
    LoyaltyTransaction,
    Note,
    Order,
    Segment,
    segment_members,
)
from domain.privacy import (
    ERASE_ACTION,
    REDACTED,
    consent_log,
    erase_customer,
    export_customer,
    forget_in_index,
    plain,
    write_consent_csv,
)
from domain.stats import refresh_stats
from tests.factories import (
    make_behavior,
    make_customer,
    make_dropoff,
    make_loyalty,
    make_opportunity,
    make_order,
    make_product,
    make_ticket,
    make_user,
)
from tests.tools.conftest import tool_settings
from tools.context import Actor, ToolContext
from tools.registry import call_tool, load_tools

SECRETS = [
    "Rahim Uddin",
    "+8801712345678",
    "rahim@example.com",
    "House 12, Road 5, Dhanmondi",
    "1988-03-02",
    "Sarah Uddin",
    "+8801812345678",
    "prefers evening calls, wife is pregnant",
    "asked about the blue kettle",
    "card declined at the bank",
    "Late delivery to Dhanmondi",
    "kettle for wife",
    "moved to Uttara",
    "Rahim wedding order",
    "vip-rahim",
]


def ctx_for(
    sessions, clock, user_id: int, name: str, role: str = "agent", key: str | None = None
) -> ToolContext:
    load_tools()
    return ToolContext(
        sessions=sessions,
        actor=Actor(user_id, name, Role(role)),
        clock=clock,
        settings=tool_settings(),
        request_id="test",
        idempotency_key=key,
    )


@pytest.fixture
def world(sessions, clock):
    """Rahim (rich history, family, consent log) and Karim (must be left alone), written through tools."""
    with transaction(sessions) as s:
        admin = make_user(s, "Ayesha Admin", role="admin")
        agent = make_user(s, "Rina Akter")
        kettle = make_product(s, "Blue Kettle", price=4500)
        rahim = make_customer(
            s,
            "Rahim Uddin",
            phone="01712345678",
            email="rahim@example.com",
            address="House 12, Road 5, Dhanmondi",
            date_of_birth=date(1988, 3, 2),
            city="Dhaka",
            assigned_to=agent,
            tags=["vip-rahim"],
        )
        karim = make_customer(
            s, "Karim Hossain", phone="01912345678", city="Khulna", tags=["wholesale"]
        )
        ids = {
            "admin": admin.id,
            "agent": agent.id,
            "rahim": rahim.id,
            "karim": karim.id,
            "kettle": kettle.id,
        }
        for who in (rahim, karim):
            make_order(s, who, at=date(2026, 9, 1), amount=4500, items=[kettle])
        make_order(s, rahim, at=date(2026, 10, 1), amount=1200, items=["Tiffin box"])
        make_dropoff(
            s,
            rahim,
            at=date(2026, 11, 1),
            cart_value=4500,
            product=kettle,
            reason="card declined at the bank",
        )
        make_behavior(s, rahim, at=date(2026, 11, 2), type="search", query="kettle for wife")
        make_ticket(s, rahim, "Late delivery to Dhanmondi", at=date(2026, 10, 5))
        make_opportunity(s, rahim, "Rahim wedding order", at=date(2026, 10, 1))
        make_loyalty(s, rahim, points=120, tier="silver")
        s.add(
            LoyaltyTransaction(
                customer_id=rahim.id, points=120, reason="order", occurred_at=clock.now()
            )
        )
        s.add(
            Note(
                customer_id=rahim.id,
                author_id=agent.id,
                body="prefers evening calls, wife is pregnant",
                created_at=clock.now(),
            )
        )
        s.add(
            Note(
                customer_id=karim.id,
                author_id=agent.id,
                body="Karim pays cash",
                created_at=clock.now(),
            )
        )
        segment = Segment(name="Kettle buyers", criteria={})
        s.add(segment)
        s.flush()
        s.execute(segment_members.insert(), [{"segment_id": segment.id, "customer_id": rahim.id}])
        for channel, opted in (("whatsapp", True), ("sms", False)):
            set_consent(
                s,
                rahim.id,
                channel,
                opted,
                source="customer_request",
                reason="moved to Uttara",
                at=clock.now() - timedelta(days=3),
                user_id=agent.id,
            )
        set_consent(
            s,
            rahim.id,
            "whatsapp",
            False,
            source="customer_request",
            at=clock.now(),
            user_id=agent.id,
        )
        set_consent(s, karim.id, "sms", True, source="import", at=clock.now())
        refresh_stats(s, [rahim.id, karim.id], now=clock.now())
    agent_ctx = ctx_for(sessions, clock, ids["agent"], "Rina Akter")
    for key, who, notes in (
        ("k-rahim-1", "Rahim Uddin", "asked about the blue kettle"),
        ("k-karim-1", ids["karim"], "Karim wants 20 fans"),
    ):
        result = call_tool(
            "log_interaction",
            {
                "customer": who,
                "type": "call",
                "notes": notes,
                "outcome": "interested",
                "products": ["Blue Kettle"],
            },
            agent_ctx.with_key(key),
        )
        assert result.ok, result.text
    added = call_tool(
        "add_family_member",
        {
            "customer": ids["rahim"],
            "name": "Sarah Uddin",
            "relationship": "spouse",
            "phone": "01812345678",
            "date_of_birth": "1990-05-06",
        },
        agent_ctx.with_key("k-fam"),
    )
    assert added.ok, added.text
    return ids


def database_text(sessions) -> str:
    """Every row of every table as one string, to search for personal data that survived."""
    parts = []
    with sessions() as s:
        for table in Base.metadata.sorted_tables:
            for row in s.execute(select(table)).all():
                parts.append(json.dumps([plain(v) for v in row], ensure_ascii=False, default=str))
    return "\n".join(parts)


# -------------------------------------------------------------------------------------- export
def test_export_holds_everything_about_the_customer_and_family(world, sessions, clock):
    with sessions() as s:
        doc = export_customer(s, world["rahim"], now=clock.now())
    assert list(doc) == [
        "format",
        "exported_at",
        "customer_id",
        "customer",
        "stats",
        "family",
        "consent",
        "tags",
        "notes",
        "orders",
        "interactions",
        "follow_ups",
        "behaviour",
        "dropoffs",
        "loyalty",
        "tickets",
        "opportunities",
        "segments",
        "audit",
    ]
    assert doc["customer"]["name"] == "Rahim Uddin" and doc["customer"]["phone"] == "+8801712345678"
    assert doc["customer"]["date_of_birth"] == "1988-03-02"
    assert doc["exported_at"] == "2026-11-20T04:30:00+00:00"
    assert [(f["name"], f["phone"], f["date_of_birth"]) for f in doc["family"]] == [
        ("Sarah Uddin", "+8801812345678", "1990-05-06")
    ]
    assert [(c["channel"], c["opted_in"]) for c in doc["consent"]["current"]] == [
        ("sms", False),
        ("whatsapp", False),
    ]
    assert [(e["channel"], e["opted_in"], e["reason"]) for e in doc["consent"]["history"]] == [
        ("whatsapp", True, "moved to Uttara"),
        ("sms", False, "moved to Uttara"),
        ("whatsapp", False, None),
    ]
    assert doc["tags"] == ["vip-rahim"]
    assert [n["body"] for n in doc["notes"]] == ["prefers evening calls, wife is pregnant"]
    assert [
        (o["total_amount"], [i["product_name"] for i in o["items"]]) for o in doc["orders"]
    ] == [("4500.00", ["Blue Kettle"]), ("1200.00", ["Tiffin box"])]
    assert doc["orders"][0]["ordered_at"] == "2026-09-01T06:00:00+00:00"
    [interaction] = doc["interactions"]
    assert interaction["notes"] == "asked about the blue kettle"
    assert interaction["product_ids"] == [world["kettle"]]
    assert doc["behaviour"][0]["query"] == "kettle for wife"
    assert doc["dropoffs"][0]["reason"] == "card declined at the bank"
    assert (
        doc["loyalty"]["account"]["points_balance"] == 120
        and len(doc["loyalty"]["transactions"]) == 1
    )
    assert doc["tickets"][0]["subject"] == "Late delivery to Dhanmondi"
    assert doc["opportunities"][0]["name"] == "Rahim wedding order"
    assert doc["segments"] == ["Kettle buyers"]
    assert sorted(a["action"] for a in doc["audit"]) == ["add_family_member", "log_interaction"]
    assert doc["stats"]["order_count"] == 2 and doc["stats"]["total_spent"] == "5700.00"
    assert "Karim" not in json.dumps(doc)


def test_export_is_deterministic_json(world, sessions, clock):
    with sessions() as s:
        first = json.dumps(export_customer(s, world["rahim"], now=clock.now()), ensure_ascii=False)
    with sessions() as s:
        second = json.dumps(export_customer(s, world["rahim"], now=clock.now()), ensure_ascii=False)
    assert first == second
    json.loads(first)  # everything in it is plain JSON (no Decimal, date or datetime objects)


def test_export_of_an_unknown_customer_is_not_found(sessions, clock):
    with sessions() as s, pytest.raises(NotFound, match="no customer with id 999"):
        export_customer(s, 999, now=clock.now())


# --------------------------------------------------------------------------------------- erase
def erase(sessions, clock, customer_id: int, user_id: int, reason: str = "customer asked by email"):
    with transaction(sessions) as s:
        return erase_customer(
            s, customer_id, reason=reason, user_id=user_id, now=clock.now(), request_id="req-1"
        )


def test_erase_removes_personal_data_and_keeps_the_business_aggregates(world, sessions, clock):
    with sessions() as s:
        orders_before = s.execute(
            select(Order.customer_id, Order.ordered_at, Order.total_amount).order_by(Order.id)
        ).all()
        stats_before = s.get(CustomerStats, world["rahim"])
        stats_before = (
            stats_before.order_count,
            stats_before.total_spent,
            stats_before.interaction_count,
        )
    text_before = database_text(sessions)
    assert all(secret in text_before for secret in SECRETS)  # the check below would catch them

    done = erase(sessions, clock, world["rahim"], world["admin"])

    assert not done.already_erased and done.erased_at == clock.now()
    assert done.changed["customers"] == 1 and done.changed["family_members"] == 1
    assert done.changed["interactions"] == 1 and done.changed["audit_log"] >= 2
    leaked = [secret for secret in SECRETS if secret in database_text(sessions)]
    assert leaked == []
    with sessions() as s:
        rahim = s.get(Customer, world["rahim"])
        assert (
            rahim.name,
            rahim.status,
            rahim.phone,
            rahim.email,
            rahim.address,
            rahim.date_of_birth,
        ) == (f"Erased customer #{rahim.id}", "erased", None, None, None, None)
        assert rahim.erased_at == clock.now()
        member = s.scalar(select(FamilyMember).where(FamilyMember.customer_id == rahim.id))
        assert (member.name, member.phone, member.date_of_birth, member.relationship) == (
            "Erased family member",
            None,
            None,
            "spouse",
        )
        assert (
            s.scalar(select(Interaction.notes).where(Interaction.customer_id == rahim.id))
            == REDACTED
        )
        assert (
            s.execute(
                select(Order.customer_id, Order.ordered_at, Order.total_amount).order_by(Order.id)
            ).all()
            == orders_before
        )
        stats = s.get(CustomerStats, rahim.id)
        assert (stats.order_count, stats.total_spent, stats.interaction_count) == stats_before
        row = s.scalar(select(AuditLog).where(AuditLog.action == ERASE_ACTION))
        assert (row.user_id, row.customer_id, row.entity_id, row.request_id) == (
            world["admin"],
            rahim.id,
            rahim.id,
            "req-1",
        )
        assert row.arguments == {"reason": "customer asked by email"}
        assert row.occurred_at == clock.now()
        # Karim is untouched
        karim = s.get(Customer, world["karim"])
        assert (karim.name, karim.phone, karim.status) == (
            "Karim Hossain",
            "+8801912345678",
            "active",
        )
        assert s.scalar(select(Note.body).where(Note.customer_id == karim.id)) == "Karim pays cash"
        assert (
            s.scalar(select(Interaction.notes).where(Interaction.customer_id == karim.id))
            == "Karim wants 20 fans"
        )


def test_an_erased_customer_cannot_be_found_listed_or_resolved(world, sessions, clock):
    erase(sessions, clock, world["rahim"], world["admin"])
    ctx = ctx_for(sessions, clock, world["agent"], "Rina Akter")
    for ref in ("Rahim Uddin", "01712345678", "rahim@example.com", world["rahim"]):
        result = call_tool("get_360", {"customer": ref}, ctx)
        assert not result.ok and result.error == "not_found", (ref, result.text)
    found = call_tool("find_customers", {"query": "Rahim"}, ctx)
    assert [m.id for m in getattr(found, "matches", [])] == []
    listed = call_tool("call_priority_list", {"limit": 50}, ctx)
    assert listed.ok and world["rahim"] not in [e.customer_id for e in listed.entries]
    logged = call_tool(
        "log_interaction", {"customer": world["rahim"], "type": "call", "notes": "hello"}, ctx
    )
    assert not logged.ok and logged.error == "not_found"
    # a retried write with a key used before the erasure no longer replays the customer's data
    replay = call_tool(
        "log_interaction",
        {
            "customer": "Rahim Uddin",
            "type": "call",
            "notes": "asked about the blue kettle",
            "outcome": "interested",
            "products": ["Blue Kettle"],
        },
        ctx.with_key("k-rahim-1"),
    )
    assert not replay.ok and "erased" in replay.message


def test_the_offline_models_catalogue_no_longer_names_an_erased_customer(world, sessions, clock):
    from agent.backends.offline import OfflineBackend

    erase(sessions, clock, world["rahim"], world["admin"])
    catalogue = OfflineBackend(tool_settings(), sessions).model().catalogue
    assert catalogue.customer(world["rahim"]) is None
    assert catalogue.customer(world["karim"]).name == "Karim Hossain"


def test_erasing_twice_is_reported_not_an_error(world, sessions, clock):
    erase(sessions, clock, world["rahim"], world["admin"])
    with sessions() as s:
        audit_rows = s.scalar(select(func.count()).select_from(AuditLog))
    again = erase(sessions, clock, world["rahim"], world["admin"], reason="asked again")
    assert again.already_erased and again.changed == {}
    assert (
        again.describe()
        == f"customer #{world['rahim']} was already erased on 2026-11-20 04:30 UTC; nothing changed"
    )
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == audit_rows


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_only_an_admin_may_erase_and_a_refusal_writes_nothing(world, sessions, clock, role):
    with transaction(sessions) as s:
        user = make_user(s, f"Someone {role}", role=role)
    before = database_text(sessions)
    with pytest.raises(
        Forbidden, match=f"only an admin may erase a customer; Someone {role} is {role}"
    ):
        erase(sessions, clock, world["rahim"], user.id)
    assert database_text(sessions) == before


@pytest.mark.parametrize(
    ("reason", "message"), [("  ", "give a reason"), ("x" * 501, "longer than 500")]
)
def test_erase_needs_a_reason(world, sessions, clock, reason, message):
    with pytest.raises(DomainError, match=message):
        erase(sessions, clock, world["rahim"], world["admin"], reason=reason)


def test_erase_of_an_unknown_customer_is_not_found(world, sessions, clock):
    with pytest.raises(NotFound, match="no customer with id 4242"):
        erase(sessions, clock, 4242, world["admin"])


def test_export_after_erasure_shows_only_what_is_kept(world, sessions, clock):
    erase(sessions, clock, world["rahim"], world["admin"])
    with sessions() as s:
        doc = export_customer(s, world["rahim"], now=clock.now())
    dumped = json.dumps(doc, ensure_ascii=False)
    assert [secret for secret in SECRETS if secret in dumped] == []
    assert doc["customer"]["status"] == "erased" and [o["total_amount"] for o in doc["orders"]] == [
        "4500.00",
        "1200.00",
    ]
    assert doc["tags"] == [] and doc["segments"] == []
    assert doc["audit"][-1]["action"] == ERASE_ACTION


def test_forget_in_index_removes_only_the_customers_documents(world):
    from domain.retrieval import ReplyDoc, ReplyIndex, chroma_client

    index = ReplyIndex(chroma_client(None), "lexical", collection=f"privacy_{uuid.uuid4().hex[:8]}")
    index.sync_docs(
        [ReplyDoc("template", "1", "thanks", "thank you", "any", "en", "", "Thank you!")]
    )
    index.collection.upsert(
        ids=["history:7#0", "history:8#0"],
        documents=["Rahim asked about the kettle", "Karim wants fans"],
        metadatas=[
            {"kind": "history", "key": "7", "customer_id": world["rahim"]},
            {"kind": "history", "key": "8", "customer_id": world["karim"]},
        ],
    )
    assert forget_in_index(index, [world["rahim"]]) == 1
    assert sorted(index.collection.get()["ids"]) == ["history:8#0", "template:1#0"]
    assert forget_in_index(index, [world["rahim"]]) == 0


# --------------------------------------------------------------------------------- consent log
def test_consent_log_per_customer_and_for_everyone_as_csv(world, sessions):
    with sessions() as s:
        mine = consent_log(s, world["rahim"])
        everyone = consent_log(s)
    assert [(r["channel"], r["opted_in"], r["changed_by"]) for r in mine] == [
        ("whatsapp", True, "Rina Akter"),
        ("sms", False, "Rina Akter"),
        ("whatsapp", False, "Rina Akter"),
    ]
    assert len(everyone) == 4 and everyone[-1]["customer_name"] == "Karim Hossain"
    out = io.StringIO()
    assert write_consent_csv(everyone, out) == 4
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == [
        "customer_id",
        "customer_name",
        "channel",
        "opted_in",
        "source",
        "reason",
        "changed_by",
        "occurred_at",
    ]
    assert rows[0]["opted_in"] == "true" and rows[1]["opted_in"] == "false"
    assert (
        rows[0]["occurred_at"] == "2026-11-17T04:30:00+00:00"
        and rows[0]["reason"] == "moved to Uttara"
    )
    assert rows[3] == {
        "customer_id": str(world["karim"]),
        "customer_name": "Karim Hossain",
        "channel": "sms",
        "opted_in": "true",
        "source": "import",
        "reason": "",
        "changed_by": "",
        "occurred_at": "2026-11-20T04:30:00+00:00",
    }


def test_consent_log_of_an_unknown_customer_is_not_found(sessions):
    with sessions() as s, pytest.raises(NotFound):
        consent_log(s, 31337)
