"""Vensim's functions on scalars for the numba backend, with :mod:`.runtime`'s exact semantics.

Each function here mirrors one numpy function of :mod:`.runtime` on a single scenario,
with the same operations in the same order, so a compiled run repeats the numpy run bit
for bit. The generated kernels import these names (:mod:`.numba_codegen`).
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["_xidz", "_zidz", "_quantum", "_modulo", "_ramp", "_ramp2", "_xpulse", "_xpulse_train",
           "_pulse", "_pulse_train", "_ite", "_min", "_max", "_land", "_lor", "_interp", "_extrap",
           "_holdb", "_lookf", "_u01", "_delay_order", "_pymod", "_nan", "_inf"]

SMALL = 1e-6
_nan = math.nan
_inf = math.inf

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLD = np.uint64(0x9E3779B97F4A7C15)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)

# no numba-level inlining: a big model calls these thousands of times and numba's liveness
# analysis grows with blocks x variables; LLVM still inlines them in the machine code
_jit = njit(cache=True, fastmath=False, error_model="numpy")


@_jit
def _ite(c, a, b):
    # IF THEN ELSE as a call keeps the model's function one straight block (both branches
    # are evaluated, as numpy.where does; they are pure and never raise)
    if c:
        return a
    return b


@_jit
def _min(a, b):
    # numpy's minimum: NaN in either argument propagates
    if a <= b or a != a:
        return a
    return b


@_jit
def _max(a, b):
    if a >= b or a != a:
        return a
    return b


@_jit
def _land(a, b):
    return (a != 0) and (b != 0)


@_jit
def _lor(a, b):
    return (a != 0) or (b != 0)


@_jit
def _xidz(a, b, x):
    if abs(b) < SMALL:
        return x
    return a / b


@_jit
def _zidz(a, b):
    if abs(b) < SMALL:
        return 0.0
    return a / b


@_jit
def _quantum(a, b):
    if b < SMALL:
        return a
    return b * np.trunc(a / b)


@_jit
def _modulo(x, m):
    return x - _quantum(x, m)


@_jit
def _pymod(a, b):
    # numpy's float remainder (npy_divmod): the result takes the sign of the divisor
    mod = np.fmod(a, b)
    if b == 0:
        return mod
    if mod != 0:
        if (b < 0) != (mod < 0):
            mod += b
    else:
        mod = np.copysign(0.0, b)
    return mod


@_jit
def _ramp(t, slope, start):
    return (t + SMALL > start) * slope * (t - start)


@_jit
def _ramp2(t, slope, start, finish):
    return (t + SMALL > start) * slope * (_min(finish, t) - start)


@_jit
def _xpulse(t, dt, start, magnitude):
    if (start - SMALL <= t) and (t < start + 0.5 * dt):
        return magnitude / dt
    return 0.0


@_jit
def _xpulse_train(t, dt, start, repeat, magnitude):
    if repeat == 0:
        hit = (start - SMALL <= t) and (t < start + 0.5 * dt)
    else:
        hit = (start <= t) and (_pymod(t - start + SMALL, repeat) < 0.5 * dt)
    if hit:
        return magnitude / dt
    return 0.0


@_jit
def _pulse(t, start, width):
    if (start - SMALL <= t) and (t < start + width):
        return 1.0
    return 0.0


@_jit
def _pulse_train(t, start, repeat, width, end):
    if repeat == 0:
        hit = (start - SMALL <= t) and (t < start + width)
    else:
        hit = (start <= t) and (t < end) and (_pymod(t - start + SMALL, repeat) < width)
    return 1.0 if hit else 0.0


@_jit
def _interp(x, xs, ys, off, n):
    # numpy.interp, including its NaN handling, on the table xs[off:off+n], ys[off:off+n]
    if x != x:
        return x
    if n == 1:
        return ys[off]
    last = off + n - 1
    if x > xs[last]:
        return ys[last]
    if x < xs[off]:
        return ys[off]
    if x == xs[last]:
        return ys[last]
    # find lo with xs[lo] <= x < xs[lo + 1] (xs[off] <= x < xs[last] holds here)
    lo = off
    if n <= 32:  # a short scan beats bisection on the small tables models use
        while xs[lo + 1] <= x:
            lo += 1
    else:
        hi = last
        while hi - lo > 1:
            mid = (lo + hi) >> 1
            if xs[mid] <= x:
                lo = mid
            else:
                hi = mid
    if xs[lo] == x:
        return ys[lo]
    slope = (ys[lo + 1] - ys[lo]) / (xs[lo + 1] - xs[lo])
    r = slope * (x - xs[lo]) + ys[lo]
    if r != r:
        r = slope * (x - xs[lo + 1]) + ys[lo + 1]
        if r != r and ys[lo] == ys[lo + 1]:
            r = ys[lo]
    return r


@_jit
def _extrap(x, xs, ys, off, n):
    if n > 1:
        last = off + n - 1
        if x < xs[off]:
            return ys[off] + (x - xs[off]) * (ys[off + 1] - ys[off]) / (xs[off + 1] - xs[off])
        if x > xs[last]:
            return ys[last] + (x - xs[last]) * (ys[last] - ys[last - 1]) / (xs[last] - xs[last - 1])
    return _interp(x, xs, ys, off, n)


@_jit
def _lookf(x, xs, ys, off, n):
    # the value at the first point at or after x (numpy sorts NaN after everything)
    if x != x:
        return ys[off + n - 1]
    i = 0
    while i < n - 1 and xs[off + i] < x:
        i += 1
    return ys[off + i]


@_jit
def _holdb(x, xs, ys, off, n):
    # the value at the last point at or before x (numpy sorts NaN after everything)
    if x != x:
        return ys[off + n - 1]
    i = 0
    while i < n and xs[off + i] <= x:
        i += 1
    i -= 1
    if i < 0:
        i = 0
    return ys[off + i]


@_jit
def _mix(x):
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


@_jit
def _u01(key, site, k):
    # runtime._u01 with j = 0, on one scenario key
    x = key ^ _mix(np.uint64(site) * _GOLD + np.uint64(k) * _M1 + _GOLD)
    bits = _mix(x) >> _S11
    return (np.float64(bits) + 0.5) * (1.0 / 9007199254740992.0)


@_jit
def _delay_order(delay, dt):
    r = np.rint(delay / dt + 1e-6)
    if not (r >= 1.0):
        return 1
    return np.int64(r)
