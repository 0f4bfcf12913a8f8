"""Detail for the top of the call list: open follow-ups, carts, products to offer, best time.

These run once per call list, for the few customers shown, each as one query over all of them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.audience import age_on, made_for, suits
from domain.events import relation_word
from domain.models import BehaviorEvent, Customer, Dropoff, FamilyMember, Interaction, Order, OrderItem, Product
from domain.models import FollowUp as FollowUpRow

SUCCESS_OUTCOMES = ("interested", "purchased", "callback", "resolved")
MIN_LEARNED_SAMPLES = 2  # one good call is luck; two at the same hour is a habit
DEFAULT_CALL_WINDOW = "11:00-13:00"  # late morning: shops open, before the afternoon rush
NAMED_WINDOWS = {
    "morning": "09:00-12:00",
    "noon": "12:00-14:00",
    "afternoon": "14:00-17:00",
    "evening": "17:00-20:00",
    "night": "20:00-22:00",
}
BEHAVIOUR_WEIGHTS = {"add_to_cart": 3, "wishlist": 2, "product_view": 1}
BEHAVIOUR_LOOKBACK_DAYS = 90
SAME_CATEGORY = "same category as earlier purchases, not bought yet"
BEST_SELLER_ORDERS = 20_000  # popularity = units in the latest orders, a cheap recent window


@dataclass(frozen=True)
class FollowUp:
    id: int  # the follow_ups row
    due_at: datetime
    set_at: datetime
    type: str | None  # the kind of contact that asked for it; None when set on its own
    subject: str | None
    note: str | None = None
    interaction_id: int | None = None


@dataclass(frozen=True)
class OpenDropoff:
    id: int
    stage: str
    cart_value: Decimal
    occurred_at: datetime
    product_id: int | None
    product_name: str | None


@dataclass(frozen=True)
class RecommendedProduct:
    product_id: int
    name: str
    price: Decimal
    source: str  # behaviour | gift | purchase_history | best_seller
    reason: str


@dataclass(frozen=True)
class GiftFor:
    """The person a birthday or anniversary offer is for: what is recommended must suit them."""

    age: int | None  # years, when known (a birthday); None for an anniversary or an unknown year
    gender: str | None
    words: str  # "Ayaan's 1st birthday", for the reason text


@dataclass(frozen=True)
class Member:
    """Someone in the customer's household an everyday offer may be for: the customer, or a
    family member on record (a mother buys her son's school bag)."""

    age: int | None
    gender: str | None
    words: str | None  # "son Rafi (7)"; None for the customer themself


@dataclass(frozen=True)
class BestCallTime:
    window: str  # "HH:MM-HH:MM" in the customer's time zone
    timezone: str
    source: str  # learned | stated | default
    detail: str


def open_follow_ups(session: Session, ids: list[int]) -> dict[int, FollowUp]:
    """Each customer's open follow-up (there is at most one), with the contact that asked for it."""
    f, i = FollowUpRow, Interaction
    rows = session.execute(
        select(f.customer_id, f.id, f.due_at, f.set_at, i.type, i.subject, f.note, f.interaction_id)
        .outerjoin(i, i.id == f.interaction_id)
        .where(f.customer_id.in_(ids), f.closed_at.is_(None))
    )
    return {cid: FollowUp(*rest) for cid, *rest in rows}


def open_dropoffs(session: Session, ids: list[int]) -> dict[int, list[OpenDropoff]]:
    """Open drop-offs of each customer, newest first."""
    d = Dropoff
    rows = session.execute(
        select(
            d.customer_id, d.id, d.stage, d.cart_value, d.occurred_at, d.product_id, Product.name
        )
        .outerjoin(Product, Product.id == d.product_id)
        .where(d.customer_id.in_(ids), d.recovered.is_(False))
        .order_by(d.customer_id, d.occurred_at.desc(), d.id.desc())
    )
    out: dict[int, list[OpenDropoff]] = defaultdict(list)
    for cid, *rest in rows:
        out[cid].append(OpenDropoff(*rest))
    return out


def households(session: Session, ids: list[int], today: date) -> dict[int, list[Member]]:
    """Each customer (first) and their family on record, with age and gender for ``suits``: one
    query, customers joined to their family."""
    f = FamilyMember
    rows = session.execute(
        select(Customer.id, Customer.date_of_birth, Customer.gender,
               f.name, f.relationship, f.date_of_birth, f.gender)
        .outerjoin(f, f.customer_id == Customer.id).where(Customer.id.in_(ids)).order_by(Customer.id, f.id)
    )
    return household_of(rows, today)


def household_of(rows, today: date) -> dict[int, list[Member]]:
    """``households`` from rows of (customer id, birth date, gender, then the family member's name,
    relationship, birth date, gender or Nones), customers in order and each one's family after."""
    out: dict[int, list[Member]] = {}
    for cid, dob, gender, name, relationship, member_dob, member_gender in rows:
        if cid not in out:
            out[cid] = [Member(age_on(dob, today), (gender or "").lower() or None, None)]
        if name is None:
            continue
        age = age_on(member_dob, today)
        first = name.split()[0] if name.strip() else name
        words = f"{relation_word(relationship, member_gender)} {first}" + (f" ({age})" if age is not None else "")
        out[cid].append(Member(age, (member_gender or "").lower() or None, words))
    return out


def _popularity(session: Session) -> Counter:
    """Units sold per product in the latest completed orders (the best sellers).

    The window is the newest ``BEST_SELLER_ORDERS`` order ids: a primary-key range the planner
    can use on both engines, written as ``IN (subquery)`` so SQLite drives the scan from orders
    instead of walking the whole order_items product index. PostgreSQL gets the bound as a
    number, read first, and on ``order_items.order_id`` too: with ``max(id) - n`` in the query it
    cannot estimate the window and scans every order item (136 ms instead of 24 at a million
    items). SQLite drives from orders either way, so it keeps the one statement.
    """
    if session.get_bind().dialect.name == "sqlite":
        bound = select(func.max(Order.id)).scalar_subquery() - BEST_SELLER_ORDERS
    else:
        newest = session.scalar(select(func.max(Order.id)))
        if newest is None:
            return Counter()
        bound = int(newest) - BEST_SELLER_ORDERS
    recent_orders = select(Order.id).where(Order.id > bound, Order.status == "completed")
    query = select(OrderItem.product_id, func.sum(OrderItem.quantity)).where(
        OrderItem.order_id.in_(recent_orders))
    if isinstance(bound, int):
        query = query.where(OrderItem.order_id > bound)
    rows = session.execute(query.group_by(OrderItem.product_id))
    return Counter({pid: int(units) for pid, units in rows if pid is not None})


def recommend_products(
    session: Session, ids: list[int], today: date, tz: ZoneInfo, per_customer: int = 3,
    gifts: dict[int, GiftFor] | None = None, homes: dict[int, list[Member]] | None = None,
) -> dict[int, list[RecommendedProduct]]:
    """Products to offer: looked at or carted but not bought, then unbought items of the categories
    the customer buys, then the best sellers. Bought products are never recommended.

    For a customer in ``gifts`` (the offer is for someone's birthday or anniversary) only products
    that suit that person are offered (``domain.audience``), and those made for them come right
    after what the customer already looked at. Every other offer suits the customer or someone of
    their household (``households``, read here unless given): no baby things for a 60-year-old
    man with no baby in the family, no women's wear for a man unless a woman of his family is on
    record (then the reason says whom it is for). Whoever it is for, a product must suit someone.
    """
    gifts = gifts or {}
    homes = households(session, ids, today) if homes is None else homes
    since = datetime.combine(today - timedelta(days=BEHAVIOUR_LOOKBACK_DAYS), time(0), tz)
    bought: dict[int, set[int]] = defaultdict(set)
    categories: dict[int, Counter] = defaultdict(Counter)
    for cid, pid, cat in session.execute(
        select(Order.customer_id, OrderItem.product_id, Product.category_id)
        .join(OrderItem, OrderItem.order_id == Order.id)
        .join(Product, Product.id == OrderItem.product_id)
        .where(Order.customer_id.in_(ids), Order.status == "completed")
    ).all():
        bought[cid].add(pid)
        if cat is not None:
            categories[cid][cat] += 1

    interest: dict[int, Counter] = defaultdict(Counter)
    seen: dict[int, Counter] = defaultdict(Counter)  # (product, type) counts for the reason text
    b = BehaviorEvent
    for cid, pid, kind, count in session.execute(
        select(b.customer_id, b.product_id, b.type, func.sum(b.count))
        .where(
            b.customer_id.in_(ids),
            b.product_id.is_not(None),
            b.occurred_at >= since,
            b.type.in_(tuple(BEHAVIOUR_WEIGHTS)),
        )
        .group_by(b.customer_id, b.product_id, b.type)
    ).all():
        interest[cid][pid] += BEHAVIOUR_WEIGHTS[kind] * int(count)
        seen[cid][(pid, kind)] += int(count)
    for cid, pid in session.execute(
        select(Dropoff.customer_id, Dropoff.product_id).where(
            Dropoff.customer_id.in_(ids),
            Dropoff.recovered.is_(False),
            Dropoff.product_id.is_not(None),
        )
    ).all():
        interest[cid][pid] += BEHAVIOUR_WEIGHTS["add_to_cart"]
        seen[cid][(pid, "dropoff")] += 1

    popularity = _popularity(session)
    wanted_categories = {c for counter in categories.values() for c in counter}
    catalogue_query = select(
        Product.id, Product.name, Product.price, Product.category_id, Product.audience
    ).where(Product.is_active.is_(True))
    candidate_ids = {p for counter in interest.values() for p in counter} | set(popularity)
    wanted = Product.id.in_(candidate_ids) | Product.category_id.in_(wanted_categories)
    if gifts:
        wanted = wanted | Product.audience.is_not(None)
    catalogue = {row[0]: row for row in session.execute(catalogue_query.where(wanted)).all()}
    by_category: dict[int, list[int]] = defaultdict(list)
    for pid, _name, _price, cat, _audience in catalogue.values():
        by_category[cat].append(pid)
    ranked_all = sorted(catalogue, key=lambda p: (-popularity.get(p, 0), p))

    best_sellers = [
        (pid, "best_seller", f"best seller ({popularity[pid]} sold recently)")
        for pid in ranked_all
        if popularity.get(pid, 0) > 0
    ]
    out: dict[int, list[RecommendedProduct]] = {}
    for cid in ids:
        by_interest = sorted(interest.get(cid, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
        candidates = [
            (pid, "behaviour", _interest_reason(seen[cid], pid)) for pid, _w in by_interest
        ]
        by_habit = sorted(categories.get(cid, Counter()).items(), key=lambda kv: (-kv[1], kv[0]))
        for cat, _n in by_habit:
            same = sorted(by_category.get(cat, ()), key=lambda p: (-popularity.get(p, 0), p))
            candidates += [(pid, "purchase_history", SAME_CATEGORY) for pid in same]
        candidates += best_sellers
        gift = gifts.get(cid)
        if gift is not None:
            candidates = _for_gift(gift, candidates, catalogue, popularity)
        else:
            candidates = _for_household(homes.get(cid) or [Member(None, None, None)], candidates, catalogue)
        out[cid] = _pick(candidates, set(bought.get(cid, ())), catalogue, per_customer)
    return out


def _for_gift(gift: GiftFor, candidates: list, catalogue: dict, popularity: Counter) -> list:
    """The candidates that suit the person celebrating, with the products made for them after
    the customer's own interest (best sellers first, then the cheaper)."""
    def fits(pid: int) -> bool:
        return pid in catalogue and suits(catalogue[pid][4], gift.age, gift.gender)

    interest = [c for c in candidates if c[1] == "behaviour" and fits(c[0])]
    made = sorted((pid for pid, row in catalogue.items() if made_for(row[4], gift.age, gift.gender)),
                  key=lambda p: (-popularity.get(p, 0), catalogue[p][2], p))
    reason = f"a gift for {gift.words}"
    rest = [c for c in candidates if c[1] != "behaviour" and fits(c[0])]
    return [*interest, *((pid, "gift", reason) for pid in made), *rest]


def _for_household(members: list[Member], candidates: list, catalogue: dict) -> list:
    """The candidates that suit the customer (first) or someone of their family; a product only
    a family member fits says whom it is for."""
    kept = []
    for pid, source, reason in candidates:
        if pid not in catalogue:
            continue
        audience = catalogue[pid][4]
        member = next((m for m in members if suits(audience, m.age, m.gender)), None)
        if member is None:
            continue
        kept.append((pid, source, reason if member.words is None else f"{reason}; for {member.words}"))
    return kept


def _pick(candidates, taken: set[int], catalogue: dict, n: int) -> list[RecommendedProduct]:
    """The first ``n`` distinct, active, not yet bought products of the candidates, in order."""
    picks: list[RecommendedProduct] = []
    for pid, source, reason in candidates:
        if len(picks) == n:
            break
        if pid in catalogue and pid not in taken:
            taken.add(pid)
            _id, name, price, _cat, _audience = catalogue[pid]
            picks.append(RecommendedProduct(pid, name, price, source, reason))
    return picks


def _interest_reason(seen: Counter, pid: int) -> str:
    parts = []
    if seen.get((pid, "dropoff")):
        parts.append("left in an open cart")
    if seen.get((pid, "add_to_cart")):
        parts.append(f"added to cart {seen[(pid, 'add_to_cart')]}x")
    if seen.get((pid, "wishlist")):
        parts.append("wishlisted")
    if seen.get((pid, "product_view")):
        parts.append(f"viewed {seen[(pid, 'product_view')]}x")
    return ", ".join(parts) + ", not bought"


def _zone(name: str | None, fallback: ZoneInfo) -> ZoneInfo:
    if not name:
        return fallback
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


_WINDOW = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?\s*$")


def stated_window(text: str | None) -> str | None:
    """Read a stated best time ("18:00-20:00", "6-8", "evening") as an HH:MM-HH:MM window."""
    if not text or not text.strip():
        return None
    match = _WINDOW.match(text)
    if match:
        h1, m1, h2, m2 = match.groups()
        if int(h1) < 24 and int(h2) <= 24:
            return f"{int(h1):02d}:{m1 or '00'}-{int(h2):02d}:{m2 or '00'}"
    for word, window in NAMED_WINDOWS.items():
        if word in text.lower():
            return window
    return None


def best_call_times(
    session: Session, customers: dict[int, tuple[str | None, str | None]], business_tz: ZoneInfo
) -> dict[int, BestCallTime]:
    """``customers``: id -> (stated best time, time zone). Mode hour of successful contacts, in the
    customer's zone (ties: the hour of the most recent one), else the stated time, else the
    default."""
    hours: dict[int, Counter] = defaultdict(Counter)
    latest: dict[int, dict[int, datetime]] = defaultdict(dict)
    zones = {cid: _zone(zone, business_tz) for cid, (_stated, zone) in customers.items()}
    i = Interaction
    for cid, occurred in session.execute(
        select(i.customer_id, i.occurred_at).where(
            i.customer_id.in_(list(customers)), i.outcome.in_(SUCCESS_OUTCOMES)
        )
    ).all():
        local = occurred.astimezone(zones[cid])
        hours[cid][local.hour] += 1
        if local.hour not in latest[cid] or occurred > latest[cid][local.hour]:
            latest[cid][local.hour] = occurred

    out: dict[int, BestCallTime] = {}
    for cid, (stated, _zone_name) in customers.items():
        zone_name = zones[cid].key
        counts = hours.get(cid, Counter())
        total = sum(counts.values())
        if total >= MIN_LEARNED_SAMPLES:
            hour = max(counts, key=lambda h: (counts[h], latest[cid][h]))
            window = f"{hour:02d}:00-{(hour + 1) % 24:02d}:00"
            detail = (
                f"{counts[hour]} of {total} successful contacts were between "
                f"{window[:5]} and {window[6:]}"
            )
            out[cid] = BestCallTime(window, zone_name, "learned", detail)
        elif (window := stated_window(stated)) is not None:
            out[cid] = BestCallTime(
                window, zone_name, "stated", f"customer's stated best time: {stated}"
            )
        else:
            detail = "no successful contacts or stated preference on record yet"
            out[cid] = BestCallTime(DEFAULT_CALL_WINDOW, zone_name, "default", detail)
    return out
