"""Everything known about one customer: its indexed reads sent in one round trip (``domain.one_trip``)."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache

from pydantic import BaseModel, ConfigDict
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from domain.clv.business import CustomerClv, customer_clv_reads, prefetched_customer_clv
from domain.customer360 import results, sections, working_notes
from domain.customer360.timeline import TimelinePage, plan_timeline, run_timeline
from domain.errors import NotFound
from domain.events import UpcomingEvent, events_in_window
from domain.insights import Insight, insight_facts, insights_for_customers
from domain.insights.records import one_customer_reads
from domain.metrics import CustomerScores, score_reads, scores_for_customer
from domain.models import Customer, User
from domain.one_trip import Read, prefetch
from domain.settings import Settings, get_settings

EVENT_DAYS = 30

PROFILE_FIELDS = (
    "id",
    "name",
    "phone",
    "email",
    "company",
    "city",
    "district",
    "address",
    "gender",
    "date_of_birth",
    "marital_status",
    "anniversary_date",
    "profession",
    "best_time_to_contact",
    "customer_type",
    "account_kind",
    "source",
    "status",
    "lifecycle_stage",
    "lifecycle_locked",
    "temperature",
    "assigned_to_id",
    "timezone",
    "language",
    "quiet_hours_start",
    "quiet_hours_end",
    "preferred_channel",
    "created_at",
    "erased_at",
)


class Customer360Data(BaseModel):
    """The 360 view's data; the tool layer redacts by role and renders."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    customer_id: int
    as_of: date
    currency: str
    profile: dict
    assigned_to_name: str | None
    tags: list[str]
    preferences: results.Preferences
    family: list[results.FamilyEntry]
    scores: CustomerScores
    clv: (
        CustomerClv | None
    )  # None until a CLV model is stored (`c360 clv fit`): a 360 read never fits one
    loyalty: results.Loyalty | None
    opportunities: results.OpportunitySummary
    tickets: results.TicketSummary
    open_dropoffs: list[dict]
    behaviour: results.BehaviourSummary
    upcoming_events: list[UpcomingEvent]
    insights: list[Insight]
    timeline: TimelinePage
    # working sections (domain.customer360.working_notes)
    notes: results.NotesSection
    open_follow_ups: list[results.FollowUpEntry]
    consent: list[results.ConsentChannel]


@cache
def _customer_query():
    return (
        select(Customer.__table__, User.name.label("assigned_to_name"))
        .outerjoin(User, User.id == Customer.assigned_to_id)
        .where(Customer.id == bindparam("cid"))
    )


def load_customer_360(
    session: Session,
    customer_id: int,
    today: date,
    *,
    timeline_limit: int = 20,
    timeline_types=None,
    since: date | datetime | str | None = None,
    until: date | datetime | str | None = None,
    cursor: str | None = None,
    now: datetime | None = None,
    settings: Settings | None = None,
) -> Customer360Data:
    """Profile, preferences, family, scores, CLV, loyalty, deals, tickets, carts, behaviour, events
    (30 days), insights and a timeline page for one customer as of ``today``.

    ``now`` (default: the start of ``today``) times SLA checks. Unknown customer: NotFound; bad
    timeline arguments: DomainError, before anything else is read.
    """
    settings = settings or get_settings()
    tz = settings.tz
    now = now or datetime.combine(today, time(0), tz)
    # the timeline validates its arguments, so it goes first: bad input costs no query
    plan = plan_timeline(customer_id, tz, limit=timeline_limit, types=timeline_types, since=since,
                         until=until, cursor=cursor)
    facts = insight_facts(today, now, settings)
    # every read below but the timeline's order lines, in one round trip
    connection = session.connection()
    conn = prefetch(connection, [
        Read(_customer_query(), {"cid": customer_id}),
        *(Read(query, params) for _, query, params in plan.reads),
        *sections.reads(customer_id, today, tz, now),
        *working_notes.reads(customer_id),
        *score_reads(customer_id, today, tz=tz, now=now),
        *one_customer_reads(customer_id, facts),
        *customer_clv_reads(customer_id, today, tz, connection.dialect.name),
    ])
    row = conn.execute(_customer_query(), {"cid": customer_id}).one_or_none()
    if row is None:
        raise NotFound(
            f"no customer with id {customer_id}: "
            "look the customer up by name, phone or email first",
            field="customer",
        )
    timeline = run_timeline(conn, plan, settings.currency)
    relatives = sections.family_rows(conn, customer_id)
    alive = row.status != "erased" and row.erased_at is None
    events = events_in_window(
        today,
        EVENT_DAYS,
        [(row.id, row.name, row.gender, row.date_of_birth, row.anniversary_date)] if alive else [],
        [
            (
                r.id,
                row.id,
                row.name,
                r.name,
                r.relationship,
                r.gender,
                r.date_of_birth,
                r.anniversary_date,
                row.anniversary_date,
            )
            for r in relatives
        ]
        if alive
        else [],
    )
    return Customer360Data(
        customer_id=customer_id,
        as_of=today,
        currency=settings.currency,
        profile={name: getattr(row, name) for name in PROFILE_FIELDS},
        assigned_to_name=row.assigned_to_name,
        tags=sections.tags(conn, customer_id),
        preferences=sections.preferences(conn, row, tz),
        family=sections.family(relatives, today),
        scores=scores_for_customer(
            session,
            customer_id,
            today,
            tz=tz,
            thresholds=settings.rfm_monetary_thresholds,
            mode=settings.rfm_mode,
            now=now,
            conn=conn,
        ),
        clv=prefetched_customer_clv(conn, customer_id, today, tz=tz),
        loyalty=sections.loyalty(conn, customer_id),
        opportunities=sections.opportunities(conn, customer_id),
        tickets=sections.tickets(conn, customer_id, now),
        open_dropoffs=sections.open_dropoffs(conn, customer_id),
        behaviour=sections.behaviour(conn, customer_id, today, tz),
        upcoming_events=events,
        insights=insights_for_customers(
            session, [customer_id], today, now=now, settings=settings, conn=conn
        )[customer_id],
        timeline=timeline,
        notes=working_notes.notes(conn, customer_id),
        open_follow_ups=working_notes.open_follow_ups(conn, customer_id, now),
        consent=working_notes.consent_channels(conn, customer_id),
    )
