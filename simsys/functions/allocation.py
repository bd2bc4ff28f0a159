"""ALLOCATE AVAILABLE and ALLOCATE BY PRIORITY over the last axis, for a batch at once.

Arrays are ``[batch, ..., n]`` (as in :mod:`.vectors`): the ``n`` targets share one supply
along the last axis; every leading position is its own allocation problem. Semantics follow
PySD 3.14 (``pysd.py_backend.allocation``); an input PySD refuses with an exception (a
negative request or supply, a width <= 0, a profile type PySD does not implement) gives
NaN here, which stops the scenario as any non-finite value does.

ALLOCATE AVAILABLE gives target ``i`` the amount ``f_i(x)`` of its priority profile at the
one priority level ``x`` where the amounts add up to the supply. PySD finds ``x`` with
``scipy.optimize.least_squares`` (tolerances 1e-8, so its sum can miss the supply by about
1e-9 relative, and more where the solver stops early); simsys finds it by bisection to the
last bit, in :data:`BISECTIONS` steps from a bracket where every profile is saturated, so
the allocations add up to the supply. The C backend (``ss_alloc_avail`` in
:mod:`simsys.compile.c_runtime`) runs the same steps in the same order.

ALLOCATE BY PRIORITY is PySD's piecewise-linear walk, step for step: targets sorted by
priority (ties in subscript order), each next target starting once the one before has
received ``min(gap / width, 1)`` of its request, supply shared in proportion to the
requests of the targets receiving. The C backend's ``ss_alloc_prio`` is the same walk.
"""
from __future__ import annotations

import numpy as np
from scipy import special

__all__ = ["allocate_available", "allocate_by_priority", "BISECTIONS", "PROFILE_TYPES", "REACH", "SQRT2",
           "WALK"]

#: bisection steps of ALLOCATE AVAILABLE: 2**-128 of the bracket is far below one ulp of x
BISECTIONS = 128
#: profile types PySD implements: rectangular, triangular, normal, exponential
PROFILE_TYPES = (1, 2, 3, 4)
#: half-width of the bracket, in units of pwidth, beyond which each profile is exactly
#: saturated (the full request) or exactly 0 in double precision
REACH = {1: 0.5, 2: 0.5, 3: 40.0, 4: 750.0}
SQRT2 = 1.4142135623730951  # np.sqrt(2), as PySD writes it
#: most steps of the ALLOCATE BY PRIORITY walk per target (each step starts a target, fills
#: one or ends the walk; a walk longer than this gives NaN)
WALK = 4


def _profiles(x, q, ptype, prio, width):
    """Amount each target gets at priority level ``x`` (PySD's formulas, operand order kept)."""
    half = width * 0.5
    u = (x - prio) + half
    rect = np.where(x <= prio - half, q,
                    np.where(x < prio + half, q * (1 - u / width), 0.0))
    v = (prio + half) - x
    tri = np.where(x <= prio - half, q,
                   np.where(x < prio, q * (1 - 2 * (u * u) / (width * width)),
                            np.where(x < prio + half, 2 * q * (v * v) / (width * width), 0.0)))
    norm = q * 0.5 * (2 - special.erfc((prio - x) / (SQRT2 * width)))
    expo = np.where(x < prio, q * (1 - 0.5 * np.exp((x - prio) / width)),
                    q * 0.5 * np.exp((prio - x) / width))
    out = np.where(ptype == 1, rect, np.where(ptype == 2, tri, np.where(ptype == 3, norm, expo)))
    return np.where(q == 0, 0.0, out)


def _seqsum(a):
    """Sum over the last axis left to right (numpy's sum pairs terms for 8 or more)."""
    acc = a[..., 0]
    for i in range(1, a.shape[-1]):
        acc = acc + a[..., i]
    return acc


def allocate_available(request, profile, avail) -> np.ndarray:
    """Vensim's ALLOCATE AVAILABLE over the last axis.

    Parameters
    ----------
    request : array ``[..., n]``
        What each target asks for (non-negative).
    profile : array ``[..., n, 4]``
        Each target's priority profile: type (1 rectangular, 2 triangular, 3 normal,
        4 exponential), priority, width (> 0), extra (unused by these types).
    avail : array ``[...]`` or float
        The supply (non-negative).

    Returns
    -------
    numpy.ndarray ``[..., n]``
        The amount each target gets; NaN for a problem PySD refuses.
    """
    with np.errstate(all="ignore"):
        q = np.asarray(request, dtype=float)
        pp = np.asarray(profile, dtype=float)
        a = np.asarray(avail, dtype=float)
        shape = np.broadcast_shapes(q.shape[:-1], pp.shape[:-2], a.shape)
        n = q.shape[-1]
        q = np.broadcast_to(q, shape + (n,))
        pp = np.broadcast_to(pp, shape + (n, 4))
        a = np.broadcast_to(a, shape)[..., None]
        ptype, prio, width = pp[..., 0], pp[..., 1], pp[..., 2]
        total = _seqsum(q)[..., None]
        bad = np.any(~(q >= 0), axis=-1, keepdims=True) | ~(a >= 0)
        solve = ~(a >= total) & (a != 0)
        known = np.isin(ptype, PROFILE_TYPES)
        bad |= solve & np.any(~(width > 0) | ((q != 0) & ~known), axis=-1, keepdims=True)
        reach = np.where(ptype == 1, REACH[1], np.where(ptype == 2, REACH[2],
                         np.where(ptype == 3, REACH[3], REACH[4]))) * width
        live = q != 0
        lo = np.min(np.where(live, prio - reach, np.inf), axis=-1, keepdims=True)
        hi = np.max(np.where(live, prio + reach, -np.inf), axis=-1, keepdims=True)
        for _ in range(BISECTIONS):
            mid = 0.5 * (lo + hi)
            high = _seqsum(_profiles(mid, q, ptype, prio, width))[..., None] > a
            lo = np.where(high, mid, lo)
            hi = np.where(high, hi, mid)
        got = _profiles(0.5 * (lo + hi), q, ptype, prio, width)
        out = np.where(solve, got, np.where(a == 0, 0.0, q))
        return np.where(bad, np.nan, out)


def allocate_by_priority(request, priority, width, supply) -> np.ndarray:
    """Vensim's ALLOCATE BY PRIORITY over the last axis (PySD's walk, step for step).

    Parameters
    ----------
    request, priority : array ``[..., n]``
        What each target asks for (non-negative) and its priority (higher first).
    width : array ``[...]`` or float
        The gap in priority (> 0) past which a lower priority waits for the higher to be
        filled.
    supply : array ``[...]`` or float
        The supply (non-negative).

    Returns
    -------
    numpy.ndarray ``[..., n]``
        The amount each target gets; NaN for a problem PySD refuses.
    """
    with np.errstate(all="ignore"):
        r0 = np.asarray(request, dtype=float)
        p0 = np.asarray(priority, dtype=float)
        wd = np.asarray(width, dtype=float)
        s0 = np.asarray(supply, dtype=float)
        shape = np.broadcast_shapes(r0.shape[:-1], p0.shape[:-1], wd.shape, s0.shape)
        n = r0.shape[-1]
        flat = int(np.prod(shape, dtype=int))
        r0 = np.broadcast_to(r0, shape + (n,)).reshape(flat, n)
        p0 = np.broadcast_to(p0, shape + (n,)).reshape(flat, n)
        wd = np.broadcast_to(wd, shape).reshape(flat)
        s_in = np.broadcast_to(s0, shape).reshape(flat)
        s = s_in.copy()
        total = _seqsum(r0)
        bad = np.any(~(r0 >= 0), axis=-1) | ~(wd > 0) | ~(s >= 0)
        walk = ~(s >= total) & (s != 0) & ~bad
        # zero requests last, then by falling priority, ties in subscript order (PySD drops
        # the zero requests and sorts the rest with numpy's default argsort, whose order of
        # ties depends on numpy and the processor)
        order = np.lexsort((-p0, r0 == 0), axis=-1)
        r = np.take_along_axis(r0, order, -1)
        p = np.take_along_axis(p0, order, -1)
        m = np.sum(r != 0, axis=-1)
        dist = np.full((flat, n), np.nan)
        if n > 1:
            dist[:, :-1] = np.minimum(-(p[:, 1:] - p[:, :-1]) / wd[:, None], 1) * r[:, :-1]
        dist[np.arange(n)[None, :] >= (m - 1)[:, None]] = np.nan
        out = np.zeros((flat, n))
        active = np.zeros((flat, n), dtype=bool)
        active[:, 0] = True
        c = np.zeros(flat, dtype=np.intp)
        rows = np.arange(flat)
        run = walk & (s > 0)
        for _ in range(WALK * n + 4):
            if not run.any():
                break
            slopes = r * active
            slopes = slopes / _seqsum(slopes)[:, None]
            to_top = (r - out) / slopes
            counted = active & ~np.isnan(to_top)
            # PySD's nanmin over the active targets (none left: PySD raises)
            bad |= run & ~np.any(active, axis=-1)
            dx_top = np.where(np.any(counted, axis=-1),
                              np.min(np.where(counted, to_top, np.inf), axis=-1), np.nan)
            dx_start = (dist[rows, c] - out[rows, c]) / slopes[rows, c]
            dx = np.where(run, np.fmin(np.fmin(dx_top, dx_start), s), 0.0)
            out = np.where(run[:, None], out + slopes * dx[:, None], out)
            # np.isclose(dx, dx_start, rtol=1e-10, atol=1e-16), as numpy computes it
            close = (np.abs(dx - dx_start) <= 1e-16 + 1e-10 * np.abs(dx_start)) \
                & np.isfinite(dx_start) | (dx == dx_start)
            start = run & close
            c = np.where(start, np.minimum(c + 1, n - 1), c)
            active[rows[start], c[start]] = True
            full = run & (dx == dx_top)
            active &= ~(full[:, None] & (out == r))
            s = np.where(run, s - dx, s)
            run = run & (s > 0)
        result = np.zeros((flat, n))
        np.put_along_axis(result, order, out, -1)
        result = np.where(walk[:, None], result, np.where(s_in[:, None] == 0, 0.0, r0))
        result = np.where((bad | run)[:, None], np.nan, result)
        return result.reshape(shape + (n,))
