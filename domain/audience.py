"""Who a product is for, and whether it suits a person as a gift.

A product may name its audience (``Product.audience``): ``baby`` (up to 2 years), ``child`` (3 to
12), ``women``, ``men`` or ``adult`` (13 and over); no audience means anyone, like most household
goods. A birthday or anniversary offer recommends only what suits the person celebrating: a
one-year-old gets baby things, never a men's panjabi or a kettle.
"""
from __future__ import annotations

from enum import StrEnum


class Audience(StrEnum):
    baby = "baby"
    child = "child"
    women = "women"
    men = "men"
    adult = "adult"


BABY_UP_TO, CHILD_UP_TO = 2, 12  # ages in years, inclusive


def age_group(age: int | None) -> str | None:
    """``baby``, ``child`` or ``adult`` for an age in years; None when the age is unknown."""
    if age is None:
        return None
    if age <= BABY_UP_TO:
        return Audience.baby
    if age <= CHILD_UP_TO:
        return Audience.child
    return Audience.adult


def suits(audience: str | None, age: int | None, gender: str | None) -> bool:
    """Whether a product for ``audience`` suits a person of this age and gender as a gift.

    Children get only products made for their age group. For grown-ups (or an unknown age) a
    product for anyone or for adults suits; one for women or men suits when the gender says so.
    """
    group = age_group(age)
    if group in (Audience.baby, Audience.child):
        return audience == group
    if audience in (Audience.baby, Audience.child):
        return False
    if audience in (Audience.women, Audience.men):
        return (gender or "").lower() == ("female" if audience == Audience.women else "male")
    return True


def made_for(audience: str | None, age: int | None, gender: str | None) -> bool:
    """Whether the product is made for exactly this kind of person (not merely suitable)."""
    return audience is not None and suits(audience, age, gender)
