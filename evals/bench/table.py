"""The benchmark report as one printed table (from the report's JSON rows, so a saved file prints the same)."""
from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table

from evals.bench.measure import COLUMNS


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def cells(row: dict[str, Any]) -> list[str]:
    """The row's cells in ``COLUMNS`` order."""
    if not row.get("available"):
        return [f"{row['what']}: {row.get('note') or 'not available'}", "0", "", "", "", "", "", "",
                row.get("target") or "", "-"]
    ok = {True: "yes", False: "NO", None: ""}[row.get("ok")]
    rate = row.get("per_second")
    ratio, same = row.get("vs_duckdb"), row.get("vs_same")
    what = row["what"] + (f"  [{row['note']}]" if row.get("note") else "")
    return [what, str(row["n"]), _ms(row.get("p50_ms")), _ms(row.get("p99_ms")), _ms(row.get("best_ms")),
            f"{rate:,.1f}" if rate is not None else "", _ratio(ratio),
            f"{_ratio(same)} ({row['same_as']})" if same is not None else "", row.get("target") or "", ok]


def _ratio(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def render_table(report: dict[str, Any]) -> Table:
    """One rich table: every measurement, with the world and the machine's load in the caption."""
    world, host, duck = report["world"], report["machine"], report["duckdb"]
    title = (f"c360 bench: {world['customers']:,} customers, {world['orders']:,} orders, "
             f"{world['interactions']:,} interactions, as of {report['as_of'][:10]}")
    caption = (f"{host['cpus']} CPUs, load average {', '.join(map(str, host['load_average']))} before, "
               f"{', '.join(map(str, host['load_average_after']))} after (a shared machine: numbers are noisy). "
               f"DuckDB orders via {duck['source']}; its segment counts "
               f"{'match ours' if duck['counts_match'] else 'DIFFER from ours'}. "
               "'x DuckDB RFM (raw orders)': every figure over DuckDB aggregating the raw orders in this "
               "run, NOT like-for-like (c360 reads tables it keeps current on write). 'x DuckDB same work': "
               "like-for-like, DuckDB running the same query on a copy of the same stored table (D2, D3).")
    table = Table(*COLUMNS, title=title, caption=caption, box=box.SIMPLE_HEAD, caption_justify="left")
    table.columns[0].min_width = 44
    for column in table.columns[1:]:
        column.no_wrap = True
    for column in table.columns[1:8]:
        column.justify = "right"
    for row in report["rows"]:
        table.add_row(*cells(row))
    return table
