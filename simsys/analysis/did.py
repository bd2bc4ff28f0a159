"""Difference-in-differences on simulated regional panels (region x time), on pyfixest.

* :func:`did_2x2` compares group means:
  ``(treated post - treated pre) - (control post - control pre)``.
* :func:`twfe` is pyfixest's ``feols("y ~ d | unit + t", vcov={"CRV1": "unit"})``
  with ``d = Treat_i x Post_t``; on a balanced panel with common timing ``b``
  equals the 2x2 estimate over the full pre and post periods.
* :func:`event_study` is ``feols`` with one ``Treat_i x 1[t - start = k]`` term per
  relative period ``k`` except the reference ``k = -1``.
* :func:`simsys.analysis.staggered.staggered_did` handles staggered adoption, and
  :func:`simsys.analysis.spillover.spillover_did` adds the spillover onto the
  treated regions' neighbours as a second treatment (Butts 2021).

Standard errors are clustered by region (pyfixest's CRV1 with its default
small-sample correction, t with ``G - 1`` degrees of freedom). Few clusters, and
above all a single treated region, make them unreliable (typically too small).
The panel must be balanced (no NaN). ``exclude`` drops regions from the sample,
e.g. controls that neighbour a treated region and so receive its spillovers
(``spillover_did`` keeps them and estimates that spillover instead).
"""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Sequence
from typing import Any

import warnings

import numpy as np
import pandas as pd
import xarray as xr

from ._common import AnalysisError, check_finite, spatial_dim

__all__ = ["DidResult", "TwfeResult", "EventStudyResult", "did_2x2", "twfe", "event_study"]


@dataclass(frozen=True, slots=True)
class DidResult:
    """2x2 difference-in-differences: the estimate and the four group means."""

    estimate: float
    treated_pre: float
    treated_post: float
    control_pre: float
    control_post: float
    n_treated: int
    n_control: int


@dataclass(frozen=True, slots=True)
class TwfeResult:
    """Treat x Post coefficient of a two-way fixed-effects regression."""

    coef: float
    se: float
    t: float
    p: float
    df: int
    n_clusters: int
    n_obs: int
    n_params: int


@dataclass(frozen=True, slots=True, eq=False)
class EventStudyResult:
    """Event-study coefficients per relative period ``k`` (reference ``k = -1``).

    The reference period is included with coefficient 0 and NaN standard error,
    so that ``k`` is contiguous for plotting.
    """

    k: np.ndarray
    coef: np.ndarray
    se: np.ndarray
    t: np.ndarray
    p: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    df: int
    n_clusters: int
    reference: int = -1

    def to_dataset(self) -> xr.Dataset:
        """Return the per-period arrays as a Dataset along ``k``."""
        names = ["coef", "se", "t", "p", "ci_low", "ci_high"]
        return xr.Dataset({n: (("k",), getattr(self, n)) for n in names},
                          coords={"k": self.k})


@dataclass(frozen=True, slots=True, eq=False)
class _Panel:
    y: np.ndarray          # (regions, times)
    times: np.ndarray
    treat: np.ndarray      # bool per region
    post: np.ndarray       # bool per time


def _as_list(x: Any) -> list:
    if isinstance(x, (str, bytes)) or not isinstance(x, (Sequence, np.ndarray)):
        return [x]
    return list(x)


def _read_panel(panel: Any, dim: str | None, time_dim: str,
                exclude: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(y[region, time], regions, times)`` with the ``exclude`` regions dropped."""
    if isinstance(panel, xr.DataArray):
        # the model names its regions ("Province", "Region", ...): take them from the panel
        dim = spatial_dim(panel, dim, exclude=(time_dim,), what="panel")
        if set(panel.dims) != {dim, time_dim}:
            raise AnalysisError(f"panel must have exactly the dims ({dim!r}, {time_dim!r}),"
                                f" found {tuple(panel.dims)}; select one scenario or variable")
        da = panel.transpose(dim, time_dim)
        regions = (np.asarray(da[dim].values) if dim in da.coords
                   else np.arange(da.sizes[dim]))
        times = (np.asarray(da[time_dim].values) if time_dim in da.coords
                 else np.arange(da.sizes[time_dim]))
        y = np.asarray(da.values, dtype=float)
    else:
        y = np.asarray(panel, dtype=float)
        if y.ndim != 2:
            raise AnalysisError(f"a numpy panel must be 2-D (region, time), found shape {y.shape}")
        regions, times = np.arange(y.shape[0]), np.arange(y.shape[1])
    check_finite(y, "panel (it must be balanced)")
    drop = _as_list(exclude) if exclude is not None else []
    unknown = [r for r in drop if r not in regions.tolist()]
    if unknown:
        raise AnalysisError(f"excluded regions {unknown} are not in the panel; regions are"
                            f" {regions.tolist()}")
    keep = np.array([r not in set(drop) for r in regions.tolist()], dtype=bool)
    return y[keep], regions[keep], times


def _panel(panel: Any, treated: Sequence[Any], start: Any, dim: str,
           time_dim: str, exclude: Sequence[Any] = ()) -> _Panel:
    y, regions, times = _read_panel(panel, dim, time_dim, exclude)
    treated = _as_list(treated)
    listed = list(regions.tolist())
    missing = [r for r in treated if r not in listed]
    if missing:
        raise AnalysisError(f"treated regions {missing} are not in the panel; regions are"
                            f" {listed}")
    chosen = set(treated)
    treat = np.array([r in chosen for r in listed], dtype=bool)
    if not treat.any() or treat.all():
        raise AnalysisError(f"need at least one treated and one control region; treated"
                            f" {int(treat.sum())} of {treat.size}")
    post = times >= start
    if not post.any() or post.all():
        raise AnalysisError(f"start {start!r} must leave at least one time before it and one at"
                            f" or after it; times run from {times[0]!r} to {times[-1]!r}")
    return _Panel(y=y, times=times, treat=treat, post=post)


def _window_mask(times: np.ndarray, bounds: Any, default: np.ndarray, name: str) -> np.ndarray:
    if bounds is None:
        return default
    try:
        lo, hi = bounds
    except (TypeError, ValueError):
        raise AnalysisError(f"{name} must be a (first, last) pair of times, found {bounds!r}")
    mask = (times >= lo) & (times <= hi)
    if not mask.any():
        raise AnalysisError(f"{name} = ({lo!r}, {hi!r}) selects no time of the panel")
    return mask


def did_2x2(panel: Any, treated: Sequence[Any], start: Any, *, pre: Any = None,
            post: Any = None, dim: str | None = None, time_dim: str = "time",
            exclude: Sequence[Any] = ()) -> DidResult:
    """Difference-in-differences from group means (the 2x2 estimate).

    Parameters
    ----------
    panel : xarray.DataArray or array_like
        Outcome with dims ``(dim, time_dim)`` in any order. A numpy array is
        ``(region, time)``; its regions are then positions 0..n-1 and its times
        column indices 0..T-1.
    treated : sequence
        Labels (positions for numpy) of the treated regions; the rest are controls.
    start : scalar
        First treated time (treatment year).
    pre, post : (first, last), optional
        Inclusive time bounds of the two periods; by default every time before
        ``start`` and every time from ``start`` on.
    dim : str, optional
        Name of the regional dimension (default: the panel's one dimension
        besides ``time_dim``, e.g. the model's "Province").
    time_dim : str
        Name of the time dimension.
    exclude : sequence, optional
        Regions left out of the sample (e.g. controls exposed to spillovers).

    Returns
    -------
    DidResult
        The estimate ``(treated post - pre) - (control post - pre)`` and the means.

    Raises
    ------
    SimsysError
        If the panel is not 2-D, has NaN, a treated label is unknown, all or no
        regions are treated, ``start`` leaves an empty period, or ``pre``/``post``
        select no time.
    """
    p = _panel(panel, treated, start, dim, time_dim, exclude)
    pre_mask = _window_mask(p.times, pre, ~p.post, "pre")
    post_mask = _window_mask(p.times, post, p.post, "post")
    tp, tq = p.y[p.treat][:, pre_mask].mean(), p.y[p.treat][:, post_mask].mean()
    cp, cq = p.y[~p.treat][:, pre_mask].mean(), p.y[~p.treat][:, post_mask].mean()
    return DidResult(estimate=float((tq - tp) - (cq - cp)), treated_pre=float(tp),
                     treated_post=float(tq), control_pre=float(cp), control_post=float(cq),
                     n_treated=int(p.treat.sum()), n_control=int((~p.treat).sum()))


def _long(y: np.ndarray, cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """The (region, time) arrays as a long frame with integer unit and time ids."""
    g, t = y.shape
    data = {"unit": np.repeat(np.arange(g), t), "t": np.tile(np.arange(1, t + 1), g),
            "y": y.reshape(-1)}
    data.update({k: np.broadcast_to(v, y.shape).reshape(-1).astype(float)
                 for k, v in cols.items()})
    return pd.DataFrame(data)


def _feols(frame: pd.DataFrame, terms: list[str]):
    import pyfixest as pf
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pf.feols(f"y ~ {' + '.join(terms)} | unit + t", data=frame,
                            vcov={"CRV1": "unit"})
    except Exception as err:  # pyfixest raises plain exceptions on degenerate designs
        raise AnalysisError(f"pyfixest could not fit the panel: {err}") from None


def _coef_table(fit, names: list[str], level: float):
    """Coefficients, SE, t, p and CI of ``names`` from a pyfixest fit (NaN where dropped)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tidy = fit.tidy(alpha=1.0 - level)
    tidy = tidy.reindex(names)
    cols = ["Estimate", "Std. Error", "t value", "Pr(>|t|)"]
    out = [tidy[c].to_numpy(dtype=float) for c in cols]
    ci = tidy.iloc[:, -2:].to_numpy(dtype=float)
    return out + [ci[:, 0], ci[:, 1]]


def _inference_counts(fit, frame: pd.DataFrame) -> tuple[int, int, int]:
    g = int(frame["unit"].nunique())
    n_obs = int(fit._N)
    n_params = int(fit._k) + g + int(frame["t"].nunique()) - 1
    return g, n_obs, n_params


def twfe(panel: Any, treated: Sequence[Any], start: Any, *, dim: str | None = None,
         time_dim: str = "time", exclude: Sequence[Any] = ()) -> TwfeResult:
    """Two-way fixed-effects DiD: the Treat x Post coefficient with clustered SE.

    Parameters
    ----------
    panel : xarray.DataArray or array_like
        Balanced outcome panel, as for :func:`did_2x2`.
    treated : sequence
        Labels (positions for numpy) of the treated regions.
    start : scalar
        First treated time.
    dim : str, optional
        Name of the regional dimension (default: the panel's one dimension
        besides ``time_dim``, e.g. the model's "Province").
    time_dim : str
        Name of the time dimension.
    exclude : sequence, optional
        Regions left out of the sample (e.g. controls exposed to spillovers).

    Returns
    -------
    TwfeResult
        Coefficient, region-clustered CR1 standard error, t, two-sided p (t with
        ``G - 1`` degrees of freedom), and the counts used. The standard error is
        NaN when there are no residual degrees of freedom and unreliable with a
        single treated region or few regions.

    Raises
    ------
    SimsysError
        On the same malformed inputs as :func:`did_2x2`.
    """
    p = _panel(panel, treated, start, dim, time_dim, exclude)
    frame = _long(p.y, {"d": p.treat[:, None] & p.post[None, :]})
    fit = _feols(frame, ["d"])
    coef, se, tstat, pval, _, _ = (float(v[0]) for v in _coef_table(fit, ["d"], 0.95))
    g, n_obs, n_params = _inference_counts(fit, frame)
    if n_obs <= n_params:
        se = tstat = pval = float("nan")
    return TwfeResult(coef=coef, se=se, t=tstat, p=pval, df=g - 1, n_clusters=g,
                      n_obs=n_obs, n_params=n_params)


def event_study(panel: Any, treated: Sequence[Any], start: Any, *,
                window: tuple[int, int] | None = None, level: float = 0.95,
                dim: str | None = None, time_dim: str = "time",
                exclude: Sequence[Any] = ()) -> EventStudyResult:
    """Event-study (dynamic DiD) coefficients per relative period, ``k = -1`` omitted.

    The relative period ``k`` counts saved time points from the first one at or
    after ``start`` (``k = 0``); with yearly output that is ``year - start``.

    Parameters
    ----------
    panel : xarray.DataArray or array_like
        Balanced outcome panel, as for :func:`did_2x2`.
    treated : sequence
        Labels (positions for numpy) of the treated regions.
    start : scalar
        First treated time.
    window : (int, int), optional
        Inclusive range of ``k`` to estimate; times outside it are dropped from the
        sample (not binned). Must contain -1 and 0. All periods by default.
    level : float, default 0.95
        Confidence level of the intervals (t with ``G - 1`` degrees of freedom).
    dim : str, optional
        Name of the regional dimension (default: the panel's one dimension
        besides ``time_dim``, e.g. the model's "Province").
    time_dim : str
        Name of the time dimension.
    exclude : sequence, optional
        Regions left out of the sample (e.g. controls exposed to spillovers).

    Returns
    -------
    EventStudyResult
        ``k``, coefficients, clustered CR1 standard errors, t, p and confidence
        bounds per period; ``to_dataset()`` gives a Dataset along ``k``.

    Raises
    ------
    SimsysError
        On the malformed inputs of :func:`did_2x2`, a window without -1 and 0, or
        a level outside (0, 1).
    """
    if not 0 < level < 1:
        raise AnalysisError(f"level must lie in (0, 1), found {level!r}")
    p = _panel(panel, treated, start, dim, time_dim, exclude)
    k_all = np.arange(p.times.size) - int(np.argmax(p.post))
    keep = np.ones(p.times.size, dtype=bool)
    if window is not None:
        try:
            lo, hi = (int(v) for v in window)
        except (TypeError, ValueError):
            raise AnalysisError(f"window must be a (first k, last k) pair, found {window!r}")
        if not lo <= -1 < 0 <= hi:
            raise AnalysisError(f"window ({lo}, {hi}) must contain k = -1 and k = 0")
        keep = (k_all >= lo) & (k_all <= hi)
    y, ks = p.y[:, keep], k_all[keep]
    est = ks[ks != -1]
    names = [f"k_{'m' if kk < 0 else 'p'}{abs(int(kk))}" for kk in est]
    frame = _long(y, {n: p.treat[:, None] & (ks == kk)[None, :] for n, kk in zip(names, est)})
    fit = _feols(frame, names)
    coef, se, tstat, pval, lo, hi = _coef_table(fit, names, level)
    g, n_obs, n_params = _inference_counts(fit, frame)
    if n_obs <= n_params:
        se = tstat = pval = lo = hi = np.full(est.size, np.nan)
    ref = int(np.searchsorted(est, -1))
    ins = lambda a, v: np.insert(a, ref, v)  # noqa: E731 - put the reference row back
    return EventStudyResult(k=ks.copy(), coef=ins(coef, 0.0), se=ins(se, np.nan),
                            t=ins(tstat, np.nan), p=ins(pval, np.nan), ci_low=ins(lo, np.nan),
                            ci_high=ins(hi, np.nan), df=g - 1, n_clusters=g)
