"""Sampling the unit hypercube for a sweep, through the one sampler registry.

The samplers themselves live in :mod:`simsys.analysis.sensitivity` (``SAMPLERS``,
``sample_design``), so a sweep's design and the sensitivity analysers agree on what each
method means. A sweep samples the unit hypercube and maps each column onto its
parameter afterwards (a range, a normal distribution or categorical levels), so the
samplers know nothing about distributions. ``n`` is the base sample size: the number of
rows depends on the method (see :func:`n_rows`).
"""
from __future__ import annotations

import warnings

import numpy as np

from ..analysis.sensitivity import SAMPLERS, sample_design
from ..errors import SweepError

__all__ = ["SAMPLERS", "sample_unit", "n_rows"]


def n_rows(method: str, d: int, n: int, *, calc_second_order: bool = True) -> int:
    """Number of scenarios ``method`` makes from base size ``n`` and ``d`` parameters."""
    return {"grid": n ** d, "saltelli": n * (2 * d + 2 if calc_second_order else d + 2),
            "morris": n * (d + 1)}.get(method, n)


def sample_unit(method: str, d: int, n: int, seed: None | int | np.random.Generator, *,
                calc_second_order: bool = True, num_levels: int = 4) -> np.ndarray:
    """Sample the unit hypercube with a registered method.

    Parameters
    ----------
    method : str
        A key of :data:`SAMPLERS`.
    d : int
        Number of parameters.
    n : int
        Base sample size.
    seed : None, int or numpy.random.Generator
        Seed of the design.
    calc_second_order : bool
        Saltelli only: include the rows second-order indices need.
    num_levels : int
        Morris only: grid levels.

    Returns
    -------
    numpy.ndarray
        Shape ``[rows, d]``, values in ``[0, 1]``.

    Raises
    ------
    SweepError
        If ``method`` is unknown (valid names listed) or ``n``/``d`` are not positive.
    """
    if method not in SAMPLERS:
        raise SweepError(f"unknown sampler {method!r}; valid: {', '.join(SAMPLERS)}",
                         variable="sampler")
    if d < 1:
        raise SweepError("a design needs at least one parameter", variable="parameters")
    opts = ({"calc_second_order": calc_second_order} if method == "saltelli" else
            {"num_levels": num_levels} if method == "morris" else {})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scipy: "balance properties" of Sobol' if n != 2**k
        x, _ = sample_design(method, [f"x{i}" for i in range(d)], [[0.0, 1.0]] * d, n, seed,
                             **opts)
    return np.clip(x.reshape(-1, d), 0.0, 1.0)
