"""pass^k is tau-bench's estimator: the mean over cases of C(c, k) / C(n, k)."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evals.metrics import mean_pass_hat_k, pass_hat_k, percentile


def test_pass_hat_k_by_hand():
    assert pass_hat_k(4, 4, 2) == 1.0
    assert pass_hat_k(4, 3, 2) == pytest.approx(3 / 6)  # C(3,2)=3, C(4,2)=6
    assert pass_hat_k(4, 1, 2) == 0.0
    assert pass_hat_k(5, 2, 1) == pytest.approx(0.4)


def test_mean_over_cases():
    assert mean_pass_hat_k([(4, 4), (4, 3)], 2) == pytest.approx((1 + 0.5) / 2)
    assert mean_pass_hat_k([], 1) == 0.0


def test_k_outside_the_trials_is_refused():
    with pytest.raises(ValueError, match="k must be between 1"):
        pass_hat_k(3, 1, 4)


@given(st.integers(1, 12).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n), st.integers(1, n))))
def test_pass_hat_k_never_rises_with_k(args):
    n, c, k = args
    value = pass_hat_k(n, c, k)
    assert 0.0 <= value <= 1.0
    if k > 1:
        assert value <= pass_hat_k(n, c, k - 1) + 1e-12


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0
