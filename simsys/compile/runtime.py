"""Vensim's functions over a scenario axis, with PySD's exact semantics.

Generated code calls only these and numpy. Every function works elementwise
on floats or arrays shaped ``(batch,)``.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from ..functions import allocation, distributions, lookup_density
from ..functions.vectors import invert_matrix

SMALL = 1e-6

__all__ = ["NAMESPACE", "scenario_keys"]


def _xidz(a, b, x):
    return np.where(np.abs(b) < SMALL, x, np.divide(a, b))


def _zidz(a, b):
    return np.where(np.abs(b) < SMALL, 0.0, np.divide(a, b))


def _quantum(a, b):
    return np.where(b < SMALL, a, b * np.trunc(a / b))


def _modulo(x, m):
    return x - _quantum(x, m)


def _ramp(t, slope, start, finish=None):
    final = t if finish is None else np.minimum(finish, t)
    return (t + SMALL > start) * slope * (final - start)


def _xpulse(t, dt, start, magnitude):
    # XMILE PULSE: magnitude/dt during one half time step from start
    return np.where((start - SMALL <= t) & (t < start + 0.5 * dt), magnitude / dt, 0.0)


def _xpulse_train(t, dt, start, repeat, magnitude):
    hit = (start <= t) & (np.mod(t - start + SMALL, np.where(repeat == 0, 1.0, repeat)) < 0.5 * dt)
    single = (start - SMALL <= t) & (t < start + 0.5 * dt)
    return np.where(np.where(repeat == 0, single, hit), magnitude / dt, 0.0)


def _pulse(t, start, width):
    return np.where((start - SMALL <= t) & (t < start + width), 1.0, 0.0)


def _pulse_train(t, start, repeat, width, end):
    single = (start - SMALL <= t) & (t < start + width)
    safe = np.where(repeat == 0, 1.0, repeat)
    train = (start <= t) & (t < end) & (np.mod(t - start + SMALL, safe) < width)
    return np.where(repeat == 0, single, train) * 1.0


#: :RAW: data: a listed time counts as reached when the step time is this close to it
#: (relative, at least 1), so TIME STEP's rounding (0.1 + 0.1 + 0.1 != 0.3) does not hide a
#: point; PySD compares exactly. The C runtime uses the same rule (``ss_raw``).
RAW_MATCH = 1e-9


def _raw(x, xs, ys):
    """The listed value where ``x`` is a listed time, NaN elsewhere (a gap in :RAW: data)."""
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, np.nan)
    i = np.searchsorted(xs, x)
    for j in (np.minimum(i, xs.size - 1), np.maximum(i - 1, 0)):  # lower candidate wins: last
        near = np.abs(x - xs[j]) <= RAW_MATCH * np.maximum(1.0, np.abs(xs[j]))
        out = np.where(near, ys[j], out)
    return out if out.ndim else float(out)


#: GET DATA BETWEEN TIMES' three readings of a data variable (table modes; c_runtime: ss_between)
BETWEEN = ("between_forward", "between_backward", "between_interpolate")


def _between(x, xs, ys, mode):
    """GET DATA BETWEEN TIMES as SDEverywhere 0.7.28 computes it (``__get_data_between_times``).

    forward: the first point at or after ``floor(x)``, else the last; backward: the point
    before the first point (from the second on) at or after ``floor(x)``, else the
    next-to-last; interpolate: linear on the first segment (from the second point on) whose
    end is at or after ``x`` (so the first segment extended before the data), else the
    last value. The arithmetic is SDEverywhere's, in its order, so the C kernel gives the
    same bits.
    """
    x = np.asarray(x, dtype=float)
    n = xs.size
    if mode == "between_forward":
        i = np.searchsorted(xs, np.floor(x), side="left")
        out = ys[np.minimum(i, n - 1)]
    elif n == 1:
        out = np.broadcast_to(ys[0], x.shape).copy()
    elif mode == "between_backward":
        i = np.searchsorted(xs[1:], np.floor(x), side="left") + 1
        out = ys[np.where(i < n, i - 1, n - 2)]
    else:
        i = np.searchsorted(xs[1:], x, side="left") + 1
        j = np.minimum(i, n - 1)
        x0, y0 = xs[j - 1], ys[j - 1]
        line = y0 + ((ys[j] - y0) / (xs[j] - x0)) * (x - x0)
        out = np.where(i < n, line, ys[n - 1])
    return out if out.ndim else float(out)


def _lookup(x, table):
    xs, ys, mode = table
    if mode == "raw":
        return _raw(x, xs, ys)
    if mode in BETWEEN:
        return _between(x, xs, ys, mode)
    if mode == "interpolate":
        return np.interp(x, xs, ys)
    if mode == "extrapolate":
        out = np.interp(x, xs, ys)
        if xs.size > 1:
            lo = ys[0] + (x - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0])
            hi = ys[-1] + (x - xs[-1]) * (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
            out = np.where(x < xs[0], lo, np.where(x > xs[-1], hi, out))
        return out
    if mode == "look_forward":
        # LOOKUP FORWARD, :LOOK FORWARD:: the value at the first point at or after x
        return ys[np.clip(np.searchsorted(xs, x, side="left"), 0, xs.size - 1)]
    # hold_backward: the value at the last point at or before x
    idx = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, xs.size - 1)
    return ys[idx]


def _matinv(entries, n, pos):
    """Entry ``pos`` (row-major, an int, or an index array or slice) of the inverse of the ``n`` x ``n``
    matrix whose entries are ``entries`` (row-major, each a value over the batch).

    An index array gives one row per position (the grouped generator's lanes): the matrix is
    inverted once for all of them. A singular or non-finite matrix gives NaN.
    """
    e = np.broadcast_arrays(*[np.asarray(x, dtype=float) for x in entries])
    mat = np.stack(e, axis=-1).reshape(e[0].shape + (n, n))
    inv = invert_matrix(mat).reshape(e[0].shape + (n * n,))
    if isinstance(pos, (int, np.integer)):
        return inv[..., pos]
    out = inv[..., pos]
    return np.moveaxis(out, -1, 0) if out.ndim > 1 else out[:, None]


# -- counter-based random numbers -----------------------------------------------------------
# A draw depends only on (scenario key, call site, step number): the same seed gives the
# same numbers whatever the batch size, chunking or the scenario's position in a batch.
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)


def _mix(x):
    x = np.asarray(x, dtype=np.uint64)
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(30))) * _M1
        x = (x ^ (x >> np.uint64(27))) * _M2
        return x ^ (x >> np.uint64(31))


def scenario_keys(seed: int, index) -> np.ndarray:
    """One 64-bit key per scenario from the root seed and the scenario's global index."""
    idx = np.asarray(index, dtype=np.uint64)
    with np.errstate(over="ignore"):
        return _mix(_mix(np.uint64(seed & 0xFFFFFFFFFFFFFFFF) + _GOLD) ^ _mix(idx * _GOLD + np.uint64(1)))


def _u01(keys, site, k, j=0):
    with np.errstate(over="ignore"):
        x = keys ^ _mix(np.uint64(site) * _GOLD + np.uint64(k) * _M1 + np.uint64(j) * _M2 + _GOLD)
    bits = _mix(x) >> np.uint64(11)
    return (bits.astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


def _random_uniform(keys, k, site, lo, hi, seed=None):
    return lo + (hi - lo) * _u01(keys, site, k)


def _random_0_1(keys, k, site):
    return _u01(keys, site, k)


def _random_normal(keys, k, site, lo, hi, mean, sd, seed=None):
    # inverse-CDF truncated normal: the same distribution PySD samples with truncnorm
    sd = np.where(sd > 0, sd, 1.0)
    a = special.ndtr((lo - mean) / sd)
    b = special.ndtr((hi - mean) / sd)
    u = _u01(keys, site, k)
    z = special.ndtri(a + u * (b - a))
    return np.clip(mean + sd * z, lo, hi)


# -- RANDOM TRIANGULAR, WEIBULL, GAMMA, BETA, POISSON, BINOMIAL, NEGATIVE BINOMIAL, LOOKUP ----
# one uniform per (site, step), mapped by simsys.functions.distributions' inverse CDFs
def _random_triangular(keys, k, site, lo, hi, start, peak, end, seed=None):
    return distributions.random_triangular(_u01(keys, site, k), lo, hi, start, peak, end)


def _random_weibull(keys, k, site, lo, hi, shape, shift, stretch, seed=None):
    return distributions.random_weibull(_u01(keys, site, k), lo, hi, shape, shift, stretch)


def _random_gamma(keys, k, site, lo, hi, shape, shift, stretch, seed=None):
    return distributions.random_gamma(_u01(keys, site, k), lo, hi, shape, shift, stretch)


def _random_beta(keys, k, site, lo, hi, alpha, beta, shift, stretch, seed=None):
    return distributions.random_beta(_u01(keys, site, k), lo, hi, alpha, beta, shift, stretch)


def _random_lookup(keys, k, site, table, lo, hi, seed=None):
    return lookup_density.random_lookup(_u01(keys, site, k), lo, hi, table[0], table[1])


def _random_poisson(keys, k, site, lo, hi, mean, shift, stretch, seed=None):
    return distributions.random_poisson(_u01(keys, site, k), lo, hi, mean, shift, stretch)


def _random_binomial(keys, k, site, lo, hi, prob, count, shift, stretch, seed=None):
    return distributions.random_binomial(_u01(keys, site, k), lo, hi, prob, count, shift, stretch)


def _random_negative_binomial(keys, k, site, lo, hi, prob, count, shift, stretch, seed=None):
    return distributions.random_negative_binomial(_u01(keys, site, k), lo, hi, prob, count,
                                                  shift, stretch)


# -- allocation: one cell of the vector ---------------------------------------------------------
def _pick(k, args, kernel, rows=None):
    """Cell ``k`` of ``kernel(*args)``, the vector along the last axis. The lowered cells of
    one element share their arguments and differ in ``k`` (a column when grouped), so the
    kernel runs once on the arguments' shape and each lane reads its own cell; ``rows``
    (grouped code) maps each lane to its row of distinct arguments (the leading axis)."""
    out = kernel(*args)
    if rows is not None:
        out = out[rows]  # the distinct rows differ, so the leading axis is theirs
    k = np.asarray(k)
    shape = np.broadcast_shapes(out.shape[:-1], k.shape)
    full = np.broadcast_to(out, shape + out.shape[-1:])
    idx = np.broadcast_to(k.astype(np.intp), shape)[..., None]
    got = np.take_along_axis(full, idx, axis=-1)[..., 0]
    return got if got.ndim else float(got)


def _stack(cells):
    """Cells of a vector (floats or arrays over the batch) as one array, vector axis last."""
    return np.stack(np.broadcast_arrays(*[np.asarray(c, dtype=float) for c in cells]), axis=-1)


def _allocate_available(k, request, profile, avail, rows=None):
    n = len(request)
    pp = _stack(profile)  # [..., 4n]: type, priority, width, extra of each target in turn
    pp = pp.reshape(pp.shape[:-1] + (n, 4))
    return _pick(k, (_stack(request), pp, avail), allocation.allocate_available, rows)


def _allocate_by_priority(k, request, priority, width, supply, rows=None):
    return _pick(k, (_stack(request), _stack(priority), width, supply),
                 allocation.allocate_by_priority, rows)


def _random_exponential(keys, k, site, lo, hi, shift, stretch, seed=None):
    # PySD: truncexpon.rvs(xidz(hi - max(lo, shift), stretch, inf), loc=max(lo, shift),
    # scale=stretch), drawn by the inverse CDF scipy's truncexpon uses
    loc = np.maximum(lo, shift)
    b = _xidz(hi - loc, stretch, np.inf)
    u = _u01(keys, site, k)
    return loc + stretch * -np.log1p(u * np.expm1(-b))


# -- helpers of the grouped (vectorised) generator ------------------------------------------
def _buf(n, keys):
    """Scratch rows for ``n`` auxiliaries over the batch (one column per scenario key)."""
    return np.empty((n, keys.shape[0]))


def _fold(ufunc, x):
    """``x[0] (op) x[1] (op) ...`` left to right, as the per-cell chain ``a + b + c`` computes
    it (``np.sum`` may pair terms, so its bits can differ). Few values per term (one
    scenario): one ``accumulate`` along a contiguous axis, which adds in order; many: a loop
    over the terms, each step vectorised over the batch.
    """
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    n = x.shape[0]
    rest = x.size // n if n else 0
    if rest <= _FOLD_SMALL:
        flat = x.reshape(n, rest).T.copy()
        return ufunc.accumulate(flat, axis=1, dtype=flat.dtype)[:, -1].reshape(x.shape[1:])
    acc = x[0]
    for i in range(1, n):
        acc = ufunc(acc, x[i])
    return acc


#: up to this many values per term, :func:`_fold` accumulates in one call (measured: faster
#: below ~200 values, slower above, where the loop's Python overhead is amortised)
_FOLD_SMALL = 128


def _sum(x):
    return _fold(np.add, x)


def _prod(x):
    return _fold(np.multiply, x)


def _vmin(x):
    return _fold(np.minimum, x)


def _vmax(x):
    return _fold(np.maximum, x)


NAMESPACE = {
    "_buf": _buf, "_sum": _sum, "_prod": _prod, "_vmin": _vmin, "_vmax": _vmax,
    "_np": np, "_xidz": _xidz, "_zidz": _zidz, "_quantum": _quantum, "_modulo": _modulo,
    "_ramp": _ramp, "_xpulse": _xpulse, "_xpulse_train": _xpulse_train, "_pulse": _pulse, "_pulse_train": _pulse_train, "_lookup": _lookup,
    "_random_uniform": _random_uniform, "_random_normal": _random_normal,
    "_random_0_1": _random_0_1,
    "_random_exponential": _random_exponential, "_random_triangular": _random_triangular,
    "_random_weibull": _random_weibull, "_random_poisson": _random_poisson,
    "_random_binomial": _random_binomial, "_random_negative_binomial": _random_negative_binomial,
    "_random_gamma": _random_gamma, "_random_beta": _random_beta, "_random_lookup": _random_lookup,
    "_matinv": _matinv, "_inf": np.inf, "_nan": np.nan,
    "_allocate_available": _allocate_available, "_allocate_by_priority": _allocate_by_priority,
}
