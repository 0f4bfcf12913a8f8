"""Insights: what deserves attention about a customer, with the records it rests on.

Six prebuilt queries load the recent records of any number of customers; the rules are pure
functions over them and name their evidence as ``{"table": ..., "id": ...}``. Money thresholds
scale with the RFM monetary thresholds (``big`` = the top one, BDT 5,000 by default):

  engagement_drop     customer-side touches (inbound or answered interactions, behaviour events)
                      in the last 30 days at most half the monthly average of the 90 days before,
                      which was at least 2; high when they fell to zero
  stale_opportunity   open deals not updated for 30 days or past their expected close; high when
                      a close date passed or the stale value is at least 10 x big
  churn_risk          repeat buyers (2+ orders) silent for more than twice their usual gap between
                      orders and 60+ days; high past three times the gap with 4+ orders or big spend
  upsell_potential    3+ completed orders in 180 days, the last within 30 days; high when those
                      orders reached big
  vip_activity        VIPs (customer type vip, or lifetime spend of 10 x big, as domain.scores has
                      it) active in the last 7 days; high when the activity is a drop-off, a ticket
                      or a complaint, low when it is only orders
  open_dropoffs       open drop-offs from the last 30 days; high from big or a failed payment,
                      medium from big / 5 or any cart, else low
  sla_risk            open or pending tickets past their SLA (high) or due within 24 hours (medium)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from domain.errors import NotFound
from domain.insights.records import Facts, load_records
from domain.insights.rules import RULES, SEVERITY_ORDER, Insight, ref
from domain.scores import vip_spend_for
from domain.settings import Settings, get_settings

__all__ = ["Insight", "customer_insights", "insights_for_customers", "ref"]


def customer_insights(
    session: Session,
    customer_id: int,
    today: date,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> list[Insight]:
    """Insights for one customer, most severe first. Unknown customer: NotFound."""
    found = insights_for_customers(session, [customer_id], today, now=now, settings=settings)
    if customer_id not in found:
        raise NotFound(
            f"no customer with id {customer_id}: "
            "look the customer up by name, phone or email first",
            field="customer",
        )
    return found[customer_id]


def insights_for_customers(
    session: Session,
    customer_ids: Iterable[int],
    today: date,
    *,
    now: datetime | None = None,
    settings: Settings | None = None,
    conn=None,
) -> dict[int, list[Insight]]:
    """Insights for many customers (unknown ids are left out), six queries whatever their number.
    ``now`` (default: the start of ``today``) times the SLA checks; ``conn`` reads through that
    connection (a prefetched one: ``insight_facts`` and ``records.one_customer_reads``)."""
    settings = settings or get_settings()
    f = insight_facts(today, now, settings)
    ids = sorted({int(i) for i in customer_ids})
    if not ids:
        return {}
    records = load_records(session, ids, f, conn=conn)
    out = {}
    for cid, rec in records.items():
        found = [x for rule in RULES for x in rule(rec, f)]
        found.sort(key=lambda x: SEVERITY_ORDER[x.severity])
        out[cid] = found
    return out


def insight_facts(today: date, now: datetime | None, settings: Settings) -> Facts:
    """The day, the time and the shop's figures the rules read."""
    start = datetime.combine(today, time(0), settings.tz)
    thresholds = settings.rfm_monetary_thresholds
    return Facts(
        today=today,
        now=now or start,
        start=start,
        currency=settings.currency,
        big=float(thresholds[0]),
        vip_spend=vip_spend_for(thresholds),
    )
