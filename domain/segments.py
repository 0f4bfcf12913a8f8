"""Saved segments: a named set of criteria over customers, and its members kept current.

A segment's ``criteria`` is a JSON object; every field is optional, at least one is required, and
a customer is a member when they match all the fields given (within one field, any listed value):

  rfm_segment          list of RFM segment names ("At Risk", "Champions"; ``domain.rfm``, fixed bands)
  temperature          list of hot, warm, cold
  lifecycle_stage      list of lead, prospect, first_buyer, repeat_buyer, loyal, inactive
  city                 list of city names (case-insensitive, exact)
  tag                  list of tags the customer must all have (normalised like ``tag_customer``)
  last_order_days_min  the last completed order at least this many days ago (calendar days, business zone)
  last_order_days_max  the last completed order at most this many days ago ("bought in the last 30 days")
  ltv_min, ltv_max     lifetime value: completed spend in the business currency, inclusive

Customers with status 'erased' are never members. A saved segment's name may not be an RFM
segment's name, so "At Risk" always means the RFM segment and never a saved one.

Membership (``segment_members``) is recomputed set-based (one delete and one insert ... select per
segment, whatever the number of customers): for one customer inside every write that changes what
the criteria read (``domain.stats.refresh_derived`` after orders, interactions and drop-offs; the
``tag_customer`` tool after tags), and for everybody by the daily refresh, since days since the last
order and the RFM recency move with the date.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, exists, func, insert, literal, select
from sqlalchemy.orm import Session

from domain.customers import normalize_tag
from domain.days import business_tz, day_start, days_since
from domain.enums import LifecycleStage, RfmSegment, Temperature
from domain.errors import Conflict, DomainError, NotFound
from domain.models import AuditLog, Customer, CustomerStats, Segment, Tag, segment_members
from domain.models.base import utcnow
from domain.rfm import DEFAULT_MONETARY_THRESHOLDS, fixed_score_columns, parse_segment, triples_in

MAX_NAME = 100
MAX_VALUES = 50  # values per list field
ID_CHUNK = 5000  # keeps IN lists under every driver's bound-parameter limit
LIST_FIELDS = ("rfm_segment", "temperature", "lifecycle_stage", "city", "tag")
NUMBER_FIELDS = ("last_order_days_min", "last_order_days_max", "ltv_min", "ltv_max")
FIELDS = LIST_FIELDS + NUMBER_FIELDS


# -------------------------------------------------------------------------------- validation
def _list(raw: Any, name: str) -> list[str]:
    values = [raw] if isinstance(raw, str) else raw
    if not isinstance(values, list) or not values:
        raise DomainError(f"criteria.{name} must be a non-empty list of text values (or one text value)",
                          field=f"criteria.{name}")
    if len(values) > MAX_VALUES:
        raise DomainError(f"criteria.{name} lists {len(values)} values; at most {MAX_VALUES}",
                          field=f"criteria.{name}")
    out: list[str] = []
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise DomainError(f"criteria.{name} values must be non-empty text, not {value!r}",
                              field=f"criteria.{name}")
        out.append(value.strip())
    return out


def _choice(values: list[str], name: str, allowed: Sequence[str]) -> list[str]:
    out = []
    for value in values:
        key = value.lower().replace(" ", "_").replace("-", "_")
        if key not in allowed:
            raise DomainError(f"criteria.{name}: {value!r} is not one of {', '.join(allowed)}",
                              field=f"criteria.{name}")
        out.append(key)
    return list(dict.fromkeys(out))


def _number(raw: Any, name: str, *, whole: bool) -> float | int:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or (isinstance(raw, float) and not math.isfinite(raw)):
        raise DomainError(f"criteria.{name} must be a number, not {raw!r}", field=f"criteria.{name}")
    if raw < 0:
        raise DomainError(f"criteria.{name} must be 0 or more, not {raw}", field=f"criteria.{name}")
    if whole:
        if int(raw) != raw:
            raise DomainError(f"criteria.{name} must be a whole number of days, not {raw}",
                              field=f"criteria.{name}")
        return int(raw)
    return float(raw)


def validate_criteria(raw: Any) -> dict[str, Any]:
    """The criteria normalised (enum values in their stored spelling, tags normalised, cities
    stripped), or a ``DomainError`` whose field names the offending criterion."""
    if not isinstance(raw, dict):
        raise DomainError("criteria must be a JSON object such as {\"temperature\": [\"hot\"]}",
                          field="criteria")
    unknown = [key for key in raw if key not in FIELDS]
    if unknown:
        raise DomainError(f"criteria.{unknown[0]} is not a criterion; the fields are {', '.join(FIELDS)}",
                          field=f"criteria.{unknown[0]}")
    given = {key: value for key, value in raw.items() if value is not None}
    if not given:
        raise DomainError(f"criteria needs at least one of: {', '.join(FIELDS)}", field="criteria")
    out: dict[str, Any] = {}
    if "rfm_segment" in given:
        names = []
        for value in _list(given["rfm_segment"], "rfm_segment"):
            try:
                names.append(parse_segment(value).value)
            except DomainError as exc:
                raise DomainError(f"criteria.rfm_segment: {exc.message}", field="criteria.rfm_segment") from exc
        out["rfm_segment"] = list(dict.fromkeys(names))
    if "temperature" in given:
        out["temperature"] = _choice(_list(given["temperature"], "temperature"), "temperature",
                                     [t.value for t in Temperature])
    if "lifecycle_stage" in given:
        out["lifecycle_stage"] = _choice(_list(given["lifecycle_stage"], "lifecycle_stage"),
                                         "lifecycle_stage", [s.value for s in LifecycleStage])
    if "city" in given:
        out["city"] = list(dict.fromkeys(_list(given["city"], "city")))
    if "tag" in given:
        tags = []
        for value in _list(given["tag"], "tag"):
            tags.append(normalize_tag(value, field="criteria.tag"))
        out["tag"] = list(dict.fromkeys(tags))
    for name in NUMBER_FIELDS:
        if name in given:
            out[name] = _number(given[name], name, whole=name.startswith("last_order"))
    for low, high in (("last_order_days_min", "last_order_days_max"), ("ltv_min", "ltv_max")):
        if low in out and high in out and out[low] > out[high]:
            raise DomainError(f"criteria.{low} ({out[low]}) is above criteria.{high} ({out[high]})",
                              field=f"criteria.{low}")
    return out


def validate_name(raw: Any) -> str:
    name = " ".join(str(raw or "").split())
    if not name:
        raise DomainError("a segment needs a name", field="name")
    if len(name) > MAX_NAME:
        raise DomainError(f"a segment name has at most {MAX_NAME} characters, not {len(name)}", field="name")
    try:
        rfm = parse_segment(name)
    except DomainError:
        return name
    raise DomainError(f"{name!r} is the RFM segment {rfm.value!r} (see rfm_segment); give the saved segment "
                      "another name, e.g. with rfm_segment in its criteria", field="name")


# ----------------------------------------------------------------------------------- matching
def _matching(criteria: dict[str, Any], today: date, zone: ZoneInfo, thresholds: Sequence[float]):
    """SELECT customers.id of the non-erased customers that meet ``criteria``."""
    s = CustomerStats
    query = (select(Customer.id).select_from(Customer).outerjoin(s, s.customer_id == Customer.id)
             .where(Customer.status != "erased"))
    if "rfm_segment" in criteria:
        r, f, m = fixed_score_columns(today, zone, thresholds)
        codes = sorted({code for name in criteria["rfm_segment"] for code in triples_in(RfmSegment(name))})
        query = query.where(s.order_count > 0, (r * 100 + f * 10 + m).in_(codes))
    if "temperature" in criteria:
        query = query.where(Customer.temperature.in_(criteria["temperature"]))
    if "lifecycle_stage" in criteria:
        query = query.where(Customer.lifecycle_stage.in_(criteria["lifecycle_stage"]))
    if "city" in criteria:
        query = query.where(func.lower(func.trim(Customer.city)).in_([c.lower() for c in criteria["city"]]))
    for tag in criteria.get("tag", ()):
        query = query.where(exists().where(Tag.customer_id == Customer.id, Tag.tag == tag))
    if "last_order_days_max" in criteria:  # local date of the last order >= today - max
        query = query.where(s.last_order_at >= day_start(today - timedelta(days=criteria["last_order_days_max"]),
                                                         zone))
    if "last_order_days_min" in criteria:  # local date of the last order <= today - min
        query = query.where(s.last_order_at < day_start(today - timedelta(days=criteria["last_order_days_min"] - 1),
                                                        zone))
    spent = func.coalesce(s.total_spent, 0)
    if "ltv_min" in criteria:
        query = query.where(spent >= criteria["ltv_min"])
    if "ltv_max" in criteria:
        query = query.where(spent <= criteria["ltv_max"])
    return query


def _chunks(customer_ids: Iterable[int] | None) -> list[list[int] | None]:
    if customer_ids is None:
        return [None]
    ids = sorted({int(i) for i in customer_ids})
    return [ids[i:i + ID_CHUNK] for i in range(0, len(ids), ID_CHUNK)]


def refresh_members(
    session: Session, today: date, customer_ids: Iterable[int] | None = None, *,
    tz: ZoneInfo | str | None = None, thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS,
    segment_ids: Iterable[int] | None = None,
) -> int:
    """Bring ``segment_members`` in line with the criteria for these customers (None = everybody)
    and these segments (None = all), in the caller's transaction. Per segment and id chunk one
    DELETE of the members that no longer match and one INSERT ... SELECT of those that newly do.
    Returns how many membership rows were added or removed."""
    session.flush()  # the criteria must see the caller's pending rows
    zone = business_tz(tz)
    query = select(Segment.id, Segment.criteria).order_by(Segment.id)
    if segment_ids is not None:
        query = query.where(Segment.id.in_([int(i) for i in segment_ids]))
    segments = session.execute(query).all()
    chunks = _chunks(customer_ids)
    sm = segment_members.c
    moved = 0
    for segment_id, criteria in segments:
        for ids in chunks:
            if ids == []:
                continue
            match = _matching(criteria or {}, today, zone, thresholds)
            if ids is not None:
                match = match.where(Customer.id.in_(ids))
            gone = delete(segment_members).where(sm.segment_id == segment_id, sm.customer_id.not_in(match))
            if ids is not None:
                gone = gone.where(sm.customer_id.in_(ids))
            moved += max(session.execute(gone).rowcount or 0, 0)
            member = exists().where(sm.segment_id == segment_id, sm.customer_id == Customer.id)
            new = match.where(~member).with_only_columns(literal(segment_id), Customer.id)
            # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... SELECT
            added = insert(segment_members).from_select(["segment_id", "customer_id"], new)
            moved += len(session.execute(added.returning(segment_members.c.customer_id)).all())
    return moved


# --------------------------------------------------------------------------------- the records
@dataclass
class SegmentInfo:
    id: int
    name: str
    criteria: dict[str, Any]
    members: int
    created_at: datetime


def _find(session: Session, name: str) -> Segment:
    key = " ".join(str(name or "").split()).lower()
    found = session.scalar(select(Segment).where(func.lower(Segment.name) == key))
    if found is not None:
        return found
    try:
        rfm = parse_segment(key)
    except DomainError:
        rfm = None
    names = list(session.scalars(select(Segment.name).order_by(Segment.name).limit(20)))
    hint = f"; {rfm.value!r} is an RFM segment: ask rfm_segment for its members" if rfm else ""
    known = f"; saved segments: {', '.join(names)}" if names else "; there are no saved segments yet"
    raise NotFound(f"no saved segment named {name!r}{hint}{known}", field="segment")


def _audit(session: Session, action: str, info: SegmentInfo, user_id: int | None, *, before: bool) -> None:
    state = {"name": info.name, "criteria": info.criteria, "members": info.members}
    session.add(AuditLog(user_id=user_id, action=action, entity="segments", entity_id=info.id,
                         before=state if before else None, after=None if before else state))


def create_segment(session: Session, name: Any, criteria: Any, today: date, *,
                   tz: ZoneInfo | str | None = None,
                   thresholds: Sequence[float] = DEFAULT_MONETARY_THRESHOLDS,
                   user_id: int | None = None) -> SegmentInfo:
    """A new saved segment with its members computed and an audit row (``segment_create``, by
    ``user_id``), in the caller's transaction. Who may create one is the channel's check (managers)."""
    name, criteria = validate_name(name), validate_criteria(criteria)
    if session.scalar(select(Segment.id).where(func.lower(Segment.name) == name.lower())) is not None:
        raise Conflict(f"there is already a saved segment named {name!r}; delete it first or pick another name",
                       field="name")
    segment = Segment(name=name, criteria=criteria, created_at=utcnow())
    session.add(segment)
    session.flush()
    refresh_members(session, today, None, tz=tz, thresholds=thresholds, segment_ids=[segment.id])
    info = describe(session, segment)
    _audit(session, "segment_create", info, user_id, before=False)
    return info


def delete_segment(session: Session, name: str, *, user_id: int | None = None) -> SegmentInfo:
    """Delete a saved segment (its members go with it) with an audit row; returns what it was."""
    segment = _find(session, name)
    info = describe(session, segment)
    _audit(session, "segment_delete", info, user_id, before=True)
    session.execute(delete(segment_members).where(segment_members.c.segment_id == segment.id))
    session.delete(segment)
    session.flush()
    return info


def describe(session: Session, segment: Segment) -> SegmentInfo:
    count = session.scalar(select(func.count()).select_from(segment_members)
                           .where(segment_members.c.segment_id == segment.id)) or 0
    return SegmentInfo(segment.id, segment.name, dict(segment.criteria or {}), int(count), segment.created_at)


def list_segments(session: Session) -> list[SegmentInfo]:
    """Every saved segment, by name, with its member count (one grouped query)."""
    counts = dict(session.execute(select(segment_members.c.segment_id, func.count())
                                  .group_by(segment_members.c.segment_id)).all())
    return [SegmentInfo(s.id, s.name, dict(s.criteria or {}), int(counts.get(s.id, 0)), s.created_at)
            for s in session.scalars(select(Segment).order_by(func.lower(Segment.name)))]


@dataclass
class MemberRow:
    customer_id: int
    name: str
    city: str | None
    phone: str | None
    email: str | None
    assigned_to_id: int | None
    temperature: str
    lifecycle_stage: str
    order_count: int
    ltv: float
    days_since_last_order: int | None
    tags: list[str]


def segment_members_of(session: Session, name: str, today: date, *, limit: int | None = None,
                       offset: int = 0, tz: ZoneInfo | str | None = None) -> tuple[SegmentInfo, list[MemberRow]]:
    """The saved segment and its members (highest lifetime value first, then id), from
    ``segment_members`` as last recomputed."""
    if limit is not None and limit < 1:
        raise DomainError(f"limit must be 1 or more, not {limit}", field="limit")
    if offset < 0:
        raise DomainError(f"offset must be 0 or more, not {offset}", field="offset")
    zone = business_tz(tz)
    segment = _find(session, name)
    info = describe(session, segment)
    s, sm = CustomerStats, segment_members.c
    spent = func.coalesce(s.total_spent, 0)
    rows = session.execute(
        select(Customer.id, Customer.name, Customer.city, Customer.phone, Customer.email,
               Customer.assigned_to_id, Customer.temperature, Customer.lifecycle_stage,
               func.coalesce(s.order_count, 0), spent, s.last_order_at)
        .select_from(segment_members).join(Customer, Customer.id == sm.customer_id)
        .outerjoin(s, s.customer_id == Customer.id)
        .where(sm.segment_id == segment.id, Customer.status != "erased")
        .order_by(spent.desc(), Customer.id).offset(offset).limit(limit)).all()
    ids = [row[0] for row in rows]
    tags: dict[int, list[str]] = {}
    for i in range(0, len(ids), ID_CHUNK):
        for cid, tag in session.execute(select(Tag.customer_id, Tag.tag).where(Tag.customer_id.in_(ids[i:i + ID_CHUNK]))
                                        .order_by(Tag.customer_id, Tag.tag)):
            tags.setdefault(cid, []).append(tag)
    members = [MemberRow(cid, nm, city, phone, email, owner, temp, stage, int(n), float(ltv),
                         days_since(last, today, zone), tags.get(cid, []))
               for cid, nm, city, phone, email, owner, temp, stage, n, ltv, last in rows]
    return info, members


def describe_criteria(criteria: dict[str, Any], currency: str = "BDT") -> str:
    """The criteria in words ("temperature hot or warm; tag eid-shopper; ltv 5000 or more")."""
    parts = []
    for name in LIST_FIELDS:
        if name in criteria:
            joiner = " and " if name == "tag" else " or "
            parts.append(f"{name.replace('_', ' ')} {joiner.join(criteria[name])}")
    low, high = criteria.get("last_order_days_min"), criteria.get("last_order_days_max")
    if low is not None or high is not None:
        span = (f"{low}-{high}" if low is not None and high is not None
                else f"{high} or fewer" if high is not None else f"{low} or more")
        parts.append(f"last order {span} days ago")
    low, high = criteria.get("ltv_min"), criteria.get("ltv_max")
    if low is not None or high is not None:
        span = (f"{low:g}-{high:g}" if low is not None and high is not None
                else f"{high:g} or less" if high is not None else f"{low:g} or more")
        parts.append(f"lifetime value {span} {currency}")
    return "; ".join(parts)


__all__ = [
    "FIELDS", "MemberRow", "SegmentInfo", "create_segment", "delete_segment", "describe_criteria",
    "list_segments", "refresh_members", "segment_members_of", "validate_criteria", "validate_name",
]
