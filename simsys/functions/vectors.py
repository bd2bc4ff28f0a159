"""VECTOR SORT ORDER / RANK / REORDER / SELECT and INVERT MATRIX over the last axis.

Arrays are ``[batch, ..., n]``; the function acts along the last axis (the last
subscript, as Vensim and PySD do). Indices are 0-based, as PySD returns them.
"""
from __future__ import annotations

import numpy as np

__all__ = ["invert_matrix", "vector_sort_order", "vector_rank", "vector_reorder", "vector_select"]


def invert_matrix(mat: np.ndarray) -> np.ndarray:
    """Inverse of the square matrix in the last two axes of ``mat`` (``[batch, ..., n, n]``).

    A matrix that LAPACK finds singular (an exact zero pivot) or that holds a non-finite
    entry gives NaN in every entry of its inverse, and only that matrix: the others of the
    batch are inverted as usual. (``numpy.linalg.inv`` raises for the whole batch instead.)
    """
    mat = np.asarray(mat, dtype=float)
    good = np.all(np.isfinite(mat), axis=(-2, -1))
    safe = np.where(good[..., None, None], mat, np.eye(mat.shape[-1]))
    try:
        out = np.linalg.inv(safe)
    except np.linalg.LinAlgError:
        flat_in = safe.reshape((-1,) + safe.shape[-2:])
        out = np.full(flat_in.shape, np.nan)
        for b, m in enumerate(flat_in):
            try:
                out[b] = np.linalg.inv(m)
            except np.linalg.LinAlgError:
                pass  # singular: stays NaN
        out = out.reshape(safe.shape)
    return np.where(good[..., None, None], out, np.nan)


def vector_sort_order(vector: np.ndarray, direction) -> np.ndarray:
    """Indices that sort ``vector`` along its last axis: ascending if ``direction > 0``,
    else descending (the ascending order reversed, as PySD does). ``direction`` is a
    scalar or one value per batch member.

    Ties keep subscript order (a stable sort, as the compiled models do); PySD's default
    numpy sort leaves the order of ties to numpy's algorithm for the machine."""
    vector = np.asarray(vector, dtype=float)
    up = np.argsort(vector, axis=-1, kind="stable")
    d = np.asarray(direction, dtype=float).reshape((-1,) + (1,) * (vector.ndim - 1))
    return np.where(d > 0, up, np.flip(up, axis=-1)).astype(float)


def vector_rank(vector: np.ndarray, direction) -> np.ndarray:
    """1-based rank of each entry along the last axis (``direction`` as in :func:`vector_sort_order`)."""
    order = vector_sort_order(vector, direction).astype(np.intp)
    return np.argsort(order, axis=-1).astype(float) + 1


def vector_reorder(vector: np.ndarray, svector: np.ndarray) -> np.ndarray:
    """``vector`` reordered along its last axis by the (0-based) indices in ``svector``."""
    vector = np.asarray(vector, dtype=float)
    idx = np.broadcast_to(np.asarray(svector).astype(np.intp), vector.shape)
    return np.take_along_axis(vector, idx, axis=-1)


_REDUCE = {0: np.nansum, 6: np.nansum, 1: np.nanprod, 5: np.nanprod, 7: np.nanprod,
           2: np.nanmin, 8: np.nanmin, 3: np.nanmax, 9: np.nanmax, 4: np.nanmean, 10: np.nanmean}


def vector_select(selection: np.ndarray, expression: np.ndarray, missing: float,
                  numerical_action: int, error_action: int) -> np.ndarray:
    """Vensim's VECTOR SELECT over the last axis, with PySD's semantics.

    ``numerical_action`` 0-4 combine ``selection * expression`` (sum, product, min, max,
    mean); 5 the product of ``expression ** selection``; 6-10 ``expression`` itself.
    Entries whose selection is 0 are left out; where every selection is 0 the result is
    ``missing``. ``error_action`` 1/3 raise FloatingPointError when all selections are 0,
    2/3 when more than one is non-zero.
    """
    sel = np.asarray(selection, dtype=float)
    expr = np.broadcast_to(np.asarray(expression, dtype=float), sel.shape)
    zeros = np.all(sel == 0, axis=-1)
    if error_action in (1, 3) and np.any(zeros):
        raise FloatingPointError("VECTOR SELECT: all the values of the selection array are 0")
    if error_action in (2, 3) and np.any(np.sum(sel != 0, axis=-1) > 1):
        raise FloatingPointError("VECTOR SELECT: more than one non-zero value in the selection array")
    if numerical_action not in _REDUCE:
        raise ValueError(f"numerical_action must be 0-10, found {numerical_action!r}")
    if numerical_action < 5:
        base = sel * expr
    elif numerical_action == 5:
        base = expr ** sel
    else:
        base = expr
    arr = np.where(sel == 0, np.nan, base)
    with np.errstate(all="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out = _REDUCE[numerical_action](arr, axis=-1)
    return np.where(zeros, missing, out)
