"""The regularized incomplete gamma and beta functions and their inverses against scipy.special,
to 1e-12 relative over shapes 0.1 to 100 (simsys/functions/incomplete.py; the C twin,
simsys/compile/c_incomplete.py, is checked against it through RANDOM GAMMA and BETA)."""
import numpy as np
import pytest
from scipy import special

from simsys.functions import incomplete as I

SHAPES = np.geomspace(0.1, 100.0, 19)
#: probabilities from 1e-10 to 1 - 1e-10, both tails
QS = np.concatenate([np.geomspace(1e-10, 0.5, 25), 1.0 - np.geomspace(1e-10, 0.5, 25)[::-1][1:]])
RTOL = 1e-12


def _close(got, want):
    assert not np.isnan(got).any()
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-300)  # below: subnormal or 0


def test_lgamma_and_lbeta():
    x = np.concatenate([np.geomspace(1e-3, 1e3, 200), [0.5, 1.0, 2.0, 3.0]])
    np.testing.assert_allclose(I.lgamma(x), special.gammaln(x), rtol=1e-13, atol=1e-13)
    a, b = np.meshgrid(SHAPES, SHAPES)
    np.testing.assert_allclose(I.lbeta(a, b), special.betaln(a, b), rtol=1e-13, atol=1e-13)


def test_gammainc_and_its_complement():
    a, x = np.meshgrid(SHAPES, np.geomspace(1e-3, 1e3, 61))
    p = I.gammainc(a, x)
    _close(p, special.gammainc(a, x))
    assert (np.diff(p, axis=0) >= 0).all()  # a CDF in x: never decreasing
    q = special.gammaincc(a, x)
    keep = q > 0  # scipy's Q underflows to 0 past x ~ 750
    _close(I.gammaincc(a, x)[keep], q[keep])


def test_gammaincinv():
    a, q = np.meshgrid(SHAPES, QS)
    x = I.gammaincinv(a, q)
    _close(x, special.gammaincinv(a, q))
    lower = q < 0.5  # where P itself keeps its digits: the inverse gives q back
    assert np.allclose(I.gammainc(a, x)[lower], q[lower], rtol=1e-11, atol=0)


def test_betainc():
    a, b, x = np.meshgrid(SHAPES[::2], SHAPES[::2], np.linspace(0.001, 0.999, 41))
    p = I.betainc(a, b, x)
    _close(p, special.betainc(a, b, x))
    assert (np.diff(p, axis=2) >= 0).all()  # a CDF in x: never decreasing


def test_betaincinv():
    a, b, q = np.meshgrid(SHAPES[::2], SHAPES[::2], QS)
    x = I.betaincinv(a, b, q)
    _close(x, special.betaincinv(a, b, q))
    lower = q < 0.5  # where I_x itself keeps its digits: the inverse gives q back
    assert np.allclose(I.betainc(a, b, x)[lower], q[lower], rtol=1e-11, atol=0)


def test_a_quantile_below_the_smallest_double_is_zero():
    # shape 1e-3: P(a, x) ~ x^a, so the quantile 0.3 is near 0.3^1000
    assert I.gammaincinv(1e-3, 0.3) == 0.0 and I.betaincinv(1e-3, 2.0, 0.3) == 0.0


def test_ends_and_bad_arguments():
    assert I.gammainc(2.0, 0.0) == 0.0 and I.gammainc(2.0, np.inf) == 1.0
    assert I.gammaincinv(2.0, 0.0) == 0.0 and I.gammaincinv(2.0, 1.0) == np.inf
    assert I.betainc(2.0, 3.0, 0.0) == 0.0 and I.betainc(2.0, 3.0, 1.0) == 1.0
    assert I.betaincinv(2.0, 3.0, 0.0) == 0.0 and I.betaincinv(2.0, 3.0, 1.0) == 1.0
    for got in (I.gammainc(0.0, 1.0), I.gammainc(-1.0, 1.0), I.gammainc(1.0, -1.0),
                I.gammaincinv(1.0, 1.5), I.betainc(1.0, 0.0, 0.5), I.betainc(1.0, 1.0, 1.5),
                I.betaincinv(np.nan, 1.0, 0.5), I.gammaincinv(np.inf, 0.5)):
        assert np.isnan(got)


@pytest.mark.parametrize("a", [1e-2, 1e4])
def test_shapes_outside_the_checked_grid_still_invert(a):
    q = np.array([1e-6, 0.3, 0.9]) if a > 1 else np.array([0.3, 0.9])
    np.testing.assert_allclose(I.gammainc(a, I.gammaincinv(a, q)), q, rtol=1e-10)
    np.testing.assert_allclose(I.betainc(a, 2.0, I.betaincinv(a, 2.0, q)), q, rtol=1e-10)
