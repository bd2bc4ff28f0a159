"""Scenario discovery over a sweep store: which lever ranges lead to an outcome (PRIM and CART).

The scenarios of interest are those whose output lies above (or below) a
threshold; the threshold is a number or a percentile of the output over the
sweep (``"p75"``). PRIM is EMA Workbench's ``ema_workbench.analysis.prim.Prim``
(Friedman and Fisher's peeling and pasting; ``find_box`` returns the box with
the highest coverage whose density reaches ``density``); CART is EMA
Workbench's ``cart.CART`` (a scikit-learn decision tree whose leaves are
boxes). This module only reads the store and converts the results.

A box's *coverage* is the share of all scenarios of interest that fall inside
it, its *density* the share of scenarios inside it that are of interest, and
its *mass* the share of all scenarios inside it.
"""
from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..wording import count

__all__ = ["Box", "Discovery", "discover", "parse_threshold"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Box:
    """A box of lever ranges: only the restricted levers are listed, with their bounds."""

    limits: dict
    coverage: float
    density: float
    mass: float
    n: int


@dataclass(frozen=True, eq=False)
class Discovery:
    """The PRIM box, its peeling trajectory, and the CART boxes dense in the outcome.

    ``trajectory`` has one row per peeling step: coverage, density, mass and
    the number of restricted levers (``res_dim``); ``chosen`` is the row of the
    PRIM box.
    """

    output: str
    threshold: float
    above: bool
    n_scenarios: int
    n_of_interest: int
    bounds: dict
    prim: Box
    trajectory: pd.DataFrame
    chosen: int
    cart: tuple


def parse_threshold(text, values: np.ndarray) -> float:
    """A number, or ``"pNN"`` for the NN-th percentile of ``values``.

    Raises
    ------
    AnalysisError
        If the text is neither.
    """
    s = str(text).strip().lower()
    m = re.fullmatch(r"p(\d+(?:\.\d+)?)", s)
    if m:
        q = float(m.group(1))
        if not 0 < q < 100:
            raise AnalysisError(f"percentile threshold {text!r} must lie between p0 and p100")
        return float(np.percentile(values, q))
    try:
        return float(s)
    except ValueError:
        raise AnalysisError(f"threshold {text!r} is neither a number nor a percentile such as"
                            " 'p75'") from None


def _box(limits: pd.DataFrame, box_init: pd.DataFrame, x: pd.DataFrame, y: np.ndarray) -> Box:
    lo, hi = limits.loc[0], limits.loc[1]
    restricted = {c: (float(lo[c]), float(hi[c])) for c in limits.columns
                  if lo[c] > box_init.loc[0, c] or hi[c] < box_init.loc[1, c]}
    inside = np.ones(len(x), dtype=bool)
    for c, (a, b) in restricted.items():
        inside &= (x[c].to_numpy() >= a) & (x[c].to_numpy() <= b)
    n_in = int(inside.sum())
    return Box(limits=restricted, coverage=float(y[inside].sum() / max(y.sum(), 1)),
               density=float(y[inside].mean()) if n_in else float("nan"),
               mass=n_in / len(x), n=n_in)


def discover(store, output: str, threshold, *, time: float | None = None, below: bool = False,
             density: float = 0.8, peel_alpha: float = 0.05, mass_min: float = 0.05
             ) -> Discovery:
    """PRIM and CART boxes of the sweep scenarios whose ``output`` passes ``threshold``.

    Parameters
    ----------
    store : path
        A Zarr store written by ``simsys sweep``.
    output : str
        A stored variable (``"Total vitality:final"``) or a series cell with ``time``.
    threshold : float or str
        A number or a percentile of the output over the sweep (``"p75"``).
    time : float, optional
        Year of a series output.
    below : bool, default False
        Scenarios of interest lie below the threshold instead of above.
    density : float, default 0.8
        PRIM's density threshold for the box it returns.
    peel_alpha : float, default 0.05
        Share of scenarios peeled off per PRIM step.
    mass_min : float, default 0.05
        Smallest mass of a PRIM box or a CART leaf.

    Returns
    -------
    Discovery

    Raises
    ------
    AnalysisError
        No scenario or every scenario is of interest, or bad PRIM settings.
    StoreError
        From reading the store (see :func:`simsys.analysis.stores.store_output`).
    """
    from .stores import store_output
    for name, v in (("density", density), ("peel_alpha", peel_alpha), ("mass_min", mass_min)):
        if not 0 < v < 1:
            raise AnalysisError(f"{name} must lie in (0, 1), found {v!r}")
    ds, design, da = store_output(store, output, time=time)
    names = [str(n) for n in ds["parameter"].values]
    x = pd.DataFrame(np.asarray(ds["design"].values, dtype=float), columns=names)
    values = np.asarray(da.values, dtype=float)
    ok = np.isfinite(values)
    if not ok.all():
        bad = int((~ok).sum())
        log.warning("%s with a non-finite %s %s left out", count(bad, "scenario"), output,
                    "is" if bad == 1 else "are")
        x, values = x[ok].reset_index(drop=True), values[ok]
    cut = parse_threshold(threshold, values)
    y = values < cut if below else values > cut
    if not y.any() or y.all():
        raise AnalysisError(f"{int(y.sum())} of {y.size} scenarios have {output}"
                            f" {'below' if below else 'above'} {cut:g}; choose a threshold"
                            " that splits them")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import cart, prim
        p = prim.Prim(x, y, threshold=density, peel_alpha=peel_alpha, mass_min=mass_min)
        found = p.find_box()
        tree = cart.CART(x, y, mass_min=mass_min)
        tree.build_tree()
    chosen = int(found._cur_box)
    traj = found.peeling_trajectory[["coverage", "density", "mass", "res_dim"]].copy()
    box_init = p.box_init
    prim_box = _box(found.box_lims[chosen], box_init, x, y)
    leaves = [_box(b, box_init, x, y) for b in tree.boxes]
    dense = tuple(sorted((b for b in leaves if b.density >= density),
                         key=lambda b: -b.coverage))
    bounds = {n: tuple(map(float, b)) for n, b in zip(names, design.get("bounds", []))} or \
        {c: (float(x[c].min()), float(x[c].max())) for c in names}
    return Discovery(output=output, threshold=cut, above=not below, n_scenarios=int(y.size),
                     n_of_interest=int(y.sum()), bounds=bounds, prim=prim_box,
                     trajectory=traj.reset_index(drop=True), chosen=chosen, cart=dense)
