"""Personal fields are declared once, on the models; erasure and export follow the declaration.

A new column on ``customers`` or ``family_members`` must be classified here (personal or not), so a
personal column can never be added without erasure knowing it.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from domain.db import transaction
from domain.models import Customer, FamilyMember
from domain.models.base import personal_columns
from domain.privacy import erase_customer, export_customer
from tests.factories import make_customer, make_user

# Columns that are NOT personal: ids, status, scores, timestamps, assignment.
NOT_PERSONAL = {
    Customer: {
        "id", "customer_type", "account_kind", "status", "lifecycle_stage", "lifecycle_locked",
        "temperature", "assigned_to_id", "created_at", "updated_at", "erased_at",
    },
    FamilyMember: {"id", "customer_id", "relationship", "created_at"},
}

# A value for every personal column, of the column's type.
SAMPLE = {
    "name": "Nasrin Sultana", "name_key": "nasrin sultana", "phone": "+8801712000111",
    "email": "nasrin@example.com", "company": "Sultana Crafts", "city": "Sylhet",
    "district": "Zindabazar", "address": "Road 3, House 9", "gender": "female",
    "date_of_birth": date(1990, 4, 5), "marital_status": "married",
    "anniversary_date": date(2015, 1, 20), "profession": "teacher",
    "best_time_to_contact": "evening", "source": "facebook", "timezone": "Asia/Dhaka",
    "language": "bn", "quiet_hours_start": time(22, 0), "quiet_hours_end": time(8, 0),
    "preferred_channel": "whatsapp", "external_key": "shop-00917",
}


@pytest.mark.parametrize("model", [Customer, FamilyMember], ids=lambda m: m.__name__)
def test_every_column_is_classified_as_personal_or_not(model):
    columns = {c.key for c in model.__table__.columns}
    personal = set(personal_columns(model))
    assert not personal & NOT_PERSONAL[model]
    unclassified = columns - personal - NOT_PERSONAL[model]
    assert not unclassified, f"classify {sorted(unclassified)}: info=PERSONAL or NOT_PERSONAL here"


@pytest.mark.parametrize("model", [Customer, FamilyMember], ids=lambda m: m.__name__)
def test_every_personal_column_has_a_sample(model):
    assert set(personal_columns(model)) <= set(SAMPLE)


def _fully_populated(sessions):
    with transaction(sessions) as s:
        admin = make_user(s, "Ayesha Admin", role="admin")
        customer = make_customer(s, "Nasrin Sultana")
        for name in personal_columns(Customer):
            setattr(customer, name, SAMPLE[name])
        member = FamilyMember(customer_id=customer.id, relationship="spouse",
                              **{n: SAMPLE[n] for n in personal_columns(FamilyMember)})
        s.add(member)
        s.flush()
        return admin.id, customer.id, member.id


def test_export_includes_every_personal_column(sessions, clock):
    _, customer_id, _ = _fully_populated(sessions)
    with sessions() as s:
        doc = export_customer(s, customer_id, now=clock.now())
    assert set(personal_columns(Customer)) <= set(doc["customer"])
    assert set(personal_columns(FamilyMember)) - {"name_key"} <= set(doc["family"][0])


def test_erase_clears_every_personal_column(sessions, clock):
    admin_id, customer_id, member_id = _fully_populated(sessions)
    with transaction(sessions) as s:
        erase_customer(s, customer_id, reason="asked in the shop", user_id=admin_id,
                       now=clock.now(), request_id="req-personal")
    with sessions() as s:
        customer, member = s.get(Customer, customer_id), s.get(FamilyMember, member_id)
        for model, row in ((Customer, customer), (FamilyMember, member)):
            for name in personal_columns(model):
                value = getattr(row, name)
                assert value != SAMPLE[name], f"{model.__name__}.{name} survived the erase"
                assert value is None or name in ("name", "name_key")
