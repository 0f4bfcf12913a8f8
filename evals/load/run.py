"""``run_load_test``: a fresh demo world, ``c360 serve`` on loopback, N simulated users for T seconds,
then the server stopped and every write checked in the database."""
from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.errors import DomainError
from domain.settings import Settings
from evals.bench.server import running_server
from evals.bench.world import bench_settings, open_world
from evals.load.clients import SimulatedUser
from evals.load.report import LoadSampler, build_report
from evals.load.verify import check_writes
from evals.load.world import make_users, new_run_tag


@dataclass
class LoadOptions:
    """How hard and how long. The defaults are issue 7's: 20 users chatting for 60 seconds."""

    users: int = 20
    seconds: float = 60.0
    max_requests: int = 20_000  # all users together; the run stops at whichever bound comes first
    customers: int = 2_000
    database_url: str | None = None  # None: a SQLite file in a fresh data directory
    data_dir: Path | None = None  # None: a temporary directory, removed afterwards unless keep
    keep: bool = False
    rate_limit_per_minute: int = 600  # on, so the limiter runs, but above what one user can reach here
    cancel_every: int = 5  # every n-th proposed write is cancelled (and must not land)
    double_every: int = 7  # every n-th approval is sent twice at once (and must land once)
    seed: int = 42
    workers: int = 1  # server processes (``c360 serve --workers``; more than 1 needs PostgreSQL)


def run_load_test(base: Settings, options: LoadOptions, *,
                  on_step: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run the whole test; the report (see ``evals.load.report.build_report``), ``ok`` False on any failure."""
    say = on_step or (lambda message: None)
    if options.users < 1 or options.seconds <= 0 or options.max_requests < 5 * options.users:
        raise DomainError("need at least 1 user, a positive duration and --max-requests of at least 5 per user "
                          "(one round)", field="users")
    data_dir = options.data_dir or Path(tempfile.mkdtemp(prefix="c360-load-"))
    if options.data_dir and options.data_dir.exists() and any(options.data_dir.iterdir()):
        raise DomainError(f"{options.data_dir} is not empty: the load test wants a fresh data directory",
                          field="data_dir")
    data_dir.mkdir(parents=True, exist_ok=True)
    url = options.database_url or f"sqlite:///{(data_dir / 'c360.db').resolve()}"
    settings = bench_settings(base.model_copy(update={"data_dir": data_dir}), url)
    report: dict[str, Any] | None = None
    try:
        say(f"world: {options.customers:,} demo customers in {_safe_url(url)}")
        world = open_world(settings, options.customers, seed=options.seed,
                           own_database=options.database_url is None)
        try:
            report = _run(world, options, data_dir, say)
        finally:
            world.engine.dispose()
    finally:
        # a failed run keeps its directory: the server's log says what went wrong
        if options.data_dir is None and not options.keep and report is not None and report["ok"]:
            shutil.rmtree(data_dir, ignore_errors=True)
    report["settings"]["data_dir"] = str(data_dir) if data_dir.exists() else None
    return report


def _run(world, options: LoadOptions, data_dir: Path, say: Callable[[str], None]) -> dict[str, Any]:
    run_tag = new_run_tag()
    users = make_users(world, options.users, run_tag)
    per_user = max(5, options.max_requests // options.users)
    env = {"C360_CHAT_RATE_LIMIT_PER_MINUTE": str(options.rate_limit_per_minute), "C360_WORKERS": str(options.workers)}
    say(f"c360 serve on loopback; {options.users} users for {options.seconds:g} s (run {run_tag})")
    with running_server(world, env=env, log_path=data_dir / "serve.log") as served, LoadSampler() as sampler:
        began = time.perf_counter()
        deadline = time.monotonic() + options.seconds
        clients = [SimulatedUser(served.base_url, user, run_tag, deadline=deadline, max_requests=per_user,
                                 cancel_every=options.cancel_every, double_every=options.double_every)
                   for user in users]
        with ThreadPoolExecutor(max_workers=len(clients), thread_name_prefix="load-user") as pool:
            runs = list(pool.map(lambda client: client.run(), clients))
        wall = time.perf_counter() - began
    say("server stopped; checking the writes in the database")
    check = check_writes(world.engine, runs, run_tag)
    settings = {"users": options.users, "seconds": options.seconds, "max_requests": options.max_requests,
                "customers": world.customers, "database": world.engine.dialect.name,
                "rate_limit_per_minute": options.rate_limit_per_minute, "workers": options.workers, "run": run_tag,
                "server_log": str(data_dir / "serve.log")}
    return build_report(runs, check, wall=wall, load=sampler.summary(), settings=settings)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
