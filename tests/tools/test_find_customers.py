"""find_customers: fuzzy search listing with last contact, limits and exact contact lookups."""
from __future__ import annotations

from datetime import date

from tests.factories import make_customer, make_interaction
from tests.tools.conftest import call


def test_lists_matches_best_first_with_last_contact(make_ctx, build):
    def world(s):
        rahim = make_customer(s, "Rahim Uddin", city="Dhaka", phone="01712345678")
        karim = make_customer(s, "Karim Uddin", city="Khulna")
        make_customer(s, "Sarah Ahmed", city="Dhaka")
        make_interaction(s, rahim, at=date(2026, 11, 12), notes="x")
        return rahim.id, karim.id

    rahim, karim = build(world)
    ctx = make_ctx()
    found = call("find_customers", {"query": "rahim uddin"}, ctx)
    assert [(m.id, m.score) for m in found.matches][:1] == [(rahim, 100.0)]
    assert found.matches[0].last_contact == "2026-11-12" and found.matches[0].city == "Dhaka"
    assert found.matches[1].id == karim and found.matches[1].score < 100  # "uddin" matches, "rahim" not
    limited = call("find_customers", {"query": "uddin", "limit": 1}, ctx)
    assert (len(limited.matches), limited.total) == (1, 2) and "showing 1" in limited.text
    assert call("find_customers", {"query": "+880 1712 345678"}, ctx).matches[0].id == rahim
    none = call("find_customers", {"query": "Nobody Here"}, ctx)
    assert none.ok and none.matches == [] and "No customer matches" in none.text
    bad = call("find_customers", {"query": "x", "limit": 50}, ctx)
    assert not bad.ok and bad.field == "limit"
