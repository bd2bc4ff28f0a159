"""Samplers of the unit hypercube, one function per method, one registry.

Every sampler has the signature ``sampler(d, n, seed, *, calc_second_order, num_levels)``
and returns an array ``[rows, d]`` of values in ``[0, 1]``; the sweep maps each column
onto its parameter (a range, a normal distribution or categorical levels) afterwards, so
the samplers know nothing about distributions. ``n`` is the base sample size: the number
of rows depends on the method (Saltelli gives ``n (2d + 2)`` rows, Morris ``n (d + 1)``,
the grid ``n ** d``).
"""
from __future__ import annotations

import itertools
import warnings
from typing import Callable

import numpy as np
from scipy.stats import qmc

from ..errors import SweepError

__all__ = ["SAMPLERS", "sample_unit", "n_rows"]

Seed = None | int | np.random.Generator


def _problem(d: int) -> dict:
    return {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}


def grid(d: int, n: int, seed: Seed, **_) -> np.ndarray:
    """Full factorial grid with ``n`` evenly spaced levels per parameter (``n ** d`` rows)."""
    axis = np.linspace(0.0, 1.0, n) if n > 1 else np.array([0.5])
    return np.array(list(itertools.product(axis, repeat=d)), dtype=float).reshape(-1, d)


def montecarlo(d: int, n: int, seed: Seed, **_) -> np.ndarray:
    """Independent uniform draws (``n`` rows)."""
    return np.random.default_rng(seed).random((n, d))


def latin(d: int, n: int, seed: Seed, **_) -> np.ndarray:
    """Latin hypercube (``n`` rows)."""
    return qmc.LatinHypercube(d, rng=np.random.default_rng(seed)).random(n)


def sobol(d: int, n: int, seed: Seed, **_) -> np.ndarray:
    """Scrambled Sobol' sequence (``n`` rows; a power of two keeps its balance)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return qmc.Sobol(d, scramble=True, rng=np.random.default_rng(seed)).random(n)


def saltelli(d: int, n: int, seed: Seed, *, calc_second_order: bool = True, **_) -> np.ndarray:
    """Saltelli's design for Sobol' indices (SALib; ``n (2d + 2)`` or ``n (d + 2)`` rows)."""
    from SALib.sample import sobol as salib_sobol
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return salib_sobol.sample(_problem(d), n, calc_second_order=calc_second_order,
                                  seed=seed)


def morris(d: int, n: int, seed: Seed, *, num_levels: int = 4, **_) -> np.ndarray:
    """Morris trajectories on a ``num_levels`` grid (SALib; ``n (d + 1)`` rows)."""
    from SALib.sample import morris as salib_morris
    return salib_morris.sample(_problem(d), n, num_levels=num_levels, seed=seed)


SAMPLERS: dict[str, Callable[..., np.ndarray]] = {
    "grid": grid, "montecarlo": montecarlo, "latin": latin,
    "sobol": sobol, "saltelli": saltelli, "morris": morris,
}


def n_rows(method: str, d: int, n: int, *, calc_second_order: bool = True) -> int:
    """Number of scenarios ``method`` makes from base size ``n`` and ``d`` parameters."""
    return {"grid": n ** d, "saltelli": n * (2 * d + 2 if calc_second_order else d + 2),
            "morris": n * (d + 1)}.get(method, n)


def sample_unit(method: str, d: int, n: int, seed: Seed, *, calc_second_order: bool = True,
                num_levels: int = 4) -> np.ndarray:
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
    if d < 1 or n < 1:
        raise SweepError(f"a design needs at least one parameter and n >= 1, found "
                         f"{d} parameter(s), n = {n}", variable="n")
    out = SAMPLERS[method](d, n, seed, calc_second_order=calc_second_order,
                           num_levels=num_levels)
    return np.clip(np.asarray(out, dtype=float).reshape(-1, d), 0.0, 1.0)
