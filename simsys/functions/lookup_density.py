"""Vensim's RANDOM LOOKUP(lookup, min, max, seed) as the inverse CDF of a supplied uniform,
over a batch.

The lookup's points are read as a piecewise linear density, not normalised, zero outside its
first and last x (whatever its extrapolation mode). The cumulative area is piecewise
quadratic; a draw is the point where it reaches ``A(lo) + u * (A(hi) - A(lo))``, found on the
first segment whose cumulative area reaches the target (so stretches of zero density are
never drawn) as the root of the segment's quadratic written so it does not cancel. That is
the distribution restricted to ``[min, max]``, as for the other RANDOM functions
(:mod:`.distributions`); ``min = max`` inside the lookup gives that point. The C twin is
``ss_rlookup`` in :mod:`simsys.compile.c_distributions` (same operations, same order), which
reads the table from the kernel's lookup arrays. A negative point, or no area in range, gives
NaN, which stops that scenario; :func:`lookup_problem` names it for the loader.
"""
from __future__ import annotations

import math

import numpy as np

__all__ = ["lookup_problem", "lookup_area", "random_lookup"]


def _clip(v, lo, hi):
    return np.minimum(np.maximum(v, lo), hi)


def lookup_problem(xs, ys, lo=None, hi=None) -> str | None:
    """What keeps the lookup ``(xs, ys)`` from being RANDOM LOOKUP's density over ``[lo, hi]``
    (None: not known until run time), or None. ``lo = hi`` inside the lookup is that point."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    if xs.size < 2:
        return f"the lookup needs at least 2 points to have an area, found {xs.size}"
    if np.any(ys < 0):
        i = int(np.flatnonzero(ys < 0)[0])
        return f"a density cannot be negative: the lookup has y = {float(ys[i])!r} at x = {float(xs[i])!r}"
    if lo is not None and hi is not None:
        if math.isnan(lo) or math.isnan(hi):
            return "an argument is NaN"
        if lo > hi:
            return f"min ({lo!r}) is above max ({hi!r})"
    lo2 = xs[0] if lo is None else max(lo, xs[0])
    hi2 = xs[-1] if hi is None else min(hi, xs[-1])
    a = lookup_area(lo2, hi2, xs, ys)
    if not (a[1] > a[0] or lo2 == hi2):
        where = "" if lo is None or hi is None else f" within [min, max] = [{lo!r}, {hi!r}]"
        return f"the lookup has no area{where}"
    return None


def _cumulative(xs, ys):
    """The area under the lookup up to each of its points, summed left to right."""
    c = np.zeros(xs.size)
    for i in range(xs.size - 1):
        c[i + 1] = c[i] + (xs[i + 1] - xs[i]) * (ys[i] + ys[i + 1]) * 0.5
    return c


def _area_to(x, xs, ys, c):
    """The area under the lookup from its first point to ``x`` (clipped to its points)."""
    x = _clip(x, xs[0], xs[-1])
    i = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, xs.size - 2)
    dx = x - xs[i]
    yx = ys[i] + (ys[i + 1] - ys[i]) * dx / (xs[i + 1] - xs[i])
    return c[i] + dx * (ys[i] + yx) * 0.5


def lookup_area(lo, hi, xs, ys):
    """The areas under the lookup up to ``lo`` and up to ``hi``."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    c = _cumulative(xs, ys)
    return _area_to(np.asarray(lo, dtype=float), xs, ys, c), _area_to(np.asarray(hi, dtype=float), xs, ys, c)


def random_lookup(u, lo, hi, xs, ys):
    """RANDOM LOOKUP: the lookup's points ``(xs, ys)`` read as a piecewise linear density
    (not normalised, zero outside ``[xs[0], xs[-1]]``), restricted to ``[lo, hi]``, at
    uniform ``u``: the cumulative area's inverse on the first segment that reaches the
    target area, the root of its quadratic written so it does not cancel."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    u, lo, hi = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (u, lo, hi)))
    with np.errstate(all="ignore"):
        n = xs.size
        if n < 2 or np.any(ys < 0):
            return np.full(u.shape, np.nan)
        c = _cumulative(xs, ys)
        lo2, hi2 = np.maximum(lo, xs[0]), np.minimum(hi, xs[-1])
        alo, ahi = _area_to(lo2, xs, ys, c), _area_to(hi2, xs, ys, c)
        # min = max inside the lookup: that point (as the other continuous draws give it)
        ok = (lo <= hi) & (lo2 <= hi2) & ((ahi > alo) | (lo2 == hi2))
        t = alo + u * (ahi - alo)
        j = np.clip(np.searchsorted(c[1:], t, side="left"), 0, n - 2)
        w = xs[j + 1] - xs[j]
        r = t - c[j]
        y0 = ys[j]
        disc = np.maximum(y0 * y0 + 2.0 * ((ys[j + 1] - y0) / w) * r, 0.0)
        den = y0 + np.sqrt(disc)
        dx = np.where(den > 0, 2.0 * r / den, 0.0)
        x = xs[j] + _clip(dx, 0.0, w)
        v = _clip(x, lo2, hi2)
    return np.where(ok, v, np.nan)
