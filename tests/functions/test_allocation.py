"""ALLOCATE AVAILABLE / BY PRIORITY kernels (simsys.functions.allocation) against PySD's own.

ALLOCATE BY PRIORITY is PySD's walk step for step: bit for bit where no two priorities tie
(PySD's tie order is numpy's machine-dependent default sort; simsys keeps subscript order).

ALLOCATE AVAILABLE: PySD solves for the priority level with ``least_squares`` at 1e-8
tolerances, so its own shares miss the supply by up to about 1e-9 relative (and it sometimes
stops far off). The oracle here is the exact root of the sum of PySD's own profile functions
(``Priorities.get_function_demand``), found by scipy's brentq to 1e-15; and PySD's own
allocate_available where its solver did converge (its shares add up to the supply).
"""
import warnings

import numpy as np
import pytest
from pysd.py_backend.allocation import (Priorities, _allocate_available_1d,
                                        _allocate_by_priority_1d)
from scipy.optimize import brentq

from simsys.functions import allocate_available, allocate_by_priority

RNG = np.random.default_rng(20261205)
B, N = 300, 5


def _requests(b=B, n=N):
    req = RNG.uniform(0, 10, (b, n))
    req[RNG.random((b, n)) < 0.15] = 0
    return req


def test_by_priority_is_pysd_bit_for_bit():
    req = _requests()
    pri = RNG.uniform(0, 6, (B, N))
    width = RNG.uniform(0.2, 4, B)
    supply = RNG.uniform(0, 1.1, B) * req.sum(-1)
    supply[:5] = 0
    got = allocate_by_priority(req, pri, width, supply)
    for b in range(B):
        want = _allocate_by_priority_1d(req[b], pri[b], width[b], supply[b])
        np.testing.assert_array_equal(got[b], np.asarray(want, float), err_msg=str(b))
    short = supply < req.sum(-1)
    np.testing.assert_allclose(got[short].sum(-1), supply[short], rtol=1e-12)
    # the mechanism matters: a lower priority waits when the gap is wider than width
    one = allocate_by_priority(np.array([4.0, 4.0]), np.array([5.0, 1.0]), 1.0, 3.0)
    np.testing.assert_array_equal(one, [3.0, 0.0])


def test_by_priority_ties_agree_to_rounding():
    req = _requests()
    pri = RNG.integers(0, 4, (B, N)).astype(float)  # many ties
    width = RNG.uniform(0.2, 4, B)
    supply = RNG.uniform(0, 1.1, B) * req.sum(-1)
    got = allocate_by_priority(req, pri, width, supply)
    for b in range(B):
        want = _allocate_by_priority_1d(req[b], pri[b], width[b], supply[b])
        np.testing.assert_allclose(got[b], want, rtol=1e-13, atol=1e-13, err_msg=str(b))


def _profiles(b=B, n=N):
    types = RNG.integers(1, 5, (b, n)).astype(float)  # rectangular .. exponential, mixed
    return np.stack([types, RNG.uniform(0, 10, (b, n)), RNG.uniform(0.1, 5, (b, n)),
                     np.zeros((b, n))], -1)


def _exact(req, pp, avail):
    """The shares at the root of the sum of PySD's profile functions (brentq)."""
    if avail >= req.sum():
        return req
    if avail == 0:
        return np.zeros_like(req)
    fns = [Priorities.get_function_demand(q, p)[0] for q, p in zip(req, pp)]
    lo = min(p[1] - 800 * p[2] for p in pp)
    hi = max(p[1] + 800 * p[2] for p in pp)
    x = brentq(lambda x: sum(f(x) for f in fns) - avail, lo, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps,
               maxiter=500)
    return np.array([float(f(x)) for f in fns])


def test_available_is_the_root_of_pysd_profiles():
    req, pp = _requests(), _profiles()
    avail = RNG.uniform(0, 1.1, B) * req.sum(-1)
    avail[:5] = 0
    got = allocate_available(req, pp, avail)
    for b in range(B):
        np.testing.assert_allclose(got[b], _exact(req[b], pp[b], avail[b]), rtol=1e-11,
                                   atol=1e-12, err_msg=str(b))
    np.testing.assert_allclose(got.sum(-1), np.minimum(avail, req.sum(-1)), rtol=1e-12)


def test_available_matches_pysd_where_its_solver_converged():
    req, pp = _requests(), _profiles()
    avail = RNG.uniform(0, 1, B) * req.sum(-1)
    got = allocate_available(req, pp, avail)
    checked = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for b in range(B):
            want = np.asarray(_allocate_available_1d(req[b], pp[b], avail[b]), float)
            if abs(want.sum() - avail[b]) > 1e-12 * avail[b]:
                continue  # PySD's least_squares stopped short of the supply
            checked += 1
            np.testing.assert_allclose(got[b], want, rtol=1e-9, atol=1e-12, err_msg=str(b))
    assert checked > B // 2


@pytest.mark.parametrize("ptype", [1, 2, 3, 4])
def test_available_each_profile_type(ptype):
    req = _requests(60, 3)
    pp = _profiles(60, 3)
    pp[..., 0] = ptype
    avail = RNG.uniform(0, 1, 60) * req.sum(-1)
    got = allocate_available(req, pp, avail)
    for b in range(60):
        np.testing.assert_allclose(got[b], _exact(req[b], pp[b], avail[b]), rtol=1e-11, atol=1e-12)


def test_leading_axes_are_separate_problems():
    req, pp = _requests(12, 4).reshape(3, 4, 4), _profiles(12, 4).reshape(3, 4, 4, 4)
    avail = RNG.uniform(0, 1, (3, 4)) * req.sum(-1)
    pri, width = RNG.uniform(0, 5, (3, 4, 4)), RNG.uniform(0.5, 2, (3, 4))
    whole = allocate_available(req, pp, avail)
    walk = allocate_by_priority(req, pri, width, avail)
    for i in range(3):
        for j in range(4):
            np.testing.assert_array_equal(whole[i, j], allocate_available(req[i, j], pp[i, j], avail[i, j]))
            np.testing.assert_array_equal(walk[i, j],
                                          allocate_by_priority(req[i, j], pri[i, j], width[i, j], avail[i, j]))


def test_what_pysd_refuses_is_nan():
    req = np.array([3.0, 2.0])
    pp = np.array([[1.0, 2, 1, 0], [3.0, 1, 1, 0]])
    cases = [(np.array([3.0, -1]), pp, 2.0),            # negative request
             (req, pp, -1.0),                            # negative supply
             (req, np.array([[1.0, 2, 0, 0], [3, 1, 1, 0]]), 2.0),   # width 0
             (req, np.array([[0.0, 2, 1, 0], [3, 1, 1, 0]]), 2.0),   # fixed quantity
             (req, np.array([[5.0, 2, 1, 0], [3, 1, 1, 0]]), 2.0)]   # constant elasticity
    for r, p, a in cases:
        assert np.all(np.isnan(allocate_available(r, p, a)))
        with pytest.raises((ValueError, NotImplementedError)):
            import xarray as xr
            from pysd.py_backend.allocation import allocate_available as pysd_available
            pysd_available(xr.DataArray(r, {"i": [0, 1]}, ["i"]),
                           xr.DataArray(p, {"i": [0, 1], "p": [0, 1, 2, 3]}, ["i", "p"]), a)
    # a profile type PySD lacks is fine on a target that asks for nothing, and below no
    # solve is needed at all (enough supply, or none)
    zero = allocate_available(np.array([0.0, 2.0]), np.array([[0.0, 2, 1, 0], [3, 1, 1, 0]]), 1.0)
    assert np.isfinite(zero).all() and zero[0] == 0 and zero[1] == pytest.approx(1.0, rel=1e-12)
    np.testing.assert_array_equal(allocate_available(req, pp, 9.0), req)
    np.testing.assert_array_equal(allocate_available(req, pp, 0.0), [0.0, 0.0])
    assert np.all(np.isnan(allocate_by_priority(req, np.array([1.0, 2]), 0.0, 2.0)))
    assert np.all(np.isnan(allocate_by_priority(np.array([-1.0, 2]), np.array([1.0, 2]), 1.0, 2.0)))
