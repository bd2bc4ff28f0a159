"""Vensim's RANDOM TRIANGULAR, WEIBULL, GAMMA, BETA, POISSON, BINOMIAL and NEGATIVE BINOMIAL
as inverse CDFs of a supplied uniform, over a batch (RANDOM LOOKUP: :mod:`.lookup_density`).

Arguments follow Vensim's documented order (the seed, last in Vensim, is not passed: the
engine supplies ``u``, one uniform per call site and time step from its per-scenario
stream, as for RANDOM NORMAL)::

    RANDOM TRIANGULAR(min, max, start, peak, end, seed)
    RANDOM WEIBULL(min, max, shape, shift, stretch, seed)
    RANDOM GAMMA(min, max, shape, shift, stretch, seed)
    RANDOM BETA(min, max, alpha, beta, shift, stretch, seed)
    RANDOM POISSON(min, max, mean, shift, stretch, seed)
    RANDOM BINOMIAL(min, max, prob, count, shift, stretch, seed)
    RANDOM NEGATIVE BINOMIAL(min, max, prob, count, shift, stretch, seed)

Where Vensim has ``shift`` and ``stretch`` the value is ``shift + stretch * X`` with ``X``
the standard distribution (Weibull and gamma of scale 1; beta on [0, 1]; Poisson of mean ``mean``; binomial: successes
in ``count`` trials of probability ``prob``; negative binomial: failures before the
``count``-th success, success probability ``prob``, scipy's ``nbinom``). Truncation to
``[min, max]`` is RANDOM NORMAL's: the distribution restricted to the values that fall in
``[min, max]`` (the law of redrawing until in range, from a single uniform; not clipped
to the bounds), drawn by the inverse CDF at ``F(lo) + u * (F(hi) - F(lo))``. Gamma and beta
invert the regularized incomplete gamma and beta functions of :mod:`.incomplete`; above the
median they invert the complement ``1 - F`` (from the complements at the bounds), which keeps
its digits where F rounds to 1.

Discrete distributions sum the pmf from 0 upward, each term ``exp`` of a log-pmf advanced by
a recurrence (no ``lgamma``, so large means do not underflow at 0). The C kernels
(:mod:`simsys.compile.c_distributions`) do the same operations in the same order. A search
that needs more than :data:`DISCRETE_TERMS` terms gives NaN. Bad arguments (``min > max``,
``stretch <= 0``, a probability outside its range, a count that is not a whole number...)
give NaN, which stops that scenario; :func:`argument_problem` names them for the loader,
which refuses them where they are written as numbers.
"""
from __future__ import annotations

import math

import numpy as np

from . import incomplete

__all__ = ["DISCRETE_TERMS", "RANDOM_ARGUMENTS", "argument_problem", "random_triangular",
           "random_weibull", "random_gamma", "random_beta", "random_poisson", "random_binomial",
           "random_negative_binomial"]

#: the most pmf terms a discrete draw sums (from 0); past it the draw is NaN
DISCRETE_TERMS = 100_000

#: Vensim's arguments of each function, in order, seed excluded
RANDOM_ARGUMENTS = {
    "random_triangular": ("min", "max", "start", "peak", "end"),
    "random_weibull": ("min", "max", "shape", "shift", "stretch"),
    "random_gamma": ("min", "max", "shape", "shift", "stretch"),
    "random_beta": ("min", "max", "alpha", "beta", "shift", "stretch"),
    "random_poisson": ("min", "max", "mean", "shift", "stretch"),
    "random_binomial": ("min", "max", "prob", "count", "shift", "stretch"),
    "random_negative_binomial": ("min", "max", "prob", "count", "shift", "stretch"),
}

# kinds of the discrete walk (the C kernel switches on the same numbers)
POISSON, BINOMIAL, NEGATIVE_BINOMIAL = 0, 1, 2


def argument_problem(name: str, given: dict) -> str | None:
    """What is wrong with the arguments of ``name`` that are known (``given``: argument name ->
    number; the others are read at run time), or None.

    Raises
    ------
    KeyError
        ``name`` is not one of :data:`RANDOM_ARGUMENTS`.
    """
    if name not in RANDOM_ARGUMENTS:
        raise KeyError(f"{name!r} is not one of {sorted(RANDOM_ARGUMENTS)}")
    g = given

    def has(*keys):
        return all(k in g for k in keys)

    if any(math.isnan(v) for v in g.values()):
        return "an argument is NaN"
    if has("min", "max") and g["min"] > g["max"]:
        return f"min ({g['min']!r}) is above max ({g['max']!r})"
    if has("stretch") and not g["stretch"] > 0:
        return f"stretch must be above 0, found {g['stretch']!r}"
    if name == "random_triangular":
        if has("start", "peak") and g["start"] > g["peak"]:
            return f"start ({g['start']!r}) is above peak ({g['peak']!r})"
        if has("peak", "end") and g["peak"] > g["end"]:
            return f"peak ({g['peak']!r}) is above end ({g['end']!r})"
        if has("start", "end") and not g["start"] < g["end"]:
            return f"start ({g['start']!r}) must be below end ({g['end']!r})"
        if has("min", "max", "start", "end") and max(g["min"], g["start"]) > min(g["max"], g["end"]):
            return "[min, max] and [start, end] do not overlap"
    for what in ("shape", "alpha", "beta"):
        if what in RANDOM_ARGUMENTS[name] and has(what) and not 0 < g[what] < math.inf:
            return f"{what} must be above 0 (and finite), found {g[what]!r}"
    if name == "random_poisson" and has("mean") and not 0 <= g["mean"] < math.inf:
        return f"mean must be 0 or above (and finite), found {g['mean']!r}"
    if name in ("random_binomial", "random_negative_binomial"):
        binomial = name == "random_binomial"
        lo = 0 if binomial else 1  # the fewest trials (binomial) or successes (negative)
        if has("prob") and not ((0 <= g["prob"] if binomial else 0 < g["prob"]) and g["prob"] <= 1):
            span = "[0, 1]" if binomial else "(0, 1]"
            return f"prob must be in {span}, found {g['prob']!r}"
        if has("count") and not (lo <= g["count"] < math.inf and g["count"] == int(g["count"])):
            return f"count must be a whole number {lo} or above, found {g['count']!r}"
    if has("min", "max", "shift", "stretch"):
        xlo, xhi = (g["min"] - g["shift"]) / g["stretch"], (g["max"] - g["shift"]) / g["stretch"]
        if name in ("random_weibull", "random_gamma"):
            empty = xhi < 0
        elif name == "random_beta":
            empty = xhi < 0 or xlo > 1
        else:
            top = g.get("count", math.inf) if name == "random_binomial" else math.inf
            first = 0 if xlo == -math.inf else max(math.ceil(xlo), 0)
            last = top if xhi == math.inf else min(math.floor(xhi), top)
            empty = first > last
        if empty:
            return f"no value shift + stretch * X lies in [min, max] = [{g['min']!r}, {g['max']!r}]"
    return None


def _arrays(*xs):
    return np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in xs))


def _clip(v, lo, hi):
    return np.minimum(np.maximum(v, lo), hi)


# -- continuous: closed-form inverse CDFs ------------------------------------------------------
def _triangular_cdf(x, m):
    """CDF of the triangle on [0, 1] peaking at ``m``."""
    return np.where(x <= 0, 0.0, np.where(x >= 1, 1.0, np.where(
        x <= m, x * x / m, 1.0 - (1.0 - x) * (1.0 - x) / (1.0 - m))))


def random_triangular(u, lo, hi, start, peak, end):
    """RANDOM TRIANGULAR: the triangle from ``start`` up to ``peak`` and down to ``end``,
    restricted to ``[lo, hi]``, at uniform ``u`` (scipy's ``triang`` with ``c = (peak -
    start) / (end - start)``, ``loc = start``, ``scale = end - start``)."""
    u, lo, hi, a, c, b = _arrays(u, lo, hi, start, peak, end)
    with np.errstate(all="ignore"):
        w = b - a
        m = (c - a) / w
        lo2, hi2 = np.maximum(lo, a), np.minimum(hi, b)
        ok = (a <= c) & (c <= b) & (a < b) & (lo2 <= hi2) & (lo <= hi)
        fa = _triangular_cdf((lo2 - a) / w, m)
        fb = _triangular_cdf((hi2 - a) / w, m)
        q = fa + u * (fb - fa)
        x = np.where(q < m, np.sqrt(m * q), 1.0 - np.sqrt((1.0 - m) * (1.0 - q)))
        v = _clip(a + w * x, lo2, hi2)
    return np.where(ok, v, np.nan)


def random_weibull(u, lo, hi, shape, shift, stretch):
    """RANDOM WEIBULL: ``shift + stretch * X``, ``X`` Weibull of shape ``shape`` and scale 1
    (scipy's ``weibull_min``), restricted to ``[lo, hi]``, at uniform ``u``."""
    u, lo, hi, k, s0, s1 = _arrays(u, lo, hi, shape, shift, stretch)
    with np.errstate(all="ignore"):
        xlo = np.maximum((lo - s0) / s1, 0.0)
        xhi = (hi - s0) / s1
        ok = (k > 0) & (s1 > 0) & (lo <= hi) & (xlo <= xhi)
        fa = -np.expm1(-np.power(xlo, k))
        fb = -np.expm1(-np.power(xhi, k))
        q = fa + u * (fb - fa)
        x = np.power(-np.log1p(-q), 1.0 / k)
        v = _clip(s0 + s1 * x, lo, hi)
    return np.where(ok, v, np.nan)


def _target(u, fa, fb, ga, gb):
    """``(q, r)``: q = F(lo) + u (F(hi) - F(lo)), the probability to invert, from the CDF
    ``fa``, ``fb`` at the bounds, and r = 1 - q from the complements ``ga``, ``gb``, which
    keep their digits in the upper tail (where q rounds to 1)."""
    return fa + u * (fb - fa), ga + u * (gb - ga)


def _unresolved(q, r, xlo, xhi):
    """The draw where the target probability is 0 or 1 to double precision (the window's
    mass lies below the smallest double): the bound on the side of the distribution's bulk,
    ``xhi`` in the lower tail, ``xlo`` in the upper; NaN where q or r is NaN."""
    return np.where(q <= 0, xhi, np.where(r <= 0, xlo, np.nan))


def random_gamma(u, lo, hi, shape, shift, stretch):
    """RANDOM GAMMA: ``shift + stretch * X``, ``X`` gamma of shape ``shape`` and scale 1
    (scipy's ``gamma``), restricted to ``[lo, hi]``, at uniform ``u``."""
    u, lo, hi, a, s0, s1 = _arrays(u, lo, hi, shape, shift, stretch)
    shape_ = u.shape
    u, lo, hi, a, s0, s1 = (v.reshape(-1) for v in (u, lo, hi, a, s0, s1))
    with np.errstate(all="ignore"):
        xlo = np.maximum((lo - s0) / s1, 0.0)
        xhi = (hi - s0) / s1
        ok = (a > 0) & (a < np.inf) & (s1 > 0) & (lo <= hi) & (xlo <= xhi)
        a = np.where(ok, a, 1.0)
        xlo, xhi = np.where(ok, xlo, 0.0), np.where(ok, xhi, 1.0)
        lga = incomplete.lgamma(a)
        fa, ga, _ = incomplete.gamma_pq(a, lga, xlo, np.log(xlo))
        fb, gb, _ = incomplete.gamma_pq(a, lga, xhi, np.log(xhi))
        q, r = _target(u, fa, fb, ga, gb)
        inner = (q > 0) & (r > 0)
        q1, r1 = np.where(inner, q, 0.5), np.where(inner, r, 0.5)
        x = incomplete.gamma_solve(a, lga, q1, r1)
        x = np.where(inner, x, _unresolved(q, r, xlo, xhi))
        x = _clip(x, xlo, xhi)
        v = _clip(s0 + s1 * x, lo, hi)
    return np.where(ok, v, np.nan).reshape(shape_)


def random_beta(u, lo, hi, alpha, beta, shift, stretch):
    """RANDOM BETA: ``shift + stretch * X``, ``X`` beta of ``alpha`` and ``beta`` on [0, 1]
    (scipy's ``beta``), restricted to ``[lo, hi]``, at uniform ``u``."""
    u, lo, hi, a, b, s0, s1 = _arrays(u, lo, hi, alpha, beta, shift, stretch)
    shape_ = u.shape
    u, lo, hi, a, b, s0, s1 = (v.reshape(-1) for v in (u, lo, hi, a, b, s0, s1))
    with np.errstate(all="ignore"):
        xlo = np.maximum((lo - s0) / s1, 0.0)
        xhi = np.minimum((hi - s0) / s1, 1.0)
        ok = (a > 0) & (a < np.inf) & (b > 0) & (b < np.inf) & (s1 > 0) & (lo <= hi) & (xlo <= xhi)
        a, b = np.where(ok, a, 1.0), np.where(ok, b, 1.0)
        xlo, xhi = np.where(ok, xlo, 0.0), np.where(ok, xhi, 1.0)
        lb = incomplete.lbeta(a, b)
        fa, ga, _ = incomplete.beta_pq(a, b, lb, xlo, 1.0 - xlo, np.log(xlo), np.log1p(-xlo))
        fb, gb, _ = incomplete.beta_pq(a, b, lb, xhi, 1.0 - xhi, np.log(xhi), np.log1p(-xhi))
        q, r = _target(u, fa, fb, ga, gb)
        inner = (q > 0) & (r > 0)
        q1, r1 = np.where(inner, q, 0.5), np.where(inner, r, 0.5)
        x = incomplete.beta_solve(a, b, lb, q1, r1)
        x = np.where(inner, x, _unresolved(q, r, xlo, xhi))
        x = _clip(x, xlo, xhi)
        v = _clip(s0 + s1 * x, lo, hi)
    return np.where(ok, v, np.nan).reshape(shape_)


# -- discrete: the pmf summed from 0 ----------------------------------------------------------
def _step(kind, j, n, lc):
    """log pmf(j) - log pmf(j - 1), for j >= 1."""
    if kind == POISSON:
        return lc - np.log(j)
    if kind == BINOMIAL:
        return np.log(n - j + 1.0) - np.log(j) + lc
    return np.log(j + n - 1.0) - np.log(j) + lc


def _terms(kind, lp0, n, lc):
    """``(j, pmf(j))`` for j = 0, 1, ... up to :data:`DISCRETE_TERMS`, the log pmf advanced by
    :func:`_step` (both passes of :func:`_discrete` sum exactly these numbers)."""
    lp = lp0
    for i in range(DISCRETE_TERMS):
        j = float(i)
        if i:
            lp = lp + _step(kind, j, n, lc)
        yield j, np.exp(lp)


def _discrete(kind, u, lo, hi, shift, stretch, lp0, lc, n, top, ok):
    """``shift + stretch * X``, ``X`` the whole number whose log pmf starts at ``lp0`` (at 0)
    and advances by :func:`_step`, support ``0..top``, restricted to ``[lo, hi]``.

    Pass 1 sums the pmf to the last whole number in range (or until the sum stops growing
    past the mode) for the mass below and up to the range; pass 2 repeats the same sums and
    stops at the first whole number in range whose cumulative mass reaches the target.
    """
    with np.errstate(all="ignore"):
        klo = np.maximum(np.ceil((lo - shift) / stretch), 0.0)
        khi = np.minimum(np.floor((hi - shift) / stretch), top)
        ok = ok & (stretch > 0) & (lo <= hi) & (klo <= khi)
        flo = np.zeros(u.shape)
        fhi = np.full(u.shape, np.nan)
        live = ok.copy()
        c = np.zeros(u.shape)
        prev = np.full(u.shape, -1.0)
        for j, p in _terms(kind, lp0, n, lc):
            if not live.any():
                break
            cn = c + p
            flo = np.where(live & (j == klo - 1.0), cn, flo)
            # past the mode the terms shrink, so once one adds nothing none will
            end = live & ((j >= khi) | ((p < prev) & (cn == c)))
            fhi = np.where(end, cn, fhi)
            flo = np.where(end & (j < klo - 1.0), cn, flo)
            live &= ~end
            c, prev = cn, p
        t = np.minimum(flo + u * (fhi - flo), fhi)
        found = np.full(u.shape, np.nan)
        live = ok & (fhi > flo)
        c = np.zeros(u.shape)
        for j, p in _terms(kind, lp0, n, lc):
            if not live.any():
                break
            cn = c + p
            hit = live & (j >= klo) & (cn >= t)
            found = np.where(hit, j, found)
            live &= ~hit
            c = cn
        # no mass in range to double precision: the first whole number in range
        found = np.where(ok & (fhi == flo), klo, found)
        v = _clip(shift + stretch * found, lo, hi)
    return np.where(ok, v, np.nan)


def random_poisson(u, lo, hi, mean, shift, stretch):
    """RANDOM POISSON: ``shift + stretch * X``, ``X`` Poisson of mean ``mean``, restricted to
    ``[lo, hi]``, at uniform ``u``."""
    u, lo, hi, mu, s0, s1 = _arrays(u, lo, hi, mean, shift, stretch)
    with np.errstate(all="ignore"):
        ok = (mu >= 0) & np.isfinite(mu)
        return _discrete(POISSON, u, lo, hi, s0, s1, -mu, np.log(mu), 0.0, np.inf, ok)


def random_binomial(u, lo, hi, prob, count, shift, stretch):
    """RANDOM BINOMIAL: ``shift + stretch * X``, ``X`` the successes in ``count`` trials of
    probability ``prob``, restricted to ``[lo, hi]``, at uniform ``u``."""
    u, lo, hi, p, n, s0, s1 = _arrays(u, lo, hi, prob, count, shift, stretch)
    with np.errstate(all="ignore"):
        whole = (n >= 0) & np.isfinite(n) & (n == np.floor(n))
        ok = (p >= 0) & (p <= 1) & whole
        # prob 1: all of the mass at count, whose log pmf the recurrence cannot reach
        sure = ok & (p == 1)
        v = _discrete(BINOMIAL, u, lo, hi, s0, s1, n * np.log1p(-p), np.log(p) - np.log1p(-p),
                      n, n, ok & ~sure)
        x = s0 + s1 * n
        at = sure & (s1 > 0) & (lo <= x) & (x <= hi)
        return np.where(at, x, np.where(sure, np.nan, v))


def random_negative_binomial(u, lo, hi, prob, count, shift, stretch):
    """RANDOM NEGATIVE BINOMIAL: ``shift + stretch * X``, ``X`` the failures before the
    ``count``-th success, success probability ``prob`` (scipy's ``nbinom(count, prob)``),
    restricted to ``[lo, hi]``, at uniform ``u``."""
    u, lo, hi, p, n, s0, s1 = _arrays(u, lo, hi, prob, count, shift, stretch)
    with np.errstate(all="ignore"):
        ok = (p > 0) & (p <= 1) & (n >= 1) & np.isfinite(n) & (n == np.floor(n))
        return _discrete(NEGATIVE_BINOMIAL, u, lo, hi, s0, s1, n * np.log(p), np.log1p(-p),
                         n, np.inf, ok)
