"""Time series and lookup interpolation modes, as PySD's ``Data`` and ``Lookups`` apply them.

A data variable is a table of times ``t[k]`` (strictly increasing) and values
``v[batch, k, ...]`` (the time axis second). At time ``x``:

- on a listed time, every mode gives that value;
- ``"interpolate"`` (Vensim's default and ``:INTERPOLATE:``): linear between neighbours;
- ``"hold_backward"`` (``:HOLD BACKWARD:``): the value at the last time at or before ``x``;
- ``"look_forward"`` (``:LOOK FORWARD:``): the value at the first time at or after ``x``;
- ``"raw"`` (``:RAW:``): NaN between listed times;
- before the first / after the last time: the first / last value (no extrapolation),
  except ``"raw"``, which is NaN there too.

``GET DATA AT TIME(var, x)`` is :func:`data_at_time` with the variable's own mode.
LOOKUP FORWARD / BACKWARD are :func:`lookup_hold` with ``"look_forward"`` / ``"hold_backward"``.
"""
from __future__ import annotations

import numpy as np

__all__ = ["data_at_time", "lookup_hold", "MODES"]

MODES = ("interpolate", "hold_backward", "look_forward", "raw")


def data_at_time(times, values, x, mode: str = "interpolate") -> np.ndarray:
    """Value of the series at ``x`` (a scalar, or one per batch member), shape ``values[:, 0]``."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, found {mode!r}")
    t = np.asarray(times, dtype=float)
    v = np.asarray(values, dtype=float)
    batch = v.shape[0]
    xs = np.broadcast_to(np.asarray(x, dtype=float), (batch,))
    n = len(t)
    hi = np.clip(np.searchsorted(t, xs, side="left"), 0, n - 1)   # first t >= x
    lo = np.clip(np.searchsorted(t, xs, side="right") - 1, 0, n - 1)  # last t <= x
    rows = np.arange(batch)
    exact = t[hi] == xs
    below, above = xs < t[0], xs > t[-1]
    if mode == "hold_backward":
        out = v[rows, lo]
    elif mode == "look_forward":
        out = v[rows, hi]
    elif mode == "raw":
        out = np.where(_expand(exact, v), v[rows, hi], np.nan)
        return out
    else:
        span = _expand(np.where(t[hi] > t[lo], t[hi] - t[lo], 1.0), v)
        dx = _expand(xs - t[lo], v)
        # numpy's interp formula (slope times offset), which PySD's xarray interp matches
        out = v[rows, lo] + (v[rows, hi] - v[rows, lo]) / span * dx
        out = np.where(_expand(exact, v), v[rows, hi], out)
    out = np.where(_expand(below, v), v[:, 0], out)
    return np.where(_expand(above, v), v[:, -1], out)


def lookup_hold(xs, ys, x, mode: str) -> np.ndarray:
    """A lookup table ``(xs, ys)`` (``ys`` per batch member: ``[batch, k]``) held between points.

    ``mode`` is ``"hold_backward"`` (LOOKUP BACKWARD) or ``"look_forward"`` (LOOKUP FORWARD).
    """
    if mode not in ("hold_backward", "look_forward"):
        raise ValueError(f"mode must be 'hold_backward' or 'look_forward', found {mode!r}")
    return data_at_time(xs, ys, x, mode)


def _expand(mask, v):
    return np.asarray(mask).reshape(mask.shape + (1,) * (v.ndim - 2))
