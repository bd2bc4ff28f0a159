"""Coupling coordination degree of n subsystems (耦合协调度) and its bands.

For subsystem indices ``U_i`` in [0, 1] (one per chain: talent, innovation,
industry, capital, ...):

* indices are first rescaled affinely to [0.01, 0.99], ``U' = 0.01 + 0.98 U``, so
  that a zero index does not zero the product and no index reaches 1;
* standard coupling ``C = n (prod U_i)^(1/n) / sum U_i`` (geometric over
  arithmetic mean, in (0, 1], equal to 1 when all indices are equal);
* corrected coupling of Wang Shujia et al. (2021, J. Natural Resources 36(3)):
  ``C = sqrt{[1 - sum_{i>j} |U_i - U_j| / (n(n-1)/2)] * prod_i (U_i / max U)^(1/(n-1))}``,
  which spreads C over [0, 1] instead of crowding it near 1;
* comprehensive development ``T = sum a_i U_i`` with ``sum a_i = 1``;
* coupling coordination degree ``D = sqrt(C T)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from ._common import AnalysisError, as_dataarray, check_finite, unwrap

__all__ = ["CouplingResult", "CouplingBand", "BAND_LABELS", "coupling_degree",
           "coupling_band", "minmax_index"]

RESCALE_LOW = 0.01
RESCALE_HIGH = 0.99

#: (Chinese, English) label of each band of D; band k covers (k/10, (k+1)/10].
BAND_LABELS: tuple[tuple[str, str], ...] = (
    ("极度失调", "extreme disorder"),
    ("严重失调", "severe disorder"),
    ("中度失调", "moderate disorder"),
    ("轻度失调", "mild disorder"),
    ("濒临失调", "near disorder"),
    ("勉强协调", "barely coordinated"),
    ("初级协调", "primary coordination"),
    ("中级协调", "intermediate coordination"),
    ("良好协调", "good coordination"),
    ("优质协调", "high-quality coordination"),
)
# Upper edges of bands 0..8 written as decimal literals, so that a D of exactly
# 0.3 compares equal to the edge and falls in (0.2, 0.3] as the bands require.
_BAND_EDGES = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])


@dataclass(frozen=True, slots=True, eq=False)
class CouplingResult:
    """Coupling degree C, development index T and coordination degree D.

    Each field is a DataArray (input was a DataArray, subsystem dim removed) or
    a numpy array / float (input was numpy, last axis removed).
    """

    C: Any
    T: Any
    D: Any

    def to_dataset(self) -> xr.Dataset:
        """Return C, T and D as one ``xarray.Dataset``."""
        return xr.Dataset({"C": _as_da(self.C), "T": _as_da(self.T), "D": _as_da(self.D)})


@dataclass(frozen=True, slots=True, eq=False)
class CouplingBand:
    """Band of D: ``index`` 0..9 (-1 where D is NaN) and its labels ('' where NaN)."""

    index: Any
    zh: Any
    en: Any


def _as_da(x: Any) -> xr.DataArray:
    if isinstance(x, xr.DataArray):
        return x
    arr = np.asarray(x)
    return xr.DataArray(arr, dims=tuple(f"dim_{i}" for i in range(arr.ndim)))


def _weights(weights: Any, dim: str, n: int, coord: Any) -> xr.DataArray:
    if weights is None:
        return xr.DataArray(np.full(n, 1.0 / n), dims=(dim,), coords=coord)
    if isinstance(weights, xr.DataArray):
        if weights.dims != (dim,):
            raise AnalysisError(f"weights must be 1-D along {dim!r}, found dims {weights.dims}")
        w = weights.astype(float)
    else:
        arr = np.asarray(weights, dtype=float)
        if arr.shape != (n,):
            raise AnalysisError(f"weights must have one entry per subsystem ({n}),"
                                f" found shape {arr.shape}")
        w = xr.DataArray(arr, dims=(dim,), coords=coord)
    values = w.values
    check_finite(values, "weights")
    if (values < 0).any() or abs(values.sum() - 1.0) > 1e-9:
        raise AnalysisError(f"weights must be non-negative and sum to 1, found {values.tolist()}"
                            f" (sum {values.sum():.12g})")
    return w


def coupling_degree(indices: Any, weights: Any = None, *, dim: str = "chain",
                    corrected: bool = False, rescale: bool = True) -> CouplingResult:
    """Coupling degree C, development index T and coordination degree D.

    Parameters
    ----------
    indices : array_like or xarray.DataArray
        Subsystem indices ``U_i`` in [0, 1]. A DataArray carries the subsystems
        along ``dim``; a numpy array carries them on its last axis. Any other
        axes (region, time, scenario) are kept.
    weights : array_like or xarray.DataArray, optional
        Weights ``a_i`` of T, non-negative and summing to 1; equal by default.
    dim : str, default "chain"
        Name of the subsystem dimension of a DataArray.
    corrected : bool, default False
        Use the corrected C of Wang Shujia et al. (2021) instead of the
        standard ``n (prod U)^(1/n) / sum U``.
    rescale : bool, default True
        Map indices affinely from [0, 1] to [0.01, 0.99] before computing. With
        ``False`` the indices are used as given and must lie in (0, 1].

    Returns
    -------
    CouplingResult
        Frozen result with fields ``C``, ``T`` and ``D`` (same kind as the input,
        subsystem axis removed); ``to_dataset()`` gives an ``xarray.Dataset``.

    Raises
    ------
    SimsysError
        If ``dim`` is missing, there are fewer than two subsystems, an index is
        NaN or outside [0, 1] (outside (0, 1] with ``rescale=False``), or the
        weights are malformed.
    """
    da, was_numpy = as_dataarray(indices, dim, what="indices")
    n = da.sizes[dim]
    if n < 2:
        raise AnalysisError(f"coupling needs at least two subsystems along {dim!r}, found {n}")
    da = da.astype(float)
    values = da.values
    check_finite(values, "indices")
    if rescale:
        # Tolerate round-off from upstream normalisation, then clip it away.
        if values.min() < -1e-12 or values.max() > 1 + 1e-12:
            raise AnalysisError("indices must lie in [0, 1] before rescaling to [0.01, 0.99];"
                                f" found range [{values.min():.6g}, {values.max():.6g}]"
                                " (normalise them first, e.g. with minmax_index)")
        u = RESCALE_LOW + (RESCALE_HIGH - RESCALE_LOW) * da.clip(0.0, 1.0)
    else:
        if values.min() <= 0 or values.max() > 1:
            raise AnalysisError("with rescale=False indices must lie in (0, 1]; found range"
                                f" [{values.min():.6g}, {values.max():.6g}]")
        u = da
    coord = {dim: da[dim]} if dim in da.coords else None
    w = _weights(weights, dim, n, coord)

    if corrected:
        c = _corrected_c(u, dim, n)
    else:
        geometric = np.exp(np.log(u).mean(dim))
        c = geometric / u.mean(dim)
    # Rounding can push C a hair above 1 when all indices are equal.
    c = c.clip(max=1.0)
    t = (u * w).sum(dim)
    d = np.sqrt(c * t)
    return CouplingResult(C=unwrap(c, was_numpy), T=unwrap(t, was_numpy),
                          D=unwrap(d, was_numpy))


def _corrected_c(u: xr.DataArray, dim: str, n: int) -> xr.DataArray:
    other = f"{dim}__other"
    u2 = u.rename({dim: other})
    if other in u2.coords:
        u2 = u2.drop_vars(other)
    ucoordless = u.drop_vars(dim) if dim in u.coords else u
    # Sum over ordered pairs counts each unordered pair twice.
    pair_sum = abs(ucoordless - u2).sum([dim, other]) / 2.0
    spread = 1.0 - pair_sum / (n * (n - 1) / 2.0)
    ratio = u / u.max(dim)
    product = np.exp(np.log(ratio).sum(dim) / (n - 1))
    return np.sqrt((spread * product).clip(min=0.0))


def coupling_band(D: Any) -> CouplingBand:
    """Band of the coupling coordination degree, with Chinese and English labels.

    Band ``k`` covers ``(k/10, (k+1)/10]``; ``D = 0`` belongs to band 0. The labels
    are those of :data:`BAND_LABELS` (0 极度失调 extreme disorder ... 9 优质协调
    high-quality coordination).

    Parameters
    ----------
    D : float, array_like or xarray.DataArray
        Coordination degree in [0, 1]. NaN gives band -1 and empty labels.

    Returns
    -------
    CouplingBand
        ``index`` (int), ``zh`` and ``en`` (str), each of the same kind and shape
        as ``D``.

    Raises
    ------
    SimsysError
        If a value of D lies outside [0, 1].
    """
    is_da = isinstance(D, xr.DataArray)
    arr = np.asarray(D.values if is_da else D, dtype=float)
    finite = np.isfinite(arr)
    if ((arr[finite] < 0) | (arr[finite] > 1)).any():
        raise AnalysisError(f"D must lie in [0, 1]; found range [{np.nanmin(arr):.6g},"
                            f" {np.nanmax(arr):.6g}]")
    index = np.where(finite, np.searchsorted(_BAND_EDGES, np.where(finite, arr, 0.0),
                                             side="left"), -1).astype(int)
    zh_table = np.array([z for z, _ in BAND_LABELS] + [""], dtype=object)
    en_table = np.array([e for _, e in BAND_LABELS] + [""], dtype=object)
    zh, en = zh_table[index], en_table[index]  # index -1 picks the trailing ""
    if is_da:
        return CouplingBand(index=D.copy(data=index), zh=D.copy(data=zh), en=D.copy(data=en))
    if arr.ndim == 0:
        return CouplingBand(index=int(index), zh=str(zh), en=str(en))
    return CouplingBand(index=index, zh=zh, en=en)


def minmax_index(x: Any, *, over: str | tuple[str, ...] | None = None,
                 negative: bool = False) -> Any:
    """Min-max normalise a raw indicator to [0, 1] for use as a subsystem index.

    ``(x - min) / (max - min)`` for a positive indicator, ``(max - x) / (max - min)``
    for a negative one (where less is better). A constant indicator maps to 1.

    Parameters
    ----------
    x : array_like or xarray.DataArray
        Raw indicator values.
    over : str or tuple of str, optional
        DataArray dims over which min and max are taken (all dims by default, so
        regions and years share one scale). Ignored for numpy input, which is
        scaled over all its elements.
    negative : bool, default False
        Treat the indicator as negative (smaller is better).

    Returns
    -------
    numpy.ndarray or xarray.DataArray
        Normalised values in [0, 1], same kind and shape as ``x``.

    Raises
    ------
    SimsysError
        If ``x`` has NaN or infinite values or ``over`` names a missing dim.
    """
    if isinstance(x, xr.DataArray):
        dims = x.dims if over is None else ((over,) if isinstance(over, str) else tuple(over))
        missing = [d for d in dims if d not in x.dims]
        if missing:
            raise AnalysisError(f"over names {missing}, not among the dims {tuple(x.dims)}")
        check_finite(x.values, "indicator")
        lo, hi = x.min(dims), x.max(dims)
    else:
        x = np.asarray(x, dtype=float)
        check_finite(x, "indicator")
        lo, hi = x.min(), x.max()
    span = hi - lo
    scaled = (hi - x) if negative else (x - lo)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = scaled / span
    if isinstance(out, xr.DataArray):
        return out.where(span > 0, 1.0)
    return np.where(span > 0, out, 1.0)
