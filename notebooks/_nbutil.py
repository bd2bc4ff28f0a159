"""Helpers shared by the tutorial notebooks (not part of the simsys library).

``run_scenarios`` runs several scenario files in one ``run_batch`` call: the notebooks
compare scenarios side by side, and one batched run is much faster than a Python loop
of single runs.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from simsys.policy import Step, is_policy
from simsys.scenario import RunSettings, load_scenario, scenario_params

__all__ = ["run_scenarios"]


def _cells(model, lever):
    return [",".join(c) for c in itertools.product(*(model.ranges[d] for d in lever.dims))]


def _expanded(model, params: dict) -> dict:
    """Scenario params with every subscripted lever written per element."""
    out = {}
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


def run_scenarios(paths, model, *, names=None, variables=None, **overrides):
    """Run scenario files side by side in one batch.

    Parameters
    ----------
    paths : sequence of str or Path
        Scenario TOML files; they must share run settings (e.g. all extend baseline.toml).
    model : simsys.Model
        The model they run on.
    names : sequence of str, optional
        Labels of the ``scenario`` coordinate (default: each scenario's name).
    variables : sequence of str, optional
        Variables to return (default: the first scenario's ``[outputs]``).
    **overrides
        Run settings replacing the scenarios' (``final_time``, ``saveper`` ...).

    Returns
    -------
    xarray.Dataset
        Dims ``("scenario", "time", ...)`` with the scenario names as coordinate.
    """
    scenarios = [load_scenario(p) for p in paths]
    runs = {sc.run for sc in scenarios}
    if len(runs) > 1:
        raise ValueError("the scenarios have different [run] settings; run them separately")
    settings = scenarios[0].run.merged(RunSettings(**overrides))
    per = [_expanded(model, scenario_params(sc, model)) for sc in scenarios]
    keys = sorted(set().union(*per))
    params = {}
    for key in keys:
        values = [p.get(key, _default(model, key)) for p in per]
        if any(is_policy(v) for v in values):
            t0 = model.control.initial_time
            values = [v if is_policy(v) else Step(before=float(v), after=float(v), at=t0)
                      for v in values]
            params[key] = values
        else:
            params[key] = np.asarray(values, dtype=float)
    if variables is None and scenarios[0].outputs:
        variables = list(scenarios[0].outputs)
    if not params:  # only baselines: one dummy key so the batch has len(paths) scenarios
        lever = model.levers[0]
        key = lever.name if not lever.dims else f"{lever.name}[{_cells(model, lever)[0]}]"
        params[key] = np.full(len(paths), _default(model, key))
    ds = model.run_batch(params, return_columns=variables, **settings.as_kwargs())
    labels = list(names) if names is not None else [sc.name for sc in scenarios]
    return ds.assign_coords(scenario=labels)
