"""Spatial autocorrelation: global and local Moran's I with permutation inference.

Formulas follow PySAL esda (``esda/moran.py``, classes ``Moran`` and
``Moran_Local``), on a dense weight matrix ``W`` (row i lists the weights of
unit i's neighbours):

* ``I = (n / S0) z'Wz / z'z`` with ``z = y - mean(y)``, ``E[I] = -1/(n-1)``;
* ``S0 = sum w_ij``, ``S1 = 1/2 sum (w_ij + w_ji)^2``, ``S2 = sum_i (w_i. + w_.i)^2``;
* ``V_norm = (n^2 S1 - n S2 + 3 S0^2) / ((n-1)(n+1) S0^2) - E[I]^2``;
* ``V_rand = [n((n^2-3n+3) S1 - n S2 + 3 S0^2) - k((n^2-n) S1 - 2n S2 + 6 S0^2)]
  / ((n-1)(n-2)(n-3) S0^2) - E[I]^2`` with kurtosis ``k = (sum z^4 / n) / (sum z^2 / n)^2``;
* two-sided normal p-values ``2 * sf(|z|)``; permutation pseudo p-value
  ``(min(#{I_perm >= I}, perms - #{I_perm >= I}) + 1) / (perms + 1)``.

By default ``W`` is row-standardised first (esda's ``transformation="r"``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr
from scipy import stats

from ._common import (AnalysisError, SeedLike, as_rng, check_finite, check_permutations)

__all__ = ["MoranResult", "LocalMoranResult", "row_standardise", "morans_i",
           "local_morans", "morans_i_over_time"]

QUADRANT_LABELS = ("HH", "LH", "LL", "HL")


@dataclass(frozen=True, slots=True, eq=False)
class MoranResult:
    """Global Moran's I and its inference (names as in esda's ``Moran``).

    ``EI_sim``, ``seI_sim``, ``VI_sim``, ``z_sim``, ``p_z_sim`` (one-sided, as in
    esda) and ``p_sim`` summarise the permutation distribution ``sim``; they are
    NaN (and ``sim`` is empty) when ``permutations == 0``.
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
    """Local Moran's I per unit (names as in esda's ``Moran_Local``).

    ``q`` is the quadrant code (1 HH, 2 LH, 3 LL, 4 HL; a unit's own value
    first, its spatial lag second) and ``quadrant`` its label. ``EI`` and ``VI``
    are the analytic moments of ``Is`` under total randomisation (esda's formulas
    rescaled by ``(n-1)/n`` and its square, because esda states them for the
    ``n``-scaled statistic while its ``Is`` is ``(n-1)``-scaled); ``p_sim`` is
    the folded conditional-permutation pseudo p-value per unit.
    """

    Is: np.ndarray
    q: np.ndarray
    quadrant: np.ndarray
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

    def to_dataset(self, dim: str = "Region") -> xr.Dataset:
        """Return the per-unit arrays as a Dataset along ``dim``."""
        names = ["Is", "q", "quadrant", "EI", "VI", "p_sim", "EI_sim", "seI_sim", "z_sim",
                 "p_z_sim"]
        return xr.Dataset({k: ((dim,), getattr(self, k)) for k in names},
                          coords={dim: self.units})


def _weights_matrix(W: Any, n: int | None = None) -> np.ndarray:
    arr = np.asarray(W.values if isinstance(W, xr.DataArray) else W, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise AnalysisError(f"W must be a square matrix, found shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise AnalysisError(f"W is {arr.shape[0]}x{arr.shape[1]} but there are {n} units")
    check_finite(arr, "W")
    if (arr < 0).any():
        raise AnalysisError("W must have non-negative weights")
    return arr


def row_standardise(W: Any) -> Any:
    """Divide each row of a spatial weight matrix by its sum.

    Rows summing to zero (islands with no neighbours) stay zero, as in esda.

    Parameters
    ----------
    W : array_like or xarray.DataArray
        Square matrix of non-negative weights.

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        The row-standardised matrix, same kind as ``W``.

    Raises
    ------
    SimsysError
        If ``W`` is not square, not finite, or has negative weights.
    """
    arr = _weights_matrix(W)
    sums = arr.sum(axis=1, keepdims=True)
    out = np.divide(arr, sums, out=np.zeros_like(arr), where=sums > 0)
    return W.copy(data=out) if isinstance(W, xr.DataArray) else out


def _check_labels(y: Any, W: Any) -> None:
    # Both labelled: the rows of W must list the units in y's order.
    if not (isinstance(y, xr.DataArray) and isinstance(W, xr.DataArray) and y.ndim == 1):
        return
    ydim, wdims = y.dims[0], W.dims
    if ydim not in y.coords:
        return
    labels = y[ydim].values
    for d in wdims:
        if d in W.coords and not np.array_equal(W[d].values, labels):
            raise AnalysisError(f"W's {d!r} labels {W[d].values.tolist()} do not match the"
                                f" units of y {labels.tolist()} in order; reorder W first")


def _prepare(y: Any, W: Any, standardise: bool) -> tuple[np.ndarray, np.ndarray]:
    _check_labels(y, W)
    arr = np.asarray(y.values if isinstance(y, xr.DataArray) else y, dtype=float)
    if arr.ndim != 1:
        raise AnalysisError(f"y must be 1-D (one value per unit), found shape {arr.shape};"
                            " use morans_i_over_time for a panel")
    if arr.size < 4:
        raise AnalysisError(f"Moran's I needs at least 4 units, found {arr.size}")
    check_finite(arr, "y")
    w = _weights_matrix(W, arr.size)
    if standardise:
        w = row_standardise(w)
    if w.sum() <= 0:
        raise AnalysisError("W has no positive weight")
    return arr, w


def morans_i(y: Any, W: Any, *, permutations: int = 999, seed: SeedLike = None,
             standardise: bool = True) -> MoranResult:
    """Global Moran's I with normal, randomisation and permutation inference.

    Parameters
    ----------
    y : array_like or xarray.DataArray
        One value per unit (1-D), in the order of the rows of ``W``.
    W : array_like or xarray.DataArray
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
        I, its moments under normality and randomisation, z-scores, two-sided
        p-values and the permutation summary. If ``y`` is constant, ``I`` and all
        statistics that depend on it are NaN.

    Raises
    ------
    SimsysError
        If ``y`` is not 1-D, has fewer than 4 units or non-finite values, or ``W``
        does not match it, or ``permutations`` or ``seed`` are invalid.
    """
    permutations = check_permutations(permutations)
    arr, w = _prepare(y, W, standardise)
    rng = as_rng(seed)
    n = arr.size
    z = arr - arr.mean()
    z2ss = float(z @ z)
    s0 = w.sum()
    s1 = 0.5 * ((w + w.T) ** 2).sum()
    s2 = ((w.sum(axis=1) + w.sum(axis=0)) ** 2).sum()
    ei = -1.0 / (n - 1)
    s02 = s0 * s0
    vi_norm = (n * n * s1 - n * s2 + 3 * s02) / ((n - 1) * (n + 1) * s02) - ei ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        k = ((z ** 4).sum() / n) / ((z ** 2).sum() / n) ** 2
        a = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s02)
        b = k * ((n * n - n) * s1 - 2 * n * s2 + 6 * s02)
        vi_rand = (a - b) / ((n - 1) * (n - 2) * (n - 3) * s02) - ei ** 2
        i_obs = float(n / s0 * (z @ w @ z) / z2ss)
        z_norm = (i_obs - ei) / np.sqrt(vi_norm)
        z_rand = (i_obs - ei) / np.sqrt(vi_rand)
    p_norm = float(2.0 * stats.norm.sf(abs(z_norm)))
    p_rand = float(2.0 * stats.norm.sf(abs(z_rand)))

    if permutations and z2ss > 0:
        zp = rng.permuted(np.broadcast_to(z, (permutations, n)), axis=1)
        sim = n / s0 * np.einsum("pi,pi->p", zp, zp @ w.T) / z2ss
        larger = int((sim >= i_obs).sum())
        larger = min(larger, permutations - larger)
        p_sim = (larger + 1.0) / (permutations + 1.0)
        ei_sim = float(sim.mean())
        sei_sim = float(sim.std())
        with np.errstate(divide="ignore", invalid="ignore"):
            z_sim = (i_obs - ei_sim) / sei_sim
        p_z_sim = float(stats.norm.sf(z_sim) if z_sim > 0 else stats.norm.cdf(z_sim))
    else:
        sim = np.empty(0)
        p_sim = ei_sim = sei_sim = z_sim = p_z_sim = np.nan
    return MoranResult(I=i_obs, EI=ei, VI_norm=float(vi_norm), seI_norm=float(np.sqrt(vi_norm)),
                       z_norm=float(z_norm), p_norm=p_norm, VI_rand=float(vi_rand),
                       seI_rand=float(np.sqrt(vi_rand)) if vi_rand >= 0 else np.nan,
                       z_rand=float(z_rand), p_rand=p_rand, n=n, permutations=permutations,
                       p_sim=float(p_sim), EI_sim=ei_sim, seI_sim=sei_sim,
                       VI_sim=sei_sim ** 2, z_sim=float(z_sim), p_z_sim=p_z_sim, sim=sim)


def local_morans(y: Any, W: Any, *, permutations: int = 999, seed: SeedLike = None,
                 standardise: bool = True) -> LocalMoranResult:
    """Local Moran's I (LISA) per unit with conditional-permutation pseudo p-values.

    ``I_i = (n - 1) z_i (W z)_i / sum z^2`` with ``z`` standardised by the
    population standard deviation (esda's ``Moran_Local``). In each permutation
    unit i keeps its value and its neighbours' values are drawn without
    replacement from the other ``n - 1`` units; the same draw order is shared by
    all units within a permutation, as esda does.

    Parameters
    ----------
    y : array_like or xarray.DataArray
        One value per unit (1-D); a DataArray's coordinate labels the units.
    W : array_like or xarray.DataArray
        ``n x n`` spatial weights.
    permutations : int, default 999
        Number of conditional permutations; 0 skips them (p-values NaN).
    seed : None, int or numpy.random.Generator, optional
        Source of the permutations.
    standardise : bool, default True
        Row-standardise ``W`` first.

    Returns
    -------
    LocalMoranResult
        ``Is``, quadrant codes and labels (HH, LH, LL, HL), analytic moments and
        pseudo p-values per unit; ``to_dataset(dim)`` gives a Dataset.

    Raises
    ------
    SimsysError
        If ``y`` is not 1-D, has fewer than 4 units or non-finite values, ``W``
        does not match it, or ``permutations`` or ``seed`` are invalid.
    """
    permutations = check_permutations(permutations)
    arr, w = _prepare(y, W, standardise)
    rng = as_rng(seed)
    n = arr.size
    units = (np.asarray(y[y.dims[0]].values) if isinstance(y, xr.DataArray)
             and y.dims[0] in y.coords else np.arange(n))
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (arr - arr.mean()) / arr.std()
    den = (z * z).sum()
    lag = w @ z
    scaling = (n - 1) / den
    is_ = scaling * z * lag
    q = np.select([(z > 0) & (lag > 0), (z <= 0) & (lag > 0), (z <= 0) & (lag <= 0)],
                  [1, 2, 3], default=4)
    quadrant = np.array(QUADRANT_LABELS, dtype=object)[q - 1]

    m2 = (z * z).sum() / n
    m4 = (z ** 4).sum() / n
    b2 = m4 / m2 ** 2
    wi = w.sum(axis=1)
    wi2 = (w * w).sum(axis=1)
    # esda's total-randomisation moments (Sokal et al. 1998) are those of Anselin's
    # I_i = n z_i lag_i / sum z^2; Is above carries esda's (n - 1) scaling, so the
    # moments are rescaled by (n - 1) / n to describe Is itself (checked against
    # exact enumeration of all permutations in the tests).
    ratio = (n - 1) / n
    ei = ratio * (-wi / (n - 1))
    vi = ratio ** 2 * (wi2 * (n - b2) / (n - 1)
                       + (wi ** 2 - wi2) * (2 * b2 - n) / ((n - 1) * (n - 2))
                       - (wi / (n - 1)) ** 2)

    if permutations and den > 0:
        sim = _conditional_permutations(z, w, permutations, scaling, rng)
        larger = (sim >= is_).sum(axis=0)
        larger = np.minimum(larger, permutations - larger)
        p_sim = (larger + 1.0) / (permutations + 1.0)
        ei_sim = sim.mean(axis=0)
        sei_sim = sim.std(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            z_sim = (is_ - ei_sim) / sei_sim
        p_z_sim = stats.norm.sf(np.abs(z_sim))
    else:
        sim = np.empty((0, n))
        p_sim = ei_sim = sei_sim = z_sim = p_z_sim = np.full(n, np.nan)
    return LocalMoranResult(Is=is_, q=q, quadrant=quadrant, EI=ei, VI=vi,
                            permutations=permutations, p_sim=p_sim, EI_sim=ei_sim,
                            seI_sim=sei_sim, z_sim=z_sim, p_z_sim=p_z_sim, sim=sim, units=units)


def _conditional_permutations(z: np.ndarray, w: np.ndarray, permutations: int,
                              scaling: float, rng: np.random.Generator) -> np.ndarray:
    n = z.size
    off = w.copy()
    np.fill_diagonal(off, 0.0)
    max_card = int((off > 0).sum(axis=1).max())
    # One draw order of the n-1 "other" units per permutation, truncated to the
    # largest neighbour count and shared by all units (esda's vec_permutations).
    ids = np.stack([rng.permutation(n - 1)[:max_card] for _ in range(permutations)])
    sim = np.empty((permutations, n))
    for i in range(n):
        nbr = np.flatnonzero(off[i] > 0)
        others = np.delete(z, i)
        zrand = others[ids[:, :nbr.size]]
        sim[:, i] = z[i] * (zrand @ off[i, nbr] + w[i, i] * z[i]) * scaling
    return sim


def morans_i_over_time(da: xr.DataArray, W: Any, dim: str = "Region", time_dim: str = "time",
                       *, permutations: int = 999, seed: SeedLike = None,
                       standardise: bool = True) -> xr.Dataset:
    """Global Moran's I at every time (and every other index, e.g. scenario).

    Parameters
    ----------
    da : xarray.DataArray
        Values with a region dimension ``dim`` (in the order of the rows of
        ``W``) and a time dimension ``time_dim``; other dims are looped over too.
    W : array_like or xarray.DataArray
        ``n x n`` spatial weights.
    dim, time_dim : str
        Names of the region and time dimensions.
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
        Over every dim of ``da`` except ``dim``: ``I`` (the DataArray of Moran's I),
        ``EI``, ``z_norm``, ``p_norm``, ``z_rand``, ``p_rand``, ``p_sim``,
        ``EI_sim`` and ``seI_sim``. Times at which all regions are equal give NaN.

    Raises
    ------
    SimsysError
        If ``da`` is not a DataArray with both dims, or its values or ``W`` are
        invalid for :func:`morans_i`.
    """
    if not isinstance(da, xr.DataArray):
        raise AnalysisError(f"da must be an xarray.DataArray, found {type(da).__name__};"
                            " use morans_i on a 1-D array")
    for name in (dim, time_dim):
        if name not in da.dims:
            raise AnalysisError(f"da has dims {tuple(da.dims)}; expected {name!r}")
    rng = as_rng(seed)
    fields = ["I", "EI", "z_norm", "p_norm", "z_rand", "p_rand", "p_sim", "EI_sim", "seI_sim"]
    rest = [d for d in da.dims if d != dim]
    moved = da.transpose(*rest, dim)
    flat = moved.values.reshape(-1, da.sizes[dim])
    out = {f: np.empty(flat.shape[0]) for f in fields}
    if dim in da.coords:
        _check_labels(da[dim].reset_coords(drop=True), W)
    for row, values in enumerate(flat):
        res = morans_i(values, W, permutations=permutations, seed=rng, standardise=standardise)
        for f in fields:
            out[f][row] = getattr(res, f)
    shape = tuple(da.sizes[d] for d in rest)
    coords = {k: v for k, v in moved.coords.items() if dim not in v.dims}
    return xr.Dataset({f: (rest, out[f].reshape(shape)) for f in fields}, coords=coords)
