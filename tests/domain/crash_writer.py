"""The writer the crash-safety test kills: ``log_interaction`` calls, each key printed once acknowledged.

Run as ``python crash_writer.py DB_URL USER_ID CUSTOMER_IDS`` (ids comma-separated). Importing
the tools takes seconds, so this process imports once and then serves as a *zygote*: for each
line ``run START`` on stdin it forks a fresh writer process, prints ``pid PID``, waits for it to
die (the test SIGKILLs it) and prints ``exit PID STATUS``. Only the forked writer touches the
database: it makes its own engine, so every run opens the database as a restarted server would.

The writer calls ``tools.registry.call_tool("log_interaction", ...)`` with idempotency key
``w-N`` for N = START, START+1, ... and prints ``ack w-N`` only after the call has returned
success, so every printed key is a write acknowledged to its caller.
"""

from __future__ import annotations

import os
import sys


def say(line: str) -> None:
    """One whole line in one write(2): a kill cannot leave half of it (print may take two)."""
    os.write(1, f"{line}\n".encode())


def writer(url: str, user_id: int, customer_ids: list[int], start: int) -> None:
    """Write forever (until killed), acknowledging each committed key on stdout."""
    from domain.clock import Clock
    from domain.db import make_engine, session_factory
    from domain.enums import Role
    from domain.settings import Settings
    from tools.context import Actor, ToolContext
    from tools.registry import call_tool

    engine = make_engine(url)
    ctx = ToolContext(
        sessions=session_factory(engine),
        actor=Actor(user_id, "Crash Writer", Role.agent),
        clock=Clock(),
        settings=Settings(_env_file=None, database_url=url),
        request_id="crash",
    )
    n = start
    while True:
        key = f"w-{n}"
        result = call_tool(
            "log_interaction",
            {
                "customer": customer_ids[n % len(customer_ids)],
                "type": "call",
                "outcome": "interested",
                "notes": f"crash write {key}",
            },
            ctx.with_key(key),
        )
        if not result.ok:
            say(f"error {key} {result.error}: {result.message}")
            os._exit(3)
        say(f"ack {key}")
        n += 1


def main() -> None:
    url, user_id, customers = (
        sys.argv[1],
        int(sys.argv[2]),
        [int(c) for c in sys.argv[3].split(",")],
    )
    # The slow start-up (imports, mapper set-up, the driver's lazy imports) is done once here;
    # the connection is closed before any fork, so no child shares it.
    from sqlalchemy import text
    from sqlalchemy.orm import configure_mappers

    import tools.catalog  # noqa: F401
    from domain.db import make_engine
    from tools.registry import validate_args

    configure_mappers()
    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execute(text("SELECT count(*) FROM interactions"))
    engine.dispose()
    validate_args("log_interaction", {"customer": customers[0], "type": "call", "notes": "warm-up"})

    say("ready")
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command != "run":
            continue
        pid = os.fork()
        if pid == 0:
            try:
                writer(url, user_id, customers, int(arg))
            finally:
                os._exit(4)
        say(f"pid {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"exit {pid} {status}")


if __name__ == "__main__":
    main()
