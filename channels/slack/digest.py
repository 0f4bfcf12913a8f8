"""The daily digest: each user with a Slack id gets today's call list of their own customers as a DM.

``c360 digest`` sends it once (for cron); with ``C360_DIGEST_AT`` the server sends it itself at that
local time on the working days (``C360_WORKING_DAYS``, default Sunday-Thursday). A user gets at most
one digest a day, even when cron and a server (or two servers) both send it: each DM is claimed in
the database first. With several server processes on PostgreSQL only the leader of the digest sends
it; when the leader dies before the day's digest is recorded done, another process takes over and
sends what is left (``domain.shared_locks``).
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from slack_sdk.errors import SlackApiError

from channels.slack import blocks as ui
from channels.slack.bridge import SlackBridge
from channels.slack.targets import dm_target
from domain.db import transaction
from domain.errors import DomainError
from domain.shared_locks import Leadership, day_done, mark_day_done
from domain.slack_events import digest_recipients, release_delivery
from tools.context import Actor

log = logging.getLogger("c360.slack.digest")


@dataclass
class DigestReport:
    """Who got a DM, whose list was empty (no DM), who already had today's, and what failed."""

    day: date
    sent: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "name: why"


async def post_digest(bridge: SlackBridge, *, force: bool = False) -> DigestReport:
    """DM every user with a Slack id their call list for today; ``force`` re-sends today's."""
    day = bridge.clock.today()
    report = DigestReport(day)
    users = await bridge.blocking(lambda: _recipients(bridge))
    team = (await bridge.client.auth_test()).get("team_id") or ""
    for user in users:
        actor = Actor(id=user.id, name=user.name, role=user.role)
        payload = await bridge.tool("call_priority_list", {"assigned_to_me": True, "limit": 10}, actor)
        if not payload.get("ok"):
            report.failed.append(f"{user.name}: {payload.get('message')}")
            continue
        if not payload.get("entries"):
            report.empty.append(user.name)
            continue
        if not force and not await bridge.claim(team_id=team, kind="digest", event_id=f"digest:{day}:{user.id}",
                                                slack_user_id=user.slack_user_id):
            report.already.append(user.name)
            continue
        title = f"Good morning, {user.name.split()[0]}: your calls for {day:%a %d %b}"
        try:
            target = await dm_target(bridge.client, team, user.slack_user_id)
            await target.post(bridge.client, title + "\n" + str(payload.get("text", "")),
                              ui.call_list_blocks(payload, title=title))
        except Exception as exc:  # Slack did not accept it: not served, a later run (cron's retry) sends it
            await bridge.blocking(release_delivery, bridge.sessions, team_id=team, event_id=f"digest:{day}:{user.id}")
            why = f"Slack said {exc.response.get('error')}" if isinstance(exc, SlackApiError) else \
                f"Slack unreachable ({type(exc).__name__})"
            report.failed.append(f"{user.name}: {why}")
            continue
        report.sent.append(user.name)
    return report


def _recipients(bridge: SlackBridge):
    with bridge.sessions() as session:
        return digest_recipients(session)


def next_digest_at(now: datetime, at: str, working_days: frozenset[int]) -> datetime:
    """The first ``at`` (HH:MM, local) strictly after ``now`` on a working day (``date.weekday()`` numbers)."""
    if not working_days:
        raise DomainError("no working days: set C360_WORKING_DAYS, e.g. sun,mon,tue,wed,thu", field="working_days")
    hour, minute = (int(part) for part in at.split(":"))
    for offset in range(8):
        day = now.date() + timedelta(days=offset)
        moment = datetime.combine(day, time(hour, minute), tzinfo=now.tzinfo)
        if day.weekday() in working_days and moment > now:
            return moment
    raise AssertionError("unreachable: a working day comes within a week")


DIGEST_JOB = "digest"


async def run_digest_schedule(bridge: SlackBridge) -> None:
    """Forever: sleep until the next digest time, then, as the leader, send it and forget old Slack
    deliveries; a process that is not the leader asks again every ``C360_LEADER_POLL_SECONDS`` until
    the day's digest is done (so it takes over from a leader that died)."""
    settings = bridge.settings
    leader = Leadership(bridge.sessions.kw["bind"], "c360.slack-digest")
    while True:
        now = bridge.clock.now()
        due = next_digest_at(now, settings.digest_at, settings.working_weekdays)
        await asyncio.sleep(max((due - now).total_seconds(), 1.0))
        while bridge.clock.today() == due.date() and not await bridge.blocking(_done, bridge, due.date()):
            if await bridge.blocking(leader.held):
                await _send_digest(bridge, due.date())
                break
            await asyncio.sleep(settings.leader_poll_seconds)


async def _send_digest(bridge: SlackBridge, day: date) -> None:
    try:
        report = await post_digest(bridge)
        if not report.failed:  # a failed DM was released: cron (or tomorrow) may still send it
            await bridge.blocking(_mark_done, bridge, day)
        log.info("digest for %s: sent %d, empty %d, failed %d", report.day, len(report.sent),
                 len(report.empty), len(report.failed))
        await bridge.prune()
    except Exception:  # one bad morning must not stop tomorrow's digest
        log.exception("the daily digest failed")


def _done(bridge: SlackBridge, day: date) -> bool:
    with bridge.sessions() as session:
        return day_done(session, DIGEST_JOB, day)


def _mark_done(bridge: SlackBridge, day: date) -> None:
    with transaction(bridge.sessions) as session:
        mark_day_done(session, DIGEST_JOB, day)


def start_digest_schedule(bridge: SlackBridge) -> asyncio.Task | None:
    """Start the in-process schedule when ``C360_DIGEST_AT`` is set (the server calls this at start)."""
    if not bridge.settings.digest_at:
        return None
    log.info("daily Slack digest at %s on %s", bridge.settings.digest_at, bridge.settings.working_days)
    return asyncio.ensure_future(run_digest_schedule(bridge))
