"""The performance benchmark (``c360 bench``): the issue's figures on one world, in one table.

``run_bench(settings, BenchOptions(...))`` returns the report dict; ``render_table(report)`` the
printed table. Measuring the agent, HTTP and Slack is not domain work, so it all lives here.
"""
from evals.bench.run import BenchOptions, machine, run_bench
from evals.bench.table import render_table

__all__ = ["BenchOptions", "machine", "render_table", "run_bench"]
