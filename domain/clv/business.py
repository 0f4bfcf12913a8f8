"""CLV on the business's own completed orders: fit, store, and predict for one or many customers.

A customer's history is one transaction per business-local day with completed orders (values
summed); time is in weeks; the first purchase starts the clock. The fitted BG/NBD and Gamma-Gamma
parameters are stored in ``clv_models`` and the newest row is used until the next fit.

With too little repeat history, or when the fit fails, the documented heuristic in
``domain.clv.heuristic`` is used and the model says so (``method = "heuristic"`` and a note).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Float, Text, bindparam, cast, func, select
from sqlalchemy.orm import Session

from domain.clv.bgnbd import BgNbdParams, expected_purchases, fit_bgnbd, p_alive
from domain.clv.gamma_gamma import GammaGammaParams, expected_spend, fit_gamma_gamma
from domain.clv.heuristic import MIN_REPEAT_CUSTOMERS, heuristic_params, heuristic_predict
from domain.clv.summary import PurchaseSummary, summarise_transactions
from domain.clv.value import clv
from domain.errors import DomainError, NotFound
from domain.models import ClvModel, Customer, Order
from domain.one_trip import Read

PURCHASES_HORIZON_DAYS = 90
VALUE_HORIZON_DAYS = 365
DAYS_PER_UNIT = 7  # the models' time unit is the week, as in the papers
_IN_LIST_LIMIT = 5000  # beyond this, read all orders and filter in numpy instead of a huge IN list
_UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass(frozen=True)
class CustomerClv:
    """One customer's predicted future: P(alive), purchases in 90 days, value over 365 days."""

    customer_id: int
    method: str  # bgnbd_gamma_gamma, heuristic, or no_orders (never bought: nothing to predict)
    probability_alive: float | None
    expected_purchases_90d: float
    expected_order_value: Decimal | None
    predicted_value_365d: Decimal
    currency: str
    repeat_purchases: int
    model_id: int | None
    as_of: date

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("expected_order_value", "predicted_value_365d"):
            data[key] = None if data[key] is None else str(data[key])
        data["as_of"] = self.as_of.isoformat()
        return data


def _zone(tz: ZoneInfo | str) -> ZoneInfo:
    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)


def _order_history(session: Session, today: date, tz: ZoneInfo, customer_ids=None):
    """Completed orders up to the end of ``today`` (business-local) as numpy arrays:
    customer id, business-local day ordinal, value."""
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=tz)
    query = select(Order.customer_id, _epoch(session.get_bind().dialect.name),
                   cast(Order.total_amount, Float)).where(Order.status == "completed", Order.ordered_at < end)
    connection = session.connection()  # Core rows: the ORM's row wrapping costs ~2x
    wanted = None if customer_ids is None else np.unique(np.asarray(customer_ids, dtype=np.int64))
    if wanted is not None and wanted.size <= _IN_LIST_LIMIT:
        query = query.where(Order.customer_id.in_(bindparam("ids", expanding=True)))
        rows = connection.execute(query, {"ids": [int(i) for i in wanted]}).all()
    else:
        rows = connection.execute(query).all()
    return _history_arrays(rows, tz, wanted)


def _epoch(dialect_name: str):
    """An order's ``ordered_at`` as UTC epoch seconds."""
    if dialect_name == "sqlite":
        # Stored as naive UTC text; julianday() reads it.
        return (func.julianday(Order.ordered_at) - 2440587.5) * 86400.0
    return cast(func.extract("epoch", Order.ordered_at), Float)


def _history_arrays(rows, tz: ZoneInfo, wanted=None):
    """(customer id, epoch seconds, value) rows as the arrays ``_order_history`` returns."""
    # Column-wise from plain tuples: numpy probing SQLAlchemy Row objects is 10x slower.
    columns = list(zip(*rows)) or [(), (), ()]
    ids = np.array(columns[0], dtype=np.int64)
    seconds, values = np.array(columns[1], dtype=float), np.array(columns[2], dtype=float)
    if wanted is not None:
        keep = np.isin(ids, wanted)
        ids, seconds, values = ids[keep], seconds[keep], values[keep]
    return ids, _local_days(seconds, tz), values


def _local_days(seconds: np.ndarray, tz: ZoneInfo) -> np.ndarray:
    """Business-local day ordinals of UTC epoch seconds, honouring the zone's offset changes.

    Offsets only change on quarter-hour boundaries, so one zone lookup per distinct quarter hour.
    """
    if seconds.size == 0:
        return np.array([], dtype=np.int64)
    quarters, inverse = np.unique(np.floor(seconds / 900).astype(np.int64), return_inverse=True)
    offsets = np.array(
        [
            datetime.fromtimestamp(int(q) * 900, timezone.utc)
            .astimezone(tz)
            .utcoffset()
            .total_seconds()
            for q in quarters
        ]
    )
    local = seconds + offsets[inverse.reshape(-1)]
    return np.floor(local / 86400).astype(np.int64) + _UNIX_EPOCH_ORDINAL


def _summary(session: Session, today: date, tz: ZoneInfo, customer_ids=None) -> PurchaseSummary:
    ids, days, values = _order_history(session, today, tz, customer_ids)
    return summarise_transactions(ids, days, values, today.toordinal(), float(DAYS_PER_UNIT))


def fit_from_orders(
    session: Session,
    today: date,
    *,
    tz: ZoneInfo | str = "Asia/Dhaka",
    currency: str = "BDT",
    store: bool = True,
) -> ClvModel:
    """Fit BG/NBD and Gamma-Gamma on completed orders up to ``today``; falls back to the documented
    heuristic when there are too few repeat customers. Adds the row to the session if ``store``."""
    summary = _summary(session, today, _zone(tz))
    repeat = int(np.sum(summary.x > 0))
    counts = dict(
        customers=int(summary.x.size),
        repeat_customers=repeat,
        transactions=int(summary.x.sum() + summary.x.size),
    )
    method, params, note = "heuristic", heuristic_params(summary), None
    if repeat < MIN_REPEAT_CUSTOMERS:
        note = (
            f"only {repeat} customers bought on more than one day; the BG/NBD and Gamma-Gamma fit "
            f"needs at least {MIN_REPEAT_CUSTOMERS}, so the heuristic is used"
        )
    else:
        try:
            bgnbd = fit_bgnbd(summary.x, summary.t_x, summary.T)
            paid = summary.monetary > 0  # free repeat orders only: no spend to model
            gamma_gamma = fit_gamma_gamma(summary.x[paid], summary.monetary[paid])
            if gamma_gamma.q <= 1:
                raise DomainError(
                    f"Gamma-Gamma q={gamma_gamma.q:.3g} <= 1 gives no mean order value"
                )
            params = {"bgnbd": bgnbd.as_dict(), "gamma_gamma": gamma_gamma.as_dict()}
            trial = ClvModel(
                method="bgnbd_gamma_gamma", params=params, time_unit_days=DAYS_PER_UNIT
            )
            if not all(np.all(np.isfinite(v)) for v in _predict(trial, summary, 0.0)):
                raise DomainError("the fitted parameters give non-finite predictions")
            method = "bgnbd_gamma_gamma"
        except DomainError as exc:
            note = f"the model fit failed ({exc.message}), so the heuristic is used"
    longest = round(float(summary.T.max()) * DAYS_PER_UNIT) if summary.x.size else None
    model = ClvModel(
        history_from=None if longest is None else today - timedelta(days=longest),
        as_of=today,
        method=method,
        params=params,
        time_unit_days=DAYS_PER_UNIT,
        currency=currency,
        note=note,
        **counts,
    )
    if store:
        session.add(model)
        session.flush()
    return model


def latest_clv_model(session: Session) -> ClvModel | None:
    """The newest stored fit, or None."""
    return session.scalars(select(ClvModel).order_by(ClvModel.id.desc()).limit(1)).first()


# --- one customer's CLV from reads sent with the rest of a page (``domain.one_trip``) ------------

@cache
def _latest_model_query():
    m = ClvModel
    # the parameters as their JSON text: decoded here as the driver decodes a JSON column (json.loads)
    return (select(m.id, m.method, m.currency, cast(m.params, Text).label("params"))
            .order_by(m.id.desc()).limit(1))


@cache
def _customer_orders_query(dialect_name: str):
    ordered_at = Order.__table__.c.ordered_at
    return (select(Order.customer_id, _epoch(dialect_name).label("epoch"),
                   cast(Order.total_amount, Float).label("value"))
            .where(Order.customer_id == bindparam("cid"), Order.status == "completed",
                   Order.ordered_at < bindparam("end", type_=ordered_at.type))
            .order_by(Order.ordered_at, Order.id))


def customer_clv_reads(customer_id: int, today: date, tz: ZoneInfo | str, dialect_name: str) -> list[Read]:
    """The reads ``prefetched_customer_clv`` answers from: the newest stored fit and the customer's
    completed orders up to the end of ``today``."""
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=_zone(tz))
    return [Read(_latest_model_query()),
            Read(_customer_orders_query(dialect_name), {"cid": customer_id, "end": end})]


def prefetched_customer_clv(conn, customer_id: int, today: date, *, tz: ZoneInfo | str = "Asia/Dhaka",
                            discount_rate: float = 0.0) -> CustomerClv | None:
    """``clv_for_customers`` for one customer known to exist, from ``customer_clv_reads`` (answered
    by ``conn``, a ``domain.one_trip.Prefetched`` connection): None when no fit is stored."""
    row = conn.execute(_latest_model_query()).first()
    if row is None:
        return None
    model = ClvModel(id=row.id, method=row.method, currency=row.currency, params=json.loads(row.params))
    zone = _zone(tz)
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=zone)
    rows = conn.execute(_customer_orders_query(conn.dialect.name), {"cid": customer_id, "end": end}).all()
    ids, days, values = _history_arrays(rows, zone)
    summary = summarise_transactions(ids, days, values, today.toordinal(), float(DAYS_PER_UNIT))
    return _results(model, summary, [customer_id], today, discount_rate)[0]


def _predict(model: ClvModel, summary: PurchaseSummary, discount_rate: float):
    """P(alive), purchases in 90 days, expected order value and 365-day value, per summary row."""
    # Stored models are in weeks (time_unit_days = 7), like the summaries built here.
    purchases_weeks = PURCHASES_HORIZON_DAYS / DAYS_PER_UNIT
    value_weeks = VALUE_HORIZON_DAYS / DAYS_PER_UNIT
    x, t_x, T = summary.x, summary.t_x, summary.T
    if model.method == "bgnbd_gamma_gamma":
        bgnbd = BgNbdParams(**model.params["bgnbd"])
        gamma_gamma = GammaGammaParams(**model.params["gamma_gamma"])
        alive = p_alive(bgnbd, x, t_x, T)
        purchases = expected_purchases(bgnbd, purchases_weeks, x, t_x, T)
        spend = expected_spend(gamma_gamma, x, summary.monetary)
        value = clv(
            bgnbd,
            gamma_gamma,
            x,
            t_x,
            T,
            summary.monetary,
            value_weeks,
            discount_rate,
        )
        return alive, purchases, spend, value
    return heuristic_predict(model.params, summary, purchases_weeks, value_weeks, discount_rate)


def _money(value: float) -> Decimal:
    return Decimal(str(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def clv_for_customers(
    session: Session,
    today: date,
    customer_ids=None,
    *,
    tz: ZoneInfo | str = "Asia/Dhaka",
    discount_rate: float = 0.0,
    model: ClvModel | None = None,
) -> list[CustomerClv]:
    """CLV for many customers at once (all customers with a completed order when ``customer_ids`` is
    None), ordered by customer id, using ``model``, else the newest stored fit, else a fresh fit
    (not stored: ``c360 clv fit`` stores one). Unknown ids raise NotFound."""
    if discount_rate < 0:
        raise DomainError(
            "the discount rate must be >= 0 (0.1 means 10% a year)", field="discount_rate"
        )
    wanted: list[int] = []
    if customer_ids is not None:
        wanted = sorted({int(i) for i in customer_ids})
        known = set(
            session.scalars(
                select(Customer.id).where(Customer.id.in_(bindparam("ids", expanding=True))),
                {"ids": wanted},
            )
        )
        missing = [i for i in wanted if i not in known]
        if missing:
            shown = ", ".join(map(str, missing[:5])) + (" ..." if len(missing) > 5 else "")
            raise NotFound(f"no customer with id {shown}; check the ids", field="customer_id")
    zone = _zone(tz)
    model = (
        model or latest_clv_model(session) or fit_from_orders(session, today, tz=zone, store=False)
    )
    summary = _summary(session, today, zone, customer_ids)
    return _results(model, summary, wanted, today, discount_rate)


def _results(model: ClvModel, summary: PurchaseSummary, wanted: list[int], today: date,
             discount_rate: float) -> list[CustomerClv]:
    """Each summarised customer's prediction, and "no orders" for the ``wanted`` who never bought."""
    alive, purchases, spend, value = _predict(model, summary, discount_rate)
    results = {
        int(cid): CustomerClv(
            customer_id=int(cid),
            method=model.method,
            probability_alive=round(float(a), 4),
            expected_purchases_90d=round(float(p), 4),
            expected_order_value=_money(s),
            predicted_value_365d=_money(v),
            currency=model.currency,
            repeat_purchases=int(x),
            model_id=model.id,
            as_of=today,
        )
        for cid, a, p, s, v, x in zip(
            summary.customer_ids, alive, purchases, spend, value, summary.x
        )
    }
    for cid in wanted:  # asked for, but never bought
        results.setdefault(
            cid,
            CustomerClv(
                customer_id=cid,
                method="no_orders",
                probability_alive=None,
                expected_purchases_90d=0.0,
                expected_order_value=None,
                predicted_value_365d=Decimal("0.00"),
                currency=model.currency,
                repeat_purchases=0,
                model_id=model.id,
                as_of=today,
            ),
        )
    return [results[cid] for cid in sorted(results)]


def customer_clv(
    session: Session,
    customer_id: int,
    today: date,
    *,
    tz: ZoneInfo | str = "Asia/Dhaka",
    discount_rate: float = 0.0,
) -> CustomerClv:
    """One customer's CLV from the newest stored fit (see ``clv_for_customers``)."""
    return clv_for_customers(session, today, [customer_id], tz=tz, discount_rate=discount_rate)[0]
