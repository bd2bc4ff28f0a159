"""Runs against a reference run: levels (reference dashed) and differences, one row per output."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import xarray as xr

from ..headline import aggregate
from ._common import PlotError, check_dims, figure_title, legend_outside, readable_numbers, select_variable, \
    units_of, years
from .style import font_context, resolve_lang, text

__all__ = ["compare_plot"]

_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442")


def compare_plot(runs: Mapping[str, xr.Dataset], reference: tuple[str, xr.Dataset],
                 variables: str | Sequence[str], *, title: str | None = None,
                 lang: str = "en"):
    """Draw each run against a reference: one row per variable, level and difference.

    The left panel shows the level over time, the reference black and dashed, each
    run solid in its own colour; the right panel shows run minus reference, with a
    zero line. A subscripted variable is summed or averaged over its subscripts (per
    :func:`simsys.headline.aggregation`; the panel title says which).

    Parameters
    ----------
    runs : mapping of str to xarray.Dataset
        label -> one run (dims ``time`` and optionally ``dim``).
    reference : (str, xarray.Dataset)
        Label and run everything is compared with.
    variables : str or sequence of str
        Variables to draw, one row each.
    title : str, optional
        Figure title (default: "<runs> against <reference>").
    lang : {"en", "zh"}, default "en"

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    PlotError
        No runs, an unknown variable (listing the available ones), or a variable
        without a ``time`` dimension.
    """
    if not runs:
        raise PlotError("no runs to compare; give at least one besides the reference")
    names = [variables] if isinstance(variables, str) else list(variables)
    if not names:
        raise PlotError("variables is empty; name at least one variable to plot")
    lang = resolve_lang(lang)
    ref_label, ref_ds = reference
    import matplotlib.pyplot as plt  # only to create the figure

    with font_context(lang):
        fig = plt.figure(figsize=(11.0, 2.7 * len(names) + 0.9), layout="constrained")
        axes = fig.subplots(len(names), 2, sharex=True, squeeze=False)
        for row, name in enumerate(names):
            ref = _series(ref_ds, name, ref_label)
            level, diff = axes[row]
            ref_da, how = ref
            t = years(ref_da)
            level.plot(t, ref_da.values, color="black", ls="--", lw=1.8,
                       label=f"{ref_label} (reference)")
            diff.axhline(0.0, color="black", ls="--", lw=1.0, label=ref_label)
            for k, (label, ds) in enumerate(runs.items()):
                da, _ = _series(ds, name, label)
                color = _COLORS[k % len(_COLORS)]
                level.plot(years(da), da.values, color=color, lw=1.8, label=label)
                d = da - ref_da.interp(time=da["time"])
                # rounding noise (1e-17 on a 0.065 share) is no difference; do not draw it
                scale = float(abs(ref_da).max()) or 1.0
                d = d.where(abs(d) > 1e-12 * scale, 0.0)
                diff.plot(years(d), d.values, color=color, lw=1.8, label=f"{label} − {ref_label}")
            units = units_of(ref_da)
            unit_text = f" [{units}]" if units else " [dimensionless]"
            level.set_title(f"{name}{how}", fontsize=10, loc="left")
            diff.set_title(f"{name}: difference from {ref_label}", fontsize=10, loc="left")
            level.set_ylabel(f"level{unit_text}")
            diff.set_ylabel(f"difference{unit_text}")
            for ax in (level, diff):
                ax.grid(True, color="0.9", lw=0.8)
                ax.set_axisbelow(True)
                ax.margins(x=0.01)
                readable_numbers(ax)
            legend_outside(diff, fontsize=8)
            level.legend(loc="best", fontsize=8, frameon=False)
        for ax in axes[-1]:
            ax.set_xlabel(text("year", lang))
        figure_title(fig, title or f"{', '.join(runs)} against {ref_label}")
    return fig


def _series(ds: xr.Dataset, name: str, label: str) -> tuple[xr.DataArray, str]:
    da = select_variable(ds, name, what=f"run {label!r}")
    if "scenario" in da.dims and da.sizes["scenario"] == 1:
        da = da.isel(scenario=0)
    check_dims(da, [d for d in da.dims if d != "scenario"],
               hint="compare single runs; for a sweep use a fan chart")
    return aggregate(da, keep=("time",))
