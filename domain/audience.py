"""Who a product is for, and whether it suits a person as a gift.

A product may name its audience (``Product.audience``): ``baby`` (up to 2 years), ``child`` (3 to
12; ``girls`` and ``boys`` for the children's things made for one of them), ``women``, ``men`` or
``adult`` (13 and over); no audience means anyone, like most household goods. A birthday or anniversary offer recommends only what suits the person celebrating: a
one-year-old gets baby things, never a men's panjabi or a kettle.
"""
from __future__ import annotations

from datetime import date
from enum import StrEnum


class Audience(StrEnum):
    baby = "baby"
    child = "child"
    girls = "girls"
    boys = "boys"
    women = "women"
    men = "men"
    adult = "adult"


BABY_UP_TO, CHILD_UP_TO = 2, 12  # ages in years, inclusive
GENDERED = {Audience.girls: "female", Audience.boys: "male", Audience.women: "female", Audience.men: "male"}


def age_group(age: int | None) -> str | None:
    """``baby``, ``child`` or ``adult`` for an age in years; None when the age is unknown."""
    if age is None:
        return None
    if age <= BABY_UP_TO:
        return Audience.baby
    if age <= CHILD_UP_TO:
        return Audience.child
    return Audience.adult


def age_on(date_of_birth: date | None, today: date) -> int | None:
    """Full years on ``today``; None when the date is unknown or implausible (future, over 120)."""
    if date_of_birth is None:
        return None
    years = today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
    return years if 0 <= years <= 120 else None


def suits(audience: str | None, age: int | None, gender: str | None) -> bool:
    """Whether a product for ``audience`` suits a person of this age and gender as a gift.

    Children get only products made for their age group (girls' or boys' things when the gender
    says so). For grown-ups (or an unknown age) a product for anyone or for adults suits; one for
    women or men suits when the gender says so.
    """
    group = age_group(age)
    if audience in GENDERED and GENDERED[audience] != (gender or "").lower():
        return False
    if group == Audience.baby:
        return audience == Audience.baby
    if group == Audience.child:
        return audience in (Audience.child, Audience.girls, Audience.boys)
    return audience not in (Audience.baby, Audience.child, Audience.girls, Audience.boys)


def made_for(audience: str | None, age: int | None, gender: str | None) -> bool:
    """Whether the product is made for exactly this kind of person (not merely suitable)."""
    return audience is not None and suits(audience, age, gender)
