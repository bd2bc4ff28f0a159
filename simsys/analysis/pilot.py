"""A staggered pilot scenario read as a DiD, beside the model's own counterfactual.

A pilot scenario gives each region its own adoption year through a lever of years
(the 31-province model's "Reform start year": 2100 means never).
:func:`pilot_experiment` runs the pilot and its baseline, takes the pilot's
region x time panel of one output as an observational study would, and estimates
the effect with :func:`~simsys.analysis.staggered.staggered_did` (TWFE and did2s
with the neighbours as controls) and
:func:`~simsys.analysis.spillover.spillover_did` (Butts's exposure rings). In a
simulation the truth is known: the pilot minus the baseline, averaged over the
treated region-years (the direct effect) and over the exposed ones (the spillover
per ring), so every estimate is shown against it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from ..errors import ScenarioError, SimsysError
from ..scenario import load_scenario, scenario_params
from .spillover import SpilloverResult, spillover_did
from .staggered import StaggeredResult, staggered_did
from .weights import region_weights

__all__ = ["PilotExperiment", "adoption_from_scenario", "pilot_experiment", "region_weights"]


@dataclass(frozen=True, eq=False)
class PilotExperiment:
    """A staggered pilot, its DiD estimates and the model's own effects.

    Attributes
    ----------
    panel, baseline : xarray.DataArray
        The output over (region, time) in the pilot and in the baseline.
    staggered : StaggeredResult
        TWFE and did2s, every untreated region a control.
    spillover : SpilloverResult
        did2s with exposure rings: direct effect, spillover per ring, and the naive did2s.
    true_direct : float
        Pilot minus baseline, mean over treated region-years.
    true_spillover : tuple of float
        Pilot minus baseline, mean over the region-years exposed in each ring.
    lever, dim, output : str
    adoption : dict
        Region -> adoption year (regions adopting after the panel never do).
    """

    panel: xr.DataArray
    baseline: xr.DataArray
    staggered: StaggeredResult
    spillover: SpilloverResult
    true_direct: float
    true_spillover: tuple
    lever: str
    dim: str
    output: str
    adoption: dict


def adoption_from_scenario(sc, model, last: float):
    """``(lever, dim, {region: year})`` from a scenario's per-region lever of years.

    A lever counts as one of years when its range starts at or after the model's
    first year (e.g. "Reform start year"); regions whose year falls inside the run
    (at or before ``last``) adopt then, the others never do. None if the scenario
    sets no such lever or every region adopts.

    Parameters
    ----------
    sc : simsys.scenario.Scenario
        The loaded pilot scenario.
    model : simsys.Model
        The model it runs on (for the levers' ranges and dimensions).
    last : float
        The last time of the run.

    Returns
    -------
    tuple or None

    Raises
    ------
    Nothing: levers the model does not know are skipped.
    """
    for key, value in sc.levers.items():
        if not isinstance(value, dict):
            continue
        try:
            lever = model.lever(key)
        except (KeyError, SimsysError):
            continue
        if len(lever.dims) != 1 or lever.min is None or lever.min < model.control.initial_time:
            continue
        years = {r: float(v) for r, v in value.items() if isinstance(v, (int, float))}
        adopt = {r: y for r, y in years.items() if y <= last}
        if adopt and len(adopt) < len(model.ranges[lever.dims[0]]):
            return lever.name, lever.dims[0], adopt
    return None


def pilot_experiment(scenario_path: str | Path, *, output: str, baseline: str | Path | None = None,
                     years: tuple[float, float] | None = None, trend: str = "linear",
                     rings: int = 1, weights: str = "W", model=None) -> PilotExperiment:
    """Run a staggered pilot and its baseline; estimate the pilot's effect by DiD.

    Parameters
    ----------
    scenario_path : str or Path
        The pilot: a scenario that sets a per-region lever of adoption years.
    output : str
        Model variable over the regions (and time) to evaluate.
    baseline : str or Path, optional
        Baseline scenario file (default: the one the pilot extends, else the model's
        own values).
    years : (first, last), optional
        Time window of the panel (default: the whole run, yearly).
    trend : {"none", "linear", "quadratic"}, default "linear"
        Unit-specific trends in the first stage of both did2s estimators.
    rings : int, default 1
        Exposure rings of :func:`~simsys.analysis.spillover.spillover_did`.
    weights : str, default "W"
        The model's weight-matrix variable; a model without one but with the 31
        provinces as regions uses the package's province contiguity.
    model : simsys.Model, optional
        An already loaded model.

    Returns
    -------
    PilotExperiment

    Raises
    ------
    ScenarioError
        The scenario sets no per-region lever of adoption years, or the output is not
        over (regions, time).
    SimsysError
        Whatever loading and running the model or the estimators raise.
    """
    sc = load_scenario(scenario_path)
    if model is None:
        from ..model.load import load_model
        model = load_model(sc.model_path)
    kw = sc.run.as_kwargs() | {"saveper": 1.0}
    last = float(kw.get("final_time", model.control.final_time))
    found = adoption_from_scenario(sc, model, last)
    if found is None:
        raise ScenarioError("the scenario sets no per-region lever of adoption years (such as"
                            " 'Reform start year') with some but not all regions adopting"
                            " within the run", location=sc.path)
    lever, dim, adoption = found
    if baseline is not None:
        base_params = scenario_params(load_scenario(baseline), model)
    else:
        base_params = scenario_params(load_scenario(sc.chain[0]), model) if sc.chain else {}
    runs = [model.run(p, return_columns=[output], **kw)
            for p in (scenario_params(sc, model), base_params)]
    panels = []
    for ds in runs:
        da = ds[list(ds.data_vars)[0]]
        if set(da.dims) != {dim, "time"}:
            raise ScenarioError(f"output {output!r} has dims {tuple(da.dims)}; choose a variable"
                                f" over ({dim}, time)", variable=output)
        da = da.transpose(dim, "time")
        panels.append(da.sel(time=slice(*years)) if years is not None else da)
    pilot, base = panels
    adoption = {r: y for r, y in adoption.items() if y <= float(pilot["time"].values[-1])}
    W = region_weights(model, dim, [str(r) for r in pilot[dim].values], weights)
    stag = staggered_did(pilot, adoption, dim=dim, trend=trend)
    spill = spillover_did(pilot, adoption, W, rings=rings, trend=trend, dim=dim)
    gap = np.asarray((pilot - base).values)
    ring = spill.design["ring"].values
    return PilotExperiment(
        panel=pilot, baseline=base, staggered=stag, spillover=spill,
        true_direct=float(gap[spill.design["treated"].values].mean()),
        true_spillover=tuple(float(gap[ring == r].mean()) for r in range(1, rings + 1)),
        lever=lever, dim=dim, output=output, adoption=adoption)
