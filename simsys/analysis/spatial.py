"""Spatial autocorrelation on PySAL: libpysal weights, esda's global and local Moran's I.

The weights are a ``libpysal.weights.W`` (see :mod:`simsys.analysis.weights`),
row-standardised by libpysal (``transform = "r"``). Every statistic is computed by esda: ``esda.Moran`` (``I``, its
moments under normality and randomisation, two-sided normal p-values, the
permutation pseudo p-value) and ``esda.Moran_Local`` (``Is``, quadrants,
Sokal's total-randomisation moments ``EI``/``VI``, conditional-permutation
pseudo p-values). This module only converts inputs and outputs.

Seeds. ``esda.Moran`` draws its permutations from numpy's global generator;
:func:`morans_i` seeds it from ``seed`` for the call and restores its state
afterwards, so an int seed gives the same numbers every time.
"""
from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ._common import (ANON_SPATIAL, AnalysisError, SeedLike, as_rng, check_finite,
                      check_permutations, spatial_dim)
from .weights import _dense, contiguity_weights, row_standardise, weights

__all__ = ["MoranResult", "LocalMoranResult", "QUADRANT_LABELS", "QUADRANT_KEY", "row_standardise",
           "weights",
           "contiguity_weights", "morans_i", "local_morans", "local_morans_over_time",
           "morans_i_over_time"]

#: esda's quadrant codes 1..4 (own value first, spatial lag second)
QUADRANT_LABELS = ("HH", "LH", "LL", "HL")

#: What each LISA quadrant (and "ns", a cluster that is not significant) means, for keys
#: under tables and in map legends.
QUADRANT_KEY = {
    "HH": "high value, high-valued neighbours (hot spot)",
    "LL": "low value, low-valued neighbours (cold spot)",
    "HL": "high value, low-valued neighbours (outlier)",
    "LH": "low value, high-valued neighbours (outlier)",
    "ns": "not significant",
}


@dataclass(frozen=True, slots=True, eq=False)
class MoranResult:
    """Global Moran's I and its inference, copied from ``esda.Moran`` (same names).

    ``p_norm`` and ``p_rand`` are two-sided. ``EI_sim``, ``seI_sim``, ``VI_sim``,
    ``z_sim``, ``p_z_sim`` (one-sided, as in esda) and ``p_sim`` summarise the
    permutation distribution ``sim``; they are NaN (and ``sim`` is empty) when
    ``permutations == 0``.
    """

    I: float  # noqa: E741 - esda's name
    EI: float
    VI_norm: float
    seI_norm: float
    z_norm: float
    p_norm: float
    VI_rand: float
    seI_rand: float
    z_rand: float
    p_rand: float
    n: int
    permutations: int
    p_sim: float
    EI_sim: float
    seI_sim: float
    VI_sim: float
    z_sim: float
    p_z_sim: float
    sim: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class LocalMoranResult:
    """Local Moran's I per unit, copied from ``esda.Moran_Local`` (same names).

    ``q`` is esda's quadrant code (1 HH, 2 LH, 3 LL, 4 HL) and ``quadrant`` its
    label; ``cluster`` is the label where ``p_sim < alpha`` and ``"ns"``
    elsewhere. ``EI`` and ``VI`` are esda's total-randomisation moments.
    """

    Is: np.ndarray
    q: np.ndarray
    quadrant: np.ndarray
    cluster: np.ndarray
    alpha: float
    EI: np.ndarray
    VI: np.ndarray
    permutations: int
    p_sim: np.ndarray
    EI_sim: np.ndarray
    seI_sim: np.ndarray
    z_sim: np.ndarray
    p_z_sim: np.ndarray
    sim: np.ndarray
    units: np.ndarray
    #: the regional dimension of the values (a DataArray's own, else "region")
    dim: str = ANON_SPATIAL

    def to_dataset(self, dim: str | None = None) -> xr.Dataset:
        """Return the per-unit arrays as a Dataset along ``dim`` (default: the values' own)."""
        dim = self.dim if dim is None else dim
        names = ["Is", "q", "quadrant", "cluster", "EI", "VI", "p_sim", "EI_sim", "seI_sim",
                 "z_sim", "p_z_sim"]
        return xr.Dataset({k: ((dim,), getattr(self, k)) for k in names},
                          coords={dim: self.units}, attrs={"alpha": self.alpha})


def _check_labels(y: Any, W: Any) -> None:
    # Both labelled: the rows of W must list the units in y's order.
    if not (isinstance(y, xr.DataArray) and isinstance(W, xr.DataArray) and y.ndim == 1):
        return
    ydim = y.dims[0]
    if ydim not in y.coords:
        return
    labels = y[ydim].values
    for d in W.dims:
        if d in W.coords and not np.array_equal(W[d].values, labels):
            raise AnalysisError(f"W's {d!r} labels {W[d].values.tolist()} do not match the"
                                f" units of y {labels.tolist()} in order; reorder W first")


def _prepare(y: Any, W: Any, standardise: bool):
    from libpysal.weights import W as PysalW
    _check_labels(y, W)
    arr = np.asarray(y.values if isinstance(y, xr.DataArray) else y, dtype=float)
    if arr.ndim != 1:
        raise AnalysisError(f"y must be 1-D (one value per unit), found shape {arr.shape};"
                            " use morans_i_over_time for a panel")
    if arr.size < 4:
        raise AnalysisError(f"Moran's I needs at least 4 units, found {arr.size}")
    check_finite(arr, "y")
    if isinstance(W, PysalW):
        if W.n != arr.size:
            raise AnalysisError(f"W has {W.n} units but there are {arr.size}")
        return arr, weights(W, standardise=standardise)
    return arr, weights(_dense(W, arr.size), standardise=standardise)


@contextlib.contextmanager
def _global_seed(rng: np.random.Generator):
    state = np.random.get_state()
    np.random.seed(int(rng.integers(2 ** 32)))
    try:
        yield
    finally:
        np.random.set_state(state)


def morans_i(y: Any, W: Any, *, permutations: int = 999, seed: SeedLike = None,
             standardise: bool = True) -> MoranResult:
    """Global Moran's I with normal, randomisation and permutation inference (``esda.Moran``).

    Parameters
    ----------
    y : array_like or xarray.DataArray
        One value per unit (1-D), in the order of the rows of ``W``.
    W : array_like, xarray.DataArray or libpysal.weights.W
        ``n x n`` spatial weights (adjacency or inverse distance).
    permutations : int, default 999
        Number of random permutations of ``y`` for the pseudo p-value; 0 skips them.
    seed : None, int or numpy.random.Generator, optional
        Source of the permutations; an int makes them reproducible.
    standardise : bool, default True
        Row-standardise ``W`` first (esda's default ``transformation="r"``).

    Returns
    -------
    MoranResult
        esda's I, moments, z-scores, two-sided p-values and permutation summary.
        If ``y`` is constant, ``I`` and everything that depends on it is NaN.

    Raises
    ------
    SimsysError
        If ``y`` is not 1-D, has fewer than 4 units or non-finite values, or ``W``
        does not match it, or ``permutations`` or ``seed`` are invalid.
    """
    import esda
    permutations = check_permutations(permutations)
    arr, w = _prepare(y, W, standardise)
    rng = as_rng(seed)
    constant = bool(np.ptp(arr) == 0)
    with _global_seed(rng), np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = esda.Moran(arr, w, transformation=w.transform,
                       permutations=0 if constant else permutations, two_tailed=True)
    nan = float("nan")
    sim = np.asarray(getattr(m, "sim", np.empty(0)), dtype=float)
    if constant:
        return MoranResult(I=nan, EI=float(m.EI), VI_norm=float(m.VI_norm),
                           seI_norm=float(m.seI_norm), z_norm=nan, p_norm=nan, VI_rand=nan,
                           seI_rand=nan, z_rand=nan, p_rand=nan, n=int(m.n),
                           permutations=permutations, p_sim=nan, EI_sim=nan, seI_sim=nan,
                           VI_sim=nan, z_sim=nan, p_z_sim=nan, sim=np.empty(0))
    get = lambda name: float(getattr(m, name, nan))  # noqa: E731 - absent without permutations
    return MoranResult(I=float(m.I), EI=float(m.EI), VI_norm=float(m.VI_norm),
                       seI_norm=float(m.seI_norm), z_norm=float(m.z_norm),
                       p_norm=float(m.p_norm), VI_rand=float(m.VI_rand),
                       seI_rand=float(m.seI_rand), z_rand=float(m.z_rand),
                       p_rand=float(m.p_rand), n=int(m.n), permutations=permutations,
                       p_sim=get("p_sim"), EI_sim=get("EI_sim"), seI_sim=get("seI_sim"),
                       VI_sim=get("VI_sim"), z_sim=get("z_sim"), p_z_sim=get("p_z_sim"),
                       sim=sim)


def local_morans(y: Any, W: Any, *, permutations: int = 999, seed: SeedLike = None,
                 standardise: bool = True, alpha: float = 0.05) -> LocalMoranResult:
    """Local Moran's I (LISA) per unit with conditional-permutation p-values (``esda.Moran_Local``).

    Parameters
    ----------
    y : array_like or xarray.DataArray
        One value per unit (1-D); a DataArray's coordinate labels the units.
    W : array_like, xarray.DataArray or libpysal.weights.W
        ``n x n`` spatial weights.
    permutations : int, default 999
        Number of conditional permutations; 0 skips them (p-values NaN, no clusters).
    seed : None, int or numpy.random.Generator, optional
        Source of the permutations (passed to esda as an int seed).
    standardise : bool, default True
        Row-standardise ``W`` first.
    alpha : float, default 0.05
        Significance level of the cluster labels.

    Returns
    -------
    LocalMoranResult
        ``Is``, quadrant codes and labels (HH, LH, LL, HL), significant clusters,
        analytic moments and pseudo p-values per unit; ``to_dataset(dim)`` gives a Dataset.

    Raises
    ------
    SimsysError
        If ``y`` is not 1-D, has fewer than 4 units or non-finite values, ``W``
        does not match it, ``alpha`` is outside (0, 1), or ``permutations`` or
        ``seed`` are invalid.
    """
    import esda
    if not 0 < alpha < 1:
        raise AnalysisError(f"alpha must lie in (0, 1), found {alpha!r}")
    permutations = check_permutations(permutations)
    arr, w = _prepare(y, W, standardise)
    rng = as_rng(seed)
    n = arr.size
    units = (np.asarray(y[y.dims[0]].values) if isinstance(y, xr.DataArray)
             and y.dims[0] in y.coords else np.arange(n))
    constant = bool(np.ptp(arr) == 0)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = esda.Moran_Local(arr, w, transformation=w.transform,
                             permutations=0 if constant else permutations,
                             seed=int(rng.integers(2 ** 31 - 1)), n_jobs=1)
    q = np.asarray(m.q, dtype=int)
    quadrant = np.array(QUADRANT_LABELS, dtype=object)[q - 1]
    if permutations and not constant:
        p_sim = np.asarray(m.p_sim, dtype=float)
        stats = [np.asarray(getattr(m, k), dtype=float) for k in ("EI_sim", "seI_sim", "z_sim",
                                                                  "p_z_sim")]
        sim = np.asarray(m.sim, dtype=float)
        cluster = np.where(p_sim < alpha, quadrant, "ns").astype(object)
    else:
        p_sim = np.full(n, np.nan)
        stats = [np.full(n, np.nan) for _ in range(4)]
        sim = np.empty((0, n))
        cluster = np.full(n, "ns", dtype=object)
    return LocalMoranResult(Is=np.asarray(m.Is, dtype=float), q=q, quadrant=quadrant,
                            cluster=cluster, alpha=float(alpha),
                            EI=np.asarray(m.EI, dtype=float), VI=np.asarray(m.VI, dtype=float),
                            permutations=permutations, p_sim=p_sim, EI_sim=stats[0],
                            seI_sim=stats[1], z_sim=stats[2], p_z_sim=stats[3], sim=sim,
                            units=units,
                            dim=str(y.dims[0]) if isinstance(y, xr.DataArray) else ANON_SPATIAL)


def _panel_rows(da: xr.DataArray, W: Any, dim: str, time_dim: str):
    if not isinstance(da, xr.DataArray):
        raise AnalysisError(f"da must be an xarray.DataArray, found {type(da).__name__};"
                            " use morans_i on a 1-D array")
    for name in (dim, time_dim):
        if name not in da.dims:
            raise AnalysisError(f"da has dims {tuple(da.dims)}; expected {name!r}")
    if dim in da.coords:
        _check_labels(da[dim].reset_coords(drop=True), W)
    rest = [d for d in da.dims if d != dim]
    moved = da.transpose(*rest, dim)
    return rest, moved, moved.values.reshape(-1, da.sizes[dim])


def morans_i_over_time(da: xr.DataArray, W: Any, dim: str | None = None, time_dim: str = "time",
                       *, permutations: int = 999, seed: SeedLike = None,
                       standardise: bool = True) -> xr.Dataset:
    """Global Moran's I at every time (and every other index, e.g. scenario).

    Parameters
    ----------
    da : xarray.DataArray
        Values with a region dimension ``dim`` (in the order of the rows of
        ``W``) and a time dimension ``time_dim``; other dims are looped over too.
    W : array_like, xarray.DataArray or libpysal.weights.W
        ``n x n`` spatial weights.
    dim : str, optional
        Name of the regional dimension (default: the one dimension of ``da``
        besides ``time_dim`` and scenario, e.g. the model's "Province").
    time_dim : str
        Name of the time dimension.
    permutations : int, default 999
        Permutations per time point; 0 skips them.
    seed : None, int or numpy.random.Generator, optional
        One generator is drawn from in order of the time points, so an int seed
        makes the whole result reproducible.
    standardise : bool, default True
        Row-standardise ``W`` first.

    Returns
    -------
    xarray.Dataset
        Over every dim of ``da`` except ``dim``: ``I``, ``EI``, ``z_norm``,
        ``p_norm``, ``z_rand``, ``p_rand``, ``p_sim``, ``EI_sim`` and ``seI_sim``.
        Times at which all regions are equal give NaN.

    Raises
    ------
    SimsysError
        If ``da`` is not a DataArray with both dims, or its values or ``W`` are
        invalid for :func:`morans_i`.
    """
    dim = spatial_dim(da, dim, exclude=(time_dim,), what="da")
    rest, moved, flat = _panel_rows(da, W, dim, time_dim)
    rng = as_rng(seed)
    w = weights(W, ids=None, standardise=standardise) if not hasattr(W, "transform") else W
    fields = ["I", "EI", "z_norm", "p_norm", "z_rand", "p_rand", "p_sim", "EI_sim", "seI_sim"]
    out = {f: np.empty(flat.shape[0]) for f in fields}
    for row, values in enumerate(flat):
        res = morans_i(values, w, permutations=permutations, seed=rng, standardise=standardise)
        for f in fields:
            out[f][row] = getattr(res, f)
    shape = tuple(da.sizes[d] for d in rest)
    coords = {k: v for k, v in moved.coords.items() if dim not in v.dims}
    return xr.Dataset({f: (rest, out[f].reshape(shape)) for f in fields}, coords=coords)


def local_morans_over_time(da: xr.DataArray, W: Any, dim: str | None = None,
                           time_dim: str = "time", *, permutations: int = 999,
                           seed: SeedLike = None, standardise: bool = True,
                           alpha: float = 0.05) -> xr.Dataset:
    """Local Moran's I, quadrant and significant cluster per unit at every time.

    Parameters are those of :func:`morans_i_over_time` plus ``alpha`` (see
    :func:`local_morans`).

    Returns
    -------
    xarray.Dataset
        ``Is``, ``p_sim``, ``quadrant`` and ``cluster`` (HH, LH, LL, HL or "ns")
        over every dim of ``da``.

    Raises
    ------
    SimsysError
        As :func:`morans_i_over_time`.
    """
    dim = spatial_dim(da, dim, exclude=(time_dim,), what="da")
    rest, moved, flat = _panel_rows(da, W, dim, time_dim)
    rng = as_rng(seed)
    w = weights(W, standardise=standardise) if not hasattr(W, "transform") else W
    n = da.sizes[dim]
    out = {"Is": np.empty((flat.shape[0], n)), "p_sim": np.empty((flat.shape[0], n)),
           "quadrant": np.empty((flat.shape[0], n), dtype=object),
           "cluster": np.empty((flat.shape[0], n), dtype=object)}
    for row, values in enumerate(flat):
        res = local_morans(values, w, permutations=permutations, seed=rng,
                           standardise=standardise, alpha=alpha)
        for f in out:
            out[f][row] = getattr(res, f)
    shape = tuple(da.sizes[d] for d in rest) + (n,)
    dims = rest + [dim]
    data = {f: (dims, v.reshape(shape).astype(str) if v.dtype == object else v.reshape(shape))
            for f, v in out.items()}
    return xr.Dataset(data, coords=dict(moved.coords), attrs={"alpha": alpha})
