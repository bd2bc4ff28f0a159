"""Engineering resilience after a shock (动态平衡性): depth, recovery time, half-life.

For a series ``x(t)`` and a reference path ``x*(t)`` (a baseline run, or the
last value before the shock held constant), the displacement is
``d(t) = x(t) - x*(t)`` for ``t >= shock_time``:

* the trough is the first time of largest ``|d|`` after the shock (a peak, for a
  shock that pushes the series up); ``depth = d`` there, and the resistance is
  the relative depth ``d / x*`` at that time;
* the recovery time is ``t_r - shock_time`` with ``t_r`` the first saved time at or
  after the trough with ``|d(t)| <= fraction * |d_trough|``;
* the half-life is the same with ``fraction = 1/2``.

For ``x(t) - x* = (x0 - x*) exp(-lambda (t - shock_time))`` these are
``-ln(fraction) / lambda`` and ``ln 2 / lambda``, up to one sampling step (the
first *saved* time that meets the criterion is reported; no interpolation).
Both are measured from the shock, not from the trough; subtract
``time_of_minimum - shock_time`` for the time from the trough.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ._common import AnalysisError, as_dataarray, check_finite

__all__ = ["recovery"]


def recovery(series: Any, baseline: Any = None, *, shock_time: float, fraction: float = 0.1,
             time_dim: str = "time", times: Any = None) -> xr.Dataset:
    """Resistance, time of the trough, recovery time and half-life after a shock.

    Parameters
    ----------
    series : xarray.DataArray or array_like
        The shocked run. A DataArray has a ``time_dim`` dimension and may have any
        others (region, scenario), each treated as its own series. A numpy array
        has time on its last axis.
    baseline : xarray.DataArray or array_like, optional
        The unshocked reference path, broadcastable against ``series``. By default
        the reference is the last value strictly before ``shock_time``.
    shock_time : float
        Time at which the shock hits.
    fraction : float, default 0.1
        Recovered once the displacement is back within this fraction of its
        largest value.
    time_dim : str, default "time"
        Time dimension of a DataArray.
    times : array_like, optional
        Time of each sample of a numpy ``series`` (default ``0, 1, 2, ...``);
        a DataArray uses its ``time_dim`` coordinate.

    Returns
    -------
    xarray.Dataset
        Over every dim except time: ``depth`` (signed displacement at the trough),
        ``resistance`` (``depth / x*`` there), ``time_of_minimum``,
        ``recovery_time`` and ``half_life`` (NaN if not reached by the end of the
        run) and ``recovered`` (bool). Numpy inputs give dims ``dim_0, ...``.

    Raises
    ------
    SimsysError
        If the time dimension is missing, values are not finite, ``times`` does
        not match or is not increasing, ``fraction`` is outside (0, 1),
        ``shock_time`` is after the last time, or there is no time before the
        shock and no baseline.
    """
    if not 0 < fraction < 1:
        raise AnalysisError(f"fraction must lie in (0, 1), found {fraction!r}")
    da, _ = as_dataarray(series, time_dim, what="series")
    if times is not None and not isinstance(series, xr.DataArray):
        t = np.asarray(times, dtype=float)
        if t.shape != (da.sizes[time_dim],):
            raise AnalysisError(f"times has shape {t.shape}; the series has"
                                f" {da.sizes[time_dim]} samples")
        da = da.assign_coords({time_dim: t})
    elif time_dim not in da.coords:
        da = da.assign_coords({time_dim: np.arange(da.sizes[time_dim], dtype=float)})
    t = np.asarray(da[time_dim].values, dtype=float)
    if t.size > 1 and not (np.diff(t) > 0).all():
        raise AnalysisError(f"{time_dim!r} values must be strictly increasing")
    check_finite(da.values, "series")
    after = t >= shock_time
    if not after.any():
        raise AnalysisError(f"shock_time {shock_time!r} is after the last time {t[-1]!r}")

    if baseline is None:
        before = np.flatnonzero(t < shock_time)
        if before.size == 0:
            raise AnalysisError(f"no time before shock_time {shock_time!r} to take the"
                                " pre-shock value from; pass a baseline run")
        ref = da.isel({time_dim: before[-1]}, drop=True)
    elif isinstance(baseline, xr.DataArray):
        ref = baseline
    else:
        ref_arr = np.asarray(baseline, dtype=float)
        if ref_arr.shape != da.shape:
            raise AnalysisError(f"a numpy baseline must have the series' shape {da.shape},"
                                f" found {ref_arr.shape}")
        ref = da.copy(data=ref_arr)
    missing = [d for d in ref.dims if d not in da.dims]
    if missing:
        raise AnalysisError(f"baseline has dims {missing} that the series lacks")
    # Broadcasting aligns coordinates; mismatched times or regions surface as NaN.
    ref = ref.broadcast_like(da).transpose(*da.dims)
    check_finite(np.asarray(ref.values), "baseline (aligned on the series' coordinates)")

    rest = [d for d in da.dims if d != time_dim]
    x = da.transpose(*rest, time_dim).values[..., after]
    r = ref.transpose(*rest, time_dim).values[..., after]
    tp = t[after]
    d = x - r
    amp = np.abs(d)
    i_min = amp.argmax(axis=-1)
    d_min = np.take_along_axis(d, i_min[..., None], axis=-1)[..., 0]
    r_min = np.take_along_axis(r, i_min[..., None], axis=-1)[..., 0]
    since_trough = np.arange(tp.size) >= i_min[..., None]

    def _first_time(frac: float) -> tuple[np.ndarray, np.ndarray]:
        hit = since_trough & (amp <= frac * np.abs(d_min)[..., None])
        found = hit.any(axis=-1)
        when = np.where(found, tp[hit.argmax(axis=-1)] - shock_time, np.nan)
        return when, found

    rec, found = _first_time(fraction)
    half, _ = _first_time(0.5)
    with np.errstate(divide="ignore", invalid="ignore"):
        resistance = np.where(r_min != 0, d_min / r_min, np.nan)
    coords = {k: v for k, v in da.coords.items() if time_dim not in v.dims}
    data = {"depth": d_min, "resistance": resistance, "time_of_minimum": tp[i_min],
            "recovery_time": rec, "half_life": half, "recovered": found}
    ds = xr.Dataset({k: (rest, np.asarray(v)) for k, v in data.items()}, coords=coords)
    ds.attrs.update(shock_time=float(shock_time), fraction=float(fraction))
    return ds
