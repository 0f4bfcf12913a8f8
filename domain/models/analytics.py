"""Analytics the product keeps between requests: the CLV model's parameters and the stored call
priority (one row per customer, kept current by every write and by the daily refresh)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON, Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, SmallInteger, String, Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, utcnow


class ClvModel(Base):
    """One fit of the CLV models on the business's completed orders; the newest one is used.

    ``params`` holds ``{"bgnbd": {r, alpha, a, b, ll}, "gamma_gamma": {p, q, gamma, ll}}`` for
    method ``bgnbd_gamma_gamma``, or the pooled rates of the documented fallback for ``heuristic``.
    Times inside the models are in weeks (``time_unit_days`` = 7).
    """

    __tablename__ = "clv_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    fitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    history_from: Mapped[date | None] = mapped_column(Date)  # the first purchase day it saw
    as_of: Mapped[date] = mapped_column(Date)  # the last day of order history the fit saw
    method: Mapped[str] = mapped_column(String(24))
    params: Mapped[dict] = mapped_column(JSON)
    time_unit_days: Mapped[int] = mapped_column(Integer, default=7)
    customers: Mapped[int] = mapped_column(Integer)  # customers with a completed order
    repeat_customers: Mapped[int] = mapped_column(Integer)
    transactions: Mapped[int] = mapped_column(Integer)  # distinct customer purchase days
    currency: Mapped[str] = mapped_column(String(3))
    note: Mapped[str | None] = mapped_column(Text)  # why the heuristic was used, when it was

    __table_args__ = (
        CheckConstraint("method in ('bgnbd_gamma_gamma','heuristic')", name="method"),
        Index("ix_clv_models_fitted", "fitted_at"),
    )


class CallPriorityScore(Base):
    """One customer's call priority for the day in ``call_priority_days``, and their RFM scores.

    ``points`` is the ranking's total for that day (``domain.call_priority.ranking``), ``value`` its
    tie-break (lifetime spend); the call list reads the top N of the rank index instead of scoring
    everybody. The filters and eligibility are copied from the customer so the read is one index.
    ``rfm_r/f/m`` are ``domain.rfm``'s fixed-band scores (0: no completed order, or erased).
    Written only by ``domain.call_priority.stored.refresh_scores``.
    """

    __tablename__ = "call_priority_scores"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    eligible: Mapped[bool] = mapped_column(Boolean)  # active, never erased, not do-not-call
    status: Mapped[str] = mapped_column(String(16))
    temperature: Mapped[str] = mapped_column(String(8))
    lifecycle_stage: Mapped[str] = mapped_column(String(16))
    assigned_to_id: Mapped[int | None] = mapped_column(Integer)
    points: Mapped[float] = mapped_column(Float)
    value: Mapped[float] = mapped_column(Float)
    temperature_points: Mapped[float] = mapped_column(Float)  # the part that does not move with the date
    dated_points: Mapped[float] = mapped_column(Float)  # follow-up, events, carts, at risk, negatives
    rfm_r: Mapped[int] = mapped_column(SmallInteger)
    rfm_f: Mapped[int] = mapped_column(SmallInteger)
    rfm_m: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (
        # the call list: WHERE eligible [AND a filter] ORDER BY points DESC, value DESC, id LIMIT n
        Index("ix_call_priority_rank", "eligible", points.desc(), value.desc(), "customer_id"),
        # the RFM distribution: one covering scan grouped by the triple
        Index("ix_call_priority_rfm", "rfm_r", "rfm_f", "rfm_m", "status"),
    )


class CallPriorityDay(Base):
    """The day and the rule settings ``call_priority_scores`` were computed for (one row, id 1).

    The stored rows are used only when this says today and the reader's settings: otherwise the
    call list and the RFM distribution compute from ``customer_stats`` as before.
    """

    __tablename__ = "call_priority_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    monetary_thresholds: Mapped[str] = mapped_column(String(100))  # "5000,2500,1000,500"
    follow_up_lapse_days: Mapped[int] = mapped_column(Integer)
    negative_outcome_days: Mapped[int] = mapped_column(Integer)
    customers: Mapped[int] = mapped_column(Integer)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
