"""Bar and scatter charts of global sensitivity indices (Sobol, Morris)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ._common import PlotError, as_mapping, column, legend_outside, new_axes
from .style import PALETTE, font_context, resolve_lang, text

__all__ = ["sensitivity_bars", "KINDS"]


def sensitivity_bars(result: Mapping[str, Any] | Any, *, kind: str = "sobol",
                     ax=None, names=None, lang: str = "en"):
    """Plot sensitivity indices, most influential parameter on top.

    Parameters
    ----------
    result : dict or xarray.Dataset
        For ``kind="sobol"``: ``names``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``.
        For ``"morris"`` and ``"morris_scatter"``: ``names``, ``mu_star``,
        ``mu_star_conf``, ``sigma``. A SALib result (which may lack ``names``)
        works with ``names=``; in a Dataset the names may be the coordinate of
        the indices' dimension.
    kind : {"sobol", "morris", "morris_scatter"}, default "sobol"
        ``"sobol"``: S1 and ST bars with confidence intervals, sorted by ST.
        ``"morris"``: mu* bars with confidence intervals and sigma bars, sorted
        by mu*. ``"morris_scatter"``: sigma against mu*, one labelled point per
        parameter.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is made if None.
    names : sequence of str, optional
        Parameter names, when ``result`` has none.
    lang : {"en", "zh"}, default "en"
        Language of the labels.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    PlotError
        Unknown ``kind`` (the valid ones are listed), a missing key, or arrays
        whose lengths differ from the number of names.
    """
    if kind not in KINDS:
        raise PlotError(f"unknown kind {kind!r}; valid kinds: {', '.join(KINDS)}")
    lang = resolve_lang(lang)
    data = as_mapping(result, what="result")
    labels = _names(result, data, names)
    with font_context(lang):
        height = max(2.5, 0.42 * len(labels) + 1.2)
        ax = new_axes(ax, figsize=(8.0, height if kind != "morris_scatter" else 5.0))
        KINDS[kind](ax, data, labels, lang)
    return ax


def _names(result: Any, data: Mapping[str, Any], names) -> list[str]:
    if names is None and "names" in data:
        names = data["names"]
    if names is None and "parameter" in data:  # simsys.analysis.sobol_indices / morris_indices
        names = data["parameter"]
    if names is None:
        problem = getattr(result, "problem", None)  # SALib ResultDict keeps its problem
        if isinstance(problem, Mapping) and "names" in problem:
            names = problem["names"]
    if names is None:
        raise PlotError(f"result has no 'names'; found keys {sorted(map(str, data))}; "
                        "pass names=[...]")
    labels = [str(n) for n in np.asarray(names).reshape(-1)]
    if not labels:
        raise PlotError("result has no parameters (names is empty)")
    return labels


def _barh_pair(ax, labels, order, series, lang):
    """Two horizontal bars per parameter; ``series`` is [(label, values, err, colour)]."""
    y = np.arange(len(order))[::-1]  # first in order at the top
    height = 0.38
    for j, (label, values, err, color) in enumerate(series):
        offset = (0.5 - j) * height
        xerr = None if err is None else np.abs(err[order])
        ax.barh(y + offset, values[order], height=height, xerr=xerr, color=color,
                label=label, error_kw={"ecolor": "0.25", "elinewidth": 1.0, "capsize": 2.5})
    ax.set_yticks(y, [labels[i] for i in order])
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.axvline(0.0, color="0.3", lw=0.8)
    ax.grid(True, axis="x", color="0.9", lw=0.8)
    ax.set_axisbelow(True)
    legend_outside(ax)


def _sobol(ax, data, labels, lang):
    n = len(labels)
    s1 = column(data, "S1", n, what="result")
    s1c = column(data, "S1_conf", n, what="result")
    st = column(data, "ST", n, what="result")
    stc = column(data, "ST_conf", n, what="result")
    order = np.argsort(-np.nan_to_num(st, nan=-np.inf), kind="stable")
    _barh_pair(ax, labels, order, [
        (text("first_order", lang), s1, s1c, PALETTE[4]),
        (text("total_order", lang), st, stc, PALETTE[0]),
    ], lang)
    ax.set_xlabel(text("sensitivity_index", lang))


def _morris(ax, data, labels, lang):
    n = len(labels)
    mu = column(data, "mu_star", n, what="result")
    muc = column(data, "mu_star_conf", n, what="result")
    sigma = column(data, "sigma", n, what="result")
    order = np.argsort(-np.nan_to_num(mu, nan=-np.inf), kind="stable")
    _barh_pair(ax, labels, order, [
        ("μ*", mu, muc, PALETTE[0]),
        ("σ", sigma, None, PALETTE[1]),
    ], lang)
    ax.set_xlabel("μ*, σ")


def _morris_scatter(ax, data, labels, lang):
    n = len(labels)
    mu = column(data, "mu_star", n, what="result")
    muc = column(data, "mu_star_conf", n, what="result")
    sigma = column(data, "sigma", n, what="result")
    ax.errorbar(mu, sigma, xerr=np.abs(muc), fmt="o", color=PALETTE[0], ecolor="0.6",
                elinewidth=1.0, capsize=2.5, ms=6)
    top = float(np.nanmax(np.r_[mu, sigma, 0.0])) * 1.15 or 1.0
    for x, y, label in zip(mu, sigma, labels):
        # Labels of points near the right edge go to their left to stay inside the axes.
        left = x > 0.7 * top
        ax.annotate(label, (x, y), xytext=(-5 if left else 5, 4), textcoords="offset points",
                    ha="right" if left else "left", fontsize=8.5)
    # sigma/mu* = 1 separates mostly linear (below) from non-linear or interacting effects.
    ax.plot([0, top], [0, top], ls="--", color="0.5", lw=0.9)
    ax.text(0.98 * top, 0.8 * top, "σ = μ*", ha="right", va="top", color="0.4", fontsize=9)
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel(text("mu_star", lang))
    ax.set_ylabel(text("sigma", lang))
    ax.grid(True, color="0.9", lw=0.8)
    ax.set_axisbelow(True)


#: kind name -> drawing function (ax, data, names, lang).
KINDS: dict[str, Callable[..., None]] = {
    "sobol": _sobol,
    "morris": _morris,
    "morris_scatter": _morris_scatter,
}
