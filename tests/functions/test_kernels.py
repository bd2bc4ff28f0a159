"""The numpy kernels in simsys.functions agree with PySD's own implementations on random inputs.

PySD works on one scenario at a time with xarray; each kernel runs a batch at once, so
each test compares every batch member with a separate PySD call.
"""
import warnings

import numpy as np
import pytest
import xarray as xr
from pysd.py_backend import functions as pf
from pysd.py_backend.data import Data
from pysd.py_backend.lookups import Lookups

from simsys.functions import (data_at_time, invert_matrix, lookup_hold, vector_rank,
                              vector_reorder, vector_select, vector_sort_order)

RNG = np.random.default_rng(20261204)
B, N = 6, 5


def _vec(row, dims=("i",)):
    coords = {d: [f"{d}{k}" for k in range(s)] for d, s in zip(dims, np.shape(row))}
    return xr.DataArray(row, coords, list(dims))


@pytest.mark.parametrize("direction", [1, -1, 0])
def test_sort_order_and_rank(direction):
    v = RNG.normal(size=(B, N))
    order, rank = vector_sort_order(v, direction), vector_rank(v, direction)
    for b in range(B):
        np.testing.assert_array_equal(order[b], pf.vector_sort_order(_vec(v[b]), direction).values)
        np.testing.assert_array_equal(rank[b], pf.vector_rank(_vec(v[b]), direction).values)
    # the mechanism matters: sorting by the order gives a monotone vector
    s = np.take_along_axis(v, order.astype(int), axis=-1)
    assert np.all(np.diff(s, axis=-1) > 0) if direction > 0 else np.all(np.diff(s, axis=-1) < 0)


def test_sort_order_direction_per_batch_member():
    v = RNG.normal(size=(4, N))
    d = np.array([1, -1, 1, -1])
    got = vector_sort_order(v, d)
    for b in range(4):
        np.testing.assert_array_equal(got[b], pf.vector_sort_order(_vec(v[b]), d[b]).values)


def test_reorder():
    v = RNG.normal(size=(B, N))
    s = np.stack([RNG.permutation(N) for _ in range(B)]).astype(float)
    got = vector_reorder(v, s)
    for b in range(B):
        want = pf.vector_reorder(_vec(v[b]), _vec(s[b].astype(int)))
        np.testing.assert_array_equal(got[b], want.values)


@pytest.mark.parametrize("action", range(11))
def test_select(action):
    sel = RNG.integers(0, 3, size=(B, N)).astype(float)
    sel[0] = 0  # one member selects nothing: gets the missing value
    expr = RNG.uniform(0.5, 2, size=(B, N))
    got = vector_select(sel, expr, -7.5, action, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for b in range(B):
            want = pf.vector_select(_vec(sel[b]), _vec(expr[b]), ["i"], -7.5, action, 0)
            np.testing.assert_allclose(got[b], float(want), rtol=1e-14)
    assert got[0] == -7.5


def test_select_error_actions():
    sel = np.zeros((2, N))
    with pytest.raises(FloatingPointError):
        vector_select(sel, np.ones((2, N)), 0, 0, 1)
    with pytest.raises(FloatingPointError):
        vector_select(np.ones((2, N)), np.ones((2, N)), 0, 0, 2)


def test_invert_matrix():
    m = RNG.normal(size=(B, 4, 4)) + 4 * np.eye(4)
    got = invert_matrix(m)
    for b in range(B):
        np.testing.assert_allclose(got[b], pf.invert_matrix(_vec(m[b], ("r", "c"))).values, rtol=1e-13)
    np.testing.assert_allclose(got @ m, np.broadcast_to(np.eye(4), m.shape), atol=1e-12)


def test_invert_matrix_singular_or_nan_is_nan_for_that_matrix_only():
    m = np.stack([np.eye(2) * 2, [[1.0, 2.0], [2.0, 4.0]], [[np.nan, 1.0], [1.0, 2.0]]])
    got = invert_matrix(m)
    np.testing.assert_array_equal(got[0], np.eye(2) / 2)
    assert np.isnan(got[1]).all() and np.isnan(got[2]).all()


def _pysd_data(times, vals, mode):
    d = Data()
    d.py_name, d.interp, d.is_float = "x", mode, True
    d.data = xr.DataArray(vals, {"time": times}, ["time"])
    d.nan = np.nan
    return d


@pytest.mark.parametrize("mode", ["interpolate", "hold_backward", "look_forward", "raw"])
def test_data_modes_match_pysd(mode):
    times = np.sort(RNG.choice(np.arange(0, 20, 0.5), size=7, replace=False))
    vals = RNG.normal(size=(B, 7))
    xs = np.concatenate([times, RNG.uniform(-2, 22, size=30)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for x in xs:
            got = data_at_time(times, vals, x, mode)
            for b in range(B):
                want = _pysd_data(times, vals[b], mode)(x)
                np.testing.assert_allclose(got[b], want, rtol=1e-14, equal_nan=True)


def test_data_subscripted_and_per_member_time():
    times = np.array([0.0, 2, 3.5, 7])
    vals = RNG.normal(size=(B, 4, 3))
    x = RNG.uniform(0, 7, size=B)
    got = data_at_time(times, vals, x, "interpolate")
    for b in range(B):
        for j in range(3):
            np.testing.assert_allclose(got[b, j], np.interp(x[b], times, vals[b, :, j]), rtol=1e-13)


@pytest.mark.parametrize("mode", ["hold_backward", "look_forward"])
def test_lookup_hold_matches_pysd(mode):
    xs = np.array([0.0, 1, 2.5, 4, 5])
    ys = RNG.normal(size=(B, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for x in np.concatenate([xs, RNG.uniform(-1, 6, size=25)]):
            got = lookup_hold(xs, ys, x, mode)
            for b in range(B):
                if mode == "hold_backward":
                    lk = Lookups()
                    lk.py_name, lk.interp, lk.is_float = "t", "hold_backward", True
                    want = lk._call(xr.DataArray(ys[b], {"lookup_dim": xs}, ["lookup_dim"]), x)
                else:  # PySD has no look-forward lookup; its Data 'look_forward' is the same rule
                    want = _pysd_data(xs, ys[b], "look_forward")(x)
                np.testing.assert_allclose(got[b], want, rtol=1e-14)
