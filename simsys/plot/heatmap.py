"""Region (province, ...) x time heat map of one variable."""
from __future__ import annotations

import numpy as np
import xarray as xr

from ._common import PlotError, check_dims, dim_label, new_axes, quantity_label, regional_dim, \
    select_variable, years
from .style import font_context, resolve_lang, text

__all__ = ["heatmap"]


def heatmap(ds_or_da: xr.Dataset | xr.DataArray, variable: str | None = None, *,
            dim: str | None = None, ax=None, cmap: str = "viridis", lang: str = "en"):
    """Plot a variable as a heat map: one row per element of ``dim``, time across.

    Parameters
    ----------
    ds_or_da : xarray.Dataset or xarray.DataArray
        One run with dims ``("time", dim)``.
    variable : str, optional
        Variable to plot (needed for a Dataset with several variables).
    dim : str, optional
        Dimension on the y axis, in coordinate order from the top (default: the
        variable's one dimension besides time, e.g. the model's "Province").
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is made if None.
    cmap : str, default "viridis"
        Matplotlib colour map.
    lang : {"en", "zh"}, default "en"
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes
        The heat map axes (the colour bar, labelled with the units, is beside it).

    Raises
    ------
    PlotError
        Unknown variable, missing ``dim``, or extra dimensions (e.g. ``scenario``).
    """
    lang = resolve_lang(lang)
    da = select_variable(ds_or_da, variable, what="the data")
    named, dim = dim, regional_dim([da], dim)
    if named is None and dim not in da.dims:
        raise PlotError(f"a heat map needs one dimension besides time (the regions, e.g."
                        f" Province); found dims {tuple(da.dims)}", variable=_str(da.name))
    if dim not in da.dims:
        raise PlotError(f"expected a {dim!r} dimension, found dims {tuple(da.dims)}; "
                        "pass dim= the dimension to put on the y axis", variable=_str(da.name))
    check_dims(da, ("time", dim), hint="for a sweep select one scenario or a statistic")
    da = da.transpose(dim, "time")
    t = years(da).astype(float)
    rows = [str(e) for e in da[dim].values] if dim in da.coords else \
        [str(i) for i in range(da.sizes[dim])]

    with font_context(lang):
        ax = new_axes(ax, figsize=(8.0, max(2.4, 0.45 * len(rows) + 1.4)))
        mesh = ax.pcolormesh(_edges(t), np.arange(len(rows) + 1), da.values, cmap=cmap,
                             shading="flat")
        ax.set_yticks(np.arange(len(rows)) + 0.5, rows)
        ax.invert_yaxis()  # first element at the top, as in the coordinate
        ax.set_xlabel(text("year", lang))
        ax.set_ylabel(dim_label(dim, lang))
        if da.name is not None:
            ax.set_title(str(da.name))
        cbar = ax.figure.colorbar(mesh, ax=ax, pad=0.02)
        cbar.set_label(quantity_label(da, width=30))
    return ax


def _str(x) -> str | None:
    return None if x is None else str(x)


def _edges(t: np.ndarray) -> np.ndarray:
    """Cell edges halfway between time points, so each cell is centred on its time."""
    if t.size == 1:
        return np.array([t[0] - 0.5, t[0] + 0.5])
    mid = (t[1:] + t[:-1]) / 2
    return np.concatenate([[t[0] - (mid[0] - t[0])], mid, [t[-1] + (t[-1] - mid[-1])]])
