"""The load test (``c360 load-test``): simulated users chatting with ``c360 serve`` over loopback,
every response timed and every acknowledged write checked in the database afterwards.

``run_load_test(settings, LoadOptions(...))`` returns the report dict; ``render_report(report)`` the
printed lines.
"""
from evals.load.report import render_report
from evals.load.run import LoadOptions, run_load_test

__all__ = ["LoadOptions", "render_report", "run_load_test"]
