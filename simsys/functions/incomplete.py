"""The regularized incomplete gamma and beta functions and their inverses, over a batch.

One algorithm, written twice: here with numpy (each scenario its own lane) and in C by
:mod:`simsys.compile.c_incomplete`, with the same operations in the same order, so the
two backends agree to the last bits of the C library's ``exp``/``log``. scipy is only the
test oracle (``tests/functions/test_incomplete.py``: ``gammainc``, ``gammaincinv``,
``betainc``, ``betaincinv`` to 1e-12 relative for shapes 0.1 to 100).

- ``log Gamma``: Lanczos' approximation (g = 7, nine terms), at ``x + 1`` below 1.
- ``P(a, x)``, ``Q(a, x) = 1 - P``: the series below ``x = a + 1``, else the continued
  fraction by Lentz's method (Numerical Recipes' ``gser``/``gcf``); the one not summed is
  one minus the other, so the smaller of the two keeps its relative accuracy.
- ``I_x(a, b)`` and ``1 - I_x(a, b)``: the continued fraction (NR's ``betacf``) on the side
  of ``(a + 1) / (a + b + 2)`` where it converges fast, from ``x`` and ``1 - x`` given apart.
- The inverses solve ``log F = log q`` (``q <= 1/2``) or ``log (1 - F) = log (1 - q)`` by
  Newton's method in ``s = log x`` (gamma) or ``s = logit x`` (beta), from Numerical
  Recipes' first guesses (``invgammp``, ``invbetai``). In those coordinates the density is
  log-concave for every shape, so both log F and log (1 - F) are concave in ``s`` and Newton
  converges from any start; steps are capped at :data:`STEP`, a point where the solved
  tail underflows to 0 moves halfway back to the last point where it did not (or
  :data:`STEP` towards the root before there is one), and a solution past
  ``|s| = LIMIT`` (x below the smallest double) stops there.

A sum that needs more than :data:`TERMS` terms (shapes far above 10^6), or a solve that has
not converged after :data:`NEWTON` steps, gives NaN.
"""
from __future__ import annotations

import numpy as np

__all__ = ["EPS", "TERMS", "NEWTON", "STEP", "TOL", "lgamma", "gammainc", "gammaincc",
           "gammaincinv", "lbeta", "betainc", "betaincinv", "gamma_pq", "beta_pq", "gamma_solve",
           "beta_solve"]

#: double precision's epsilon: where a sum or a continued fraction stops
EPS = 2.220446049250313e-16
#: the smallest magnitude Lentz's method lets a denominator take
TINY = 1e-300
#: the most terms a series or continued fraction sums before giving NaN
TERMS = 10_000
#: the most Newton steps an inverse takes before giving NaN
NEWTON = 100
#: the longest Newton step, in log x (gamma) or logit x (beta)
STEP = 8.0
#: an inverse has converged when its last step was at most TOL * max(1, |s|)
TOL = 1e-12
#: |s| at which an inverse stops: exp(-LIMIT) is 0 in double precision (the answer underflows)
LIMIT = 746.0

#: Lanczos' g = 7, n = 9 coefficients
LANCZOS_G = 7.0
LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
           -176.61502916214059, 12.507343278686905, -0.13857109526572012,
           9.9843695780195716e-6, 1.5056327351493116e-7)
HALF_LOG_2PI = 0.91893853320467274178


def _f(x):
    return np.asarray(x, dtype=float)


def lgamma(x):
    """log Gamma(x) for x > 0 (Lanczos; below 1 as log Gamma(x + 1) - log x)."""
    x = _f(x)
    with np.errstate(all="ignore"):
        small = x < 1.0
        z = np.where(small, x, x - 1.0)
        s = np.full(z.shape, LANCZOS[0])
        for i in range(1, len(LANCZOS)):
            s = s + LANCZOS[i] / (z + float(i))
        t = z + LANCZOS_G + 0.5
        out = HALF_LOG_2PI + (z + 0.5) * np.log(t) - t + np.log(s)
        return np.where(small, out - np.log(x), out)


# -- P(a, x) and Q(a, x) ---------------------------------------------------------------------
def _gamma_series(a, x):
    """sum_n x^n / (a (a + 1) ... (a + n)); NaN past TERMS terms."""
    ap = a.copy()
    d = 1.0 / a
    s = d.copy()
    live = np.ones(a.shape, dtype=bool)
    for _ in range(TERMS):
        if not live.any():
            break
        ap = np.where(live, ap + 1.0, ap)
        d = np.where(live, d * (x / ap), d)
        s = np.where(live, s + d, s)
        live &= np.abs(d) >= np.abs(s) * EPS
    return np.where(live, np.nan, s)


def _gamma_fraction(a, x):
    """Q(a, x) / prefactor by Lentz's continued fraction; NaN past TERMS terms."""
    b = x + 1.0 - a
    c = np.full(a.shape, 1.0 / TINY)
    d = 1.0 / b
    h = d.copy()
    live = np.ones(a.shape, dtype=bool)
    for i in range(1, TERMS + 1):
        if not live.any():
            break
        an = -float(i) * (float(i) - a)
        b2 = b + 2.0
        d2 = an * d + b2
        d2 = np.where(np.abs(d2) < TINY, TINY, d2)
        c2 = b2 + an / c
        c2 = np.where(np.abs(c2) < TINY, TINY, c2)
        d2 = 1.0 / d2
        de = d2 * c2
        b, d, c = np.where(live, b2, b), np.where(live, d2, d), np.where(live, c2, c)
        h = np.where(live, h * de, h)
        live &= np.abs(de - 1.0) > EPS
    return np.where(live, np.nan, h)


def gamma_pq(a, lga, x, lx):
    """``(P(a, x), Q(a, x), x^a e^-x / Gamma(a))`` with ``lga = log Gamma(a)``, ``lx = log x``
    (arrays of one shape, ``a > 0``, ``x >= 0``)."""
    with np.errstate(all="ignore"):
        pref = np.exp(a * lx - x - lga)
        ser = x < a + 1.0
        p = np.full(a.shape, np.nan)
        q = np.full(a.shape, np.nan)
        i = np.flatnonzero(ser)
        if i.size:
            p[i] = pref[i] * _gamma_series(a[i], x[i])
            q[i] = 1.0 - p[i]
        i = np.flatnonzero(~ser & (x < np.inf))
        if i.size:
            q[i] = pref[i] * _gamma_fraction(a[i], x[i])
            p[i] = 1.0 - q[i]
        top = x == np.inf
        p, q, pref = np.where(top, 1.0, p), np.where(top, 0.0, q), np.where(top, 0.0, pref)
    return p, q, pref


def _gamma_args(a, x):
    a, x = np.broadcast_arrays(_f(a), _f(x))
    a, x = a.astype(float).reshape(-1), x.astype(float).reshape(-1)
    with np.errstate(all="ignore"):
        ok = (a > 0) & (a < np.inf) & (x >= 0)
        a1, x1 = np.where(ok, a, 1.0), np.where(ok, x, 1.0)
        return ok, a1, x1, np.log(x1), lgamma(a1)


def gammainc(a, x):
    """P(a, x), the regularized lower incomplete gamma function (scipy's ``gammainc``)."""
    shape = np.broadcast(_f(a), _f(x)).shape
    ok, a1, x1, lx, lga = _gamma_args(a, x)
    p, _, _ = gamma_pq(a1, lga, x1, lx)
    return np.where(ok, p, np.nan).reshape(shape)


def gammaincc(a, x):
    """Q(a, x) = 1 - P(a, x) (scipy's ``gammaincc``)."""
    shape = np.broadcast(_f(a), _f(x)).shape
    ok, a1, x1, lx, lga = _gamma_args(a, x)
    _, q, _ = gamma_pq(a1, lga, x1, lx)
    return np.where(ok, q, np.nan).reshape(shape)


# -- I_x(a, b) -------------------------------------------------------------------------------
def _beta_fraction(a, b, x):
    """NR's ``betacf``: the continued fraction of I_x(a, b) / (prefactor / a)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones(a.shape)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < TINY, TINY, d)
    d = 1.0 / d
    h = d.copy()
    live = np.ones(a.shape, dtype=bool)
    for i in range(1, TERMS + 1):
        if not live.any():
            break
        m = float(i)
        m2 = 2.0 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d2 = 1.0 + aa * d
        d2 = np.where(np.abs(d2) < TINY, TINY, d2)
        c2 = 1.0 + aa / c
        c2 = np.where(np.abs(c2) < TINY, TINY, c2)
        d2 = 1.0 / d2
        h2 = h * (d2 * c2)
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d2 = 1.0 + aa * d2
        d2 = np.where(np.abs(d2) < TINY, TINY, d2)
        c2 = 1.0 + aa / c2
        c2 = np.where(np.abs(c2) < TINY, TINY, c2)
        d2 = 1.0 / d2
        de = d2 * c2
        h2 = h2 * de
        d, c, h = np.where(live, d2, d), np.where(live, c2, c), np.where(live, h2, h)
        live &= np.abs(de - 1.0) > EPS
    return np.where(live, np.nan, h)


def beta_pq(a, b, lbeta, x, y, lx, ly):
    """``(I_x(a, b), 1 - I_x(a, b), x^a y^b / B(a, b))`` with ``y = 1 - x`` and ``lx``, ``ly``
    their logs (given apart, so x near 1 keeps its accuracy), ``lbeta = log B(a, b)``."""
    with np.errstate(all="ignore"):
        pref = np.exp(a * lx + b * ly - lbeta)
        low = x < (a + 1.0) / (a + b + 2.0)
        i_ = np.full(a.shape, np.nan)
        j_ = np.full(a.shape, np.nan)
        k = np.flatnonzero(low)
        if k.size:
            i_[k] = pref[k] * _beta_fraction(a[k], b[k], x[k]) / a[k]
            j_[k] = 1.0 - i_[k]
        k = np.flatnonzero(~low)
        if k.size:
            j_[k] = pref[k] * _beta_fraction(b[k], a[k], y[k]) / b[k]
            i_[k] = 1.0 - j_[k]
    return i_, j_, pref


#: Stirling's series of log Gamma(x) - ((x - 1/2) log x - x + log(2 pi) / 2), in 1/x^2
STIRLING = (1.0 / 12.0, -1.0 / 360.0, 1.0 / 1260.0, -1.0 / 1680.0, 1.0 / 1188.0,
            -691.0 / 360360.0, 1.0 / 156.0)
#: from here on lbeta takes log Gamma(b) - log Gamma(a + b) from Stirling's series (the
#: terms above give it to 1e-17 there), not as the difference of two numbers near b log b
STIRLING_FROM = 10.0


def _stirling(x):
    """Stirling's correction to log Gamma(x), for x >= STIRLING_FROM."""
    r = 1.0 / (x * x)
    s = np.full(x.shape, STIRLING[-1])
    for c in STIRLING[-2::-1]:
        s = s * r + c
    return s / x


def lbeta(a, b):
    """log B(a, b) = log Gamma(a) + log Gamma(b) - log Gamma(a + b), for a, b > 0. When the
    larger, b, is past :data:`STIRLING_FROM`, log Gamma(b) - log Gamma(a + b) is
    ``c(b) - c(a + b) - a log(a + b) - (b - 1/2) log1p(a / b) + a`` (c: Stirling's
    correction), which keeps its accuracy when a is small (the inverse divides by a)."""
    a, b = _f(a), _f(b)
    with np.errstate(all="ignore"):
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        big = hi >= STIRLING_FROM
        h = np.where(big, hi, STIRLING_FROM)
        d = (_stirling(h) - _stirling(lo + h) - lo * np.log(lo + h)
             - (h - 0.5) * np.log1p(lo / h) + lo)
        return np.where(big, lgamma(lo) + d, lgamma(a) + lgamma(b) - lgamma(a + b))


_lbeta = lbeta


def betainc(a, b, x):
    """I_x(a, b), the regularized incomplete beta function (scipy's ``betainc``)."""
    shape = np.broadcast(_f(a), _f(b), _f(x)).shape
    a, b, x = (v.astype(float).reshape(-1) for v in np.broadcast_arrays(_f(a), _f(b), _f(x)))
    with np.errstate(all="ignore"):
        ok = (a > 0) & (a < np.inf) & (b > 0) & (b < np.inf) & (x >= 0) & (x <= 1)
        a, b, x = np.where(ok, a, 1.0), np.where(ok, b, 1.0), np.where(ok, x, 0.5)
        i_, _, _ = beta_pq(a, b, _lbeta(a, b), x, 1.0 - x, np.log(x), np.log1p(-x))
    return np.where(ok, i_, np.nan).reshape(shape)


# -- the inverses ----------------------------------------------------------------------------
def _normal_guess(q, r):
    """NR's rough normal quantile of min(q, r), negated below 1/2 (the sign invgammp uses)."""
    t = np.sqrt(-2.0 * np.log(np.minimum(q, r)))
    z = (2.30753 + t * 0.27061) / (1.0 + t * (0.99229 + t * 0.04481)) - t
    return np.where(q < 0.5, -z, z)


def _solve(evaluate, s, lower, target, params):
    """Newton's method on ``log V(s) = log target``, V = F (``lower``) or 1 - F, from ``s``.
    ``evaluate(s, *params)`` gives ``(F, 1 - F, dF/ds)``. NaN where it does not converge."""
    lt = np.log(target)
    sign = np.where(lower, 1.0, -1.0)
    done = np.zeros(s.shape, dtype=bool)
    s = s.copy()
    last = np.full(s.shape, np.nan)  # the last point where V was above 0
    for _ in range(NEWTON):
        i = np.flatnonzero(~done)
        if not i.size:
            break
        si, li = s[i], last[i]
        f, g, pref = evaluate(si, *(p[i] for p in params))
        v = np.where(lower[i], f, g)
        good = v > 0.0
        d = -(np.log(v) - lt[i]) * v / (sign[i] * pref)
        d = np.minimum(np.maximum(d, -STEP), STEP)
        # V underflowed (past the root, far in the tail): halfway back to the last point
        # where it did not, or a full step towards the root before there is one
        back = np.where(li == li, 0.5 * (si + li), si + sign[i] * STEP)
        new = np.where(good, si + d, back)
        new = np.minimum(np.maximum(new, -LIMIT), LIMIT)
        last[i] = np.where(good, si, li)
        s[i] = new
        done[i] = good & ((np.abs(d) <= TOL * np.maximum(1.0, np.abs(new))) | (np.abs(new) >= LIMIT))
    return np.where(done, s, np.nan)


def _gamma_at(s, a, lga):
    return gamma_pq(a, lga, np.exp(s), s)


def gamma_solve(a, lga, q, r):
    """x with P(a, x) = q (``r = 1 - q`` given apart), for q in (0, 1); arrays of one shape."""
    with np.errstate(all="ignore"):
        z = _normal_guess(q, r)
        w = 1.0 - 1.0 / (9.0 * a) - z / (3.0 * np.sqrt(a))
        big = np.log(np.maximum(a * w * w * w, 1e-3))
        t = 1.0 - a * (0.253 + a * 0.12)
        small = np.where(q < t, np.log(q / t) / a, np.log(1.0 - np.log(r / (1.0 - t))))
        s0 = np.where(a > 1.0, big, small)
        s0 = np.minimum(np.maximum(s0, -700.0), 700.0)
        lower = q <= 0.5
        s = _solve(_gamma_at, s0, lower, np.where(lower, q, r), (a, lga))
        return np.exp(s)


def gammaincinv(a, q):
    """x with P(a, x) = q (scipy's ``gammaincinv``)."""
    shape = np.broadcast(_f(a), _f(q)).shape
    a, q = (v.astype(float).reshape(-1) for v in np.broadcast_arrays(_f(a), _f(q)))
    with np.errstate(all="ignore"):
        ok = (a > 0) & (a < np.inf) & (q >= 0) & (q <= 1)
        inner = ok & (q > 0) & (q < 1)
        a1, q1 = np.where(inner, a, 1.0), np.where(inner, q, 0.5)
        x = gamma_solve(a1, lgamma(a1), q1, 1.0 - q1)
        x = np.where(q == 0, 0.0, np.where(q == 1, np.inf, x))
    return np.where(ok, x, np.nan).reshape(shape)


def _logs(s):
    """log x and log (1 - x) at x = 1 / (1 + exp(-s)), neither overflowing."""
    m = np.log1p(np.exp(-np.abs(s)))
    return np.minimum(s, 0.0) - m, np.minimum(-s, 0.0) - m


def _beta_at(s, a, b, lbeta):
    with np.errstate(all="ignore"):
        lx, ly = _logs(s)
        return beta_pq(a, b, lbeta, np.exp(lx), np.exp(ly), lx, ly)


def beta_solve(a, b, lbeta, q, r):
    """x with I_x(a, b) = q (``r = 1 - q`` given apart), for q in (0, 1)."""
    with np.errstate(all="ignore"):
        z = _normal_guess(q, r)
        al = (z * z - 3.0) / 6.0
        h = 2.0 / (1.0 / (2.0 * a - 1.0) + 1.0 / (2.0 * b - 1.0))
        w = z * np.sqrt(al + h) / h - (1.0 / (2.0 * b - 1.0) - 1.0 / (2.0 * a - 1.0)) * \
            (al + 5.0 / 6.0 - 2.0 / (3.0 * h))
        big = np.log(a) - np.log(b) - 2.0 * w
        lna, lnb = np.log(a / (a + b)), np.log(b / (a + b))
        t = np.exp(a * lna) / a
        u = np.exp(b * lnb) / b
        tot = t + u
        lx = np.log(a * tot * q) / a
        ly = np.log(b * tot * r) / b
        small = np.where(q < t / tot, lx - np.log1p(-np.exp(lx)), np.log1p(-np.exp(ly)) - ly)
        s0 = np.where((a >= 1.0) & (b >= 1.0), big, small)
        s0 = np.minimum(np.maximum(s0, -700.0), 700.0)
        lower = q <= 0.5
        s = _solve(_beta_at, s0, lower, np.where(lower, q, r), (a, b, lbeta))
        return np.exp(_logs(s)[0])


def betaincinv(a, b, q):
    """x with I_x(a, b) = q (scipy's ``betaincinv``)."""
    shape = np.broadcast(_f(a), _f(b), _f(q)).shape
    a, b, q = (v.astype(float).reshape(-1) for v in np.broadcast_arrays(_f(a), _f(b), _f(q)))
    with np.errstate(all="ignore"):
        ok = (a > 0) & (a < np.inf) & (b > 0) & (b < np.inf) & (q >= 0) & (q <= 1)
        inner = ok & (q > 0) & (q < 1)
        a1, b1, q1 = np.where(inner, a, 1.0), np.where(inner, b, 1.0), np.where(inner, q, 0.5)
        x = beta_solve(a1, b1, _lbeta(a1, b1), q1, 1.0 - q1)
        x = np.where(q == 0, 0.0, np.where(q == 1, 1.0, x))
    return np.where(ok, x, np.nan).reshape(shape)
