"""Birthday and anniversary offers recommend what suits the person celebrating (domain.audience)."""
from __future__ import annotations

from datetime import date

import pytest

from domain.audience import made_for, suits
from domain.call_priority import call_priority
from domain.stats import refresh_stats
from tests.factories import make_behavior, make_customer, make_family, make_order, make_product

TODAY = date(2026, 11, 20)


@pytest.mark.parametrize(("audience", "age", "gender", "fits"), [
    ("baby", 1, "male", True),
    ("baby", 2, None, True),
    ("baby", 3, "female", False),
    ("child", 3, "female", True),
    ("child", 12, "male", True),
    ("child", 13, "male", False),
    ("men", 1, "male", False),          # never a men's shirt for a one-year-old
    (None, 1, "male", False),           # nor a kettle: children get things made for their age
    ("adult", 8, "female", False),
    ("men", 35, "male", True),
    ("men", 35, "female", False),
    ("women", 40, "female", True),
    ("women", None, None, False),       # gender unknown: nothing gendered
    ("adult", None, None, True),
    (None, 60, "female", True),         # grown-ups: anything for anyone suits
    ("baby", None, None, False),
    ("girls", 5, "female", True),
    ("boys", 5, "female", False),       # no Kids Panjabi for a daughter
    ("boys", 7, "male", True),
    ("girls", 5, None, False),
    ("girls", 30, "female", False),
])
def test_suits(audience, age, gender, fits):
    assert suits(audience, age, gender) is fits


def test_made_for_needs_an_audience():
    assert made_for("baby", 1, None) and not made_for(None, 30, "male") and made_for("adult", 30, None)


@pytest.fixture
def shop(session):
    shirt = make_product(session, "Men's Formal Shirt", price=1450, category="Fashion", audience="men")
    kettle = make_product(session, "Blue Kettle", price=4500, category="Kitchen")
    saree = make_product(session, "Tangail Cotton Saree", price=2650, category="Sarees", audience="women")
    romper = make_product(session, "Baby Romper Set", price=1250, category="Kids & Baby", audience="baby")
    teddy = make_product(session, "Teddy Bear", price=850, category="Kids & Baby", audience="baby")
    blocks = make_product(session, "Building Blocks", price=1450, category="Kids & Baby", audience="child")
    buyer = make_customer(session, "Best Seller Buyer")
    for _ in range(3):  # the shirt and the kettle are the shop's best sellers
        make_order(session, buyer, at=date(2026, 11, 1), amount=5950, items=[shirt, kettle])
    return {"shirt": shirt, "kettle": kettle, "saree": saree, "romper": romper, "teddy": teddy,
            "blocks": blocks}


def entry_of(session, customer):
    refresh_stats(session)
    session.commit()
    entries = call_priority(session, TODAY, limit=10)
    return next(e for e in entries if e.customer_id == customer.id)


def test_a_sons_first_birthday_gets_baby_things_only(session, shop):
    father = make_customer(session, "Masud Rana", gender="male")
    make_order(session, father, at=date(2026, 10, 1), amount=1450, items=[shop["kettle"]])
    make_family(session, father, "Ayaan Rana", "child", gender="male", date_of_birth=date(2025, 11, 21))
    entry = entry_of(session, father)
    assert entry.offer_type == "birthday_offer"
    names = [p.name for p in entry.recommended_products]
    assert names == ["Teddy Bear", "Baby Romper Set"]  # best sellers first (none sold), then the cheaper
    assert all(p.source == "gift" and p.reason == "a gift for son Ayaan's birthday (turns 1)"
               for p in entry.recommended_products)


def test_a_wifes_birthday_gets_what_suits_her_not_a_mens_shirt(session, shop):
    husband = make_customer(session, "Karim Ahmed", gender="male")
    make_order(session, husband, at=date(2026, 10, 1), amount=1450, items=[shop["blocks"]])
    make_family(session, husband, "Nila Ahmed", "spouse", gender="female", date_of_birth=date(1990, 11, 22))
    entry = entry_of(session, husband)
    names = [p.name for p in entry.recommended_products]
    assert names[0] == "Tangail Cotton Saree"
    assert "Men's Formal Shirt" not in names and "Baby Romper Set" not in names
    assert "Blue Kettle" in names  # for anyone: a grown-up may get it after what is made for her


def test_without_an_event_the_offer_suits_the_customer(session, shop):
    regular = make_customer(session, "Rina Regular", gender="female", date_of_birth=date(1988, 3, 4))
    make_order(session, regular, at=date(2026, 10, 1), amount=4500, items=[shop["kettle"]])
    make_behavior(session, regular, at=date(2026, 11, 15), product=shop["saree"], type="wishlist")
    make_behavior(session, regular, at=date(2026, 11, 15), product=shop["shirt"], count=5)  # no man on record
    entry = entry_of(session, regular)
    assert entry.offer_type != "birthday_offer"
    names = [p.name for p in entry.recommended_products]
    assert all(p.source != "gift" for p in entry.recommended_products)
    assert "Men's Formal Shirt" not in names  # the shop's best seller, but not for her
    assert "Tangail Cotton Saree" in names and not {"Baby Romper Set", "Teddy Bear", "Building Blocks"} & set(names)


def test_a_sixty_year_old_man_gets_no_baby_things_even_after_looking_at_them(session, shop):
    elder = make_customer(session, "Abdul Karim", gender="male", date_of_birth=date(1966, 5, 1))
    make_order(session, elder, at=date(2026, 10, 1), amount=850, items=[shop["teddy"]])
    make_behavior(session, elder, at=date(2026, 11, 15), product=shop["romper"], count=4)
    make_behavior(session, elder, at=date(2026, 11, 15), product=shop["saree"], type="wishlist")
    names = [p.name for p in entry_of(session, elder).recommended_products]
    assert names and not {"Baby Romper Set", "Building Blocks", "Tangail Cotton Saree"} & set(names)
    assert "Men's Formal Shirt" in names


def test_a_product_for_the_family_says_whom_it_is_for(session, shop):
    grandpa = make_customer(session, "Abdul Karim", gender="male", date_of_birth=date(1966, 5, 1))
    make_family(session, grandpa, "Ayesha Karim", "other", gender="female", date_of_birth=date(2025, 2, 1))
    make_family(session, grandpa, "Nila Karim", "spouse", gender="female")  # age unknown: a grown-up
    make_behavior(session, grandpa, at=date(2026, 11, 15), product=shop["romper"], count=4)
    make_behavior(session, grandpa, at=date(2026, 11, 15), product=shop["saree"], type="wishlist")
    by_name = {p.name: p for p in entry_of(session, grandpa).recommended_products}
    assert by_name["Baby Romper Set"].reason == "viewed 4x, not bought; for family member Ayesha (1)"
    assert by_name["Tangail Cotton Saree"].reason == "wishlisted, not bought; for wife Nila"
    assert "Building Blocks" not in by_name  # for a child of 3 to 12: nobody in this family


def test_a_customer_of_unknown_age_and_gender_gets_nothing_gendered_or_for_children(session, shop):
    someone = make_customer(session, "K. Islam")
    make_behavior(session, someone, at=date(2026, 11, 15), product=shop["saree"], count=3)
    make_behavior(session, someone, at=date(2026, 11, 15), product=shop["blocks"], count=3)
    names = [p.name for p in entry_of(session, someone).recommended_products]
    assert names == ["Blue Kettle"]  # the only best seller for anyone


@pytest.mark.parametrize(("age", "gender", "expected"), [
    (1, "male", "Kids' birthday offer"),      # kids' offers take babies too
    (8, "female", "Kids' birthday offer"),
    (60, "male", "Men's offer"),              # his own audience first, never the kids' one
    (None, None, "Birthday offer"),
])
def test_a_draft_offer_fits_the_person(age, gender, expected):
    from domain.reply_facts import Offer, Person
    from domain.replies import fitting_offer

    offers = (Offer(1, "Birthday offer", "10% off", frozenset({"offer", "birthday"})),
              Offer(2, "Kids' birthday offer", "15% off toys", frozenset({"offer", "birthday", "kids"})),
              Offer(3, "Men's offer", "shirts", frozenset({"offer", "birthday", "men"})))
    dob = date(TODAY.year - age, 1, 1) if age is not None else None
    person = Person("A B", "A", "child", gender, dob, None)
    offer = fitting_offer(offers, "birthday", person, TODAY)
    assert offer.title == expected
    grown_man = Person("A B", "A", "self", "male", date(1966, 1, 1), None)
    assert fitting_offer(offers[2:], "birthday", grown_man, TODAY).title == "Men's offer"
    assert fitting_offer(offers[1:2], "birthday", grown_man, TODAY) is None


def test_every_audience_of_the_demo_catalogue_names_a_product_it_sells():
    from domain.demo.catalogue import AUDIENCE, CATALOGUE, NEW_LINES

    names = {name for line in (*CATALOGUE.values(), *NEW_LINES.values()) for name, _price in line}
    assert set(AUDIENCE) <= names
    assert {audience for audience in AUDIENCE.values()} <= {"baby", "child", "girls", "boys", "women", "men",
                                                            "adult"}
