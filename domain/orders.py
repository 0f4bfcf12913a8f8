"""Recording orders: validated, items resolved to catalogue products, customer aggregates refreshed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain import stats
from domain.customers import get_customer
from domain.enums import OrderStatus, values
from domain.errors import Conflict, DomainError
from domain.models import Order, OrderItem, Product

CENT = Decimal("0.01")


MAX_AMOUNT = Decimal("1000000000000")  # Numeric(14, 2)


def parse_amount(value: Any, field: str = "amount") -> Decimal:
    """A non-negative money amount with at most cents; refuses text, NaN and negatives."""
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise DomainError(f"{field} {value!r} is not a number", field=field) from None
    if not amount.is_finite():
        raise DomainError(f"{field} {value!r} is not a number", field=field)
    if amount < 0:
        raise DomainError(f"{field} {amount} is negative; amounts are zero or more", field=field)
    if amount >= MAX_AMOUNT:  # the column holds 12 digits before the point
        raise DomainError(f"{field} {value!r} is too large; amounts are below {MAX_AMOUNT:,}", field=field)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemLine:
    """One order line as given: a product name, a quantity and, optionally, a unit price."""

    name: str
    quantity: int = 1
    unit_price: Decimal | None = None


def parse_items(items: Iterable[str | Mapping[str, Any]] | None) -> list[ItemLine]:
    """Items as names (``"Blue Kettle"``) or mappings ``{name|product, quantity, unit_price}``."""
    lines = []
    for index, item in enumerate(items or [], start=1):
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, Mapping):
            raise DomainError(f"item {index} must be a product name or a mapping", field="items")
        name = " ".join(str(item.get("name") or item.get("product") or "").split())
        if not name:
            raise DomainError(f"item {index} has no product name", field="items")
        try:
            quantity = int(item.get("quantity", 1))
        except (TypeError, ValueError):
            raise DomainError(
                f"item {index} ({name}): quantity must be a whole number", field="items"
            ) from None
        if quantity < 1:
            raise DomainError(f"item {index} ({name}): quantity must be at least 1", field="items")
        price = item.get("unit_price")
        lines.append(
            ItemLine(name, quantity, None if price in (None, "") else parse_amount(price, "unit_price"))
        )
    return lines


def products_by_name(session: Session, names: Iterable[str]) -> dict[str, Product]:
    """Catalogue products whose name matches one of ``names`` case-insensitively, keyed by lower name."""
    keys = sorted({n.lower() for n in names})
    if not keys:
        return {}
    rows = session.scalars(select(Product).where(func.lower(Product.name).in_(keys)))
    return {p.name.lower(): p for p in rows}


def price_lines(lines: Sequence[ItemLine], products: Mapping[str, Product], amount: Decimal) -> list[dict]:
    """Order-item values: a given price wins, then the catalogue price; lines with neither share what is left."""
    priced = []
    for line in lines:
        product = products.get(line.name.lower())
        price = line.unit_price if line.unit_price is not None else (product.price if product else None)
        priced.append([line, product, price])
    unpriced = [p for p in priced if p[2] is None]
    if unpriced:
        known = sum((p[2] * p[0].quantity for p in priced if p[2] is not None), Decimal(0))
        units = sum(p[0].quantity for p in unpriced)
        share = max(amount - known, Decimal(0)) / units
        for p in unpriced:
            p[2] = share.quantize(CENT, rounding=ROUND_HALF_UP)
    return [
        {
            "product_id": product.id if product else None,
            "product_name": product.name if product else line.name,
            "quantity": line.quantity,
            "unit_price": price,
        }
        for line, product, price in priced
    ]


def record_order(
    session: Session,
    customer_id: int,
    *,
    ordered_at: datetime,
    amount: Any,
    today: date,
    status: str = "completed",
    items: Iterable[str | Mapping[str, Any]] | None = None,
    external_id: str | None = None,
    channel: str | None = None,
) -> Order:
    """Validate and add one order with its items, then refresh the customer's aggregates and scores."""
    total = parse_amount(amount)
    if status not in values(OrderStatus):
        raise DomainError(
            f"status {status!r} is unknown; use one of: {', '.join(values(OrderStatus))}", field="status"
        )
    if not isinstance(ordered_at, datetime) or ordered_at.tzinfo is None:
        raise DomainError("ordered_at must be a date-time with a time zone", field="ordered_at")
    if ordered_at.date() > today:
        raise DomainError(
            f"ordered_at {ordered_at:%Y-%m-%d} is in the future (today is {today})", field="ordered_at"
        )
    lines = parse_items(items)
    get_customer(session, customer_id)
    if external_id:
        existing = session.scalar(select(Order.id).where(Order.external_id == external_id))
        if existing:
            raise Conflict(f"order {external_id!r} is already recorded (id {existing})", field="external_id")
    products = products_by_name(session, [line.name for line in lines])
    order = Order(
        customer_id=customer_id,
        external_id=external_id or None,
        ordered_at=ordered_at,
        status=status,
        total_amount=total,
        channel=channel,
        created_at=ordered_at,
        items=[OrderItem(**values_) for values_ in price_lines(lines, products, total)],
    )
    session.add(order)
    session.flush()
    stats.refresh_customer(session, customer_id, today)
    return order
