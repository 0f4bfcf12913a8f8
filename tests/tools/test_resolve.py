"""Customer, product and drop-off references: ids, phones, emails, fuzzy names, the "clearly best" rule."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import DomainError, NotFound
from domain.settings import Settings
from tests.factories import make_customer, make_dropoff, make_interaction, make_product, make_user
from tools.context import Actor
from tools.name_match import MIN_SCORE, Match, pick, score_names, words
from tools.resolve import Ambiguous, resolve_customer, resolve_dropoff, resolve_product

SETTINGS = Settings(_env_file=None)


# --- pure scoring rules ------------------------------------------------------------------------


def test_words_drop_honorifics_punctuation_and_accents():
    assert words("Mr. Rahim-Uddin bhai") == ["rahim", "uddin"]
    assert words("MADAM  Sarah") == ["sarah"]
    assert words("José Núñez") == ["jose", "nunez"]
    assert words("রহিম উদ্দিন") == ["রহিম", "উদ্দিন"]  # Bengali vowel signs stay inside their word


def test_scores_are_the_mean_of_best_word_matches():
    rows = [(1, "Rahim Uddin"), (2, "Rahima Begum"), (3, "Karim Uddin")]
    by_id = {m.id: m for m in score_names(["rahim"], rows)}
    assert by_id[1].score == 100.0 and not by_id[1].exact
    assert by_id[2].score == pytest.approx(
        0.85 * 100 * 10 / 11, abs=0.1
    )  # ratio(rahim, rahima) = 90.9
    assert by_id[3].score == pytest.approx(0.85 * 60, abs=0.1)  # Indel ratio(rahim, karim) = 2*3/10
    typo = {m.id: m for m in score_names(["rahin", "uddin"], rows)}
    assert typo[1].score == pytest.approx((0.85 * 80 + 100) / 2, abs=0.1)


def test_pick_rules():
    exact = Match(1, "Rahim Uddin", 100, True)
    assert pick([exact, Match(2, "Md Rahim Uddin", 100, False)]) == (exact, [])
    twins = [Match(1, "Rahim Uddin", 100, True), Match(2, "Rahim Uddin", 100, True)]
    assert pick(twins) == (None, twins)
    lead = [Match(1, "A", 90, False), Match(2, "B", 80, False)]
    assert pick(lead)[0].id == 1  # margin exactly 10
    close = [Match(1, "A", 90, False), Match(2, "B", 80.1, False), Match(3, "C", 70, False)]
    assert pick(close) == (None, close[:2])
    assert pick([Match(1, "A", MIN_SCORE - 0.1, False)]) == (None, [])


# --- customers ---------------------------------------------------------------------------------


@pytest.fixture
def world(session):
    rina = make_user(session, "Rina Akter")
    rahim = make_customer(
        session, "Rahim Uddin", phone="01712345678", email="rahim@example.com", city="Dhaka"
    )
    karim = make_customer(
        session, "Karim Uddin", phone="01812345678", city="Khulna", assigned_to=rina
    )
    rahima = make_customer(session, "Rahima Begum", city="Sylhet")
    sarah = make_customer(session, "Sarah Ahmed", city="Dhaka")
    gone = make_customer(
        session, "Zubayer Quraishi", phone="01912345678", email="z@example.com", status="erased"
    )
    make_interaction(session, rahim, at=date(2026, 11, 1), notes="asked about kettles")
    make_interaction(session, rahim, at=date(2026, 11, 12), notes="sent prices")
    session.commit()
    return {
        "rina": rina,
        "rahim": rahim,
        "karim": karim,
        "rahima": rahima,
        "sarah": sarah,
        "gone": gone,
    }


def resolve(session, ref, actor=None):
    return resolve_customer(session, ref, actor, SETTINGS)


@pytest.mark.parametrize(
    "ref",
    [
        "01712-345678",
        "+880 1712 345678",
        "8801712345678",
        "01712345678",
        "RAHIM@example.com",
        "rahim",
        "Rahim Uddin",
        "Mr. Rahim",
        "rahim bhai",
        "Rahim Udin",
        "uddin rahim",
    ],
)
def test_resolves_rahim(session, world, ref):
    assert resolve(session, ref).id == world["rahim"].id


def test_resolves_ids_in_every_form(session, world):
    rid = world["rahim"].id
    for ref in (rid, str(rid), f"#{rid}", f"# {rid}"):
        assert resolve(session, ref).id == rid


def test_typo_resolves_when_nothing_else_is_close(session, world):
    assert resolve(session, "Sarha").id == world["sarah"].id  # ratio 80 -> 68, nobody else near


def test_shared_surname_is_ambiguous_with_candidates(session, world):
    with pytest.raises(Ambiguous) as caught:
        resolve(session, "Mr. Uddin")
    err = caught.value
    assert err.code == "ambiguous"
    assert [(c.id, c.name, c.city, c.last_contact) for c in err.candidates] == [
        (world["rahim"].id, "Rahim Uddin", "Dhaka", "2026-11-12"),
        (world["karim"].id, "Karim Uddin", "Khulna", None),
    ]


def test_the_actors_own_customer_is_listed_first_among_equals(session, world):
    rina = world["rina"]
    with pytest.raises(Ambiguous) as caught:
        resolve(session, "uddin", Actor(id=rina.id, name=rina.name, role="agent"))
    assert caught.value.candidates[0].id == world["karim"].id


def test_typo_between_two_close_names_is_ambiguous(session, world):
    with pytest.raises(Ambiguous) as caught:
        resolve(session, "Rahin")  # rahim 68 vs rahima 61.8: within the margin
    assert {c.id for c in caught.value.candidates} == {world["rahim"].id, world["rahima"].id}


def test_two_customers_with_the_same_full_name_are_ambiguous(session, world):
    twin = make_customer(session, "Rahim Uddin", city="Chittagong")
    session.commit()
    with pytest.raises(Ambiguous) as caught:
        resolve(session, "rahim uddin")
    assert [c.id for c in caught.value.candidates] == [world["rahim"].id, twin.id]


def test_an_exact_full_name_beats_longer_names(session, world):
    make_customer(session, "Md. Rahim Uddin Khan")
    session.commit()
    assert resolve(session, "Rahim Uddin").id == world["rahim"].id


def test_shared_phone_is_ambiguous(session, world):
    make_customer(session, "Salma Uddin", phone="+8801712345678")
    session.commit()
    with pytest.raises(Ambiguous) as caught:
        resolve(session, "01712-345678")
    assert len(caught.value.candidates) == 2


@pytest.mark.parametrize("ref", ["Zubayer Quraishi", "zubayer", "01912-345678", "z@example.com"])
def test_erased_customers_never_resolve(session, world, ref):
    with pytest.raises(NotFound):
        resolve(session, ref)


def test_erased_id_and_unknown_things_are_not_found(session, world):
    for ref in (world["gone"].id, 99999, "Nobody Anywhere", "01700-000000", "x@example.com"):
        with pytest.raises(NotFound):
            resolve(session, ref)


@pytest.mark.parametrize("ref", ["", "   ", "Mr.", "sir bhai", "12-34"])
def test_unusable_references_are_invalid(session, world, ref):
    with pytest.raises(DomainError) as caught:
        resolve(session, ref)
    assert caught.value.code == "invalid" and caught.value.field == "customer"


def test_more_than_five_candidates_are_cut_to_five(session, world):
    for k in range(7):
        make_customer(session, f"Nusrat Jahan {chr(65 + k)}")
    session.commit()
    with pytest.raises(Ambiguous) as caught:
        resolve(session, "nusrat jahan")
    assert len(caught.value.candidates) == 5
    assert "showing 5 of 7" in caught.value.message


# --- products and drop-offs --------------------------------------------------------------------


def test_products_resolve_by_name_sku_and_id(session):
    blue = make_product(session, "Blue Kettle", sku="KET-BLUE")
    steel = make_product(session, "Steel Kettle")
    make_product(session, "Rice Cooker")
    make_product(session, "Old Kettle", is_active=False)
    session.commit()
    assert resolve_product(session, "blue kettle").id == blue.id
    assert resolve_product(session, "the blue kettle").id == blue.id
    assert resolve_product(session, "ket-blue").id == blue.id
    assert resolve_product(session, blue.id).id == blue.id
    assert resolve_product(session, f"#{steel.id}").id == steel.id
    with pytest.raises(Ambiguous) as caught:
        resolve_product(session, "kettle")
    assert {c.id for c in caught.value.candidates} == {
        blue.id,
        steel.id,
    }  # the inactive one is not offered
    assert all(c.kind == "product" for c in caught.value.candidates)
    with pytest.raises(NotFound):
        resolve_product(session, "Television")


def test_dropoffs_resolve_by_id(session):
    customer = make_customer(session)
    dropoff = make_dropoff(session, customer, at=date(2026, 11, 18), cart_value=5500)
    session.commit()
    assert resolve_dropoff(session, f"#{dropoff.id}").id == dropoff.id
    assert resolve_dropoff(session, str(dropoff.id)).id == dropoff.id
    with pytest.raises(NotFound):
        resolve_dropoff(session, 999)
    with pytest.raises(DomainError) as caught:
        resolve_dropoff(session, "the blue cart")
    assert caught.value.field == "dropoff_id"
