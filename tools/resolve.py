"""Turn what a user typed ("rahim", "Mr. Uddin", "01712-345678", "#42") into one record, or say why not.

A customer reference is read, in this order, as:
  * an int, "#42", or a string of up to 8 digits: the customer id;
  * a string containing "@": the email (case-insensitive);
  * a string without letters that parses as a phone number (``domain.phone``, settings' region);
  * anything else: a name.

Names match fuzzily, and one is picked only when it is "clearly best": the scoring and that rule
are defined in ``tools.name_match``. Otherwise the contenders are an ``Ambiguous`` error listing
up to 5, and no contender is ``NotFound``. Erased customers never resolve.

Speed: names are prefiltered in SQL (``lower(name) LIKE``) on the typed words; only when no
record matches a typed word exactly enough to settle it do we widen to 3-letter pieces of each
word (catches typos), then score the candidates with rapidfuzz's vectorized ``cdist``.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from domain.errors import DomainError, NotFound
from domain.models import Category, Customer, Dropoff, Interaction, Product
from domain.phone import try_normalize_phone
from domain.settings import Settings
from tools.access import contact_phone
from tools.context import Actor
from tools.name_match import (
    FUZZY_WEIGHT, MARGIN, MIN_SCORE, PRODUCT_STOPWORDS, Match, pick, score_names, words,
)
from tools.results import Candidate

MAX_CANDIDATES = 5
MAX_ID_DIGITS = 8  # longer digit strings are phone numbers

CustomerRef = int | str  # the type of every tool's ``customer`` argument


def fold_enum(value):
    """Enum values arrive as "Call" or " WhatsApp "; fold them before pydantic checks the enum."""
    return "_".join(value.strip().lower().split()) if isinstance(value, str) else value


class Ambiguous(DomainError):
    """A reference that fits several records equally well; ``candidates`` lists up to 5 of them."""

    code = "ambiguous"

    def __init__(self, message: str, *, candidates: Sequence[Candidate], field: str | None = None):
        super().__init__(message, field=field)
        self.candidates = list(candidates)


# --- customers ---------------------------------------------------------------------------------


def _alive():
    return Customer.status != "erased"


def _as_id(ref: int | str) -> int | None:
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int):
        return ref
    text = str(ref).strip()
    if re.fullmatch(r"#\s*\d+", text):
        return int(text.lstrip("#").strip())
    if re.fullmatch(r"\d{1,%d}" % MAX_ID_DIGITS, text):
        return int(text)
    return None


def _contains(session: Session, pattern: str):
    # SQLite's LIKE already ignores ASCII case (lower() would cost a call per row); on PostgreSQL
    # lower() LIKE measured 2-3x faster than ILIKE under a non-C collation.
    if session.get_bind().dialect.name == "sqlite":
        return Customer.name.like(f"%{pattern}%")
    return func.lower(Customer.name).like(f"%{pattern}%")


def _name_rows(session: Session, patterns: Iterable[str]) -> list[tuple[int, str]]:
    likes = [_contains(session, p) for p in sorted(set(patterns))]
    if not likes:
        return []
    return [
        tuple(r)
        for r in session.execute(select(Customer.id, Customer.name).where(_alive(), or_(*likes)))
    ]


def search_customer_names(session: Session, typed: str) -> list[Match]:
    """Customers whose name fits ``typed``, best first (scored as the module docstring says)."""
    query = words(typed)
    if not query:
        return []
    matches = score_names(query, _name_rows(session, query))
    # A customer missed by the word filter has no typed word inside its name, so it scores below
    # 100 * FUZZY_WEIGHT; when the best match already leads that by MARGIN the wider scan is moot.
    if matches and matches[0].score >= 100 * FUZZY_WEIGHT + MARGIN:
        return matches
    pieces = {w[:3] for w in query if len(w) >= 4} | {w[-3:] for w in query if len(w) >= 4}
    pieces |= {w for w in query if len(w) < 4}
    seen = {m.id for m in matches}
    wider = [r for r in _name_rows(session, pieces) if r[0] not in seen]
    merged = matches + score_names(query, wider)
    merged.sort(key=lambda m: (-m.exact, -m.score, m.id))
    return merged


def customer_candidates(
    session: Session, ids: Sequence[int], actor: Actor | None = None, settings: Settings | None = None
) -> list[Candidate]:
    """Id, name, city, last contact date and (with an actor) the phone as they may see it, in the order given."""
    if not ids:
        return []
    last = (
        select(Interaction.customer_id, func.max(Interaction.occurred_at).label("last"))
        .where(Interaction.customer_id.in_(ids))
        .group_by(Interaction.customer_id)
        .subquery()
    )
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.city, Customer.phone, Customer.assigned_to_id, last.c.last)
        .outerjoin(last, last.c.customer_id == Customer.id)
        .where(Customer.id.in_(ids))
    ).all()
    by_id = {r.id: r for r in rows}
    return [
        Candidate(
            id=r.id,
            name=r.name,
            city=r.city,
            last_contact=_day(r.last, settings),
            phone=contact_phone(actor, r.assigned_to_id, r.phone, settings)
            if actor is not None and settings is not None
            else None,
        )
        for r in (by_id[i] for i in ids if i in by_id)
    ]


def _day(moment, settings: Settings | None) -> str | None:
    """The ISO day of an instant, in the business time zone when the settings are known."""
    if moment is None:
        return None
    if settings is not None and getattr(moment, "tzinfo", None) is not None:
        moment = moment.astimezone(settings.tz)
    return moment.date().isoformat()


def _ambiguous_customers(
    session: Session, ref: str, ids: list[int], how: str,
    actor: Actor | None = None, settings: Settings | None = None,
) -> Ambiguous:
    shown = customer_candidates(session, ids[:MAX_CANDIDATES], actor, settings)
    more = f" (showing {len(shown)} of {len(ids)})" if len(ids) > len(shown) else ""
    return Ambiguous(
        f"{len(ids)} customers match {how} {ref!r}{more}; ask the user which one, then call again "
        f"with its id (for example '#{shown[0].id}'), or with a phone number or email",
        candidates=shown,
        field="customer",
    )


def resolve_customer(
    session: Session, ref: int | str, actor: Actor | None, settings: Settings
) -> Customer:
    """The one customer ``ref`` means (id, name, phone or email); ``NotFound`` or ``Ambiguous`` otherwise."""
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        raise DomainError(
            "customer is empty: give an id, a name, a phone number or an email", field="customer"
        )
    customer_id = _as_id(ref)
    if customer_id is not None:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.status == "erased":
            raise NotFound(
                f"there is no customer #{customer_id}; search by name, phone or email instead",
                field="customer",
            )
        return customer
    text = str(ref).strip()
    if "@" in text:
        return _resolve_exact(session, Customer.email == text.lower(), text, "email", actor, settings)
    if not re.search(r"[^\W\d_]", text):
        phone = try_normalize_phone(text, settings.phone_region)
        if phone is None:
            raise DomainError(
                f"{text!r} is neither a customer id nor a valid phone number; check the digits",
                field="customer",
            )
        return _resolve_exact(session, Customer.phone == phone, text, "phone", actor, settings)
    if not words(text):
        raise DomainError(
            f"{text!r} holds only a title; give the customer's name", field="customer"
        )
    matches = search_customer_names(session, text)
    winner, tied = pick(matches)
    if winner is not None:
        return session.get(Customer, winner.id)
    if not tied:
        raise NotFound(
            f"no customer is called anything like {text!r}; check the spelling, "
            "or give a phone number, email or id",
            field="customer",
        )
    tied = _mine_first(session, tied, actor)
    raise _ambiguous_customers(session, text, [m.id for m in tied], "the name", actor, settings)


def lookup_customers(session: Session, ref: int | str, settings: Settings) -> list[Match]:
    """Every live customer ``ref`` could mean, best first, without the "clearly best" rule (for search)."""
    customer_id = _as_id(ref)
    if customer_id is not None:
        found = session.execute(
            select(Customer.id, Customer.name).where(Customer.id == customer_id, _alive())
        ).first()
        return [Match(found.id, found.name, 100.0, True)] if found else []
    text = str(ref).strip()
    condition = None
    if "@" in text:
        condition = Customer.email == text.lower()
    elif text and not re.search(r"[^\W\d_]", text):
        phone = try_normalize_phone(text, settings.phone_region)
        if phone is None:
            return []
        condition = Customer.phone == phone
    if condition is not None:
        rows = session.execute(
            select(Customer.id, Customer.name).where(condition, _alive()).order_by(Customer.id)
        )
        return [Match(r.id, r.name, 100.0, True) for r in rows]
    return [m for m in search_customer_names(session, text) if m.exact or m.score >= MIN_SCORE]


def _mine_first(session: Session, tied: list[Match], actor: Actor | None) -> list[Match]:
    """Among equal scores, list the actor's own customers first (they are the likelier meaning)."""
    if actor is None:
        return tied
    mine = set(
        session.scalars(
            select(Customer.id).where(
                Customer.id.in_([m.id for m in tied]), Customer.assigned_to_id == actor.id
            )
        )
    )
    return sorted(tied, key=lambda m: (-m.exact, -m.score, m.id not in mine, m.id))


def _resolve_exact(
    session: Session, condition, text: str, how: str,
    actor: Actor | None = None, settings: Settings | None = None,
) -> Customer:
    rows = list(session.scalars(select(Customer).where(condition, _alive()).order_by(Customer.id)))
    if len(rows) == 1:
        return rows[0]
    if not rows:
        raise NotFound(
            f"no customer has the {how} {text!r}; check it, or search by name", field="customer"
        )
    raise _ambiguous_customers(session, text, [c.id for c in rows], f"the {how}", actor, settings)


# --- drop-offs and products --------------------------------------------------------------------


def resolve_dropoff(session: Session, ref: int | str) -> Dropoff:
    """The drop-off with this id ("12" and "#12" work too), or ``NotFound``."""
    dropoff_id = _as_id(ref)
    if dropoff_id is None:
        raise DomainError(
            f"dropoff_id {ref!r} is not a number; give the drop-off's id such as 12",
            field="dropoff_id",
        )
    dropoff = session.get(Dropoff, dropoff_id)
    if dropoff is None:
        raise NotFound(
            f"there is no drop-off #{dropoff_id}; leave dropoff_id out and give the customer "
            "to find their open drop-offs",
            field="dropoff_id",
        )
    return dropoff


def resolve_product(session: Session, ref: int | str, *, field: str = "products") -> Product:
    """The catalogue product ``ref`` means: id, SKU or fuzzy name (same "clearly best" rule)."""
    product_id = ref if isinstance(ref, int) and not isinstance(ref, bool) else None
    text = str(ref).strip()
    if product_id is None and re.fullmatch(r"#\s*\d+", text):
        product_id = int(text.lstrip("#").strip())
    if product_id is not None:
        product = session.get(Product, product_id)
        if product is None:
            raise NotFound(f"there is no product #{product_id} in the catalogue", field=field)
        return product
    if not text:
        raise DomainError("a product name is empty; leave it out or name the product", field=field)
    by_sku = session.scalar(select(Product).where(func.lower(Product.sku) == text.lower()))
    if by_sku is not None:
        return by_sku
    rows = session.execute(
        select(Product.id, Product.name, Category.name.label("category"), Product.price)
        .outerjoin(Category, Category.id == Product.category_id)
        .where(Product.is_active.is_(True))
    ).all()
    query = words(text, PRODUCT_STOPWORDS)
    matches = score_names(query, [(r.id, r.name) for r in rows], PRODUCT_STOPWORDS)
    winner, tied = pick(matches)
    if winner is not None:
        return session.get(Product, winner.id)
    if not tied:
        raise NotFound(
            f"{text!r} is not in the product catalogue; use a catalogue name or leave it out",
            field=field,
        )
    info = {r.id: r for r in rows}
    candidates = [
        Candidate(
            id=m.id,
            name=m.name,
            kind="product",
            detail=", ".join(x for x in (info[m.id].category, f"price {info[m.id].price}") if x),
        )
        for m in tied[:MAX_CANDIDATES]
    ]
    raise Ambiguous(
        f"{len(tied)} catalogue products match {text!r}; ask which one and use its full name",
        candidates=candidates,
        field=field,
    )
