"""Event-study (dynamic difference-in-differences) coefficient plot."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from ._common import as_mapping, column, legend_outside, new_axes
from .style import PALETTE, font_context, resolve_lang, text

__all__ = ["event_study_plot"]


def event_study_plot(result: Mapping[str, Any] | xr.Dataset, *, ax=None,
                     reference: float = -1, treatment_line: float = -0.5,
                     ylabel: str | None = None, lang: str = "en"):
    """Plot event-study coefficients with 95% confidence intervals by relative period.

    Periods before treatment are grey and after treatment coloured; the
    omitted reference period is drawn as a hollow marker at zero (added if the
    result leaves it out); a horizontal line marks zero and a dashed vertical
    line the start of treatment.

    Parameters
    ----------
    result : dict or xarray.Dataset
        ``k``, ``coef``, ``ci_low``, ``ci_high`` as equal-length sequences, or a
        Dataset with ``coef``, ``ci_low``, ``ci_high`` over dimension ``k``.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is made if None.
    reference : float, default -1
        The omitted relative period.
    treatment_line : float, default -0.5
        Where the vertical treatment line goes (between the last period
        before treatment and period 0).
    ylabel : str, optional
        Y-axis label; defaults to "Coefficient" (with the Dataset's ``coef``
        units if it has them).
    lang : {"en", "zh"}, default "en"
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    PlotError
        Missing keys or sequences of different lengths.
    """
    lang = resolve_lang(lang)
    if ylabel is None and isinstance(result, xr.Dataset) and "coef" in result:
        units = str(result["coef"].attrs.get("units", "")).strip()
        ylabel = text("coefficient", lang) + (f" [{units}]" if units else "")
    data = as_mapping(result, what="result")
    k = column(data, "k", None, what="result")
    n = k.size
    coef = column(data, "coef", n, what="result")
    low = column(data, "ci_low", n, what="result")
    high = column(data, "ci_high", n, what="result")
    order = np.argsort(k, kind="stable")
    k, coef, low, high = k[order], coef[order], low[order], high[order]
    # The reference period is normalised to zero and has no interval of its own.
    keep = k != reference
    k, coef, low, high = k[keep], coef[keep], low[keep], high[keep]

    with font_context(lang):
        ax = new_axes(ax, figsize=(8.0, 4.2))
        ax.axhline(0.0, color="0.3", lw=0.9, zorder=1)
        ax.axvline(treatment_line, color="0.35", lw=1.1, ls="--", zorder=1,
                   label=text("treatment", lang))
        for mask, color, key in ((k < treatment_line, "0.45", "pre"),
                                 (k >= treatment_line, PALETTE[0], "post")):
            if not mask.any():
                continue
            err = np.vstack([coef[mask] - low[mask], high[mask] - coef[mask]])
            ax.errorbar(k[mask], coef[mask], yerr=np.abs(err), fmt="o", color=color,
                        ecolor=color, elinewidth=1.4, capsize=3, ms=5.5, zorder=3,
                        label=text(key, lang))
        ax.plot([reference], [0.0], "o", mfc="white", mec="black", mew=1.4, ms=7, zorder=4,
                label=text("reference", lang, k=reference))
        all_k = np.r_[k, reference]
        if all_k.size and np.allclose(all_k, np.round(all_k)):
            lo, hi = int(all_k.min()), int(all_k.max())
            step = max(1, int(np.ceil((hi - lo + 1) / 12)))  # at most about a dozen labels
            ticks = sorted(set(range(reference, lo - 1, -step)) | set(range(reference, hi + 1, step)))
            ax.set_xticks(ticks)
        ax.set_xlabel(text("relative_period", lang))
        ax.set_ylabel(ylabel or text("coefficient", lang))
        ax.grid(True, axis="y", color="0.9", lw=0.8)
        ax.set_axisbelow(True)
        legend_outside(ax, title=text("ci95", lang))
    return ax
