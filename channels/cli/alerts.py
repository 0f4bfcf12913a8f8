"""``c360 alerts``: what c360 told whom (list), one delivery's tries (log), each user's alert
preferences (prefs), a test alert (test), re-queueing a failed delivery (retry) and the delivery
worker on its own (worker)."""
from __future__ import annotations

import json
import logging

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from channels.cli import app
from channels.cli.runtime import runtime
from domain.errors import DomainError

alerts_app = typer.Typer(help="Alerts c360 sends first (VIP, churn, SLA, carts, CSAT): docs/alerts.md.",
                         no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
err = Console(stderr=True)


def _fail(exc: DomainError) -> None:
    err.print(f"[red]error:[/red] {escape(exc.message)}")
    raise typer.Exit(1) from exc


def _worker(rt):
    from channels.alerts.worker import AlertWorker

    return AlertWorker(rt.settings, rt.sessions, rt.clock)


@alerts_app.command("list")
def list_(
    days: int = typer.Option(7, "--days", help="Events of the last N days (today counts as one)."),
    kind: str | None = typer.Option(None, "--kind", help="Only this kind (vip, champions, churn_high, "
                                                          "sla_breached, cart_abandoned, low_csat)."),
    status: str | None = typer.Option(None, "--status", help="Only events with a delivery in this state "
                                                              "(pending, sent, skipped, failed)."),
    limit: int = typer.Option(50, "--limit", help="At most this many events."),
    as_json: bool = typer.Option(False, "--json", help="JSON instead of a table."),
) -> None:
    """The recent alert events, newest first, and where each delivery stands."""
    from domain.alerts.queries import recent_events, since_days

    rt = runtime()
    try:
        with rt.sessions() as session:
            lines = recent_events(session, since=since_days(rt.clock.today(), days), kind=kind, status=status,
                                  limit=limit)
    except DomainError as exc:
        _fail(exc)
    if as_json:
        typer.echo(json.dumps([{
            "id": e.id, "occurred_at": e.occurred_at.isoformat(), "kind": e.kind, "customer_id": e.customer_id,
            "customer": e.customer, "reason": e.reason, "source": e.source,
            "deliveries": [{"id": d.id, "target": d.target, "to": d.to, "status": d.status, "attempts": d.attempts,
                            "next_attempt_at": d.next_attempt_at.isoformat() if d.next_attempt_at else None,
                            "last_error": d.last_error} for d in e.deliveries]} for e in lines], indent=2))
        return
    if not lines:
        typer.echo(f"no alert events in the last {days} day(s)")
        return
    tz = rt.settings.tz
    table = Table("id", "when", "kind", "customer", "reason", "deliveries")
    for e in lines:
        sent = "\n".join(f"#{d.id} {d.target} → {d.to}: {d.status}"
                         + (f" (try {d.attempts})" if d.status == "pending" and d.attempts else "")
                         + (f" — {d.last_error}" if d.last_error and d.status != "sent" else "")
                         for d in e.deliveries) or "none (no recipient configured)"
        table.add_row(str(e.id), f"{e.occurred_at.astimezone(tz):%a %d %b %H:%M}", e.kind,
                      f"{e.customer} (#{e.customer_id})", e.reason, sent)
    Console(width=160).print(table)


@alerts_app.command("prefs")
def prefs(
    name: str | None = typer.Argument(None, help="The user's name; none: everybody's preferences."),
    kinds: str | None = typer.Option(None, "--kinds", help="Kinds they get, comma-separated, or all."),
    quiet_hours: str | None = typer.Option(None, "--quiet-hours",
                                           help="No alert DMs in these hours (local), e.g. 21:00-08:00, or off."),
    daily_cap: int | None = typer.Option(None, "--daily-cap", min=0, help="Most alert DMs a day."),
) -> None:
    """Show a user's alert preferences, or change them with the options."""
    from domain.alerts.preferences import describe, preferences_of, set_preferences
    from domain.db import transaction
    from domain.users import find_user, list_users

    rt = runtime()
    default_cap = rt.settings.alert_daily_cap
    try:
        if name is None:
            with rt.sessions() as session:
                users = list_users(session)
                shown = [(u, describe(preferences_of(session, u.id), default_cap)) for u in users]
            table = Table("user", "slack id", "kinds", "quiet hours", "daily cap")
            for u, p in shown:
                kinds_text = p["kinds"] if p["kinds"] == "all" else ",".join(p["kinds"])
                table.add_row(u.name, u.slack_user_id or "(none: no DMs)", kinds_text, p["quiet_hours"],
                              str(p["daily_cap"]))
            Console().print(table)
            return
        changes = {key: value for key, value in (("kinds", kinds), ("quiet_hours", quiet_hours),
                                                  ("daily_cap", daily_cap)) if value is not None}
        with transaction(rt.sessions) as session:
            user = find_user(session, name)
            result = (set_preferences(session, user.id, now=rt.clock.now(), **changes) if changes
                      else preferences_of(session, user.id))
            user_name = user.name
    except DomainError as exc:
        _fail(exc)
    p = describe(result, default_cap)
    kinds_text = p["kinds"] if p["kinds"] == "all" else ",".join(p["kinds"])
    typer.echo(f"{user_name}: kinds {kinds_text}; quiet hours {p['quiet_hours']}; daily cap {p['daily_cap']}"
               + (" (saved)" if changes else ""))


@alerts_app.command("test")
def test(
    name: str = typer.Argument(..., help="The user to send a test alert to (their Slack DM)."),
    kind: str = typer.Option("cart_abandoned", "--kind", help="Which kind of card to show."),
    customer: int | None = typer.Option(None, "--customer", help="About this customer id (default: one of theirs)."),
    webhooks: bool = typer.Option(False, "--webhooks", help="Send it to the webhooks too (C360_WEBHOOK_URLS)."),
    queue_only: bool = typer.Option(False, "--queue-only", help="Only queue it; the running worker sends it."),
) -> None:
    """Send a test alert through the outbox, so a user (and their preferences) can be checked."""
    from domain.alerts import AlertRules
    from domain.alerts.queries import recent_events, record_test_event
    from domain.db import transaction
    from domain.users import find_user

    rt = runtime()
    rules = AlertRules.from_settings(rt.settings)
    try:
        with transaction(rt.sessions) as session:
            user = find_user(session, name)
            event = record_test_event(session, user.id, kind=kind, now=rt.clock.now(), zone=rt.settings.tz,
                                      rules=rules, customer_id=customer, webhooks=webhooks)
            event_id = event.id
    except DomainError as exc:
        _fail(exc)
    if not queue_only:
        logging.basicConfig(level=logging.WARNING)
        _worker(rt).run_once(limit=50)
    with rt.sessions() as session:
        [line] = [e for e in recent_events(session, since=rt.clock.today(), limit=500) if e.id == event_id]
    for d in line.deliveries:
        when = f" until {d.next_attempt_at.astimezone(rt.settings.tz):%a %d %b %H:%M}" if d.next_attempt_at else ""
        typer.echo(f"test alert #{event_id} {d.target} → {d.to}: {d.status}{when}"
                   + (f" ({d.last_error})" if d.last_error and d.status != "sent" else ""))
    if any(d.status == "failed" for d in line.deliveries):
        raise typer.Exit(1)


@alerts_app.command("log")
def log_(delivery: int = typer.Argument(..., help="The delivery id (c360 alerts list shows them).")) -> None:
    """Every try at one delivery: when, which worker, the answer."""
    from domain.alerts.queries import delivery_log

    rt = runtime()
    try:
        with rt.sessions() as session:
            line, tries = delivery_log(session, delivery)
    except DomainError as exc:
        _fail(exc)
    tz = rt.settings.tz
    due = f", next try {line.next_attempt_at.astimezone(tz):%a %d %b %H:%M:%S}" if line.next_attempt_at else ""
    typer.echo(f"delivery #{line.id} {line.target} → {line.to}: {line.status}{due}")
    for t in tries:
        answer = "ok" if t.ok else (t.error or "failed")
        code = f" [{t.status_code}]" if t.status_code else ""
        typer.echo(f"  try {t.number} at {t.started_at.astimezone(tz):%a %d %b %H:%M:%S} by {t.worker}: "
                   f"{answer}{code} ({(t.finished_at - t.started_at).total_seconds():.2f}s)")
    if not tries:
        typer.echo("  no tries yet")


@alerts_app.command("retry")
def retry(delivery: int = typer.Argument(..., help="The delivery id (c360 alerts list shows them).")) -> None:
    """Put a failed or skipped delivery back in the queue."""
    from domain.alerts.outbox import retry_now
    from domain.db import transaction

    rt = runtime()
    try:
        with transaction(rt.sessions) as session:
            row = retry_now(session, delivery, rt.clock.now())
            status = row.status
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"delivery #{delivery}: {'already sent' if status == 'sent' else 'queued again'}")


@alerts_app.command("worker")
def worker(once: bool = typer.Option(False, "--once", help="Send what is due now, then stop (cron).")) -> None:
    """Run the delivery worker alone (`c360 serve` runs one too, unless C360_ALERT_WORKER=false)."""
    rt = runtime()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    w = _worker(rt)
    if once:
        total = {}
        while done := w.run_once():
            for key, value in done.items():
                total[key] = total.get(key, 0) + value
        typer.echo(", ".join(f"{v} {k}" for k, v in sorted(total.items())) or "nothing due")
        return
    typer.echo(f"alert worker {w.name}: polling every {rt.settings.alert_poll_seconds:g}s (Ctrl-C stops)", err=True)
    try:
        w.run_forever()
    except KeyboardInterrupt:
        w.stop()
