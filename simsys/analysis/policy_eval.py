"""Policy experiments on the model: a regional reform evaluated by DiD, and a shock's recovery.

:func:`did_experiment` turns a scenario into a natural experiment: its lever
settings are applied only in the treated regions and only from year ``start``
(one Step policy per region element of each regionally subscripted lever it
changes: before = the baseline value, after = the scenario's value), while the
other regions stay at the baseline. One run gives the region x time panel of
an output, on which the 2x2 DiD, the two-way fixed-effects estimate with
region-clustered standard errors and the event study of
:mod:`simsys.analysis.did` are computed. The baseline is the scenario the file
``extends`` (or the model's own values if it extends nothing), unless another
baseline file is given. Controls are simulated in the same run, so spillovers
from treated regions (migration, knowledge radiation) reach them: the estimate
is the effect *relative to neighbours that feel the reform indirectly*, as in
an observational study, unless ``exclude_neighbours`` drops the controls linked
to a treated region in the spatial weights.

:func:`resilience_experiment` runs a shock scenario and its baseline and
measures the depth, recovery time and half-life of an output with
:func:`simsys.analysis.resilience.recovery`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import xarray as xr

from ..errors import ScenarioError
from ..policy import Step, is_policy
from ..scenario import load_scenario, scenario_params
from ..wording import count
from .did import DidResult, EventStudyResult, TwfeResult, did_2x2, event_study, twfe
from .resilience import recovery

__all__ = ["DidExperiment", "ResilienceExperiment", "did_experiment", "resilience_experiment"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class DidExperiment:
    """A regional reform and its difference-in-differences evaluation.

    Attributes
    ----------
    panel : xarray.DataArray
        The output over (region, time), treated and control regions only.
    did : DidResult
    twfe : TwfeResult
    event : EventStudyResult
    treated, control : tuple of str
    start : float
    output : str
    policies : dict
        ``"lever[region]"`` -> the Step applied.
    run : xarray.Dataset
        The full run.
    """

    panel: xr.DataArray
    did: DidResult
    twfe: TwfeResult
    event: EventStudyResult
    treated: tuple[str, ...]
    control: tuple[str, ...]
    start: float
    output: str
    policies: dict = field(default_factory=dict)
    run: Any = None


@dataclass(frozen=True, eq=False)
class ResilienceExperiment:
    """A shock run, its baseline and the recovery measures of :func:`recovery`."""

    result: xr.Dataset
    shocked: xr.DataArray
    baseline: xr.DataArray
    output: str
    shock_time: float


def _load(path):
    from ..model.load import load_model
    sc = load_scenario(path)
    return sc, load_model(sc.model_path)


def _base_params(sc, model, baseline) -> dict:
    if baseline is not None:
        return scenario_params(load_scenario(baseline), model)
    if sc.chain:
        return scenario_params(load_scenario(sc.chain[0]), model)
    return {}


def _value_at(params: dict, model, lever, dims: tuple, cell: tuple) -> Any:
    """A lever's setting in one cell under ``params`` (a float or a policy)."""
    from ..model.spec import name_key
    for k, v in params.items():
        base, _, el = k.partition("[")
        if name_key(base) != lever.key:
            continue
        if el and tuple(x.strip() for x in el.rstrip("]").split(",")) == cell:
            return v
    for k, v in params.items():
        if name_key(k) == lever.key:
            return v
    default = np.asarray(lever.default, dtype=float)
    pos = tuple(model.ranges[d].index(c) for d, c in zip(dims, cell))
    return float(default[pos]) if default.ndim else float(default)


def _neighbours(model, dim: str, treated, weights: str) -> set:
    """Regions linked to a treated region by the model's weights (or province contiguity)."""
    from .weights import region_weights
    regions = list(model.ranges[dim])
    w = region_weights(model, dim, regions, weights).values
    linked = set()
    for r in treated:
        i = regions.index(r)
        linked |= {regions[j] for j in np.flatnonzero((w[i] > 0) | (w[:, i] > 0))}
    return linked - set(treated)


def did_experiment(scenario_path: str | Path, *, treated: Sequence[str], start: float,
                   output: str, control: Sequence[str] | None = None,
                   baseline: str | Path | None = None, dim: str | None = None,
                   saveper: float | None = 1.0, window: tuple[int, int] | None = None,
                   model=None, exclude_neighbours: bool = False,
                   weights: str = "W") -> DidExperiment:
    """Apply a scenario's reform in some regions from ``start`` and estimate its effect.

    Parameters
    ----------
    scenario_path : str or Path
        The reform scenario: its settings of ``dim``-subscripted levers are the
        treatment.
    treated : sequence of str
        Regions (elements of ``dim``) that adopt the reform.
    start : float
        Year the reform starts (a Step at ``start``).
    output : str
        Model variable over ``dim`` (and time) to evaluate.
    control : sequence of str, optional
        Control regions (default: every region not treated).
    baseline : str or Path, optional
        Baseline scenario file (default: the file the scenario extends, else the
        model's own values).
    dim : str, optional
        The subscript range of the regions (default: the output's one dimension,
        else the first dimension of ``weights``; see
        :func:`simsys.analysis.reports.regional_dim`).
    saveper : float, optional, default 1.0
        Output interval of the panel (yearly by default, so the event study's ``k``
        counts years); None keeps the scenario's.
    window : (int, int), optional
        Event-study window of relative periods.
    model : simsys.Model, optional
        An already loaded model.
    exclude_neighbours : bool, default False
        Drop from the controls every region linked to a treated one in the
        spatial weights (spillover-robust controls: neighbours that feel the
        reform through migration or knowledge radiation are not counterfactuals).
    weights : str, default "W"
        The model's weight-matrix variable; a model without one but with the 31
        provinces as ``dim`` uses the package's province contiguity.

    Returns
    -------
    DidExperiment

    Raises
    ------
    ScenarioError
        Unknown regions, a scenario that changes no ``dim``-subscripted lever, or
        changes a lever that is not subscripted by ``dim`` (it cannot be confined
        to the treated regions), or uses time-varying settings.
    AnalysisError
        If the panel does not fit the estimators (see :func:`did_2x2`).
    SimsysError
        Whatever loading or running the model raises.
    """
    sc = load_scenario(scenario_path)
    if model is None:
        from ..model.load import load_model
        model = load_model(sc.model_path)
    if dim is None:
        from ..errors import SimsysError
        from .reports import regional_dim
        try:
            dim = regional_dim(model, output, weights)
        except SimsysError as err:
            raise ScenarioError(str(err), variable=output) from None
    if dim not in model.ranges:
        raise ScenarioError(f"the model has no subscript range {dim!r}; ranges: "
                            f"{', '.join(model.ranges)}", variable=dim)
    regions = list(model.ranges[dim])
    treated = [treated] if isinstance(treated, str) else list(treated)
    control = [r for r in regions if r not in treated] if control is None else list(control)
    for r in treated + control:
        if r not in regions:
            raise ScenarioError(f"{r!r} is not an element of {dim}; elements: "
                                f"{', '.join(regions)}", variable=r)
    if exclude_neighbours:
        control = [r for r in control if r not in _neighbours(model, dim, treated, weights)]
        if not control:
            raise ScenarioError(f"every control region neighbours a treated one in {weights!r};"
                                " no spillover-free control is left", variable=dim)
    overlap = set(treated) & set(control)
    if overlap:
        raise ScenarioError(f"regions {sorted(overlap)} are both treated and control")
    base = _base_params(sc, model, baseline)
    reform = scenario_params(sc, model)
    params = dict(base)
    policies: dict = {}
    scalar_changes = []
    import itertools
    for lever in model.levers:
        for cell in itertools.product(*(model.ranges[d] for d in lever.dims)):
            before = _value_at(base, model, lever, lever.dims, cell)
            after = _value_at(reform, model, lever, lever.dims, cell)
            if is_policy(before) or is_policy(after):
                if before == after:
                    continue
                raise ScenarioError("a DiD experiment switches constant settings on at "
                                    "'start'; this lever is time-varying in the scenario or "
                                    "baseline; give constant values", variable=lever.name)
            if float(before) == float(after):
                continue
            if not lever.dims or dim not in lever.dims:
                scalar_changes.append(lever.name)
                continue
            region = cell[lever.dims.index(dim)]
            if region not in treated:
                continue
            key = f"{lever.name}[{','.join(cell)}]"
            policies[key] = Step(before=float(before), after=float(after), at=float(start))
    if scalar_changes:
        raise ScenarioError(f"the scenario changes levers not subscripted by {dim} "
                            f"({', '.join(sorted(set(scalar_changes)))}); they cannot be "
                            "confined to the treated regions; move them to the baseline",
                            location=sc.path)
    if not policies:
        raise ScenarioError(f"the scenario changes no {dim}-subscripted lever in the treated "
                            f"regions {treated}; nothing to evaluate", location=sc.path)
    # per-cell policies replace the whole-lever settings they refine
    from ..model.spec import name_key
    reformed = {name_key(k.partition("[")[0]) for k in policies}
    for k in list(params):
        b, _, el = k.partition("[")
        if name_key(b) in reformed and not el:
            lever = model.lever(b)
            value = params.pop(k)
            for cell in itertools.product(*(model.ranges[d] for d in lever.dims)):
                params.setdefault(f"{lever.name}[{','.join(cell)}]", value)
    for k in list(params):
        if k in policies:
            params.pop(k)
    params.update(policies)
    kw = sc.run.as_kwargs()
    if saveper is not None:
        kw["saveper"] = float(saveper)
    ds = model.run(params, return_columns=[output], **kw)
    da = ds[list(ds.data_vars)[0]]
    if dim not in da.dims:
        raise ScenarioError(f"output {output!r} is not subscripted by {dim}; dims "
                            f"{tuple(da.dims)}", variable=output)
    extra = [d for d in da.dims if d not in (dim, "time")]
    if extra:
        raise ScenarioError(f"output {output!r} has other dims {tuple(extra)}; choose a "
                            f"variable over ({dim}, time)", variable=output)
    panel = da.sel({dim: treated + control}).transpose(dim, "time")
    log.info("DiD experiment: %s, treated %s, control %s", count(len(policies), "policy"), treated,
             control)
    return DidExperiment(
        panel=panel, did=did_2x2(panel, treated, start, dim=dim),
        twfe=twfe(panel, treated, start, dim=dim),
        event=event_study(panel, treated, start, window=window, dim=dim),
        treated=tuple(treated), control=tuple(control), start=float(start), output=output,
        policies=policies, run=ds)


def resilience_experiment(shock_scenario: str | Path, *, baseline_scenario: str | Path | None = None,
                          output: str, shock_time: float, fraction: float = 0.1,
                          model=None) -> ResilienceExperiment:
    """Run a shock scenario and its baseline and measure the recovery of ``output``.

    Parameters
    ----------
    shock_scenario : str or Path
        The scenario with the shock (e.g. a technology blockade).
    baseline_scenario : str or Path, optional
        The unshocked reference (default: the file the shock scenario extends,
        else the model's own values). Both runs use the shock scenario's run
        settings.
    output : str
        Model variable to measure (any subscripts: each cell is its own series).
    shock_time : float
        When the shock hits.
    fraction : float, default 0.1
        Recovered once the gap to the baseline is within this fraction of its largest value.
    model : simsys.Model, optional

    Returns
    -------
    ResilienceExperiment
        ``result`` has depth, resistance, time_of_minimum, recovery_time,
        half_life and recovered (see :func:`recovery`).

    Raises
    ------
    ScenarioError
        Invalid scenario files or an unknown output.
    AnalysisError
        From :func:`recovery` (shock time outside the run, non-finite values).
    """
    sc = load_scenario(shock_scenario)
    if model is None:
        from ..model.load import load_model
        model = load_model(sc.model_path)
    shock_params = scenario_params(sc, model)
    base_params = _base_params(sc, model, baseline_scenario)
    kw = sc.run.as_kwargs()
    shocked = model.run(shock_params, return_columns=[output], **kw)
    base = model.run(base_params, return_columns=[output], **kw)
    name = list(shocked.data_vars)[0]
    res = recovery(shocked[name], base[name], shock_time=shock_time, fraction=fraction)
    return ResilienceExperiment(result=res, shocked=shocked[name], baseline=base[name],
                                output=name, shock_time=float(shock_time))
