"""Two of the ecosystem traits of article A2 as numbers: diversity and openness.

* Diversity (多元集聚性): Shannon index ``H = -sum_k p_k ln p_k`` of the shares
  ``p_k`` of actor or talent types, optionally divided by ``ln K`` (Pielou's
  evenness, in [0, 1]); types with zero share contribute 0.
* Openness (开放协同性): the share of cross-region and international flows in all
  flows, ``(cross + international) / total``.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from ._common import AnalysisError, as_dataarray, check_finite, unwrap

__all__ = ["shannon_index", "openness_share", "cross_region_flows"]


def shannon_index(x: Any, dim: str = "type", *, normalised: bool = False,
                  base: float | None = None) -> Any:
    """Shannon diversity of amounts over a type dimension.

    Parameters
    ----------
    x : array_like or xarray.DataArray
        Non-negative amounts per type (talent stocks by type, actors by cluster);
        a numpy array has the types on its last axis.
    dim : str, default "type"
        Type dimension of a DataArray.
    normalised : bool, default False
        Divide by ``ln K`` (K types) to get evenness in [0, 1].
    base : float, optional
        Logarithm base (natural by default; 2 gives bits). Ignored when
        ``normalised`` is True.

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        The index with the type axis removed; NaN where all amounts are zero.

    Raises
    ------
    SimsysError
        If ``dim`` is missing, amounts are negative or not finite, ``base`` is not
        a positive number other than 1, or ``normalised`` is asked with one type.
    """
    da, was_numpy = as_dataarray(x, dim, what="x")
    check_finite(da.values, "x")
    if (da.values < 0).any():
        raise AnalysisError(f"amounts must be non-negative; found minimum {da.values.min():.6g}")
    k = da.sizes[dim]
    if normalised and k < 2:
        raise AnalysisError(f"evenness needs at least two types along {dim!r}, found {k}")
    if base is not None and not (base > 0 and base != 1):
        raise AnalysisError(f"base must be positive and not 1, found {base!r}")
    total = da.sum(dim)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = da / total
        h = -xr.where(p > 0, p * np.log(p), 0.0).sum(dim)
    h = h.where(total > 0)
    if normalised:
        h = h / np.log(k)
    elif base is not None:
        h = h / np.log(base)
    return unwrap(h, was_numpy)


def openness_share(cross_region: Any, international: Any, total: Any) -> Any:
    """Share of cross-region and international flows in total flows.

    Parameters
    ----------
    cross_region : float, array_like or xarray.DataArray
        Flows between regions (e.g. migration in and out, co-authored output,
        technology contracts across regions).
    international : float, array_like or xarray.DataArray
        Flows to or from abroad.
    total : float, array_like or xarray.DataArray
        All flows, including the two above and the local ones; broadcastable
        against them.

    Returns
    -------
    float, numpy.ndarray or xarray.DataArray
        ``(cross_region + international) / total`` in [0, 1]; NaN where total is 0.

    Raises
    ------
    SimsysError
        If a flow is negative or not finite, or the open flows exceed the total.
    """
    parts = {"cross_region": cross_region, "international": international, "total": total}
    for name, value in parts.items():
        arr = np.asarray(value.values if isinstance(value, xr.DataArray) else value, dtype=float)
        check_finite(arr, name)
        if (arr < 0).any():
            raise AnalysisError(f"{name} flows must be non-negative; found minimum {arr.min():.6g}")
    open_flows = cross_region + international
    excess = np.asarray(open_flows - total, dtype=float)
    scale = np.maximum(np.abs(np.asarray(total, dtype=float)), 1.0)
    if (excess > 1e-9 * scale).any():
        raise AnalysisError("cross-region plus international flows exceed the total flows;"
                            " total must include them")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = open_flows / total
    if isinstance(share, xr.DataArray):
        return share.where(total > 0)
    share = np.where(np.asarray(total) > 0, share, np.nan)
    return share.item() if share.ndim == 0 else share


def cross_region_flows(od: Any, *, origin_dim: str = "origin",
                       dest_dim: str = "destination") -> tuple[Any, Any]:
    """Split an origin-destination flow matrix into cross-region and local flows.

    Parameters
    ----------
    od : array_like or xarray.DataArray
        Flows from origin to destination; a numpy array is ``(..., origin,
        destination)``. The diagonal holds flows within a region.
    origin_dim, dest_dim : str
        Names of the origin and destination dimensions of a DataArray; both must
        have the same length (and, if labelled, the same labels in order).

    Returns
    -------
    cross, local
        Sums of the off-diagonal and diagonal flows, with both region axes
        removed (same kind as ``od``).

    Raises
    ------
    SimsysError
        If the dims are missing or of different lengths, or flows are negative or
        not finite.
    """
    if isinstance(od, xr.DataArray):
        for name in (origin_dim, dest_dim):
            if name not in od.dims:
                raise AnalysisError(f"od has dims {tuple(od.dims)}; expected {name!r}")
        arr = od.transpose(..., origin_dim, dest_dim)
        if origin_dim in od.coords and dest_dim in od.coords and not np.array_equal(
                od[origin_dim].values, od[dest_dim].values):
            raise AnalysisError("origin and destination labels differ; the diagonal would not"
                                " be the within-region flow")
        values = arr.values
    else:
        values = np.asarray(od, dtype=float)
        if values.ndim < 2:
            raise AnalysisError(f"od must be at least 2-D (origin, destination), found shape"
                                f" {values.shape}")
    if values.shape[-1] != values.shape[-2]:
        raise AnalysisError(f"od must be square in (origin, destination), found"
                            f" {values.shape[-2:]}")
    check_finite(values, "od")
    if (values < 0).any():
        raise AnalysisError("od flows must be non-negative")
    local = np.trace(values, axis1=-2, axis2=-1)
    cross = values.sum(axis=(-2, -1)) - local
    if isinstance(od, xr.DataArray):
        template = arr.isel({origin_dim: 0, dest_dim: 0}, drop=True)
        return template.copy(data=cross), template.copy(data=local)
    if values.ndim == 2:
        return float(cross), float(local)
    return cross, local
