"""Sensitivity from a given sample: SALib's methods that accept any random design.

Sobol indices need a Saltelli design and Morris indices a Morris design; the methods
here take the points a Latin-hypercube, Monte Carlo or scrambled-Sobol sweep drew
(``X``, one row per scenario) and the outputs ``Y``:

===========  =====================================  ==========================================
method       SALib analyser                          indices (along ``parameter``)
===========  =====================================  ==========================================
"delta"      delta moment-independent (Borgonovo)   delta, delta_conf, S1, S1_conf
"pawn"       PAWN (CDF-based, Pianosi & Wagener)     median, mean, maximum, CV
"rbd_fast"   RBD-FAST (first order)                 S1, S1_conf
"hdmr"       HDMR, first-order expansion             S, S_conf, ST, ST_conf (needs >= 300 rows)
===========  =====================================  ==========================================

For these samplers ``n`` is the number of scenarios (rows), whatever the number of
factors; a few hundred rows is the usual minimum.
"""
from __future__ import annotations

import contextlib
import io
from typing import Any, Callable

import numpy as np
import xarray as xr

from ..errors import SweepError
from .sensitivity import _design_dict, _outputs, _problem, _stack

__all__ = ["GIVEN_SAMPLE_METHODS", "GIVEN_SAMPLE_SAMPLERS", "given_sample_indices"]

#: Samplers whose points are a random (or quasi-random) sample these methods accept.
GIVEN_SAMPLE_SAMPLERS = ("latin", "montecarlo", "sobol")


def _delta(problem, x, y, seed):
    from SALib.analyze import delta
    r = delta.analyze(problem, x, y, seed=seed, print_to_console=False)
    # SALib >= 1.5 names Borgonovo's original estimator "delta_raw"
    return {"delta": r.get("delta", r.get("delta_raw")),
            "delta_conf": r.get("delta_conf", r.get("delta_raw_conf")),
            "S1": r["S1"], "S1_conf": r["S1_conf"]}


def _pawn(problem, x, y, seed):
    from SALib.analyze import pawn
    return pawn.analyze(problem, x, y, seed=seed, print_to_console=False)


def _rbd_fast(problem, x, y, seed):
    from SALib.analyze import rbd_fast
    return rbd_fast.analyze(problem, x, y, seed=seed, print_to_console=False)


def _hdmr(problem, x, y, seed):
    from SALib.analyze import hdmr
    if x.shape[0] < 300:
        raise SweepError(f"hdmr needs at least 300 scenarios, this sweep has {x.shape[0]}; "
                         "use n >= 300 or another --method")
    return hdmr.analyze(problem, x, y, maxorder=1, seed=seed, print_to_console=False)


#: name -> (analyser(problem, X, Y, seed) -> dict, keys returned along ``parameter``)
GIVEN_SAMPLE_METHODS: dict[str, tuple[Callable[..., Any], tuple[str, ...]]] = {
    "delta": (_delta, ("delta", "delta_conf", "S1", "S1_conf")),
    "pawn": (_pawn, ("median", "mean", "maximum", "CV")),
    "rbd_fast": (_rbd_fast, ("S1", "S1_conf")),
    "hdmr": (_hdmr, ("S", "S_conf", "ST", "ST_conf")),
}


def given_sample_indices(Y: Any, X: Any, design: Any, method: str, *, seed: int | None = None,
                         scenario_dim: str = "scenario") -> xr.Dataset:
    """Sensitivity indices of ``method`` from a sweep's own points.

    Parameters
    ----------
    Y : array_like or xarray.DataArray
        Outputs, one per scenario in sample order: 1-D, or 2-D (scenario x time).
    X : array_like or xarray.DataArray
        The sampled points, ``(rows, D)``.
    design : dict, str or xarray.DataArray
        The sweep's design (any form :func:`simsys.analysis.sensitivity.sobol_indices`
        takes); its method must be one of :data:`GIVEN_SAMPLE_SAMPLERS`.
    method : str
        A key of :data:`GIVEN_SAMPLE_METHODS`.
    seed : int, optional
        Seed of the bootstraps; by default the design's.
    scenario_dim : str, default "scenario"

    Returns
    -------
    xarray.Dataset
        The method's indices along ``parameter`` (and time).

    Raises
    ------
    SweepError
        Unknown method (listing the valid ones); a design from another sampler
        (Saltelli, Morris or a grid are not random samples); X or Y of the wrong
        shape; NaN in Y; fewer rows than the method needs.
    """
    if method not in GIVEN_SAMPLE_METHODS:
        raise SweepError(f"unknown method {method!r}; valid: {sorted(GIVEN_SAMPLE_METHODS)}")
    design = _design_dict(design)
    sampler = design.get("method")
    if sampler not in GIVEN_SAMPLE_SAMPLERS:
        raise SweepError(f"{method} needs a random sample (sampler one of "
                         f"{', '.join(GIVEN_SAMPLE_SAMPLERS)}); this sweep was sampled with "
                         f"{sampler!r} (use --method sobol for saltelli, morris for morris)")
    problem = _problem(design["names"], design["bounds"], strict=False)
    x = np.asarray(X.values if isinstance(X, xr.DataArray) else X, dtype=float)
    d = problem["num_vars"]
    if x.ndim != 2 or x.shape[1] != d:
        raise SweepError(f"X must have one column per factor ({d}), found shape {x.shape}")
    values, out_dim, coord = _outputs(Y, x.shape[0], scenario_dim)
    seed = design.get("seed") if seed is None else seed
    analyse, keys = GIVEN_SAMPLE_METHODS[method]
    results = []
    for j in range(values.shape[1]):
        with contextlib.redirect_stdout(io.StringIO()):  # SALib prints notices (hdmr)
            r = analyse(problem, x, values[:, j], seed)
        results.append({k: np.asarray(r[k], dtype=float)[:d] for k in keys})
    return _stack(results, list(keys), problem["names"], out_dim, coord)
