"""Lines over time, one per region (province, ...), for one run."""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import xarray as xr

from ._common import PlotError, check_dims, dim_label, figure_title, legend_outside, new_axes, \
    quantity_label, readable_numbers, regional_dim, select_variable, years
from .style import font_context, resolve_lang, series_colors, text

__all__ = ["trajectories"]

log = logging.getLogger(__name__)

_TOTALS = (None, "sum", "mean")


def trajectories(ds: xr.Dataset | xr.DataArray, variables: str | Sequence[str], *,
                 dim: str | None = None, ax=None, title: str | None = None,
                 total: str | None = None, lang: str = "en",
                 reference: xr.Dataset | None = None, reference_label: str = "reference",
                 label: str | None = None, observed: Mapping[str, Any] | None = None):
    """Plot variables over time, one line per element of ``dim``.

    Parameters
    ----------
    ds : xarray.Dataset or xarray.DataArray
        One run: dims ``("time",)`` or ``("time", dim)``; variables carry a
        ``units`` attribute.
    variables : str or sequence of str
        A name gives one Axes; a list gives a Figure with one panel per name,
        stacked and sharing the time axis, with one legend for all panels.
    dim : str, optional
        The dimension drawn as separate lines (default: the variables' one
        dimension besides time, e.g. the model's "Province").
    ax : matplotlib.axes.Axes, optional
        Axes to draw one variable into; a new figure is made if None.
    title : str, optional
        Axes title (one variable) or figure title (several).
    total : {None, "sum", "mean"}, default None
        Add a bold black line with the sum or the mean over ``dim``.
    lang : {"en", "zh"}, default "en"
        Language of the axis and legend labels ("zh" needs a CJK font).
    reference : xarray.Dataset, optional
        A run to compare with (the parent scenario, say): each of its series is
        drawn dashed in the colour of the same element, and the legend gets a
        line-style key (``label`` solid, ``reference_label`` dashed).
    reference_label, label : str
        Names of the reference and of the run in that key.
    observed : mapping, optional
        Variable name -> observed series (:class:`simsys.observed.Observed`: ``label``,
        ``time``, ``value``), drawn as points over a national variable's line, with
        ``observed: <label>`` in the legend; a scenario's ``[observed]`` table gives them.

    Returns
    -------
    matplotlib.axes.Axes or matplotlib.figure.Figure
        Axes for a single name, Figure for a list of names.

    Raises
    ------
    PlotError
        Unknown variable (the message lists the available ones), a variable
        with a ``scenario`` or other extra dimension, an unknown ``total``, or
        ``ax`` given together with several variables.
    """
    if total not in _TOTALS:
        raise PlotError(f"total must be one of {_TOTALS}, found {total!r}")
    lang = resolve_lang(lang)
    single = isinstance(variables, str)
    names = [variables] if single else list(variables)
    if not names:
        raise PlotError("variables is empty; name at least one variable to plot")
    arrays = [select_variable(ds, name, what="the run") for name in names]
    refs = [None] * len(names)
    if reference is not None:
        refs = [select_variable(reference, name, what=f"the reference run {reference_label!r}")
                for name in names]
    key = None if reference is None else (label or "this run", reference_label)
    dim = regional_dim(arrays, dim)
    for da in arrays:
        check_dims(da, ("time", dim), hint="for a sweep select one scenario with "
                   "ds.isel(scenario=i), or use fan_chart for percentile bands")

    with font_context(lang):
        if single:
            ax = new_axes(ax, figsize=(_width(arrays[0], dim), 4.0))
            _draw(ax, arrays[0], dim=dim, total=total, lang=lang, ref=refs[0], obs=observed)
            _legend(ax, arrays[0], dim, lang, key)
            ax.set_title(title or str(arrays[0].name))
            return ax
        if ax is not None:
            raise PlotError(f"ax can hold one variable, {len(names)} were given; "
                            "pass ax=None to get a Figure with one panel per variable")
        import matplotlib.pyplot as plt  # only to create the figure

        wide = max(_width(da, dim) for da in arrays)
        # tall enough for a legend of 12 rows beside the panels
        fig = plt.figure(figsize=(wide, max(2.6 * len(names) + 0.6, 4.6)), layout="constrained")
        axes = fig.subplots(len(names), 1, sharex=True, squeeze=False)[:, 0]
        for panel, da, ref in zip(axes, arrays, refs):
            _draw(panel, da, dim=dim, total=total, lang=lang, ref=ref, obs=observed)
            panel.set_title(str(da.name), fontsize=10, loc="left")
        for panel in axes[:-1]:
            panel.set_xlabel("")
        # Regions are the same in every panel: one legend, beside the first panel that
        # has them (a panel of one national series is named by its y-label).
        counts = [len(p.get_legend_handles_labels()[0]) for p in axes]
        main = int(max(range(len(axes)), key=lambda i: counts[i]))
        _legend(axes[main], arrays[main], dim, lang, key)
        for i, panel in enumerate(axes):
            if i != main and dim not in arrays[i].dims:
                _key(panel, key)
        if title:
            figure_title(fig, title)
        return fig


def _legend_title(da: xr.DataArray, dim: str, lang: str) -> str | None:
    if dim not in da.dims:
        return None
    return dim_label(dim, lang)


def _key(ax, key) -> None:
    """Legend of a national panel: which line style is which run (if a reference is drawn),
    then the observed points (if any); no legend when there is neither."""
    from matplotlib.lines import Line2D
    handles, labels = [], []
    if key is not None:
        handles += [Line2D([], [], color="black", lw=2.0), Line2D([], [], color="black", lw=1.4, ls="--")]
        labels += [key[0], key[1]]
    for h, lab in zip(*ax.get_legend_handles_labels()):
        if lab.startswith("observed: "):
            handles.append(h)
            labels.append(lab)
    if handles:
        ax.legend(handles, labels, loc="best", fontsize=8, frameon=False)


#: legend entries per column: 31 provinces in one column would be taller than the figure
_PER_COLUMN = 12


def _columns(n: int) -> dict:
    if n <= _PER_COLUMN:
        return {}
    return {"ncol": -(-n // _PER_COLUMN), "fontsize": 8}


def _width(da: xr.DataArray, dim: str) -> float:
    """Figure width: wider when the legend needs several columns."""
    n = da.sizes.get(dim, 0)
    return 8.0 + 1.6 * max(0, -(-n // _PER_COLUMN) - 1)


def _legend(ax, da: xr.DataArray, dim: str, lang: str, key) -> None:
    if key is None:
        legend_outside(ax, title=_legend_title(da, dim, lang),
                       **_columns(len(ax.get_legend_handles_labels()[0])))
        return
    if dim not in da.dims:
        _key(ax, key)
        return
    from matplotlib.lines import Line2D
    handles, labels = ax.get_legend_handles_labels()
    if dim in da.dims:  # the element colours, then which line style is which run
        keep = [(h, lab) for h, lab in zip(handles, labels) if not lab.startswith("_")
                and lab not in key]
        handles, labels = [h for h, _ in keep], [lab for _, lab in keep]
        handles += [Line2D([], [], color="0.3", lw=1.6),
                    Line2D([], [], color="0.3", lw=1.2, ls="--")]
        labels += [f"{key[0]} (solid)", f"{key[1]} (dashed)"]
    legend_outside(ax, handles=handles, labels=labels, title=_legend_title(da, dim, lang),
                   **_columns(len(labels)))


def _draw(ax, da: xr.DataArray, *, dim: str, total: str | None, lang: str,
          ref: xr.DataArray | None = None, obs: Mapping[str, Any] | None = None) -> None:
    t = years(da)
    seen = (obs or {}).get(str(da.name))
    if seen is not None and dim in da.dims:
        log.warning("observed %r is one national series; %r is drawn per %s, so the points"
                    " are left out", seen.label, str(da.name), dim)
    elif seen is not None:
        ax.plot(seen.time, seen.value, "o", ms=3.5, color="black", mfc="white", mew=1.0,
                zorder=3, label=f"observed: {seen.label}")
    if dim in da.dims:
        elements = list(da[dim].values)
        colors = series_colors(elements)
        for element in elements:
            ax.plot(t, da.sel({dim: element}).values, color=colors[element], lw=1.6,
                    label=str(element))
            if ref is not None and element in ref[dim].values:
                ax.plot(years(ref), ref.sel({dim: element}).values, color=colors[element],
                        lw=1.2, ls="--", alpha=0.8, label="_reference")
        if total is not None:
            agg = da.sum(dim) if total == "sum" else da.mean(dim)
            ax.plot(t, agg.values, color="black", lw=2.8, label=text(
                "total" if total == "sum" else "mean", lang))
    else:
        ax.plot(t, da.values, color="black", lw=2.0, label=str(da.name))
        if ref is not None:
            ax.plot(years(ref), ref.values, color="black", lw=1.4, ls="--", alpha=0.8,
                    label="_reference")
    ax.set_ylabel(quantity_label(da, width=32))
    ax.set_xlabel(text("year", lang))
    ax.margins(x=0.01)
    ax.grid(True, color="0.9", lw=0.8)
    ax.set_axisbelow(True)
    readable_numbers(ax)
