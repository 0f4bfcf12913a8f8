"""Run many cases, k trials each, optionally in parallel processes; build the report."""
from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from typing import Callable

from evals.case import Case
from evals.report import build_report
from evals.runner import TrialResult, Workspace, run_case


def _one(args: tuple[Case, str, int, str]) -> TrialResult:
    case, model, trial, root = args
    return run_case(case, Workspace(root), model=model, trial=trial)


def run_cases(cases: list[Case], *, model: str = "offline", k: int = 1, concurrency: int = 1,
              progress: Callable[[TrialResult], None] | None = None) -> dict:
    """Every case ``k`` times; returns the report dict (see evals.report.build_report)."""
    workspace = Workspace()
    jobs = [(case, model, trial, str(workspace.root)) for case in cases for trial in range(k)]
    results: list[TrialResult] = []
    try:
        if concurrency <= 1:
            for job in jobs:
                results.append(_one(job))
                if progress:
                    progress(results[-1])
        else:
            with ProcessPoolExecutor(max_workers=concurrency) as pool:
                for result in pool.map(_one, jobs, chunksize=1):
                    results.append(result)
                    if progress:
                        progress(result)
    finally:
        workspace.cleanup()
    return build_report(results, model=model, k=k)
