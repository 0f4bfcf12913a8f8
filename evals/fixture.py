"""Build a case's world on an empty database, with the product's own rules for everything derived."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain import stats
from domain.customers import add_tag, create_customer, set_consent, set_quiet_hours
from domain.family import family_name_key
from domain.follow_ups import replay_follow_ups
from domain.models import (
    BehaviorEvent, Category, Dropoff, FamilyMember, Interaction, KnowledgeSnippet, LoyaltyAccount, Note, Opportunity, Order, OrderItem,
    Product, User,
)
from domain.notes import check_note_type
from domain.opportunities import check_stage
from evals.case import Case, FixtureCustomer

DEFAULT_ORDER_TIME = time(12, 0)
DEFAULT_CONTACT_TIME = time(11, 0)
DEFAULT_FOLLOW_UP_TIME = time(10, 0)


@dataclass
class World:
    """Fixture keys -> database ids, and the acting user's id."""

    actor_id: int
    customers: dict[str, int] = field(default_factory=dict)
    dropoffs: dict[str, int] = field(default_factory=dict)
    opportunities: dict[str, int] = field(default_factory=dict)

    def key_of(self, kind: str, record_id: int) -> str | None:
        table = {"customer": self.customers, "dropoff": self.dropoffs,
                 "opportunity": self.opportunities}[kind]
        return next((k for k, v in table.items() if v == record_id), None)


def _moment(value: date | datetime, tz: ZoneInfo, default: time, at: str | None = None) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    clock = time.fromisoformat(at) if at else default
    return datetime.combine(value, clock, tzinfo=tz)


def build_world(session: Session, case: Case, tz: ZoneInfo, region: str = "BD") -> World:
    """Insert the fixture; derived values (stats, temperature, lifecycle) come from the product's rules."""
    today = case.today.astimezone(tz).date() if case.today.tzinfo else case.today.date()
    users = _users(session, case)
    products = _products(session, case)
    world = World(actor_id=users[case.user.name.casefold()].id)
    session.add_all([KnowledgeSnippet(title=k.title, body=k.body, tags=",".join(k.tags), language=k.language)
                     for k in case.fixture.knowledge])
    for spec in case.fixture.customers:
        customer_id = _customer(session, spec, users, today, tz, region)
        world.customers[spec.key] = customer_id
        _history(session, spec, customer_id, products, tz, world)
        _deals_and_notes(session, spec, customer_id, users,
                         case.today if case.today.tzinfo else case.today.replace(tzinfo=tz), world)
    session.flush()
    replay_follow_ups(session, world.customers.values(), tz)  # the fixture's history, by the rules
    stats.refresh_stats(session, now=case.today)
    stats.refresh_derived(session, today, tz=tz)
    return world


def _users(session: Session, case: Case) -> dict[str, User]:
    users: dict[str, User] = {}
    for spec in [*case.fixture.users, case.user]:
        if spec.name.casefold() not in users:
            user = User(name=spec.name, role=spec.role, slack_user_id=spec.slack_id)
            session.add(user)
            users[spec.name.casefold()] = user
    for spec in case.fixture.customers:
        for name in [spec.assigned_to, *(n.author for n in spec.notes)]:
            if name and name.casefold() not in users:
                user = User(name=name, role="agent")
                session.add(user)
                users[name.casefold()] = user
    session.flush()
    return users


def _products(session: Session, case: Case) -> dict[str, Product]:
    products: dict[str, Product] = {}
    categories: dict[str, Category] = {}
    names = [(p.name, p.category, p.price, p.sku) for p in case.fixture.products]
    for c in case.fixture.customers:  # items and products named in history but not listed
        names += [(item, None, 0, None) for o in c.orders for item in o.items]
        names += [(d.product, None, 0, None) for d in c.dropoffs if d.product]
        names += [(b.product, None, 0, None) for b in c.behavior if b.product]
    for name, category, price, sku in names:
        if name.casefold() in products:
            continue
        row = Product(name=name, price=Decimal(str(price)), sku=sku)
        if category:
            row.category = categories.setdefault(category, Category(name=category))
        session.add(row)
        products[name.casefold()] = row
    session.flush()
    return products


def _customer(session: Session, spec: FixtureCustomer, users: dict[str, User], today: date,
              tz: ZoneInfo, region: str) -> int:
    fields = spec.model_dump(exclude_none=True, include={
        "phone", "email", "company", "city", "district", "address", "gender", "marital_status",
        "date_of_birth", "anniversary_date", "profession", "customer_type", "account_kind",
        "lifecycle_stage", "timezone", "language",
    })
    if spec.available_time:
        fields["best_time_to_contact"] = spec.available_time
    if spec.assigned_to:
        fields["assigned_to_id"] = users[spec.assigned_to.casefold()].id
    customer = create_customer(session, name=spec.name, today=today, region=region,
                               created_at=_moment(today - timedelta(days=730), tz, DEFAULT_ORDER_TIME),
                               external_key=None, **fields)
    if spec.lifecycle_stage:
        customer.lifecycle_locked = True
    at = _moment(today - timedelta(days=365), tz, DEFAULT_ORDER_TIME)
    for channel, opted_in in spec.consent.items():
        set_consent(session, customer.id, channel, opted_in, source="fixture", at=at)
    if spec.quiet_hours:
        set_quiet_hours(session, customer.id, spec.quiet_hours.start, spec.quiet_hours.end)
    for tag in spec.tags:
        add_tag(session, customer.id, tag)
    if spec.loyalty:
        session.add(LoyaltyAccount(customer_id=customer.id, points_balance=spec.loyalty.points,
                                   tier=spec.loyalty.tier))
    return customer.id


def _history(session: Session, spec: FixtureCustomer, customer_id: int, products: dict[str, Product],
             tz: ZoneInfo, world: World) -> None:
    for o in spec.orders:
        moment = _moment(o.date, tz, DEFAULT_ORDER_TIME)
        amount = Decimal(str(o.amount))
        items = [products[name.casefold()] for name in o.items]
        share = (amount / len(items)).quantize(Decimal("0.01")) if items else Decimal(0)
        session.add(Order(
            customer_id=customer_id, external_id=str(o.id) if o.id is not None else None, ordered_at=moment,
            status=o.status, total_amount=amount, created_at=moment,
            items=[OrderItem(product_id=p.id, product_name=p.name, quantity=1, unit_price=share) for p in items],
        ))
    for i in spec.interactions:
        follow_up = _moment(i.follow_up_at, tz, DEFAULT_FOLLOW_UP_TIME) if i.follow_up_at else None
        session.add(Interaction(
            customer_id=customer_id, type=i.type, direction=i.direction, outcome=i.outcome, notes=i.notes,
            subject=i.subject, duration_seconds=i.duration_seconds,
            occurred_at=_moment(i.date, tz, DEFAULT_CONTACT_TIME, i.time),
            follow_up_required=follow_up is not None, follow_up_at=follow_up,
        ))
    for f in spec.family:
        session.add(FamilyMember(
            customer_id=customer_id, name=f.name, name_key=family_name_key(f.name), relationship=f.relationship,
            date_of_birth=f.date_of_birth, anniversary_date=f.anniversary_date, phone=f.phone, email=f.email,
            gender=f.gender, profession=f.profession,
        ))
    for b in spec.behavior:
        product = products[b.product.casefold()] if b.product else None
        session.add(BehaviorEvent(customer_id=customer_id, type=b.type, product_id=product and product.id,
                                  query=b.query, count=b.count,
                                  occurred_at=_moment(b.date, tz, DEFAULT_CONTACT_TIME)))
    for d in spec.dropoffs:
        product = products[d.product.casefold()] if d.product else None
        row = Dropoff(customer_id=customer_id, stage=d.stage, product_id=product and product.id,
                      cart_value=Decimal(str(d.cart_value)), reason=d.reason,
                      occurred_at=_moment(d.date, tz, DEFAULT_CONTACT_TIME), recovered=d.recovered)
        session.add(row)
        if d.key:
            session.flush()
            world.dropoffs[d.key] = row.id


def fixture_probability(value: float | None, status: str) -> float:
    """A fixture's probability as the stored fraction: percent 0-100, or a fraction when 0 < p < 1;
    when not given, what the status implies (won 1, lost 0, open 0.1)."""
    if value is None:
        return {"won": 1.0, "lost": 0.0}.get(status, 0.1)
    return value if 0 < value < 1 else value / 100


def _deals_and_notes(session: Session, spec: FixtureCustomer, customer_id: int, users: dict[str, User],
                     now: datetime, world: World) -> None:
    created = now - timedelta(days=30)
    for o in spec.opportunities:
        stage = check_stage(o.stage) or "qualification"
        if o.status != "open" and stage not in ("closed_won", "closed_lost"):
            stage = "closed_won" if o.status == "won" else "closed_lost"
        row = Opportunity(customer_id=customer_id, name=o.name, stage=stage, value=Decimal(str(o.value)),
                          probability=fixture_probability(o.probability, o.status), status=o.status,
                          created_at=created, updated_at=created,
                          closed_at=created if o.status != "open" else None)
        session.add(row)
        if o.key:
            session.flush()
            world.opportunities[o.key] = row.id
    for index, n in enumerate(spec.notes):
        author = users[n.author.casefold()].id if n.author else None
        session.add(Note(customer_id=customer_id, author_id=author, type=check_note_type(n.type), body=n.text,
                         pinned=n.pinned, created_at=created + timedelta(minutes=index)))


def fixture_user_ids(session: Session) -> dict[str, int]:
    return {name.casefold(): uid for uid, name in session.execute(select(User.id, User.name))}
