"""Shared input handling for the analysis functions (private).

Every analysis function accepts a numpy array or an ``xarray.DataArray``. The
DataArray path is the primary one; a numpy array is wrapped into a DataArray
whose *last* axis carries the named dimension (and whose other axes are called
``dim_0``, ``dim_1``, ...), then unwrapped again on the way out.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import xarray as xr

from ..errors import AnalysisError

SeedLike = None | int | np.random.Generator


def as_dataarray(x: Any, dim: str, *, what: str) -> tuple[xr.DataArray, bool]:
    """Return ``(da, was_numpy)`` with ``dim`` present in ``da.dims``.

    A numpy (or list) input gets ``dim`` as its last axis.
    """
    if isinstance(x, xr.DataArray):
        if dim not in x.dims:
            raise AnalysisError(
                f"{what} has dims {tuple(x.dims)}; expected a dimension named {dim!r}"
                f" (pass the right name with the dim argument)")
        return x, False
    if isinstance(x, xr.Dataset):
        raise AnalysisError(f"{what} must be a DataArray or numpy array, found a Dataset;"
                            " select one variable first")
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0:
        raise AnalysisError(f"{what} must have at least one axis (the {dim!r} axis),"
                            " found a scalar")
    dims = tuple(f"dim_{i}" for i in range(arr.ndim - 1)) + (dim,)
    return xr.DataArray(arr, dims=dims), True


def unwrap(da: xr.DataArray, was_numpy: bool):
    """Return ``da.values`` for numpy callers (a float for 0-d), else ``da``."""
    if not was_numpy:
        return da
    values = da.values
    return values.item() if values.ndim == 0 else values


def as_rng(seed: SeedLike) -> np.random.Generator:
    """Return a Generator from ``None | int | numpy.random.Generator``."""
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise AnalysisError(f"seed must be a non-negative integer, found {seed}")
        return np.random.default_rng(int(seed))
    raise AnalysisError(
        f"seed must be None, an int or a numpy.random.Generator, found {type(seed).__name__}")


def check_finite(arr: np.ndarray, what: str) -> None:
    """Refuse NaN or infinite values, naming how many there are."""
    bad = ~np.isfinite(arr)
    if bad.any():
        raise AnalysisError(f"{what} must be finite; found {int(bad.sum())} NaN or"
                            f" infinite value(s) out of {arr.size}")


def check_permutations(permutations: Any) -> int:
    """Return ``permutations`` as a non-negative int or refuse it."""
    if (not isinstance(permutations, numbers.Integral) or isinstance(permutations, bool)
            or permutations < 0):
        raise AnalysisError(f"permutations must be a non-negative integer, found {permutations!r}")
    return int(permutations)


#: dimensions that never carry the regions of a model
NON_SPATIAL = frozenset({"time", "scenario", "chain"})

#: axis name given to the regions of a numpy input when no dim is named
ANON_SPATIAL = "region"


def spatial_dim(x: Any, dim: str | None = None, *, exclude: Any = (), what: str = "y") -> str:
    """The regional dimension of ``x``: ``dim`` if given, else inferred.

    Models name their regional subscript as they like ("Region", "Province", ...),
    so the analyses take it from the data: the one dimension of a DataArray that is
    not time, scenario (or one of ``exclude``). A numpy input's last axis is named
    :data:`ANON_SPATIAL`.

    Raises
    ------
    AnalysisError
        If ``x`` is a DataArray with no such dimension or with more than one.
    """
    if dim is not None:
        return dim
    if not isinstance(x, xr.DataArray):
        return ANON_SPATIAL
    skip = NON_SPATIAL | set(exclude)
    found = [d for d in x.dims if d not in skip]
    if len(found) == 1:
        return str(found[0])
    if not found:
        raise AnalysisError(f"{what} has dims {tuple(x.dims)} and no regional dimension"
                            " (one besides time and scenario)")
    raise AnalysisError(f"{what} has dims {tuple(x.dims)}; which one holds the regions? pass"
                        f" dim= one of {', '.join(map(repr, found))}")
