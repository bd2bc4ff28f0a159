"""Staggered DiD with spatial spillovers (Butts 2021), on pyfixest's two-stage ``did2s``.

When treated regions move their neighbours (migration, knowledge radiation), a
neighbour is no control: its change is part of the policy's effect. Butts
("Difference-in-differences with spatial spillovers", 2021) makes that exposure
a second treatment. Here an untreated region-year is *exposed in ring r* when
the nearest region treated at that time is r contiguity steps away (ring 1: a
neighbour is treated). The two-stage imputation estimator (Gardner 2021) then
fits the unit and time effects, and any unit-specific trends, only on
observations that are neither treated nor exposed, so the *pure controls*
identify the counterfactual path, and regresses the residual on the treatment
and the ring indicators:

* ``direct``: the average effect on treated region-years;
* ``spillover[r - 1]``: the average effect on untreated region-years exposed in ring r;
* ``naive``: did2s with the same first stage but exposure ignored, so exposed
  neighbours serve as controls; ``bias = naive - direct`` is what ignoring the
  spillover costs (negative when the spillover is positive: the controls rise too).

Both estimators are linear in the outcome, so on a simulated panel the bias
splits exactly into the pre-trend part (the estimators on the baseline run, a
placebo) and the spillover part (on the pilot minus the baseline).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ._common import AnalysisError, spatial_dim
from .did import TwfeResult, _coef_table, _long, _read_panel
from .staggered import _cohorts, did2s_fit, trend_degree, trend_terms

__all__ = ["SpilloverResult", "spillover_did", "contiguity_rings"]


@dataclass(frozen=True, slots=True, eq=False)
class SpilloverResult:
    """Direct effect and spillovers by contiguity ring, beside the spillover-blind did2s.

    ``design`` is a Dataset over (region, time) with ``treated`` (bool) and
    ``ring`` (int: r for an untreated region-year exposed in ring r, else 0).
    ``pure_controls`` lists the regions never treated nor exposed in the panel.
    """

    direct: TwfeResult
    spillover: tuple[TwfeResult, ...]
    naive: TwfeResult
    design: xr.Dataset
    pure_controls: tuple
    adoption: dict
    trend: str

    @property
    def bias(self) -> float:
        """``naive - direct``: what treating exposed neighbours as controls adds."""
        return self.naive.coef - self.direct.coef


def contiguity_rings(adjacency: Any) -> np.ndarray:
    """Contiguity order between regions: 1 for neighbours, 2 for neighbours of
    neighbours, ...; 0 on the diagonal and between unconnected regions.

    Parameters
    ----------
    adjacency : array_like
        Square non-negative weights; a link either way counts.

    Returns
    -------
    numpy.ndarray of int

    Raises
    ------
    SimsysError
        If ``adjacency`` is not square.
    """
    a = np.asarray(adjacency, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise AnalysisError(f"W must be a square matrix, found shape {a.shape}")
    link = (a > 0) | (a.T > 0)
    np.fill_diagonal(link, False)
    order = np.zeros(a.shape, dtype=int)
    reached = np.eye(a.shape[0], dtype=bool)
    frontier = reached.copy()
    step = 0
    while frontier.any():
        step += 1
        frontier = ((frontier.astype(int) @ link.astype(int)) > 0) & ~reached
        order[frontier] = step
        reached |= frontier
    return order


def _adjacency(W: Any, all_regions: list, regions: list) -> np.ndarray:
    """The weights between ``regions`` (the panel's, after ``exclude``), by label."""
    from libpysal.weights import W as PysalW
    if W is None:
        from ..geo import adjacency_matrix
        try:
            return adjacency_matrix(regions)
        except AnalysisError:
            raise AnalysisError("W is needed: the panel's regions are not the 31 provinces"
                                " (the default is the package's province contiguity)") from None
    if isinstance(W, PysalW):
        dense, ids = W.full()
        labels = list(ids)
    elif isinstance(W, xr.DataArray) and W.dims[0] in W.coords:
        dense, labels = np.asarray(W.values, dtype=float), W[W.dims[0]].values.tolist()
    else:
        dense, labels = np.asarray(W, dtype=float), list(all_regions)
        if dense.shape != (len(labels), len(labels)):
            raise AnalysisError(f"W is {dense.shape} but the panel has {len(labels)} regions;"
                                " pass a labelled W (DataArray or libpysal W) or one row per"
                                " region in the panel's order")
    missing = [r for r in regions if r not in labels]
    if missing:
        raise AnalysisError(f"regions {missing} are not in W; W lists {labels}")
    pos = [labels.index(r) for r in regions]
    dense = dense[np.ix_(pos, pos)]
    if not np.isfinite(dense).all() or (dense < 0).any():
        raise AnalysisError("W must have finite, non-negative weights")
    return dense


def _result(fit, name: str, level: float, g: int, n_obs: int) -> TwfeResult:
    coef, se, tstat, pval, _, _ = (float(v[0]) for v in _coef_table(fit, [name], level))
    return TwfeResult(coef=coef, se=se, t=tstat, p=pval, df=g - 1, n_clusters=g, n_obs=n_obs,
                      n_params=int(fit._k))


def spillover_did(panel: Any, adoption: Any, W: Any = None, *, rings: int = 1,
                  trend: str = "none", level: float = 0.95, dim: str | None = None,
                  time_dim: str = "time", exclude: Sequence[Any] = ()) -> SpilloverResult:
    """Staggered DiD whose controls are the regions no treated region reaches (Butts 2021).

    Parameters
    ----------
    panel : xarray.DataArray or array_like
        Balanced outcome panel, as for :func:`simsys.analysis.did.did_2x2`.
    adoption : mapping
        Treated region -> first treated time; every other region is never treated.
    W : array_like, xarray.DataArray or libpysal.weights.W, optional
        Spatial weights; any positive weight either way makes two regions
        neighbours. A labelled W is matched by region; a plain matrix has one row
        per region of the panel, in its order. Default: the package's province
        contiguity (land borders and Hainan's sea links).
    rings : int, default 1
        Exposure bands: ring r holds untreated region-years whose nearest treated
        region is r contiguity steps away. Regions farther out are pure controls.
    trend : {"none", "linear", "quadratic"}, default "none"
        Unit-specific time trends in the first stage, fitted on each region's
        untreated and unexposed observations (see
        :func:`simsys.analysis.staggered.staggered_did`).
    level : float, default 0.95
        Confidence level of the intervals.
    dim : str, optional
        Name of the regional dimension (default: the panel's one other dimension).
    time_dim : str
        Name of the time dimension.
    exclude : sequence, optional
        Regions left out of the sample.

    Returns
    -------
    SpilloverResult

    Raises
    ------
    SimsysError
        Malformed panel or adoption (as for ``staggered_did``), a W that does not
        cover the panel's regions, ``rings < 1``, a ring no observation falls in,
        a time with treated or exposed observations but no pure control (too many
        rings for the map), an unknown trend or too few untreated times for it.
    """
    degree = trend_degree(trend)
    if not 0 < level < 1:
        raise AnalysisError(f"level must lie in (0, 1), found {level!r}")
    if isinstance(rings, bool) or not isinstance(rings, (int, np.integer)) or rings < 1:
        raise AnalysisError(f"rings must be a whole number >= 1, found {rings!r}")
    all_regions = _read_panel(panel, dim, time_dim, ())[1].tolist()
    y, regions, times = _read_panel(panel, dim, time_dim, exclude)
    listed = regions.tolist()
    cohort = _cohorts(regions, times, adoption)
    steps = np.arange(1, times.size + 1)
    treated = (cohort[:, None] > 0) & (steps[None, :] >= cohort[:, None])
    order = contiguity_rings(_adjacency(W, all_regions, listed))
    # contiguity steps from each region to the nearest region treated at each time (far: none)
    far = max(int(order.max()), rings) + 1
    dist = np.where(order > 0, order, far)
    nearest = np.where(treated[None, :, :], dist[:, :, None], far).min(axis=1)
    ring = np.where(~treated & (nearest <= rings), nearest, 0)
    pure = ~treated & (ring == 0)
    busy = (treated | (ring > 0)).any(axis=0) & ~pure.any(axis=0)
    if busy.any():
        raise AnalysisError(f"no pure control (a region neither treated nor within {rings}"
                            f" ring(s) of a treated one) at times {times[busy].tolist()}; the"
                            " counterfactual path is not identified there: use fewer rings")
    empty = [r for r in range(1, rings + 1) if not (ring == r).any()]
    if empty:
        raise AnalysisError(f"no untreated region-year lies in ring(s) {empty} of a treated"
                            " region; the spillover there is not identified: use fewer rings")
    names = [f"ring{r}" for r in range(1, rings + 1)]
    cols = {"d": treated.astype(float)} | {n: (ring == r).astype(float)
                                           for r, n in enumerate(names, start=1)}
    frame = _long(y, cols)
    frame["reached"] = (treated | (ring > 0)).reshape(-1).astype(float)
    trends = trend_terms(frame, degree, frame["reached"] == 0, listed)
    fit = did2s_fit(frame, trends, ["d"] + names, "reached")
    # the same model with exposure ignored: exposed neighbours enter the first stage as controls
    blind = did2s_fit(frame, trend_terms(frame, degree, frame["d"] == 0, listed), ["d"], "d")
    g, n_obs = len(listed), len(frame)
    rdim = (spatial_dim(panel, dim, exclude=(time_dim,), what="panel")
            if isinstance(panel, xr.DataArray) else "region")
    design = xr.Dataset({"treated": ((rdim, time_dim), treated),
                         "ring": ((rdim, time_dim), ring.astype(int))},
                        coords={rdim: regions, time_dim: times})
    return SpilloverResult(
        direct=_result(fit, "d", level, g, n_obs),
        spillover=tuple(_result(fit, n, level, g, n_obs) for n in names),
        naive=_result(blind, "d", level, g, n_obs), design=design,
        pure_controls=tuple(r for r, p in zip(listed, pure.all(axis=1)) if p),
        adoption=dict(adoption), trend=trend)
