"""Global sensitivity analysis: samplers and thin wrappers on SALib's analysers.

A *design* is plain data stored next to the sweep results::

    {"method": "saltelli", "n": 1024, "seed": 7, "names": [...], "bounds": [[lo, hi], ...],
     "calc_second_order": False}

Every sampler in :data:`SAMPLERS` has the signature ``sample(problem, n, seed, **opts)``
where ``problem`` is SALib's ``{"num_vars", "names", "bounds"}``, ``seed`` is
``None | int | numpy.random.Generator``, and the result is an ``(rows, num_vars)``
array in the bounds. :func:`sample_design` turns any seed into the int it records.

=============  ==========================================  =========================
method         sampler                                      rows
=============  ==========================================  =========================
"saltelli"     SALib.sample.sobol (Saltelli scheme)         n (2D + 2), or n (D + 2)
"morris"       SALib.sample.morris (trajectories)           n (D + 1)
"latin"        scipy.stats.qmc.LatinHypercube               n
"sobol"        scipy.stats.qmc.Sobol, scrambled             n (a power of 2 is best)
"montecarlo"   independent uniforms                         n
"grid"         full factorial, n levels per factor          n ** D
=============  ==========================================  =========================

Sobol indices need a "saltelli" design and Morris indices a "morris" design;
other designs are refused rather than guessed from array sizes.
"""
from __future__ import annotations

import itertools
import json
import numbers
import warnings
from typing import Any, Callable

import numpy as np
import xarray as xr
from scipy.stats import qmc

from ..errors import SweepError
from ._common import SeedLike

__all__ = ["SAMPLERS", "sample_design", "sobol_indices", "morris_indices"]


def _unit_to_bounds(unit: np.ndarray, problem: dict) -> np.ndarray:
    bounds = np.asarray(problem["bounds"], dtype=float)
    return bounds[:, 0] + unit * (bounds[:, 1] - bounds[:, 0])


def _saltelli(problem: dict, n: int, seed: SeedLike, *, calc_second_order: bool = True,
              scramble: bool = True) -> np.ndarray:
    from SALib.sample import sobol
    return sobol.sample(problem, n, calc_second_order=calc_second_order, scramble=scramble,
                        seed=seed)


def _morris(problem: dict, n: int, seed: SeedLike, *, num_levels: int = 4,
            optimal_trajectories: int | None = None) -> np.ndarray:
    from SALib.sample import morris
    return morris.sample(problem, n, num_levels=num_levels,
                         optimal_trajectories=optimal_trajectories, seed=seed)


def _latin(problem: dict, n: int, seed: SeedLike) -> np.ndarray:
    engine = qmc.LatinHypercube(d=problem["num_vars"], rng=np.random.default_rng(seed))
    return _unit_to_bounds(engine.random(n), problem)


def _sobol_qmc(problem: dict, n: int, seed: SeedLike) -> np.ndarray:
    engine = qmc.Sobol(d=problem["num_vars"], scramble=True, rng=np.random.default_rng(seed))
    return _unit_to_bounds(engine.random(n), problem)


def _montecarlo(problem: dict, n: int, seed: SeedLike) -> np.ndarray:
    unit = np.random.default_rng(seed).random((n, problem["num_vars"]))
    return _unit_to_bounds(unit, problem)


def _grid(problem: dict, n: int, seed: SeedLike) -> np.ndarray:
    # seed is unused: a full factorial is deterministic.
    bounds = np.asarray(problem["bounds"], dtype=float)
    levels = [np.linspace(lo, hi, n) for lo, hi in bounds]
    return np.array(list(itertools.product(*levels)), dtype=float)


#: name -> ``sample(problem, n, seed, **opts)``; see the module docstring.
SAMPLERS: dict[str, Callable[..., np.ndarray]] = {
    "saltelli": _saltelli,
    "morris": _morris,
    "latin": _latin,
    "sobol": _sobol_qmc,
    "montecarlo": _montecarlo,
    "grid": _grid,
}

_OPTIONS = {"saltelli": {"calc_second_order", "scramble"},
            "morris": {"num_levels", "optimal_trajectories"}}


def _resolve_seed(seed: SeedLike) -> int:
    # The design records a concrete int so the sample can be drawn again.
    if seed is None or isinstance(seed, np.random.Generator):
        return int(np.random.default_rng(seed).integers(2**31 - 1))
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and seed >= 0:
        return int(seed)
    raise SweepError(f"seed must be None, a non-negative int or a numpy.random.Generator,"
                     f" found {seed!r}")


def _problem(names: Any, bounds: Any, *, strict: bool = True) -> dict:
    names = [str(v) for v in names]
    if not names or len(set(names)) != len(names):
        raise SweepError(f"names must be a non-empty list of distinct factor names, found {names}")
    try:
        b = np.asarray(bounds, dtype=float)
    except (TypeError, ValueError):
        raise SweepError(f"bounds must be a list of [low, high] pairs, found {bounds!r}")
    if b.shape != (len(names), 2):
        raise SweepError(f"bounds must hold one [low, high] pair per name ({len(names)}),"
                         f" found shape {b.shape}")
    # Sampling needs a proper interval; a stored design may hold a one-level factor.
    ok = (b[:, 0] < b[:, 1]) if strict else (b[:, 0] <= b[:, 1])
    bad = [names[i] for i in np.flatnonzero(~ok)]
    if bad or not np.isfinite(b).all():
        raise SweepError(f"each bound needs finite low < high; bad for {bad or names}",
                         variable=bad[0] if bad else None)
    return {"num_vars": len(names), "names": names, "bounds": b.tolist()}


def sample_design(method: str, names: Any, bounds: Any, n: int, seed: SeedLike = None,
                  **opts: Any) -> tuple[np.ndarray, dict]:
    """Draw a sample and return it with the design that reproduces it.

    Parameters
    ----------
    method : str
        A key of :data:`SAMPLERS`.
    names : sequence of str
        Factor names.
    bounds : sequence of (low, high)
        Uniform range of each factor.
    n : int
        Base sample size (see the rows column of the module table).
    seed : None, int or numpy.random.Generator, optional
        A Generator or None is turned into an int that the design records.
    **opts
        ``calc_second_order`` and ``scramble`` for "saltelli" (second order
        defaults to True, as in SALib); ``num_levels`` and ``optimal_trajectories``
        for "morris".

    Returns
    -------
    X : numpy.ndarray
        ``(rows, len(names))`` sample.
    design : dict
        ``method``, ``n``, ``seed``, ``names``, ``bounds`` and the options used.

    Raises
    ------
    SweepError
        If the method is unknown (the message lists the valid ones), an option
        does not belong to it, ``n`` is not a positive int, or names, bounds or
        seed are malformed.
    """
    if method not in SAMPLERS:
        raise SweepError(f"unknown sampling method {method!r}; valid: {sorted(SAMPLERS)}")
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
        raise SweepError(f"n must be a positive integer, found {n!r}")
    unknown = set(opts) - _OPTIONS.get(method, set())
    if unknown:
        raise SweepError(f"method {method!r} takes no option(s) {sorted(unknown)}; valid:"
                         f" {sorted(_OPTIONS.get(method, set()))}")
    problem = _problem(names, bounds)
    seed_int = _resolve_seed(seed)
    if method == "saltelli":
        opts = {"calc_second_order": True, **opts}
    if method == "morris":
        opts = {"num_levels": 4, **opts}
    x = SAMPLERS[method](problem, int(n), seed_int, **opts)
    design = {"method": method, "n": int(n), "seed": seed_int, "names": problem["names"],
              "bounds": problem["bounds"], **opts}
    return np.asarray(x, dtype=float), design


def _design_dict(design: Any) -> dict:
    # A sweep store keeps the design as JSON in the attrs of its ``design`` variable.
    if isinstance(design, xr.DataArray) and "design" in design.attrs:
        design = design.attrs["design"]
    if isinstance(design, str):
        try:
            design = json.loads(design)
        except json.JSONDecodeError as exc:
            raise SweepError(f"design is not valid JSON: {exc}")
    if not isinstance(design, dict):
        raise SweepError(f"design must be a dict (or a sweep store's design variable),"
                         f" found {type(design).__name__}")
    return design


def _check_design(design: dict, method: str, purpose: str) -> dict:
    missing = [k for k in ("method", "n", "names", "bounds") if k not in design]
    if missing:
        raise SweepError(f"design lacks key(s) {missing}")
    if design["method"] != method:
        raise SweepError(f"{purpose} need a {method!r} design; this sweep was sampled with"
                         f" {design['method']!r}, whose points do not have the structure the"
                         f" estimator relies on (re-sample with method={method!r})")
    return _problem(design["names"], design["bounds"], strict=False)


def _outputs(Y: Any, rows: int, scenario_dim: str) -> tuple[np.ndarray, str, Any]:
    if isinstance(Y, xr.DataArray):
        if Y.ndim > 2:
            raise SweepError(f"Y must be 1-D or 2-D, found dims {tuple(Y.dims)}")
        sdim = scenario_dim if scenario_dim in Y.dims else Y.dims[0]
        other = [d for d in Y.dims if d != sdim]
        Y2 = Y.transpose(sdim, *other)
        values = np.asarray(Y2.values, dtype=float)
        out_dim = other[0] if other else None
        coord = Y2[out_dim].values if other and out_dim in Y2.coords else None
    else:
        values = np.asarray(Y, dtype=float)
        out_dim, coord = ("time" if values.ndim == 2 else None), None
    if values.ndim not in (1, 2):
        raise SweepError(f"Y must be 1-D (scenario) or 2-D (scenario x time), found shape"
                         f" {values.shape}")
    if values.shape[0] != rows:
        raise SweepError(f"Y has {values.shape[0]} scenario rows but the design implies {rows};"
                         " Y must hold one output per sampled point, in sample order")
    if not np.isfinite(values).all():
        raise SweepError(f"Y has {int((~np.isfinite(values)).sum())} NaN or infinite value(s);"
                         " failed runs must be removed or re-run before the analysis")
    if values.ndim == 1:
        values = values[:, None]
    if coord is None and out_dim is not None:
        coord = np.arange(values.shape[1])
    return values, out_dim, coord


def _stack(results: list[dict], keys: list[str], names: list[str], out_dim: str | None,
           coord: Any, second: tuple[str, ...] = ()) -> xr.Dataset:
    data = {}
    for key in keys:
        arr = np.stack([np.asarray(r[key], dtype=float) for r in results], axis=-1)
        dims = ("parameter", "parameter_j") if key in second else ("parameter",)
        data[key] = (dims + ((out_dim,) if out_dim else ()),
                     arr if out_dim else arr[..., 0])
    coords = {"parameter": names}
    if any(k in second for k in keys):
        coords["parameter_j"] = names
    if out_dim:
        coords[out_dim] = coord
    return xr.Dataset(data, coords=coords)


def sobol_indices(Y: Any, design: dict, *, conf_level: float = 0.95,
                  num_resamples: int = 100, seed: int | None = None,
                  scenario_dim: str = "scenario") -> xr.Dataset:
    """First, total (and second) order Sobol indices from a Saltelli design.

    Parameters
    ----------
    Y : array_like or xarray.DataArray
        Outputs, one per sampled point in sample order: 1-D, or 2-D (scenario x
        time) for indices at every time. A DataArray's scenario axis is
        ``scenario_dim`` if present, else its first dim.
    design : dict, str or xarray.DataArray
        A design with ``method="saltelli"``: the dict of :func:`sample_design`,
        its JSON text, or a sweep store's ``design`` variable (read from its
        ``attrs["design"]``).
    conf_level : float, default 0.95
        Level of the bootstrap confidence intervals.
    num_resamples : int, default 100
        Bootstrap resamples.
    seed : int, optional
        Bootstrap seed; by default the design's seed, so results are repeatable.
    scenario_dim : str, default "scenario"
        Scenario dimension of a DataArray ``Y``.

    Returns
    -------
    xarray.Dataset
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` along ``parameter`` (and time), plus
        ``S2``, ``S2_conf`` along ``(parameter, parameter_j)`` if the design has second order.
        When the sample is too small to trust (intervals wider than the indices, S1 above
        ST, S1 summing above 1; judged at the last time), ``attrs["warnings"]`` lists the
        problems and the n that would do, and a :class:`SobolSampleWarning` is issued.

    Raises
    ------
    SweepError
        If the design is not a "saltelli" design, is unreadable or lacks keys, or Y's length
        does not match ``n (2D + 2)`` (or ``n (D + 2)``), or Y has NaN.
    """
    from SALib.analyze import sobol
    design = _design_dict(design)
    problem = _check_design(design, "saltelli", "Sobol indices")
    second = bool(design.get("calc_second_order", True))
    d = problem["num_vars"]
    rows = int(design["n"]) * (2 * d + 2 if second else d + 2)
    values, out_dim, coord = _outputs(Y, rows, scenario_dim)
    seed = design.get("seed") if seed is None else seed
    results = [sobol.analyze(problem, values[:, j], calc_second_order=second,
                             num_resamples=num_resamples, conf_level=conf_level,
                             print_to_console=False, seed=seed)
               for j in range(values.shape[1])]
    keys = ["S1", "S1_conf", "ST", "ST_conf"] + (["S2", "S2_conf"] if second else [])
    out = _stack(results, keys, problem["names"], out_dim, coord, second=("S2", "S2_conf"))
    from .sobol_checks import SobolSampleWarning, sobol_warnings
    notes = sobol_warnings(out, int(design["n"]))
    if notes:
        # Python users (notebooks) see what the CLI prints; the CLI reads attrs["warnings"]
        out.attrs["warnings"] = notes
        warnings.warn("Sobol indices from too small a sample: " + "; ".join(notes),
                      SobolSampleWarning, stacklevel=2)
    return out


def morris_indices(Y: Any, X: Any, design: dict, *, conf_level: float = 0.95,
                   num_resamples: int = 100, seed: int | None = None,
                   scenario_dim: str = "scenario") -> xr.Dataset:
    """Morris elementary-effect screening (mu, mu*, sigma) from a Morris design.

    Parameters
    ----------
    Y : array_like or xarray.DataArray
        Outputs, one per sampled point: 1-D, or 2-D (scenario x time).
    X : array_like or xarray.DataArray
        The sampled points (``n (D + 1)`` rows, D columns, in sample order), needed
        for the step direction of each elementary effect; values may be in lever
        units (any monotone map of the unit design).
    design : dict, str or xarray.DataArray
        A design with ``method="morris"``, in any form :func:`sobol_indices` takes.
    conf_level : float, default 0.95
        Level of the bootstrap interval of mu*.
    num_resamples : int, default 100
        Bootstrap resamples.
    seed : int, optional
        Bootstrap seed; by default the design's seed.
    scenario_dim : str, default "scenario"
        Scenario dimension of a DataArray ``Y``.

    Returns
    -------
    xarray.Dataset
        ``mu``, ``mu_star``, ``sigma`` and ``mu_star_conf`` along ``parameter`` (and time).

    Raises
    ------
    SweepError
        If the design is not a "morris" design, X does not have ``n (D + 1)`` rows
        and D columns, Y's length does not match, or Y has NaN.
    """
    from SALib.analyze import morris
    design = _design_dict(design)
    problem = _check_design(design, "morris", "Morris indices")
    d = problem["num_vars"]
    # With optimal_trajectories SALib keeps that many of the n trajectories.
    trajectories = design.get("optimal_trajectories") or design["n"]
    rows = int(trajectories) * (d + 1)
    x = np.asarray(X.values if isinstance(X, xr.DataArray) else X, dtype=float)
    if x.shape != (rows, d):
        raise SweepError(f"X must have shape ({rows}, {d}) for this Morris design, found {x.shape}")
    values, out_dim, coord = _outputs(Y, rows, scenario_dim)
    seed = design.get("seed") if seed is None else seed
    results = [morris.analyze(problem, x, values[:, j], num_resamples=num_resamples,
                              conf_level=conf_level, print_to_console=False,
                              num_levels=int(design.get("num_levels", 4)), seed=seed)
               for j in range(values.shape[1])]
    return _stack(results, ["mu", "mu_star", "sigma", "mu_star_conf"], problem["names"],
                  out_dim, coord)
