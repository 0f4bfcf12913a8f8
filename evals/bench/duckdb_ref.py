"""The reference: the same RFM aggregation in DuckDB, over the same orders, in the same run.

The orders are loaded into an in-memory DuckDB table first (not timed): through DuckDB's sqlite
extension when it is installed locally (it is never downloaded here), otherwise fetched from the
database as numpy columns. Only the aggregation is timed: per customer max(ordered_at),
count(*) and sum(total_amount) over completed orders, the R / F / M CASE scoring with the
product's bands, and the count per segment (segments from the product's own rules). That is D1,
the reference every figure is divided by: NOT like-for-like, since c360 reads aggregates it keeps
current on write while DuckDB re-scans the raw orders.

The like-for-like references copy ``call_priority_scores`` (the table c360 maintains) into DuckDB
and time the same reads c360 makes of it: D2, the top 10 of the ranking; D3, the RFM counts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import duckdb
import numpy as np
from sqlalchemy import Float, cast, select

from domain.db import read_session
from domain.models import CallPriorityScore, Order
from domain.rfm import FREQUENCY_MIN, RECENCY_DAYS, SEGMENT_ORDER, triples_in
from domain.days import day_start, epoch_seconds
from evals.bench.measure import Row, summarize, time_calls
from evals.bench.world import World


@dataclass
class Reference:
    row: Row
    counts: dict[str, int]  # segment name -> buyers, as DuckDB counted them
    source: str  # how the orders got into DuckDB
    same_work: dict[str, Row] = field(default_factory=dict)  # "D2", "D3": like-for-like rows


TOP_SQL = """SELECT customer_id FROM scores WHERE eligible ORDER BY points DESC, value DESC, customer_id
             LIMIT 10"""
BANDS_SQL = "SELECT rfm_r, rfm_f, rfm_m, count(*) FROM scores WHERE status <> 'erased' GROUP BY ALL"


def _load_scores(con, world: World) -> int:
    """Copy ``call_priority_scores`` (the table c360 keeps current) into DuckDB; returns its rows."""
    t = CallPriorityScore
    with read_session(world.sessions) as session:
        rows = session.execute(select(t.customer_id, t.eligible, t.status, t.points, t.value, t.rfm_r,
                                      t.rfm_f, t.rfm_m)).all()
    columns = list(zip(*rows)) if rows else [()] * 8
    frame = {"customer_id": np.asarray(columns[0], dtype=np.int64),
             "eligible": np.asarray(columns[1], dtype=bool),
             "status": np.asarray(columns[2], dtype=object),
             "points": np.asarray(columns[3], dtype=np.float64),
             "value": np.asarray(columns[4], dtype=np.float64),
             **{name: np.asarray(columns[k], dtype=np.int16) for k, name in
                ((5, "rfm_r"), (6, "rfm_f"), (7, "rfm_m"))}}
    con.register("fetched_scores", frame)
    con.execute("CREATE TABLE scores AS SELECT * REPLACE (CAST(status AS VARCHAR) AS status) FROM fetched_scores")
    con.unregister("fetched_scores")
    return len(rows)


def _bands(column: str, cuts: list[float], comparison: str) -> str:
    whens = " ".join(f"WHEN {column} {comparison} {cut!r} THEN {score}" for cut, score in zip(cuts, (5, 4, 3, 2)))
    return f"CASE {whens} ELSE 1 END"


def rfm_sql(world: World) -> str:
    """The aggregation and scoring, with the bands of ``domain.rfm`` written in as constants."""
    settings, today = world.settings, world.clock.today()
    recency = [day_start(today - timedelta(days=d), settings.tz).timestamp() for d in RECENCY_DAYS]
    segment = " ".join(
        f"WHEN r * 100 + f * 10 + m IN ({', '.join(map(str, triples_in(s)))}) THEN '{s.value}'"
        for s in SEGMENT_ORDER)
    return f"""
        WITH per_customer AS (
            SELECT customer_id, max(ordered_at) AS last_at, count(*) AS n, sum(total_amount) AS spent
            FROM orders WHERE status = 'completed' GROUP BY customer_id
        ), scored AS (
            SELECT {_bands('last_at', recency, '>=')} AS r,
                   {_bands('n', [float(x) for x in FREQUENCY_MIN], '>=')} AS f,
                   {_bands('spent', [float(t) for t in settings.rfm_monetary_thresholds], '>=')} AS m
            FROM per_customer
        )
        SELECT CASE {segment} END AS segment, count(*) FROM scored GROUP BY segment
    """


def _load(con, world: World) -> str:
    """Fill the DuckDB table ``orders`` (customer_id, ordered_at epoch seconds, total_amount, status);
    returns how."""
    path, why = world.sqlite_path, "not a SQLite database"
    if path is not None:
        try:
            # never fetch an extension over the network: only a locally installed one may load
            con.execute("SET autoinstall_known_extensions = false")
            con.execute("SET autoload_known_extensions = false")
            con.execute("LOAD sqlite")
            con.execute(f"ATTACH '{path}' AS src (TYPE sqlite, READ_ONLY)")
            con.execute("""CREATE TABLE orders AS SELECT customer_id, epoch(CAST(ordered_at AS TIMESTAMP)) AS ordered_at,
                           CAST(total_amount AS DECIMAL(14, 2)) AS total_amount, status FROM src.orders""")
            con.execute("DETACH src")
            return "DuckDB sqlite extension, read-only attach"
        except duckdb.Error as exc:  # not installed locally, or unusable: fall back to a plain fetch
            why = "not installed here" if "not found" in str(exc) else str(exc).splitlines()[0][:80]
    query = select(Order.customer_id, epoch_seconds(Order.ordered_at), cast(Order.total_amount, Float), Order.status)
    with read_session(world.sessions) as session:
        rows = session.execute(query).all()
    columns = list(zip(*rows)) if rows else [(), (), (), ()]
    frame = {
        "customer_id": np.asarray(columns[0], dtype=np.int64),
        "ordered_at": np.asarray(columns[1], dtype=np.float64),
        "total_amount": np.asarray(columns[2], dtype=np.float64),
        "status": np.asarray(columns[3], dtype=object),
    }
    con.register("fetched", frame)
    con.execute("""CREATE TABLE orders AS SELECT customer_id, ordered_at,
                   CAST(round(total_amount, 2) AS DECIMAL(14, 2)) AS total_amount, CAST(status AS VARCHAR) AS status
                   FROM fetched""")
    con.unregister("fetched")
    return f"numpy fetch from the database (sqlite extension: {why})"


def duckdb_reference(world: World, runs: int) -> Reference:
    """DuckDB's time for the RFM aggregation (``runs`` timings after one warm-up) and its counts."""
    con = duckdb.connect()
    try:
        source = _load(con, world)
        sql = rfm_sql(world)
        durations = time_calls(lambda _: con.execute(sql).fetchall(), runs)
        counts = {s.value: 0 for s in SEGMENT_ORDER}
        counts.update({segment: int(n) for segment, n in con.execute(sql).fetchall()})
        threads = con.execute("SELECT current_setting('threads')").fetchall()[0][0]
        same_work = {}
        if _load_scores(con, world):
            same_work["D2"] = summarize("D2 reference: DuckDB, top 10 of the stored ranking (same table)",
                                        time_calls(lambda _: con.execute(TOP_SQL).fetchall(), runs),
                                        threads=threads)
            same_work["D3"] = summarize("D3 reference: DuckDB, RFM counts from the stored bands (same table)",
                                        time_calls(lambda _: con.execute(BANDS_SQL).fetchall(), runs),
                                        threads=threads)
    finally:
        con.close()
    row = summarize("D1 reference: RFM aggregation in DuckDB over the raw orders", durations, source=source,
                    threads=threads)
    return Reference(row, counts, source, same_work)
