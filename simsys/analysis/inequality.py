"""Inequality across regions: Gini coefficient and Theil T index.

Both reduce over the region dimension and keep every other one (time,
scenario), so ``gini(vitality)`` on a ``(time, Province)`` DataArray is a time
series.

* Gini: ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean)``, computed from the sorted
  values as ``2 sum_i i x_(i) / (n sum x) - (n + 1) / n``; 0 for equal values,
  ``(n - 1) / n`` when one region holds everything.
* Theil T: ``T = sum_i s_i ln(s_i / p_i)`` with value shares ``s_i`` and population
  shares ``p_i`` (``1/n`` without weights, giving ``(1/n) sum (x_i/mu) ln(x_i/mu)``);
  0 for equal values, ``ln n`` when one region holds everything; zero values
  contribute 0 (the limit of ``s ln s``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ._common import AnalysisError, as_dataarray, check_finite, spatial_dim, unwrap

__all__ = ["gini", "theil"]


def _checked(y: Any, dim: str) -> tuple[xr.DataArray, bool]:
    dim = spatial_dim(y, dim)
    da, was_numpy = as_dataarray(y, dim, what="y")
    values = da.values
    check_finite(values, "y")
    if (values < 0).any():
        raise AnalysisError(f"inequality indices need non-negative values; found minimum"
                            f" {values.min():.6g}")
    if da.sizes[dim] < 1:
        raise AnalysisError(f"y has no values along {dim!r}")
    return da.astype(float), was_numpy


def gini(y: Any, dim: str | None = None) -> Any:
    """Gini coefficient of non-negative values across regions.

    Parameters
    ----------
    y : array_like or xarray.DataArray
        Values per region; a numpy array has the regions on its last axis.
    dim : str, optional
        Regional dimension of a DataArray (default: its one dimension besides
        time and scenario, e.g. the model's "Province").

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        Gini coefficient, with the region axis removed. NaN where all values
        are zero.

    Raises
    ------
    SimsysError
        If ``dim`` is missing or the values are negative or not finite.
    """
    dim = spatial_dim(y, dim)
    da, was_numpy = _checked(y, dim)
    n = da.sizes[dim]

    def _kernel(x: np.ndarray) -> np.ndarray:
        xs = np.sort(x, axis=-1)
        rank = np.arange(1, n + 1)
        total = xs.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return 2.0 * (xs * rank).sum(axis=-1) / (n * total) - (n + 1.0) / n

    out = xr.apply_ufunc(_kernel, da, input_core_dims=[[dim]])
    return unwrap(out, was_numpy)


def theil(y: Any, dim: str | None = None, *, weights: Any = None) -> Any:
    """Theil T index of non-negative values across regions.

    Parameters
    ----------
    y : array_like or xarray.DataArray
        Values per region (e.g. vitality or value added); a numpy array has the
        regions on its last axis.
    dim : str, optional
        Regional dimension of a DataArray (default: its one dimension besides
        time and scenario, e.g. the model's "Province").
    weights : array_like or xarray.DataArray, optional
        Population (or another size) per region: 1-D, or a DataArray
        broadcastable against ``y`` (e.g. varying over time);
        the index then measures how far value shares depart from population
        shares. Equal weights by default.

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        Theil T, with the region axis removed. NaN where all values are zero.

    Raises
    ------
    SimsysError
        If ``dim`` is missing, values are negative or not finite, or weights are
        not positive.
    """
    dim = spatial_dim(y, dim)
    da, was_numpy = _checked(y, dim)
    if weights is None:
        p = xr.full_like(da, 1.0 / da.sizes[dim])
    else:
        w, _ = as_dataarray(weights, dim, what="weights")
        if not isinstance(weights, xr.DataArray) and w.shape != (da.sizes[dim],):
            raise AnalysisError(f"numpy weights must be 1-D with one entry per region"
                                f" ({da.sizes[dim]}), found shape {w.shape}; pass a"
                                " DataArray to vary them over time")
        check_finite(w.values, "weights")
        if (w.values <= 0).any():
            raise AnalysisError("theil weights must be positive")
        p = w / w.sum(dim)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = da / da.sum(dim)
        terms = xr.where(s > 0, s * np.log(s / p), 0.0)
        out = terms.sum(dim).where(da.sum(dim) > 0)
    return unwrap(out, was_numpy)
