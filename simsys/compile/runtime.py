"""Vensim's functions over a scenario axis, with PySD's exact semantics.

Generated code calls only these and numpy. Every function works elementwise
on floats or arrays shaped ``(batch,)``.
"""
from __future__ import annotations

import numpy as np
from scipy import special

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


def _lookup(x, table):
    xs, ys, mode = table
    if mode == "raw":
        return _raw(x, xs, ys)
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


# -- helpers of the grouped (vectorised) generator ------------------------------------------
def _buf(n, keys):
    """Scratch rows for ``n`` auxiliaries over the batch (one column per scenario key)."""
    return np.empty((n, keys.shape[0]))


def _sum(x):
    # left to right, as the per-cell chain ``a + b + c`` (numpy's sum may pair terms)
    acc = x[0]
    for i in range(1, len(x)):
        acc = acc + x[i]
    return acc


def _prod(x):
    acc = x[0]
    for i in range(1, len(x)):
        acc = acc * x[i]
    return acc


def _vmin(x):
    acc = x[0]
    for i in range(1, len(x)):
        acc = np.minimum(acc, x[i])
    return acc


def _vmax(x):
    acc = x[0]
    for i in range(1, len(x)):
        acc = np.maximum(acc, x[i])
    return acc


NAMESPACE = {
    "_buf": _buf, "_sum": _sum, "_prod": _prod, "_vmin": _vmin, "_vmax": _vmax,
    "_np": np, "_xidz": _xidz, "_zidz": _zidz, "_quantum": _quantum, "_modulo": _modulo,
    "_ramp": _ramp, "_xpulse": _xpulse, "_xpulse_train": _xpulse_train, "_pulse": _pulse, "_pulse_train": _pulse_train, "_lookup": _lookup,
    "_random_uniform": _random_uniform, "_random_normal": _random_normal,
    "_random_0_1": _random_0_1, "_inf": np.inf, "_nan": np.nan,
}
