"""Percentile bands over the scenarios of a sweep."""
from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence

import numpy as np
import xarray as xr

from ..wording import count
from ._common import PlotError, check_dims, legend_outside, new_axes, quantity_label, \
    readable_numbers, select_variable, years
from .style import PALETTE, font_context, resolve_lang, text


__all__ = ["fan_chart"]

log = logging.getLogger(__name__)


def fan_chart(ds: xr.Dataset | xr.DataArray, variable: str | None = None, *,
              percentiles: Sequence[float] = (5, 25, 50, 75, 95), region=None,
              ax=None, color: str = PALETTE[0], lang: str = "en"):
    """Plot percentile bands of a variable across the scenarios of a sweep.

    The outermost pair of percentiles is the lightest band, inner pairs are
    darker, and an unpaired middle percentile (the median) is a line.
    Scenarios that failed (NaN after their fail time) are left out of the
    percentiles from that time on.

    Parameters
    ----------
    ds : xarray.Dataset or xarray.DataArray
        A sweep: dims ``("scenario", "time")`` plus at most one more (regions).
    variable : str, optional
        Variable to plot; may be omitted for a DataArray.
    percentiles : sequence of float, default (5, 25, 50, 75, 95)
        Values in [0, 100]; paired from the outside in.
    region : optional
        The element of the extra dimension to plot, if the variable has one.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is made if None.
    color : str
        Colour of the bands and the median line.
    lang : {"en", "zh"}, default "en"
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    PlotError
        Unknown variable, no ``scenario`` dimension, a variable with an extra
        dimension but no (or an unknown) ``region``, or percentiles outside
        [0, 100].
    """
    lang = resolve_lang(lang)
    da = select_variable(ds, variable, what="the sweep")
    if "scenario" not in da.dims:
        raise PlotError(f"fan_chart needs a 'scenario' dimension, found dims {tuple(da.dims)}; "
                        "use trajectories for a single run", variable=_str(da.name))
    da = _select_region(da, region)
    check_dims(da, ("scenario", "time"))
    pcts = _check_percentiles(percentiles)

    values = da.transpose("scenario", "time").values.astype(float)
    n_scen = values.shape[0]
    failed = int(np.any(~np.isfinite(values), axis=1).sum())
    if failed:
        log.warning("%s: %d of %s %s NaN/Inf values; left out where missing",
                    da.name, failed, count(n_scen, "scenario"), "has" if failed == 1 else "have")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns stay NaN
        q = np.nanpercentile(values, pcts, axis=0)

    t = years(da)
    with font_context(lang):
        ax = new_axes(ax, figsize=(8.0, 4.0))
        n_pairs = len(pcts) // 2
        for i in range(n_pairs):
            alpha = 0.18 + 0.27 * i / max(n_pairs - 1, 1)
            ax.fill_between(t, q[i], q[-1 - i], color=color, alpha=alpha, lw=0,
                            label=text("percentile_band", lang, lo=pcts[i], hi=pcts[-1 - i]))
        if len(pcts) % 2:
            mid = pcts[n_pairs]
            label = text("median", lang) if mid == 50 else f"{mid:g}th percentile"
            ax.plot(t, q[n_pairs], color=color, lw=2.2, label=label)
        ax.set_xlabel(text("year", lang))
        ax.set_ylabel(quantity_label(da, width=32))
        if region is not None:
            ax.set_title(f"{da.name} — {region}" if da.name else str(region))
        ax.margins(x=0.01)
        ax.grid(True, color="0.9", lw=0.8)
        ax.set_axisbelow(True)
        readable_numbers(ax)
        legend_outside(ax, title=text("scenario" if n_scen == 1 else "scenarios", lang, n=n_scen))
    return ax


def _str(x) -> str | None:
    return None if x is None else str(x)


def _select_region(da: xr.DataArray, region) -> xr.DataArray:
    extra = [d for d in da.dims if d not in ("scenario", "time")]
    if not extra:
        if region is not None:
            raise PlotError(f"region={region!r} given but the variable has dims "
                            f"{tuple(da.dims)} (no region dimension)", variable=_str(da.name))
        return da
    if len(extra) > 1:
        raise PlotError(f"expected at most one dimension besides scenario and time, found "
                        f"{tuple(extra)}; select all but one first", variable=_str(da.name))
    dim = extra[0]
    elements = [str(e) for e in da[dim].values] if dim in da.coords else []
    if region is None or (elements and str(region) not in elements):
        what = "no region given" if region is None else f"unknown region {region!r}"
        raise PlotError(f"{what}; the variable has dimension {dim!r}, pass region= one of "
                        f"{elements}", variable=_str(da.name))
    return da.sel({dim: region})


def _check_percentiles(percentiles: Sequence[float]) -> list[float]:
    try:
        pcts = sorted(float(p) for p in percentiles)
    except (TypeError, ValueError):
        raise PlotError(f"percentiles must be numbers, found {percentiles!r}") from None
    if not pcts or pcts[0] < 0 or pcts[-1] > 100:
        raise PlotError(f"percentiles must be values in [0, 100], found {list(percentiles)}")
    return pcts
