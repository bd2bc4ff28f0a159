"""Spatial weights as ``libpysal.weights.W``: from a dense matrix (a model's ``W``) or
from the package's province contiguity (land borders plus Hainan's sea links)."""
from __future__ import annotations

import warnings
from typing import Any, Iterable

import numpy as np
import xarray as xr

from ._common import AnalysisError, check_finite

__all__ = ["weights", "contiguity_weights", "row_standardise", "region_weights"]


def _dense(W: Any, n: int | None = None) -> np.ndarray:
    arr = np.asarray(W.values if isinstance(W, xr.DataArray) else W, dtype=float)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise AnalysisError(f"W must be a square matrix, found shape {arr.shape}")
    if n is not None and arr.shape[0] != n:
        raise AnalysisError(f"W is {arr.shape[0]}x{arr.shape[1]} but there are {n} units")
    check_finite(arr, "W")
    if (arr < 0).any():
        raise AnalysisError("W must have non-negative weights")
    return arr


def weights(W: Any, ids: Iterable[Any] | None = None, *, standardise: bool = True):
    """A ``libpysal.weights.W`` from a dense matrix (or a W, passed through).

    Parameters
    ----------
    W : array_like, xarray.DataArray or libpysal.weights.W
        ``n x n`` non-negative weights; row i lists unit i's neighbours.
    ids : iterable, optional
        Unit labels in row order (a DataArray's first coordinate by default).
    standardise : bool, default True
        Row-standardise (libpysal's ``transform = "r"``); otherwise binary/raw ("o").

    Returns
    -------
    libpysal.weights.W

    Raises
    ------
    SimsysError
        If ``W`` is not square, not finite, has negative weights or no positive one.
    """
    from libpysal.weights import W as PysalW
    from libpysal.weights import full2W
    if isinstance(W, PysalW):
        w = W
    else:
        arr = _dense(W)
        if arr.sum() <= 0:
            raise AnalysisError("W has no positive weight")
        if ids is None and isinstance(W, xr.DataArray) and W.dims[0] in W.coords:
            ids = W[W.dims[0]].values.tolist()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # libpysal warns about islands; zero rows stay zero
            w = full2W(arr, ids=None if ids is None else list(ids))
    w.transform = "r" if standardise else "o"
    return w


def contiguity_weights(order: Iterable[Any] | None = None, *,
                       hainan: tuple[str, ...] = ("Guangdong", "Guangxi"),
                       standardise: bool = True):
    """Province contiguity weights (land borders plus Hainan's sea links) as a libpysal W.

    Parameters
    ----------
    order : iterable of province names, optional
        Unit order (codes, Chinese or English names); NBS order by default.
    hainan : tuple of str
        Provinces Hainan is linked to across the sea (none gives an island).
    standardise : bool, default True
        Row-standardise.
    """
    from ..geo import adjacency_matrix, province_codes, to_code
    codes = province_codes() if order is None else [to_code(o) for o in order]
    return weights(adjacency_matrix(codes, hainan=hainan), ids=codes, standardise=standardise)


def row_standardise(W: Any) -> Any:
    """Divide each row of a spatial weight matrix by its sum (libpysal's ``transform = "r"``).

    Rows summing to zero (islands with no neighbours) stay zero.

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
    arr = _dense(W)
    out = np.zeros_like(arr)
    if arr.sum() > 0:
        out = weights(arr, standardise=True).full()[0]
    return W.copy(data=out) if isinstance(W, xr.DataArray) else out


def region_weights(model, dim: str, regions: list, weights: str = "W") -> xr.DataArray:
    """The model's weight matrix ``weights`` labelled by ``regions``, or the package's
    province contiguity for a model without one whose regions are the 31 provinces.

    Raises
    ------
    SimsysError
        The model has no such matrix and its regions are not the provinces.
    """
    from ..errors import SimsysError
    from ..geo import adjacency_matrix, match_provinces
    from .reports import weights_of
    try:
        w = weights_of(model, weights)
    except SimsysError:
        if match_provinces(regions) is None:
            raise
        w = adjacency_matrix(regions)
    return xr.DataArray(w, dims=(dim, "to"), coords={dim: regions, "to": regions})
