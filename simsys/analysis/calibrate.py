"""Calibration: fit lever values so that a scenario reproduces target figures.

A calibration file (TOML)::

    # Question: which growth rate and capacity reproduce the observed population?
    [calibration]
    scenario = "baseline.toml"      # the base scenario (its model, run settings, levers)
    starts = 5                      # optional: multi-start from a Latin hypercube
    seed = 1                        # optional

    [parameters]
    "Growth Rate" = { range = [0.1, 2.0] }
    "Carrying Capacity" = {}        # {} = the lever's own [min, max]
    "IP protection[Beijing]" = {}   # one element of a subscripted lever

    [[targets]]
    variable = "Population"
    time = 5
    value = 245.0
    weight = 1                      # optional
    element = "Beijing"             # optional: one element of a subscripted variable
    sum_over = "Province"           # optional: sum over a subscript range
    scale = 100                     # optional, see below

    [[targets]]
    variable = "Population"
    series = [[1, 20.0], [2, 40.0]]   # a time series: one residual per point

The residual of a target point is ``sqrt(weight) * (simulated - value) / scale``
with ``scale = |value|`` by default (1 when the value is 0), so targets of
different size count alike. Simulated values between saved times are linearly
interpolated; runs stop at the last target time. ``scipy.optimize.least_squares`` (trust-region reflective)
minimises half the sum of squares inside the parameters' bounds; it works on
parameters rescaled to [0, 1]. Every start's initial point and every Jacobian
(forward differences, one scenario per parameter) is evaluated as one
``run_batch`` call. A scenario that goes non-finite gets a large finite
residual (1e6) so the optimiser backs away from it.

Standard errors and correlations come from the Jacobian at the optimum:
``cov = s^2 (J'J)^-1`` with ``s^2 = 2 cost / (m - p)`` (m residuals, p
parameters). This is a **local, linear approximation**: it ignores
nonlinearity, is unreliable at a bound, and is NaN when ``m <= p``.
"""
from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from pathlib import Path


import numpy as np

from ..errors import ScenarioError
from ..scenario import key_location, lever_key, load_scenario, scenario_params
from ..wording import count
from .calibration_file import CalibrationSpec, ParameterSpec, TargetSpec, load_calibration

__all__ = ["CalibrationSpec", "ParameterSpec", "TargetSpec", "TargetFit", "CalibrationResult",
           "load_calibration", "calibrate", "explain_se"]

log = logging.getLogger(__name__)
_BAD = 1e6


@dataclass(frozen=True, slots=True)
class TargetFit:
    """One target point after the fit."""

    target: str
    time: float
    value: float
    fitted: float
    residual: float


@dataclass(frozen=True, eq=False)
class CalibrationResult:
    """Fitted lever values and how well they fit.

    Attributes
    ----------
    values : dict
        Parameter name -> fitted value.
    cost : float
        Half the sum of squared residuals at the optimum.
    success : bool
        The optimiser's own convergence flag.
    message : str
    fits : tuple of TargetFit
        Every target point with its simulated value and residual.
    se : dict
        Parameter name -> Jacobian-based standard error (local approximation; NaN
        for a parameter at one of its bounds, or when there are no more residuals
        than parameters; :func:`explain_se` says which).
    correlation : numpy.ndarray
        Correlation matrix of the estimates, in ``names`` order.
    names : tuple of str
    bounds : tuple of (low, high)
    starts : tuple of (dict, float)
        Each start's initial values and the cost it converged to.
    nfev : int
        Model runs used (batched Jacobians count as one each).
    """

    spec: CalibrationSpec
    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    values: dict
    cost: float
    success: bool
    message: str
    fits: tuple[TargetFit, ...]
    se: dict
    correlation: np.ndarray
    starts: tuple = ()
    nfev: int = 0
    lever_names: dict = field(default_factory=dict)

    @property
    def residuals(self) -> np.ndarray:
        return np.array([f.residual for f in self.fits])

    def to_scenario_toml(self, path: str | Path | None = None) -> str:
        """A scenario file that extends the base scenario with the fitted levers.

        Parameters
        ----------
        path : str or Path, optional
            Where the text will be saved; ``extends`` is written relative to its
            folder (absolute otherwise).

        Returns
        -------
        str
            TOML text. Fitted constants that are not levers cannot be set by a
            scenario; they are written as comments.

        Raises
        ------
        None
        """
        import os
        base = self.spec.scenario_path
        if path is not None:
            ext = os.path.relpath(base, Path(path).resolve().parent)
        else:
            ext = str(base)
        lines = [f"# Question: which lever values reproduce the targets of {self.spec.path.name}?",
                 f"# Fitted by simsys calibrate: cost {self.cost:.6g}, "
                 f"{'converged' if self.success else 'NOT converged: ' + self.message}.",
                 "# Standard errors are a local (Jacobian) approximation.",
                 "[scenario]",
                 f"name = {_toml_str(base.stem + '_calibrated')}",
                 f"extends = {_toml_str(ext.replace(os.sep, '/'))}",
                 "", "[levers]"]
        grouped: dict[str, dict[str, float]] = {}
        for name in self.names:
            lever = self.lever_names.get(name)
            se = self.se.get(name, math.nan)
            se_text = f"se {se:.3g}" if math.isfinite(se) else f"no se: {explain_se(self, name)}"
            if lever is None:
                lines.append(f"# {name} is not a lever; set it in the model file: "
                             f"{name} = {self.values[name]!r}")
                continue
            elem = name.partition("[")[2]
            if elem:
                grouped.setdefault(lever, {})[elem.rstrip("]")] = self.values[name]
            else:
                lines.append(f"{_toml_str(lever)} = {self.values[name]!r}    # {se_text}")
        for lever, elems in grouped.items():
            body = ", ".join(f"{_toml_str(e)} = {v!r}" for e, v in elems.items())
            lines.append(f"{_toml_str(lever)} = {{ {body} }}")
        return "\n".join(lines) + "\n"


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class _Problem:
    """Residuals of a batch of parameter vectors (rows) through one run_batch."""

    def __init__(self, spec: CalibrationSpec, model, base: dict, run_kwargs: dict):
        self.spec = spec
        self.model = model
        self.run_kwargs = run_kwargs
        self.names, self.lo, self.hi, self.lever_names = [], [], [], {}
        for p in spec.parameters:
            base_name, _, elem = p.name.partition("[")
            try:
                lever = model.lever(base_name)
            except KeyError:
                lever = None
            lo, hi = p.low, p.high
            if lo is None:
                if lever is None:
                    raise ScenarioError("is not a lever, so it has no range of its own; give "
                                        "{ range = [low, high] }",
                                        location=key_location(spec.path, p.name, "parameters"),
                                        variable=p.name)
                lo, hi = lever.min, lever.max
            self.names.append(p.name)
            self.lo.append(float(lo))
            self.hi.append(float(hi))
            if lever is not None:
                self.lever_names[p.name] = lever.name
        self.lo, self.hi = np.array(self.lo), np.array(self.hi)
        # settings of the base scenario that the fitted ones replace
        def split(k):
            b, _, el = k.partition("[")
            return lever_key(b), el.rstrip("]").strip()
        fitted = {split(n) for n in self.names}
        whole = {b for b, el in fitted if not el}
        self.base = {k: v for k, v in base.items()
                     if split(k)[0] not in whole and split(k) not in fitted}
        for t in spec.targets:
            try:
                model.element(t.variable)
            except KeyError:
                import difflib
                from ..model.spec import name_key
                close = difflib.get_close_matches(name_key(t.variable),
                                                  [e.key for e in model.elements], n=3)
                raise ScenarioError("not a variable of the model"
                                    + (f"; did you mean {', '.join(close)}?" if close else ""),
                                    location=t.location, variable=t.variable) from None
        self.columns = sorted({t.variable for t in spec.targets})
        self.nfev = 0

    def params(self, u: np.ndarray) -> np.ndarray:
        return self.lo + np.clip(u, 0.0, 1.0) * (self.hi - self.lo)

    def residuals(self, U: np.ndarray) -> np.ndarray:
        """Residual vectors, one row per parameter vector (rows of U, in [0, 1])."""
        X = np.atleast_2d(self.params(np.atleast_2d(U)))
        params = dict(self.base)
        for j, name in enumerate(self.names):
            params[name] = X[:, j]
        ds = self.model.compile().run_batch(params, return_columns=self.columns,
                                            **self.run_kwargs)
        self.nfev += 1
        return self.evaluate(ds)[1]

    def evaluate(self, ds):
        rows, sims = [], []
        times = np.asarray(ds["time"].values, dtype=float)
        ok = np.asarray(ds["simsys_status"].values) == 0
        for t in self.spec.targets:
            series = _select(ds, t)   # [scenario, time]
            for time, value in t.points:
                if not times[0] - 1e-9 <= time <= times[-1] + 1e-9:
                    raise ScenarioError(f"target time {time:g} is outside the run "
                                        f"({times[0]:g} to {times[-1]:g})", location=t.location,
                                        variable=t.variable)
                sim = np.array([np.interp(time, times, s) for s in series])
                scale = t.scale if t.scale is not None else (abs(value) or 1.0)
                r = math.sqrt(t.weight) * (sim - value) / scale
                r = np.where(ok & np.isfinite(r), r, _BAD)
                rows.append(r)
                sims.append(sim)
        return np.array(sims).T, np.array(rows).T


def _select(ds, t: TargetSpec) -> np.ndarray:
    da = ds[t.variable] if t.variable in ds else None
    if da is None:
        from ..model.spec import name_key
        match = [v for v in ds.data_vars if name_key(str(v)) == name_key(t.variable)]
        if not match:
            raise ScenarioError("not a variable of the model", location=t.location,
                                variable=t.variable)
        da = ds[match[0]]
    extra = [d for d in da.dims if d not in ("scenario", "time")]
    if t.element is not None:
        elems = [e.strip() for e in t.element.split(",")]
        picked = [d for d in extra if d != t.sum_over]
        if len(elems) != len(picked):
            raise ScenarioError(f"element {t.element!r} does not fit the dims {tuple(extra)}",
                                location=t.location, variable=t.variable)
        for d, e in zip(picked, elems):
            if e not in [str(x) for x in da[d].values]:
                raise ScenarioError(f"{e!r} is not an element of {d}; elements: "
                                    f"{', '.join(map(str, da[d].values))}", location=t.location,
                                    variable=t.variable)
            da = da.sel({d: e})
    if t.sum_over is not None:
        if t.sum_over not in da.dims:
            raise ScenarioError(f"cannot sum over {t.sum_over!r}; the variable has dims "
                                f"{tuple(d for d in da.dims if d not in ('scenario', 'time'))}",
                                location=t.location, variable=t.variable)
        da = da.sum(t.sum_over)
    extra = [d for d in da.dims if d not in ("scenario", "time")]
    if extra:
        raise ScenarioError(f"is subscripted by {tuple(extra)}; pick one cell with element = "
                            f"\"...\" or add with sum_over = \"{extra[0]}\"",
                            location=t.location, variable=t.variable)
    return np.asarray(da.transpose("scenario", "time").values, dtype=float)


def calibrate(spec_or_path: CalibrationSpec | str | Path, *, starts: int | None = None,
              seed: int | None = None, model=None) -> CalibrationResult:
    """Fit the spec's parameters to its targets by bounded nonlinear least squares.

    Parameters
    ----------
    spec_or_path : CalibrationSpec or str or Path
        A spec from :func:`load_calibration`, or the file to load.
    starts : int, optional
        Number of starts (default: the file's, else 5): points of a seeded Latin
        hypercube over the bounds; the best optimum is kept.
    seed : int, optional
        Seed of the Latin hypercube (default: the file's, else 1).
    model : simsys.Model, optional
        An already loaded model (default: the base scenario's model).

    Returns
    -------
    CalibrationResult

    Raises
    ------
    ScenarioError
        Invalid file, unknown lever or variable, a target time outside the run.
    SimsysError
        Whatever loading or running the model raises.
    """
    from scipy.optimize import least_squares
    from scipy.stats import qmc
    spec = spec_or_path if isinstance(spec_or_path, CalibrationSpec) else \
        load_calibration(spec_or_path)
    starts = spec.starts if starts is None else int(starts)
    seed = spec.seed if seed is None else int(seed)
    if starts < 1:
        raise ScenarioError(f"starts must be at least 1, found {starts}", variable="starts")
    scenario = load_scenario(spec.scenario_path)
    if model is None:
        from ..model.load import load_model
        model = load_model(scenario.model_path)
    base = scenario_params(scenario, model)
    kw = scenario.run.as_kwargs()
    cm = model.compile()
    sched = cm.schedule(kw.get("final_time"), kw.get("time_step"), kw.get("saveper"))
    kw["saveper"] = sched.time_step  # every step saved: target times fall on the grid
    # stop at the last target: a 2021 target needs no run to 2050
    last = max(t for target in spec.targets for t, _ in target.points)
    steps = math.ceil((last - sched.initial_time) / sched.time_step - 1e-9)
    kw["final_time"] = min(sched.final_time, sched.initial_time + max(steps, 0) * sched.time_step)
    prob = _Problem(spec, model, base, kw)
    d = len(prob.names)
    U0 = qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(starts)
    R0 = prob.residuals(U0)
    order = np.argsort(0.5 * (R0 ** 2).sum(axis=1), kind="stable")
    cache: dict = {}

    def fun(u):
        key = tuple(np.round(u, 15))
        if key not in cache:
            cache.clear()
            cache[key] = prob.residuals(u[None, :])[0]
        return cache[key]

    def jac(u):
        f0 = fun(u)
        h = 1e-6
        step = np.where(u + h <= 1.0, h, -h)
        U = np.repeat(u[None, :], d, axis=0) + np.diag(step)
        F = prob.residuals(U)
        return ((F - f0[None, :]) / step[:, None]).T

    best, runs = None, []
    for i in order:
        res = least_squares(fun, U0[i], jac=jac, bounds=(0.0, 1.0), method="trf",
                            x_scale=1.0, xtol=1e-10, ftol=1e-10, gtol=1e-10, max_nfev=200)
        runs.append(({n: float(v) for n, v in zip(prob.names, prob.params(U0[i]))},
                     float(res.cost)))
        if best is None or res.cost < best.cost:
            best = res
    x = prob.params(best.x)
    ds = cm.run_batch({**prob.base, **{n: float(v) for n, v in zip(prob.names, x)}},
                      return_columns=prob.columns, **kw)
    sims, resid = prob.evaluate(ds)
    fits = []
    k = 0
    for t in spec.targets:
        for time, value in t.points:
            fits.append(TargetFit(t.label, time, value, float(sims[0, k]), float(resid[0, k])))
            k += 1
    J = np.asarray(best.jac, dtype=float) / (prob.hi - prob.lo)[None, :]
    m = J.shape[0]
    cov = np.full((d, d), np.nan)
    if m > d:
        s2 = 2.0 * float(best.cost) / (m - d)
        cov = s2 * np.linalg.pinv(J.T @ J)
    se_arr = np.sqrt(np.clip(np.diag(cov), 0.0, None)) if np.isfinite(cov).all() \
        else np.full(d, np.nan)
    # at an active bound the local approximation does not hold (the fit would move past
    # the bound if it could), so no standard error is given; see explain_se
    se_arr = np.where(_at_bound(x, prob.lo, prob.hi), np.nan, se_arr)
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = cov / np.outer(se_arr, se_arr)
    return CalibrationResult(
        spec=spec, names=tuple(prob.names), bounds=tuple(zip(prob.lo.tolist(), prob.hi.tolist())),
        values={n: float(v) for n, v in zip(prob.names, x)}, cost=float(best.cost),
        success=bool(best.success), message=str(best.message), fits=tuple(fits),
        se={n: float(v) for n, v in zip(prob.names, se_arr)}, correlation=corr,
        starts=tuple(runs), nfev=prob.nfev, lever_names=prob.lever_names)


def _at_bound(x, lo, hi, rel: float = 1e-6):
    """True where ``x`` sits on its lower or upper bound (within ``rel`` of the range)."""
    x, lo, hi = (np.asarray(a, dtype=float) for a in (x, lo, hi))
    tol = rel * np.maximum(hi - lo, 1e-12)
    return (x - lo <= tol) | (hi - x <= tol)


def explain_se(result: CalibrationResult, name: str) -> str:
    """Why ``result.se[name]`` is NaN, in words; ``""`` when it is a number.

    Parameters
    ----------
    result : CalibrationResult
    name : str
        One of ``result.names``.

    Returns
    -------
    str
        A fit stopped at a bound (widen the bounds or question the targets), too few
        target points for the parameters, or a fit that is flat in that direction.

    Raises
    ------
    KeyError
        If ``name`` is not a fitted parameter.
    """
    lo, hi = result.bounds[result.names.index(name)] if name in result.names else (None, None)
    if lo is None:
        raise KeyError(f"{name!r} is not a fitted parameter; fitted: {', '.join(result.names)}")
    if math.isfinite(result.se.get(name, math.nan)):
        return ""
    v = result.values[name]
    if _at_bound(v, lo, hi):
        return (f"the fit stopped at its bound ({v:.4g} in [{lo:g}, {hi:g}]); the targets pull "
                "it further, so widen the bounds or question the targets")
    if len(result.fits) <= len(result.names):
        return (f"{count(len(result.fits), 'target point')} for "
                f"{count(len(result.names), 'parameter')}; add target points")
    return "the targets do not pin it down (the fit is flat in this direction)"

