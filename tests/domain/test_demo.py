"""The demo world: deterministic for a seed and a day, and shaped like a real retailer's data."""

from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select, text

from domain.demo import build_demo_world
from domain.demo.purchases import simulate_counts
from domain.enums import RfmSegment, values
from domain.errors import Conflict
from domain.models import (
    ChannelConsent,
    Customer,
    Dropoff,
    FamilyMember,
    Interaction,
    KnowledgeSnippet,
    Opportunity,
    ReplyTemplate,
    User,
)
from domain.phone import normalize_phone
from tests.factories import make_customer

COMPARED = [
    "customers",
    "orders",
    "order_items",
    "interactions",
    "interaction_products",
    "family_members",
    "dropoffs",
    "behavior_events",
    "consent_events",
    "channel_consents",
    "tags",
    "loyalty_transactions",
    "support_tickets",
    "opportunities",
]
CDNOW_SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "cdnow" / "CDNOW_sample.txt"


def dump(engine) -> dict[str, list]:
    with engine.connect() as conn:
        out = {}
        for table in COMPARED:
            rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).mappings().all()
            # updated_at is stamped by the refresh with the wall clock on purpose
            out[table] = [{k: v for k, v in r.items() if k != "updated_at"} for r in rows]
        return out


def test_same_seed_same_world_other_seed_other_world(engine, clock):
    build_demo_world(engine, clock=clock, customers=50, seed=7)
    first = dump(engine)
    build_demo_world(engine, clock=clock, customers=50, seed=7, replace=True)
    assert dump(engine) == first
    assert len(first["customers"]) == 50 and len(first["orders"]) > 100
    build_demo_world(engine, clock=clock, customers=50, seed=8, replace=True)
    assert dump(engine)["customers"] != first["customers"]


def test_refuses_a_database_with_customers_unless_replacing(engine, sessions, clock):
    with sessions() as session, session.begin():
        make_customer(session)
    with pytest.raises(Conflict, match="already holds 1 customers"):
        build_demo_world(engine, clock=clock, customers=5)


def test_medium_world_has_every_segment_and_temperature(engine, sessions, clock):
    summary = build_demo_world(engine, clock=clock, customers=1500, seed=42)
    assert set(summary.segments) == set(values(RfmSegment)), summary.segments
    assert set(summary.temperatures) == {"hot", "warm", "cold"}
    today = clock.today()
    with sessions() as s:
        stages = set(s.scalars(select(Customer.lifecycle_stage).distinct()))
        assert stages == {"lead", "prospect", "first_buyer", "repeat_buyer", "loyal", "inactive"}
        phones = s.scalars(select(Customer.phone).limit(300)).all()
        assert all(
            normalize_phone(p) == p and p[4:6] in {"13", "14", "15", "16", "17", "18", "19"} for p in phones
        )
        assert s.scalar(select(func.count(func.distinct(Customer.phone)))) == 1500
        names = s.scalars(select(Customer.name)).all()
        first_names = [n.split()[0] for n in names]
        assert (
            max(first_names.count(n) for n in set(first_names)) >= 20
        )  # many Rahims: disambiguation matters
        assert any(not n.isascii() for n in names)  # some Bangla-script names
        due_today = s.scalar(
            select(func.count())
            .select_from(Interaction)
            .where(
                Interaction.follow_up_done_at.is_(None),
                func.date(Interaction.follow_up_at) >= today - timedelta(days=1),
                func.date(Interaction.follow_up_at) <= today,
            )
        )
        assert due_today >= 10
        birthdays = [d for d in s.scalars(select(FamilyMember.date_of_birth)) if d]
        soon = [
            d
            for d in birthdays
            if (d.month, d.day) != (2, 29) and 0 <= (d.replace(year=today.year) - today).days <= 7
        ]
        assert soon
        assert s.scalar(select(func.count()).select_from(ChannelConsent).where(~ChannelConsent.opted_in)) > 0
        assert s.scalar(select(func.count()).where(Customer.quiet_hours_start.is_not(None))) > 0
        assert {r for (r,) in s.execute(select(Dropoff.recovered).distinct())} == {True, False}
        kinds = set(
            s.scalars(select(Customer.account_kind).join(Opportunity, Opportunity.customer_id == Customer.id))
        )
        assert kinds and kinds <= {"wholesale", "distributor"}
        roles = dict(s.execute(select(User.name, User.role)).all())
        assert roles["Farhana Chowdhury"] == "manager" and list(roles.values()).count("agent") == 3
        templates = s.execute(select(ReplyTemplate.topic, ReplyTemplate.language)).all()
        assert {"abandoned_cart", "birthday_offer", "payment_failed"} <= {t for t, _ in templates}
        assert {lang for _, lang in templates} == {"en", "bn"}


@pytest.mark.skipif(not CDNOW_SAMPLE.exists(), reason="CDNOW sample not available")
def test_purchase_process_matches_cdnow_at_cdnow_parameters():
    """With the published CDNOW fit, the simulated share of customers who never buy again within the
    39-week calibration period matches the real data."""
    data = np.loadtxt(CDNOW_SAMPLE, dtype=str)
    customer = data[:, 0]
    day = np.array([f"{d[:4]}-{d[4:6]}-{d[6:]}" for d in data[:, 2]], dtype="datetime64[D]")
    end = np.datetime64("1997-09-30")
    first = {c: d for c, d in sorted(zip(customer, day), key=lambda x: x[1], reverse=True)}
    repeat_days = {(c, d) for c, d in zip(customer, day) if d <= end and d > first[c]}
    buyers = {c for c, _ in repeat_days}
    real_share = 1 - len(buyers) / len(first)
    exposure = np.array([(end - d).astype(int) / 7 for d in first.values()])
    simulated = simulate_counts(np.random.default_rng(0), np.tile(exposure, 20), 1.0, dropout_easing=1.0)
    assert abs((simulated == 0).mean() - real_share) < 0.03


def test_names_vary_and_the_readme_hero_is_the_one_rahim(engine, sessions, clock):
    build_demo_world(engine, clock=clock, customers=2000, seed=42)
    today = clock.today()
    with sessions() as s:
        names = s.scalars(select(Customer.name)).all()
        firsts = [n.split()[0] for n in names]
        assert max(firsts.count(f) for f in set(firsts)) <= 0.025 * len(names)  # variety, as in a real shop
        assert max(names.count(n) for n in set(names)) <= 3  # never five identical "Rahim Ahmed"
        assert [n for n in names if n.split()[0] == "Rahim"] == ["Rahim Uddin"]  # "show me Rahim" finds him
        rahim = s.scalar(select(Customer).where(Customer.name == "Rahim Uddin"))
        assert rahim.marital_status == "married" and rahim.gender == "male"
        assert not s.scalars(select(FamilyMember).where(FamilyMember.customer_id == rahim.id)).all()
        carts = s.execute(select(Dropoff.stage, Dropoff.recovered).where(Dropoff.customer_id == rahim.id)).all()
        assert carts == [("add_to_cart", False)]
        pairs = s.execute(select(Customer.date_of_birth, FamilyMember.relationship, FamilyMember.date_of_birth)
                          .join(FamilyMember, FamilyMember.customer_id == Customer.id)
                          .where(Customer.date_of_birth.is_not(None), FamilyMember.date_of_birth.is_not(None))).all()
        spouses = [abs((own - other).days) / 365.25 for own, rel, other in pairs if rel == "spouse"]
        assert spouses and max(spouses) <= 12
        assert all((today - other).days / 365.25 >= 18 for _, rel, other in pairs if rel == "spouse")
        assert all((other - own).days / 365.25 >= 18 for own, rel, other in pairs if rel == "child")
        offers = s.scalars(select(KnowledgeSnippet.tags).where(KnowledgeSnippet.tags.like("%offer%"))).all()
        assert any("kids" in t and "birthday" in t for t in offers) and any("cart" in t for t in offers)
