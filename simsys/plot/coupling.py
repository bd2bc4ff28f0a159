"""Coupling coordination degree over time against its ten named bands."""
from __future__ import annotations

import math

import numpy as np
import xarray as xr

from ._common import PlotError, check_dims, dim_label, new_axes, regional_dim, select_variable, years
from .style import font_context, resolve_lang, series_colors, text

__all__ = ["COUPLING_BANDS", "coupling_chart"]

#: (lower, upper, English name, Chinese name); a value D is in a band when lower < D <= upper.
COUPLING_BANDS: tuple[tuple[float, float, str, str], ...] = (
    (0.0, 0.1, "extreme disorder", "极度失调"),
    (0.1, 0.2, "severe disorder", "严重失调"),
    (0.2, 0.3, "moderate disorder", "中度失调"),
    (0.3, 0.4, "mild disorder", "轻度失调"),
    (0.4, 0.5, "near disorder", "濒临失调"),
    (0.5, 0.6, "barely coordinated", "勉强协调"),
    (0.6, 0.7, "primary coordination", "初级协调"),
    (0.7, 0.8, "intermediate coordination", "中级协调"),
    (0.8, 0.9, "good coordination", "良好协调"),
    (0.9, 1.0, "high-quality coordination", "优质协调"),
)

# Warm (disorder) to cool (coordinated), pale enough for lines to stay readable on top.
_BAND_CMAP = "RdYlGn"
_BAND_ALPHA = 0.38


def coupling_chart(D: xr.DataArray | xr.Dataset, *, variable: str | None = None,
                   dim: str | None = None, ax=None, full_range: bool = False, lang: str = "en"):
    """Plot the coupling coordination degree over time with its bands shaded.

    The ten bands (extreme disorder ... high-quality coordination) are shaded
    horizontally and named in the right margin; the region legend goes below
    the axes so that neither covers the lines.

    Parameters
    ----------
    D : xarray.DataArray or xarray.Dataset
        Values in [0, 1] with dims ``("time",)`` or ``("time", dim)``.
    variable : str, optional
        Variable to take from a Dataset.
    dim : str, optional
        The dimension drawn as separate lines (default: the values' one dimension
        besides time, e.g. the model's "Province").
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is made if None.
    full_range : bool, default False
        Show all of [0, 1]; otherwise only the bands the data reach.
    lang : {"en", "zh"}, default "en"
        Language of the band names and labels ("zh" needs a CJK font).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    PlotError
        Unknown variable, extra dimensions, or values outside [0, 1].
    """
    lang = resolve_lang(lang)
    da = select_variable(D, variable, what="D")
    dim = regional_dim([da], dim)
    check_dims(da, ("time", dim), hint="for a sweep select one scenario first")
    vals = np.asarray(da.values, dtype=float)
    finite = vals[np.isfinite(vals)]
    if finite.size and (finite.min() < -1e-9 or finite.max() > 1 + 1e-9):
        raise PlotError(f"coupling coordination degree must lie in [0, 1], found values from "
                        f"{finite.min():.4g} to {finite.max():.4g}",
                        variable=None if da.name is None else str(da.name))
    lo, hi = (0.0, 1.0) if full_range or not finite.size else _visible_range(finite)

    import matplotlib

    cmap = matplotlib.colormaps[_BAND_CMAP]
    t = years(da)
    with font_context(lang):
        ax = new_axes(ax, figsize=(8.0, 4.8))
        # Band names sit just right of the axes, in axes x / data y coordinates.
        label_transform = ax.get_yaxis_transform()
        for i, (b_lo, b_hi, en, zh) in enumerate(COUPLING_BANDS):
            ax.axhspan(b_lo, b_hi, color=cmap(0.05 + 0.9 * i / 9), alpha=_BAND_ALPHA, lw=0,
                       zorder=0)
            if b_hi <= lo + 1e-9 or b_lo >= hi - 1e-9:
                continue
            ax.text(1.01, (b_lo + b_hi) / 2,
                    f"{zh if lang == 'zh' else en} ({b_lo:.1f}–{b_hi:.1f}]",
                    transform=label_transform, va="center", ha="left", fontsize=8.5,
                    color="0.2", clip_on=False)
        for edge in np.arange(1, 10) / 10:
            ax.axhline(edge, color="white", lw=0.8, zorder=0.5)
        if dim in da.dims:
            elements = list(da[dim].values)
            colors = series_colors(elements)
            for element in elements:
                ax.plot(t, da.sel({dim: element}).values, color=colors[element], lw=1.8,
                        label=str(element), zorder=2)
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=min(len(elements), 6),
                      frameon=False, title=dim_label(dim, lang))
        else:
            ax.plot(t, vals, color="black", lw=2.0, zorder=2)
        ax.set_ylim(lo, hi)
        ax.set_yticks(np.round(np.arange(lo, hi + 1e-9, 0.1), 1))
        ax.margins(x=0.01)
        ax.set_xlabel(text("year", lang))
        ax.set_ylabel(text("coupling_degree", lang))
        if not ax.get_title():
            ax.set_title(text("coupling_degree", lang))
    return ax


def _visible_range(finite: np.ndarray) -> tuple[float, float]:
    """The band edges just around the data, at least two bands tall."""
    lo = max(0.0, math.floor(finite.min() * 10 - 1e-9) / 10)
    hi = min(1.0, math.ceil(finite.max() * 10 + 1e-9) / 10)
    if hi - lo < 0.2 - 1e-9:
        hi = min(1.0, lo + 0.2)
        lo = max(0.0, hi - 0.2)
    return lo, hi
