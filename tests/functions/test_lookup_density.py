"""RANDOM LOOKUP's kernel (simsys/functions/lookup_density.py) against an independent oracle:
scipy.interpolate's antiderivative of the lookup's linear spline (its cumulative area),
inverted by brentq, at the same uniforms (to 1e-12), and a Kolmogorov-Smirnov test of 20,000
draws from the engine's own stream."""
import numpy as np
import pytest
from scipy import interpolate, optimize, stats

from simsys.compile.runtime import _u01, scenario_keys
from simsys.functions import lookup_density as L

N = 20_000
U = _u01(scenario_keys(20261206, np.arange(N)), 0, 0)

#: a lookup read as a density: rises, falls to a plateau, rises again; zero at its first point
LOOKUP_X = np.array([0.0, 1.0, 2.5, 4.0, 6.0])
LOOKUP_Y = np.array([0.0, 2.0, 0.5, 0.5, 3.0])


def _lookup_oracle(lo, hi):
    """The lookup's cumulative area (scipy's antiderivative of the linear spline) and its
    inverse restricted to [lo, hi], by brentq."""
    area = interpolate.make_interp_spline(LOOKUP_X, LOOKUP_Y, k=1).antiderivative()
    lo2, hi2 = max(lo, LOOKUP_X[0]), min(hi, LOOKUP_X[-1])
    a, b = area(lo2), area(hi2)

    def quantile(u):
        return optimize.brentq(lambda x: area(x) - (a + u * (b - a)), lo2, hi2,
                               xtol=1e-15, rtol=1e-15)
    return quantile, lambda v: (area(np.clip(v, lo2, hi2)) - a) / (b - a)


@pytest.mark.parametrize("lo,hi", [(-np.inf, np.inf), (0.5, 5.0), (1.2, 3.0)])
def test_lookup_draws_invert_the_cumulative_area(lo, hi):
    got = L.random_lookup(U, lo, hi, LOOKUP_X, LOOKUP_Y)
    quantile, cdf = _lookup_oracle(lo, hi)
    want = np.array([quantile(u) for u in U[:2000]])
    np.testing.assert_allclose(got[:2000], want, rtol=1e-12, atol=1e-12)
    assert got.min() >= max(lo, 0.0) and got.max() <= min(hi, 6.0)
    assert stats.kstest(got, cdf).pvalue > 1e-3


def test_lookup_of_flat_zero_stretches_skips_them():
    xs, ys = np.array([0.0, 1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0, 0.0, 0.0, 2.0])
    got = L.random_lookup(U, -np.inf, np.inf, xs, ys)
    assert not ((got > 2.0) & (got < 3.0)).any()  # no area there
    # areas 1, 0.5, 0 and 1 of 2.5: the first segment holds 40% of the draws
    np.testing.assert_allclose(np.mean(got < 1.0), 0.4, atol=0.01)


@pytest.mark.parametrize("lo,hi,ys", [
    (5, 1, LOOKUP_Y),                       # min above max
    (7, 9, LOOKUP_Y),                       # [min, max] outside the lookup
    (0, 0.5, np.array([0.0, 0.0, 1, 1, 1])),  # no area in [min, max]
    (0, 6, -LOOKUP_Y),                      # a negative density
])
def test_bad_lookup_arguments_give_nan(lo, hi, ys):
    assert np.isnan(L.random_lookup(U[:2], lo, hi, LOOKUP_X, ys)).all()
    assert L.lookup_problem(LOOKUP_X, ys, lo, hi)


def test_lookup_problems_name_the_problem():
    assert "density cannot be negative" in L.lookup_problem([0, 1], [1, -1])
    assert "no area" in L.lookup_problem([0, 1, 2], [0, 0, 1], 0, 1)
    assert "at least 2 points" in L.lookup_problem([0], [1])
    assert L.lookup_problem([0, 1], [0, 1]) is None
    assert L.lookup_problem([0, 1], [0, 1], 0.5, 0.5) is None  # a point inside: that point
