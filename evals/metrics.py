"""Score arithmetic: the tau-bench pass^k estimator and latency percentiles."""
from __future__ import annotations

from math import comb

import numpy as np


def pass_hat_k(trials: int, passes: int, k: int) -> float:
    """C(c, k) / C(n, k): the chance that k trials drawn from n all pass (tau-bench's estimator)."""
    if k < 1 or k > trials:
        raise ValueError(f"k must be between 1 and the number of trials ({trials}), got {k}")
    return comb(passes, k) / comb(trials, k)


def mean_pass_hat_k(results: list[tuple[int, int]], k: int) -> float:
    """Mean over cases of pass^k; ``results`` holds (trials, passes) per case."""
    if not results:
        return 0.0
    return sum(pass_hat_k(n, c, k) for n, c in results) / len(results)


def percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None
