"""Several scenario files side by side in one batched run.

Comparing scenarios is the everyday question ("which reform does more?"); one
``run_batch`` call over all of them is much faster than a loop of single runs and
gives the same numbers bit for bit.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import xarray as xr

from .errors import ScenarioError
from .policy import Step, is_policy
from .scenario import RunSettings, load_scenario, scenario_params

__all__ = ["run_scenarios"]


def _cells(model, lever) -> list[str]:
    return [",".join(c) for c in itertools.product(*(model.ranges[d] for d in lever.dims))]


def _expanded(model, params: dict) -> dict:
    """Scenario params with every subscripted lever written per element."""
    out: dict = {}
    for key, value in params.items():
        base, _, elem = key.partition("[")
        lever = model.lever(base)
        if lever.dims and not elem:
            for cell in _cells(model, lever):
                out.setdefault(f"{lever.name}[{cell}]", value)
        else:
            out[key] = value
    return out


def _default(model, key: str) -> float:
    base, _, elem = key.partition("[")
    lever = model.lever(base)
    default = np.asarray(lever.default, dtype=float)
    if not elem:
        return float(default)
    cell = tuple(e.strip() for e in elem.rstrip("]").split(","))
    return float(default[tuple(model.ranges[d].index(c) for d, c in zip(lever.dims, cell))])


def run_scenarios(paths, model=None, *, names=None, variables=None, **overrides) -> xr.Dataset:
    """Run scenario files side by side in one batch.

    Parameters
    ----------
    paths : sequence of str or Path
        Scenario TOML files on the same model with the same ``[run]`` settings
        (for example, all extending ``baseline.toml``).
    model : simsys.Model, optional
        The model (default: loaded from the first scenario).
    names : sequence of str, optional
        Labels of the ``scenario`` coordinate (default: each scenario's name).
    variables : sequence of str, optional
        Variables to return (default: the first scenario's ``[outputs]``, else all).
    **overrides
        Run settings replacing the scenarios' (``final_time``, ``saveper``, ``method``...).

    Returns
    -------
    xarray.Dataset
        Dims ``("scenario", "time", ...)`` with the scenario names as coordinate.

    Raises
    ------
    ScenarioError
        Invalid files, different models or different run settings.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise ScenarioError("run_scenarios needs at least one scenario file")
    scenarios = [load_scenario(p) for p in paths]
    if len({sc.model_path for sc in scenarios}) > 1:
        raise ScenarioError("the scenarios use different models; run them separately",
                            location=paths[0])
    if len({sc.run for sc in scenarios}) > 1:
        raise ScenarioError("the scenarios have different [run] settings; run them separately "
                            "or pass the settings as keyword arguments", location=paths[0])
    if model is None:
        from .model.load import load_model
        model = load_model(scenarios[0].model_path)
    settings = scenarios[0].run.merged(RunSettings(**{k: v for k, v in overrides.items()
                                                      if v is not None}))
    per = [_expanded(model, scenario_params(sc, model)) for sc in scenarios]
    params: dict = {}
    for key in sorted(set().union(*per)):
        values = [p.get(key, _default(model, key)) for p in per]
        if any(is_policy(v) for v in values):
            t0 = model.control.initial_time
            params[key] = [v if is_policy(v) else Step(before=float(v), after=float(v), at=t0)
                           for v in values]
        else:
            params[key] = np.asarray(values, dtype=float)
    if variables is None and scenarios[0].outputs:
        variables = list(scenarios[0].outputs)
    ds = model.run_batch(params, return_columns=variables, scenario_index=np.arange(len(paths)),
                         **settings.as_kwargs())
    labels = list(names) if names is not None else [sc.name for sc in scenarios]
    return ds.assign_coords(scenario=labels)
