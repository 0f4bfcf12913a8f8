"""Fitted analytic models the product keeps between requests (the CLV model's parameters)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Index, Integer, String, Text
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
