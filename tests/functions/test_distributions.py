"""RANDOM TRIANGULAR, WEIBULL, GAMMA, BETA, POISSON, BINOMIAL and NEGATIVE BINOMIAL kernels against scipy.stats (RANDOM LOOKUP: test_lookup_density.py).

PySD 3.14.3 has none of these functions, so the oracle is scipy.stats: at the same uniforms,
each draw is the distribution's quantile restricted to [min, max] (to 1e-12; discrete draws
exactly), and 20,000 draws from the engine's own stream pass a goodness-of-fit test.
"""
import numpy as np
import pytest
from scipy import stats

from simsys.compile.runtime import _u01, scenario_keys
from simsys.functions import distributions as D

N = 20_000
#: the engine's stream: one uniform per scenario at call site 0, step 0 (fixed seed)
U = _u01(scenario_keys(20261206, np.arange(N)), 0, 0)

# function, its arguments after the uniform (min, max, ..., shift, stretch), scipy's X
CONTINUOUS = {
    "triangular": (D.random_triangular, (1.0, 9.0, 0.0, 3.0, 10.0), stats.triang(0.3, loc=0, scale=10),
                   0.0, 1.0),
    "triangular_peak_at_start": (D.random_triangular, (-np.inf, np.inf, 2.0, 2.0, 5.0),
                                 stats.triang(0.0, loc=2, scale=3), 0.0, 1.0),
    "weibull": (D.random_weibull, (0.0, 10.0, 1.5, 1.0, 2.0), stats.weibull_min(1.5), 1.0, 2.0),
    "weibull_cut_both_sides": (D.random_weibull, (2.0, 4.0, 0.7, 1.0, 3.0),
                               stats.weibull_min(0.7), 1.0, 3.0),
    "gamma": (D.random_gamma, (0.0, 10.0, 2.5, 1.0, 2.0), stats.gamma(2.5), 1.0, 2.0),
    "gamma_small_shape_cut_both_sides": (D.random_gamma, (0.5, 3.0, 0.3, 0.0, 1.0),
                                         stats.gamma(0.3), 0.0, 1.0),
    "gamma_large_shape": (D.random_gamma, (-np.inf, np.inf, 80.0, -5.0, 0.5), stats.gamma(80),
                          -5.0, 0.5),
    "beta": (D.random_beta, (0.0, 10.0, 2.0, 5.0, 1.0, 4.0), stats.beta(2, 5), 1.0, 4.0),
    "beta_u_shaped_cut_both_sides": (D.random_beta, (0.1, 0.9, 0.4, 0.6, 0.0, 1.0),
                                     stats.beta(0.4, 0.6), 0.0, 1.0),
    "beta_skewed": (D.random_beta, (-np.inf, np.inf, 50.0, 0.2, 0.0, 1.0), stats.beta(50, 0.2),
                    0.0, 1.0),
}
DISCRETE = {
    "poisson": (D.random_poisson, (1.0, 20.0, 4.0, 0.5, 2.0), stats.poisson(4), 0.5, 2.0),
    "poisson_large_mean": (D.random_poisson, (-np.inf, np.inf, 900.0, 0.0, 1.0), stats.poisson(900),
                           0.0, 1.0),
    "binomial": (D.random_binomial, (1.0, 8.0, 0.3, 10.0, 0.0, 1.0), stats.binom(10, 0.3), 0.0, 1.0),
    "binomial_high_prob": (D.random_binomial, (0.0, 1e9, 0.85, 40.0, 0.0, 1.0),
                           stats.binom(40, 0.85), 0.0, 1.0),
    "negative_binomial": (D.random_negative_binomial, (0.0, 30.0, 0.4, 3.0, 0.0, 1.0),
                          stats.nbinom(3, 0.4), 0.0, 1.0),
    "negative_binomial_shifted": (D.random_negative_binomial, (5.0, 100.0, 0.1, 2.0, 3.0, 0.5),
                                  stats.nbinom(2, 0.1), 3.0, 0.5),
}


def _bounds(args, shift, stretch):
    return (args[0] - shift) / stretch, (args[1] - shift) / stretch


def _scipy_continuous(dist, args, shift, stretch, u):
    xlo, xhi = _bounds(args, shift, stretch)
    a, b = dist.cdf(xlo), dist.cdf(xhi)
    return np.clip(shift + stretch * dist.ppf(a + u * (b - a)), args[0], args[1])


def _support(dist, args, shift, stretch):
    xlo, xhi = _bounds(args, shift, stretch)
    top = dist.support()[1]
    return max(np.ceil(xlo), 0.0), min(np.floor(xhi), top)


def _scipy_discrete(dist, args, shift, stretch, u):
    klo, khi = _support(dist, args, shift, stretch)
    a, b = dist.cdf(klo - 1), dist.cdf(khi)
    return shift + stretch * dist.ppf(np.minimum(a + u * (b - a), b))


@pytest.mark.parametrize("case", CONTINUOUS)
def test_continuous_draws_are_scipys_truncated_quantiles(case):
    f, args, dist, shift, stretch = CONTINUOUS[case]
    got = f(U, *args)
    np.testing.assert_allclose(got, _scipy_continuous(dist, args, shift, stretch, U),
                               rtol=1e-12, atol=1e-12)
    lo, hi = args[0], args[1]
    assert got.min() >= lo and got.max() <= hi
    # goodness of fit: Kolmogorov-Smirnov against the truncated distribution
    xlo, xhi = _bounds(args, shift, stretch)
    a, b = dist.cdf(xlo), dist.cdf(xhi)
    cdf = lambda v: (dist.cdf((v - shift) / stretch) - a) / (b - a)  # noqa: E731
    assert stats.kstest(got, cdf).pvalue > 1e-3


@pytest.mark.parametrize("f,args,dist", [
    (D.random_gamma, (40.0, 41.0, 2.0, 0.0, 1.0), stats.gamma(2)),        # Q(40) ~ 2e-16
    (D.random_gamma, (300.0, 320.0, 30.0, 0.0, 1.0), stats.gamma(30)),
    (D.random_beta, (0.9999, 1.0, 2.0, 5.0, 0.0, 1.0), stats.beta(2, 5)),  # 1 - I ~ 1e-23
])
def test_a_window_far_in_the_upper_tail_keeps_its_digits(f, args, dist):
    """Where F(lo) rounds to 1 the draw inverts the complement, as scipy's isf does."""
    got = f(U, *args)
    a, b = dist.sf(args[0]), dist.sf(args[1])
    np.testing.assert_allclose(got, dist.isf(a + U * (b - a)), rtol=1e-12)
    assert np.unique(got).size > N // 2  # not collapsed onto a bound


def test_gamma_and_beta_draw_in_any_window_that_holds_some_of_the_distribution():
    """20,000 shapes from 0.01 to 10^4 and windows from the whole support to 1e-9 wide, deep in
    either tail, at uniforms that include the stream's extremes (2^-54, 1 - 2^-54): every
    draw is a finite number in its window (the Newton solve never gives up)."""
    rng = np.random.default_rng(7)
    u = U.copy()
    u[:500], u[500:1000] = 2.0 ** -54, 1.0 - 2.0 ** -54
    a, b = 10 ** rng.uniform(-2, 4, N), 10 ** rng.uniform(-2, 4, N)
    lo = rng.choice([0.0, 1e-5, 0.3, 1.0, 5.0, 50.0, 500.0], N)
    hi = lo + rng.choice([1e-9, 1e-3, 0.5, 2.0, 100.0, np.inf], N)
    lo[:2000] = -np.inf
    g = D.random_gamma(u, lo, hi, a, 0.0, 1.0)
    assert np.isfinite(g).all() and (g >= np.maximum(lo, 0)).all() and (g <= hi).all()
    lo, width = rng.uniform(-0.2, 1.0, N), rng.choice([1e-9, 1e-3, 0.1, 0.5, 2.0], N)
    lo = np.where(lo + width < 0, 0.0, lo)
    x = D.random_beta(u, lo, lo + width, a, b, 0.0, 1.0)
    valid = lo <= 1.0
    assert np.isfinite(x[valid]).all() and np.isnan(x[~valid]).all()
    assert (x[valid] >= np.maximum(lo[valid], 0)).all() and (x[valid] <= (lo + width)[valid]).all()


@pytest.mark.parametrize("case", DISCRETE)
def test_discrete_draws_are_scipys_truncated_quantiles(case):
    f, args, dist, shift, stretch = DISCRETE[case]
    got = f(U, *args)
    np.testing.assert_array_equal(got, _scipy_discrete(dist, args, shift, stretch, U))
    # goodness of fit: chi-square over the whole numbers in range (tails pooled below 5)
    klo, khi = _support(dist, args, shift, stretch)
    ks = np.arange(klo, min(khi, dist.ppf(1 - 1e-12)) + 1)
    p = dist.pmf(ks) / (dist.cdf(khi) - dist.cdf(klo - 1))
    seen = np.array([np.sum(got == shift + stretch * k) for k in ks])
    assert seen.sum() == N  # every draw is one of the whole numbers in range
    want = p * N
    keep = want >= 5
    obs = np.append(seen[keep], seen[~keep].sum())
    exp = np.append(want[keep], want[~keep].sum())
    if exp[-1] == 0:
        obs, exp = obs[:-1], exp[:-1]
    exp = exp * obs.sum() / exp.sum()
    assert stats.chisquare(obs, exp).pvalue > 1e-3


def test_degenerate_and_edge_arguments():
    u = U[:50]
    # prob 1: every trial succeeds; prob 0: none does; mean 0: always 0
    np.testing.assert_array_equal(D.random_binomial(u, 0, 20, 1.0, 7, 0, 1), 7.0)
    np.testing.assert_array_equal(D.random_binomial(u, 0, 20, 0.0, 7, 0, 1), 0.0)
    np.testing.assert_array_equal(D.random_poisson(u, 0, 20, 0.0, 1, 2), 1.0)
    np.testing.assert_array_equal(D.random_negative_binomial(u, 0, 20, 1.0, 3, 0, 1), 0.0)
    # min = max on a whole number: that number
    np.testing.assert_array_equal(D.random_poisson(u, 3, 3, 4.0, 0, 1), 3.0)
    # no mass in range to double precision: the first whole number in range
    np.testing.assert_array_equal(D.random_poisson(u, 500, 600, 1.0, 0, 1), 500.0)


@pytest.mark.parametrize("f,args", [
    (D.random_triangular, (5, 1, 0, 3, 10)),        # min above max
    (D.random_triangular, (0, 10, 4, 3, 10)),       # start above peak
    (D.random_triangular, (0, 10, 3, 3, 3)),        # start = end
    (D.random_triangular, (20, 30, 0, 3, 10)),      # [min, max] outside [start, end]
    (D.random_weibull, (0, 10, 0.0, 0, 1)),         # shape 0
    (D.random_weibull, (0, 10, 1.5, 0, -1)),        # stretch below 0
    (D.random_weibull, (0, 10, 1.5, 20, 1)),        # max below shift
    (D.random_gamma, (0, 10, 0.0, 0, 1)),           # shape 0
    (D.random_gamma, (0, 10, np.inf, 0, 1)),        # shape infinite
    (D.random_gamma, (0, 10, 2.0, 0, 0)),           # stretch 0
    (D.random_gamma, (0, 10, 2.0, 20, 1)),          # max below shift
    (D.random_beta, (0, 10, 0.0, 2.0, 0, 1)),       # alpha 0
    (D.random_beta, (0, 10, 2.0, -1.0, 0, 1)),      # beta below 0
    (D.random_beta, (5, 10, 2.0, 2.0, 0, 1)),       # min above shift + stretch
    (D.random_beta, (4, 3, 2.0, 2.0, 0, 1)),        # min above max
    (D.random_poisson, (0, 10, -1.0, 0, 1)),        # negative mean
    (D.random_poisson, (0.2, 0.8, 3.0, 0, 1)),      # no whole number in range
    (D.random_binomial, (0, 10, 1.5, 10, 0, 1)),    # prob above 1
    (D.random_binomial, (0, 10, 0.5, 2.5, 0, 1)),   # count not whole
    (D.random_negative_binomial, (0, 10, 0.0, 3, 0, 1)),   # prob 0
    (D.random_negative_binomial, (0, 10, 0.5, 0, 0, 1)),   # count 0
    (D.random_poisson, (0, np.inf, 1e6, 0, 1)),     # beyond DISCRETE_TERMS terms
])
def test_bad_arguments_give_nan(f, args):
    assert np.isnan(f(U[:2], *args)).all()


def test_argument_problems_name_the_argument():
    P = D.argument_problem
    assert P("random_binomial", {"prob": 1.5}) == "prob must be in [0, 1], found 1.5"
    assert "count must be a whole number 0" in P("random_binomial", {"count": 2.5})
    assert "prob must be in (0, 1]" in P("random_negative_binomial", {"prob": 0.0})
    assert "count must be a whole number 1" in P("random_negative_binomial", {"count": 0.0})
    assert "min (5) is above max (1)" in P("random_poisson", {"min": 5, "max": 1})
    assert "stretch" in P("random_weibull", {"stretch": 0.0})
    assert "shape" in P("random_weibull", {"shape": -1.0})
    assert P("random_gamma", {"shape": 0.0}) == "shape must be above 0 (and finite), found 0.0"
    assert "alpha must be above 0" in P("random_beta", {"alpha": -1.0})
    assert "beta must be above 0" in P("random_beta", {"beta": 0.0})
    assert "mean" in P("random_poisson", {"mean": -1.0})
    assert "peak" in P("random_triangular", {"peak": 5, "end": 4})
    assert "do not overlap" in P("random_triangular", {"min": 20, "max": 30, "start": 0, "end": 10})
    # arguments read at run time are not judged
    assert P("random_binomial", {"min": 0, "max": 10}) is None


def test_no_value_in_range_is_a_problem_when_all_four_are_numbers():
    P = D.argument_problem
    assert "no value" in P("random_poisson", {"min": 0.2, "max": 0.8, "shift": 0, "stretch": 1})
    assert "no value" in P("random_binomial", {"min": 11, "max": 20, "shift": 0, "stretch": 1,
                                               "count": 10})
    assert "no value" in P("random_weibull", {"min": 0, "max": 1, "shift": 2, "stretch": 1})
    assert "no value" in P("random_gamma", {"min": 0, "max": 1, "shift": 2, "stretch": 1})
    assert "no value" in P("random_beta", {"min": 2, "max": 3, "shift": 0, "stretch": 1})
    assert P("random_beta", {"min": 1, "max": 3, "shift": 0, "stretch": 1}) is None
    assert P("random_poisson", {"min": -np.inf, "max": np.inf, "shift": 0, "stretch": 1}) is None
