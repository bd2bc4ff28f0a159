"""Staggered adoption: static TWFE beside Gardner's two-stage DiD (pyfixest ``did2s``).

:func:`staggered_did` takes one adoption time per treated region and puts the
static TWFE estimate, which is biased when effects differ across cohorts or
grow with exposure (already-treated regions then serve as controls), beside
Gardner's two-stage estimator, which fits the unit and time effects on
untreated observations only and so recovers the average effect on the treated,
and its event study by exposure time. Inference as in :mod:`simsys.analysis.did`.

``trend`` adds unit-specific polynomial time trends (:data:`TRENDS`) to both
regressions. In the two-stage estimator they belong to the first stage, so each
region's trend is fitted on its untreated observations (every year for a
never-treated region, the years before adoption for an adopter) and the effect
is measured against that region's own extrapolated path (Borusyak, Jaravel and
Spiess 2024, section 4; Gardner 2021). Use it when regions grow at their own
pace, so that trends are not parallel in levels.
"""
from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ._common import AnalysisError
from .did import TwfeResult, _coef_table, _feols, _inference_counts, _long, _read_panel

__all__ = ["TRENDS", "StaggeredResult", "staggered_did"]

#: Unit-specific time trends: name -> polynomial degree.
TRENDS = {"none": 0, "linear": 1, "quadratic": 2}


@dataclass(frozen=True, slots=True, eq=False)
class StaggeredResult:
    """Staggered adoption: static TWFE beside Gardner's two-stage DiD (pyfixest ``did2s``).

    ``twfe`` is biased when effects differ by cohort or exposure time;
    ``did2s`` is the average effect on treated observations, robust to that;
    ``event`` holds did2s's effect per exposure period ``k = t - adoption >= 0``
    (a Dataset along ``k`` with ``coef``, ``se``, ``ci_low``, ``ci_high``).
    """

    twfe: TwfeResult
    did2s: TwfeResult
    event: xr.Dataset
    adoption: dict
    trend: str = "none"


def trend_degree(trend: str) -> int:
    """The polynomial degree of a :data:`TRENDS` name.

    Raises
    ------
    SimsysError
        If ``trend`` is not one of :data:`TRENDS`, listing the valid names.
    """
    try:
        return TRENDS[trend]
    except (KeyError, TypeError):
        raise AnalysisError(f"trend must be one of {', '.join(TRENDS)}, found {trend!r}") from None


def trend_terms(frame, degree: int, untreated, regions: Sequence[Any] | None = None) -> list[str]:
    """Add one column per region and power ``1..degree`` of its own time trend to ``frame``.

    Time is centred and scaled to [-1, 1] so the powers stay well conditioned.
    ``untreated`` marks the observations the trends are fitted on; every region
    needs ``degree + 1`` of them, for its level and its ``degree`` trend terms.

    Raises
    ------
    SimsysError
        If a region has too few untreated observations for its trend.
    """
    if degree == 0:
        return []
    t = frame["t"].to_numpy(dtype=float)
    x = (t - (t.max() + t.min()) / 2) / max((t.max() - t.min()) / 2, 1.0)
    unit = frame["unit"].to_numpy()
    counts = np.bincount(unit[np.asarray(untreated, dtype=bool)], minlength=unit.max() + 1)
    short = np.flatnonzero(counts < degree + 1)
    if short.size:
        named = [regions[i] for i in short] if regions is not None else short.tolist()
        raise AnalysisError(f"a unit-specific trend of degree {degree} needs {degree + 1} untreated"
                            f" times per region (its level and trend); {named} have"
                            f" {counts[short].tolist()}; use a lower trend")
    names = []
    for u in np.unique(unit):
        for p in range(1, degree + 1):
            name = f"trend{p}_u{u}"
            frame[name] = np.where(unit == u, x ** p, 0.0)
            names.append(name)
    return names


def did2s_fit(frame, first: list[str], second: list[str], treatment: str):
    """pyfixest's ``did2s``: unit and time effects (and ``first`` terms) fitted where
    ``treatment`` is 0, then the residual regressed on ``second``; clustered by unit.

    Raises
    ------
    SimsysError
        If pyfixest cannot fit the design.
    """
    import pyfixest as pf
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            return pf.did2s(frame, yname="y", first_stage="~ " + (" + ".join(first) or "0")
                            + " | unit + t", second_stage="~ " + " + ".join(second),
                            treatment=treatment, cluster="unit")
    except Exception as err:  # pyfixest raises plain exceptions on degenerate designs
        raise AnalysisError(f"pyfixest's did2s could not fit the panel: {err}") from None


def _cohorts(regions: np.ndarray, times: np.ndarray, adoption: Any) -> np.ndarray:
    """Cohort per region: the 1-based position of its first treated time, 0 if never."""
    try:
        items = dict(adoption).items()
    except (TypeError, ValueError):
        raise AnalysisError("adoption must map each treated region to its first treated time,"
                            f" found {type(adoption).__name__}") from None
    listed = regions.tolist()
    g = np.zeros(len(listed), dtype=int)
    for region, start in items:
        if region not in listed:
            raise AnalysisError(f"treated region {region!r} is not in the panel; regions are"
                                f" {listed}")
        pos = int(np.searchsorted(times, start))
        if pos == 0 or pos >= times.size:
            raise AnalysisError(f"{region!r} adopts at {start!r}; it needs an untreated time"
                                f" before and a treated one from {start!r} within"
                                f" {times[0]!r}..{times[-1]!r}")
        g[listed.index(region)] = pos + 1
    if not (g > 0).any() or (g > 0).all():
        raise AnalysisError("need at least one treated and one never-treated region; treated"
                            f" {int((g > 0).sum())} of {g.size}")
    return g


def staggered_did(panel: Any, adoption: Any, *, level: float = 0.95, dim: str | None = None,
                  time_dim: str = "time", exclude: Sequence[Any] = (),
                  trend: str = "none") -> StaggeredResult:
    """DiD with staggered adoption: TWFE and its heterogeneity-robust counterpart.

    Parameters
    ----------
    panel : xarray.DataArray or array_like
        Balanced outcome panel, as for :func:`did_2x2`.
    adoption : mapping
        Treated region -> first treated time; every other region is never treated.
    level : float, default 0.95
        Confidence level of the event-study intervals.
    dim : str, optional
        Name of the regional dimension (default: the panel's one dimension
        besides ``time_dim``, e.g. the model's "Province").
    time_dim : str
        Name of the time dimension.
    exclude : sequence, optional
        Regions left out of the sample.
    trend : {"none", "linear", "quadratic"}, default "none"
        Unit-specific time trends (:data:`TRENDS`), fitted on each region's
        untreated observations.

    Returns
    -------
    StaggeredResult

    Raises
    ------
    SimsysError
        Malformed panel, unknown regions, adoption times without a pre and a post
        period, no never-treated region, a level outside (0, 1), an unknown trend
        or too few untreated times for it.
    """
    degree = trend_degree(trend)
    if not 0 < level < 1:
        raise AnalysisError(f"level must lie in (0, 1), found {level!r}")
    y, regions, times = _read_panel(panel, dim, time_dim, exclude)
    cohort = _cohorts(regions, times, adoption)
    frame = _long(y, {})
    frame["g"] = np.repeat(cohort, times.size)
    frame["d"] = ((frame["g"] > 0) & (frame["t"] >= frame["g"])).astype(float)
    trends = trend_terms(frame, degree, frame["d"] == 0, regions.tolist())
    static = _feols(frame, ["d"] + trends)
    coef, se, tstat, pval, _, _ = (float(v[0]) for v in _coef_table(static, ["d"], level))
    g, n_obs, n_params = _inference_counts(static, frame)
    twfe_res = TwfeResult(coef=coef, se=se, t=tstat, p=pval, df=g - 1, n_clusters=g,
                          n_obs=n_obs, n_params=n_params)
    exposure = np.where(frame["d"] > 0, frame["t"] - frame["g"], -1)
    ks = np.unique(exposure[exposure >= 0])
    names = [f"k_p{k}" for k in ks]
    for name, k in zip(names, ks):
        frame[name] = (exposure == k).astype(float)
    att = did2s_fit(frame, trends, ["d"], "d")
    dyn = did2s_fit(frame, trends, names, "d")
    coef, se, tstat, pval, _, _ = (float(v[0]) for v in _coef_table(att, ["d"], level))
    robust = TwfeResult(coef=coef, se=se, t=tstat, p=pval, df=g - 1, n_clusters=g,
                        n_obs=n_obs, n_params=n_params)
    c, s, _, p, lo, hi = _coef_table(dyn, names, level)
    event = xr.Dataset({"coef": ("k", c), "se": ("k", s), "p": ("k", p), "ci_low": ("k", lo),
                        "ci_high": ("k", hi)}, coords={"k": ks})
    return StaggeredResult(twfe=twfe_res, did2s=robust, event=event,
                           adoption={r: t for r, t in dict(adoption).items()}, trend=trend)
