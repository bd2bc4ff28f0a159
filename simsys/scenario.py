"""Scenario files: TOML -> a frozen :class:`Scenario` -> lever settings the engine accepts.

A scenario file is data. It is parsed with :mod:`tomllib`, may ``extends`` another
scenario file (paths relative to the file naming them), and is checked against a
model's levers by :func:`validate_scenario`. The format is described in
``docs/SCENARIO_FORMAT.md``.
"""
from __future__ import annotations

import difflib
import logging
import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from .errors import Location, ScenarioError, SolveError
from .observed import read_observed
from .policy import Ramp, Step, Table, is_policy
from .safeio import safe_stem
from .tomlfile import (check_keys as _check_keys, key_location, number as _number,
                       question as _question, read_toml as _read_toml)

__all__ = [
    "RunSettings",
    "Scenario",
    "load_scenario",
    "validate_scenario",
    "scenario_params",
    "run_scenario",
    "load_model_file",
    "lever_key",
    "parse_lever_value",
    "key_location",
    "chain_location",
    "POLICY_FORMS",
]

log = logging.getLogger(__name__)
MAX_EXTENDS = 32  # files in one 'extends' chain

POLICY_FORMS = ("a number, { step = v, at = t, before = b (optional) }, "
                "{ ramp = [a, b], from = t1, to = t2 }, { table = [[t, v], ...] }")
_TABLES = {"scenario": {"name", "description", "extends", "model"},
           "run": {"final_time", "time_step", "saveper", "method", "seed"},
           "levers": None,
           "outputs": {"variables"},
           "observed": None}
_METHODS = ("euler", "rk4", "adaptive")


def lever_key(name: str) -> str:
    """Normalised lever key: lower case, runs of spaces/underscores folded to ``_``."""
    return re.sub(r"[\s_]+", "_", name.strip().lower())


@dataclass(frozen=True, slots=True)
class RunSettings:
    """Run settings a scenario may set; ``None`` means the model's own value."""

    final_time: float | None = None
    time_step: float | None = None
    saveper: float | None = None
    method: str | None = None
    seed: int | None = None

    def merged(self, other: "RunSettings") -> "RunSettings":
        """Settings of ``self`` overridden by those ``other`` sets."""
        return RunSettings(**{f: (getattr(other, f) if getattr(other, f) is not None
                                  else getattr(self, f)) for f in self.__slots__})

    def as_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``Model.run``/``run_batch`` (unset ones left out)."""
        return {f: getattr(self, f) for f in self.__slots__ if getattr(self, f) is not None}


@dataclass(frozen=True, slots=True)
class Scenario:
    """A loaded (not yet validated) scenario file.

    ``levers`` maps the lever name as written to a float, a dict of element -> value
    (or policy), or a policy. A :class:`~simsys.policy.Step` written without
    ``before`` holds ``before=None`` until :func:`scenario_params` fills in the
    model's default. ``lever_files`` records which file of the chain set each lever
    (for error locations); ``chain`` lists the files it extends, nearest first.
    """

    path: Path
    name: str
    description: str = ""
    question: str = ""
    model_path: Path | None = None
    run: RunSettings = field(default_factory=RunSettings)
    levers: Mapping[str, Any] = field(default_factory=dict)
    outputs: tuple[str, ...] | None = None
    chain: tuple[Path, ...] = ()
    lever_files: Mapping[str, Path] = field(default_factory=dict)
    observed: Mapping[str, Any] = field(default_factory=dict)


def parse_lever_value(value, *, path: Path, key: str, table: str = "levers"):
    """Turn one TOML lever value into a float, a policy or an element dict.

    Parameters
    ----------
    value : object
        The parsed TOML value.
    path : Path
        File the value comes from (for messages).
    key : str
        The lever key as written.
    table : str
        The TOML table holding the key.

    Returns
    -------
    float or Step or Ramp or Table or dict
        A dict maps element names to floats or policies (a subscripted lever).

    Raises
    ------
    ScenarioError
        If the value is none of the allowed forms.
    """
    loc = key_location(path, key, table)

    def bad(found) -> ScenarioError:
        return ScenarioError(f"expected {POLICY_FORMS} (or {{ element = value, ... }} for a "
                             f"subscripted lever), found {found!r}", location=loc, variable=key)

    def finite_time(t, what: str) -> None:
        if not isinstance(t, bool) and isinstance(t, (int, float)) and not math.isfinite(t):
            raise ScenarioError(f"expected a finite time for {what}, found {t!r}",
                                location=loc, variable=key)

    if isinstance(value, bool):
        raise bad(value)
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, dict):
        raise bad(value)
    kinds = [k for k in ("step", "ramp", "table") if k in value]
    if kinds == ["step"]:
        finite_time(value.get("at"), "'at'")
    if kinds == ["ramp"]:
        finite_time(value.get("from"), "'from'")
        finite_time(value.get("to"), "'to'")
    if kinds == ["table"] and isinstance(value.get("table"), list):
        for pt in value["table"]:
            if isinstance(pt, list) and pt:
                finite_time(pt[0], "a table point")
    if len(kinds) > 1:
        raise bad(value)
    try:
        if kinds == ["step"]:
            if set(value) - {"step", "at", "before"} or "at" not in value:
                raise bad(value)
            before = value.get("before")
            nums = [value["step"], value["at"]] + ([before] if before is not None else [])
            if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in nums):
                raise bad(value)
            return Step(before=None if before is None else float(before),
                        after=float(value["step"]), at=float(value["at"]))
        if kinds == ["ramp"]:
            ab = value["ramp"]
            if (set(value) != {"ramp", "from", "to"} or not isinstance(ab, list) or len(ab) != 2
                    or any(isinstance(v, bool) or not isinstance(v, (int, float))
                           for v in (*ab, value["from"], value["to"]))):
                raise bad(value)
            return Ramp(start=float(ab[0]), end=float(ab[1]),
                        t_from=float(value["from"]), t_to=float(value["to"]))
        if kinds == ["table"]:
            pts = value["table"]
            if (set(value) != {"table"} or not isinstance(pts, list)
                    or not all(isinstance(p, list) and len(p) == 2 and all(
                        not isinstance(v, bool) and isinstance(v, (int, float)) for v in p)
                        for p in pts)):
                raise bad(value)
            return Table(points=tuple((float(t), float(v)) for t, v in pts))
    except ScenarioError as exc:
        if exc.location is None:  # raised by the policy object itself
            raise ScenarioError(exc.message, location=loc, variable=key) from None
        raise
    # a plain table: one value per element of a subscripted lever
    out = {}
    for elem, v in value.items():
        if isinstance(v, dict) and not any(k in v for k in ("step", "ramp", "table")):
            raise bad(value)
        out[str(elem)] = parse_lever_value(v, path=path, key=key, table=table)
    return out


def _load_one(path: Path, seen: tuple[Path, ...]) -> Scenario:
    if path in seen:
        cycle = " -> ".join(str(p) for p in (*seen, path))
        raise ScenarioError(f"'extends' forms a cycle: {cycle}",
                            location=key_location(seen[-1], "extends", "scenario"),
                            variable="extends")
    data, text = _read_toml(path)
    _check_keys(data, _TABLES, path, None)
    for table, allowed in _TABLES.items():
        sub = data.get(table, {})
        if not isinstance(sub, dict):
            raise ScenarioError(f"expected a [{table}] table, found {sub!r}",
                                location=key_location(path, table), variable=table)
        if allowed is not None:
            _check_keys(sub, allowed, path, table)
    head = data.get("scenario", {})

    parent = None
    if "extends" in head:
        target = head["extends"]
        if not isinstance(target, str):
            raise ScenarioError(f"expected a file path, found {target!r}",
                                location=key_location(path, "extends", "scenario"),
                                variable="extends")
        target_path = (path.parent / target).resolve()
        if not target_path.is_file() and target_path not in seen:
            raise ScenarioError(f"extends a file that does not exist: {target_path}",
                                location=key_location(path, "extends", "scenario"),
                                variable="extends")
        if len(seen) + 1 >= MAX_EXTENDS:
            raise ScenarioError(f"'extends' chain is deeper than {MAX_EXTENDS} files",
                                location=key_location(path, "extends", "scenario"),
                                variable="extends")
        parent = _load_one(target_path, (*seen, path))

    model_path = parent.model_path if parent else None
    if "model" in head:
        if not isinstance(head["model"], str):
            raise ScenarioError(f"expected a file path, found {head['model']!r}",
                                location=key_location(path, "model", "scenario"),
                                variable="model")
        model_path = (path.parent / head["model"]).resolve()

    run_data = data.get("run", {})
    kw = {}
    for k in ("final_time", "time_step", "saveper"):
        if k in run_data:
            kw[k] = _number(run_data[k], path, k, "run")
            if not math.isfinite(kw[k]) or (k != "final_time" and kw[k] <= 0):
                what = "a finite number" if k == "final_time" else "a positive number"
                raise ScenarioError(f"expected {what}, found {kw[k]:g}",
                                    location=key_location(path, k, "run"), variable=k)
    if "method" in run_data:
        if run_data["method"] not in _METHODS:
            raise ScenarioError(f"expected one of {', '.join(_METHODS)}, found "
                                f"{run_data['method']!r}",
                                location=key_location(path, "method", "run"), variable="method")
        kw["method"] = run_data["method"]
    if "seed" in run_data:
        seed = run_data["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= 2**63 - 1:
            raise ScenarioError(f"expected a non-negative integer (0 to 2**63-1), found {seed!r}",
                                location=key_location(path, "seed", "run"), variable="seed")
        kw["seed"] = seed
    run = RunSettings(**kw)
    if parent:
        run = parent.run.merged(run)

    levers = dict(parent.levers) if parent else {}
    lever_files = dict(parent.lever_files) if parent else {}
    by_key = {lever_key(k): k for k in levers}
    here: dict[str, str] = {}
    for key, value in data.get("levers", {}).items():
        if lever_key(key) in here:
            raise ScenarioError(f"lever given twice (also as {here[lever_key(key)]!r})",
                                location=key_location(path, key, "levers"), variable=key)
        here[lever_key(key)] = key
        old = by_key.pop(lever_key(key), None)
        if old is not None:
            levers.pop(old)
            lever_files.pop(old, None)
        levers[key] = parse_lever_value(value, path=path, key=key)
        lever_files[key] = path
        by_key[lever_key(key)] = key

    outputs = parent.outputs if parent else None
    if "variables" in data.get("outputs", {}):
        names = data["outputs"]["variables"]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ScenarioError(f"expected a list of variable names, found {names!r}",
                                location=key_location(path, "variables", "outputs"),
                                variable="variables")
        outputs = tuple(names)

    # observed series the run plot draws beside the run (simsys.observed); a file overrides
    # what the files it extends give for the same variable
    observed = dict(parent.observed) if parent else {}
    for key, value in data.get("observed", {}).items():
        series = read_observed(value, path=path, key=key)
        if series is not None:
            observed[key] = series
        else:  # left out with a warning; nor is a parent's series for it drawn
            observed.pop(key, None)

    for k in ("name", "description"):
        if k in head and not isinstance(head[k], str):
            raise ScenarioError(f"expected a string, found {head[k]!r}",
                                location=key_location(path, k, "scenario"), variable=k)
    chain = ((parent.path, *parent.chain) if parent else ())
    name = head.get("name", path.stem)
    safe_stem(name, key="name", error=ScenarioError,
              location=key_location(path, "name", "scenario") if "name" in head else path)
    return Scenario(path=path, name=name,
                    description=head.get("description", ""), question=_question(text),
                    model_path=model_path, run=run, levers=levers, outputs=outputs,
                    chain=chain, lever_files=lever_files, observed=observed)


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file and the files it extends.

    Parameters
    ----------
    path : str or Path
        The scenario TOML file.

    Returns
    -------
    Scenario
        Levers parsed into floats, element dicts and policies; not yet checked
        against a model (see :func:`validate_scenario`).

    Raises
    ------
    ScenarioError
        If a file is missing or not valid TOML (with line and column), a key is
        unknown, a value has the wrong form, ``extends`` forms a cycle, no file in
        the chain names a model or the model path is not an existing file; also for a
        file that is binary, not UTF-8 or larger than ``MAX_TOML_BYTES``.
    """
    path = Path(path).resolve()
    scenario = _load_one(path, ())
    if scenario.model_path is None:
        raise ScenarioError("no model given: set model = \"path/to/model.mdl\" in [scenario] "
                            "(here or in a file it extends)",
                            location=key_location(path, "scenario"), variable="model")
    where = chain_location(scenario, "model", "scenario")
    if not scenario.model_path.exists():
        raise ScenarioError(f"the model file does not exist: {scenario.model_path}",
                            location=where, variable="model")
    if not scenario.model_path.is_file():
        raise ScenarioError(f"the model path is not a file: {scenario.model_path}",
                            location=where, variable="model")
    return scenario


def chain_location(scenario: Scenario, key: str, table: str | None = None) -> Location:
    """Where ``key`` is set: the nearest file of the scenario's ``extends`` chain naming it.

    Returns
    -------
    Location
        With a line when some file of the chain sets the key, else the scenario file.
    """
    for p in (scenario.path, *scenario.chain):
        loc = key_location(p, key, table)
        if loc.line is not None:
            return loc
    return Location(str(scenario.path))


def _lever_table(model) -> dict:
    return {lever.key: lever for lever in model.levers}


def _find_lever(model, name: str, location: Location):
    table = _lever_table(model)
    lever = table.get(lever_key(name))
    if lever is None:
        close = difflib.get_close_matches(lever_key(name), list(table), n=3, cutoff=0.6)
        hint = (f"; did you mean {', '.join(repr(table[c].name) for c in close)}?" if close
                else f"; levers: {', '.join(repr(lv.name) for lv in model.levers)}")
        raise ScenarioError(f"not a lever of the model{hint}", location=location, variable=name)
    return lever


def _full(x) -> str:
    """``x`` with every digit it needs to be read back exactly (``2`` for 2.0)."""
    r = repr(float(x))
    return r[:-2] if r.endswith(".0") else r


def _fmt(x) -> str:
    return "-inf" if x is None else _full(x)


def check_in_range(lever, value: float, location: Location, name: str) -> None:
    """Raise ScenarioError if ``value`` is outside the lever's [min, max].

    Raises
    ------
    ScenarioError
        If ``value`` is not finite or outside ``[lever.min, lever.max]``.
    """
    lo = -math.inf if lever.min is None else lever.min
    hi = math.inf if lever.max is None else lever.max
    if not (math.isfinite(value) and lo <= value <= hi):
        units = f" {lever.units}" if getattr(lever, "units", "") else ""
        raise ScenarioError(f"value {_full(value)} is outside the lever's range "
                            f"[{_fmt(lever.min)}, {_fmt(lever.max)}]{units}",
                            location=location, variable=name)


def _check_value(lever, value, location: Location, name: str) -> None:
    if is_policy(value):
        vals = [v for v in value.values() if v is not None]
    else:
        vals = [value]
    for v in vals:
        check_in_range(lever, v, location, name)


def _elements(model, lever) -> list[str]:
    dims = [model.ranges[d] for d in lever.dims]
    if len(dims) == 1:
        return list(dims[0])
    import itertools
    return [",".join(c) for c in itertools.product(*dims)]


def validate_scenario(scenario: Scenario, model) -> None:
    """Check every lever setting of ``scenario`` against ``model``.

    Parameters
    ----------
    scenario : Scenario
        As returned by :func:`load_scenario`.
    model : simsys.Model
        Provides ``levers`` and ``ranges``.

    Raises
    ------
    ScenarioError
        On the first lever that is unknown (close matches listed), out of range (the
        range and units shown), per-element on a scalar lever, or names an element
        the lever's subscript range does not have (valid elements listed); also if
        ``final_time`` is before the model's initial time or an output variable is not in
        the model.
    """
    for name, value in scenario.levers.items():
        path = scenario.lever_files.get(name, scenario.path)
        loc = key_location(path, name, "levers")
        lever = _find_lever(model, name, loc)
        if isinstance(value, dict):
            if not lever.dims:
                raise ScenarioError(f"lever is not subscripted; expected {POLICY_FORMS}",
                                    location=loc, variable=name)
            valid = _elements(model, lever)
            for elem, v in value.items():
                if elem not in valid:
                    raise ScenarioError(f"'{elem}' is not an element of "
                                        f"{', '.join(lever.dims)}; elements: {', '.join(valid)}",
                                        location=loc, variable=name)
                _check_value(lever, v, loc, f"{name}[{elem}]")
        else:
            _check_value(lever, value, loc, name)
    control = getattr(model, "control", None)
    final = scenario.run.final_time
    if control is not None and final is not None and final < control.initial_time:
        raise ScenarioError(f"final_time {final:g} is before the model's initial time "
                            f"{control.initial_time:g}",
                            location=chain_location(scenario, "final_time", "run"),
                            variable="final_time")
    names = {getattr(e, "name", e) for e in getattr(model, "elements", ())}
    # (variable, where it is set: the key and table chain_location looks up on an error)
    named = [(var, (var, "observed")) for var in scenario.observed]
    named += [(var, ("variables", "outputs")) for var in scenario.outputs or ()]
    for var, where in named:
        if names and var not in names:
            close = difflib.get_close_matches(var, sorted(names), n=3)
            raise ScenarioError("not a variable of the model"
                                + (f"; did you mean {', '.join(map(repr, close))}?" if close
                                   else ""),
                                location=chain_location(scenario, *where), variable=var)


def _default_at(model, lever, element: str | None) -> float:
    import numpy as np
    default = np.asarray(lever.default, dtype=float)
    if element is None or default.ndim == 0:
        if default.ndim != 0:
            raise ScenarioError("a step without 'before' on a subscripted lever needs "
                                "per-element values; give before = b", variable=lever.name)
        return float(default)
    idx = tuple(model.ranges[d].index(e) for d, e in zip(lever.dims, element.split(",")))
    return float(default[idx])


def _fill_step(model, lever, value, element=None):
    if isinstance(value, Step) and value.before is None:
        return replace(value, before=_default_at(model, lever, element))
    return value


def scenario_params(scenario: Scenario, model) -> dict[str, Any]:
    """The ``params`` mapping ``Model.run``/``run_batch`` accept for ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        A loaded scenario.
    model : simsys.Model
        The model it runs on.

    Returns
    -------
    dict
        Lever name -> float or policy; a per-element setting becomes one
        ``"name[element]"`` key per element named. A step without ``before`` gets the
        lever's default as its base value.

    Raises
    ------
    ScenarioError
        If the scenario does not validate (see :func:`validate_scenario`).
    """
    validate_scenario(scenario, model)
    params: dict[str, Any] = {}
    for name, value in scenario.levers.items():
        lever = _find_lever(model, name, Location(str(scenario.path)))
        if isinstance(value, dict):
            for elem, v in value.items():
                params[f"{lever.name}[{elem}]"] = _fill_step(model, lever, v, elem)
        elif isinstance(value, Step) and value.before is None and lever.dims:
            for elem in _elements(model, lever):
                params[f"{lever.name}[{elem}]"] = _fill_step(model, lever, value, elem)
        else:
            params[lever.name] = _fill_step(model, lever, value)
    return params


def load_model_file(path: str | Path):
    """Load the model a scenario names (:func:`simsys.load_model`).

    The one place scenarios and sweeps load a model: no file can name another loader.
    Tests that need a stand-in replace this attribute with ``monkeypatch``.

    Raises
    ------
    SimsysError
        Whatever :func:`simsys.load_model` raises.
    """
    from .model.load import load_model
    return load_model(path)


def run_scenario(path: str | Path, *, out_dir: str | Path | None = None, model=None,
                 command: str | None = None, every_variable: bool = False,
                 backend: str = "auto", **overrides):
    """Load, validate and run one scenario file.

    Parameters
    ----------
    path : str or Path
        The scenario TOML file.
    out_dir : str or Path, optional
        If given, write ``<name>.zarr`` and ``<name>.manifest.json`` there.
    model : simsys.Model, optional
        An already loaded model (default: load the scenario's model file with
        :func:`load_model_file`).
    command : str, optional
        The command line to record in the manifest.
    every_variable : bool, default False
        Return every model variable; by default only the scenario's ``[outputs]``
        (every variable when it has none).
    backend : {"auto", "numpy", "c"}
        The engine (results record the one that ran in ``attrs["backend"]``).
    **overrides
        Run settings that replace the scenario's (``final_time``, ``time_step``,
        ``saveper``, ``method``, ``seed``).

    Returns
    -------
    xarray.Dataset
        Dims ``("time", *subscripts)``; ``attrs["simsys_manifest"]`` holds the manifest
        as JSON.

    Raises
    ------
    ScenarioError
        If the scenario is invalid.
    SimsysError
        Whatever loading or running the model raises.
    """
    import json

    from .manifest import build_manifest, finish_manifest, write_manifest

    scenario = load_scenario(path)
    if model is None:
        model = load_model_file(scenario.model_path)
    params = scenario_params(scenario, model)
    run = scenario.run.merged(RunSettings(**{k: v for k, v in overrides.items()
                                             if v is not None}))
    log.info("running scenario %s on %s", scenario.name, scenario.model_path)
    _warn_saveper(model, run)
    try:
        columns = list(scenario.outputs) if scenario.outputs and not every_variable else None
        # a custom loader's model may not take a backend: pass one only when asked for
        extra = {} if backend == "auto" else {"backend": backend}
        ds = model.run(params, return_columns=columns, **extra, **run.as_kwargs())
    except SolveError as exc:
        # a bad time setting from the file: say where it is set (not one given as an override)
        key = exc.variable
        if (exc.location is not None or key not in RunSettings.__slots__
                or overrides.get(key) is not None):
            raise
        for k in dict.fromkeys((key, "final_time", "time_step", "saveper")):
            loc = chain_location(scenario, k, "run")
            if loc.line is not None:
                raise SolveError(exc.message, location=loc, variable=key) from None
        raise
    call = {"kind": "run", "scenario": str(scenario.path),
            "options": {**{k: v for k, v in overrides.items() if v is not None},
                        **({"every_variable": True} if every_variable else {}),
                        **({"backend": backend} if backend != "auto" else {})}}
    from .reproduce import lever_texts
    manifest = build_manifest(
        model_path=scenario.model_path, scenario_paths=(scenario.path, *scenario.chain),
        command=command, seed=run.seed, results=ds, call=call,
        data_paths=tuple(getattr(model, "data_files", ()) or ()),
        levers=lever_texts(scenario))
    ds.attrs["simsys_manifest"] = json.dumps(manifest, sort_keys=True)
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        results_path = out / f"{scenario.name}.zarr"
        _write_zarr(ds, results_path)
        call["results"] = str(results_path.resolve())
        write_manifest(results_path.with_suffix(".manifest.json"),
                       finish_manifest(manifest, out, {}))
    return ds


def _warn_saveper(model, run: RunSettings) -> None:
    """Warn when SAVEPER is longer than the run: only the initial values would be saved."""
    control = getattr(model, "control", None)
    t0 = getattr(control, "initial_time", None)
    t1 = run.final_time if run.final_time is not None else getattr(control, "final_time", None)
    if run.saveper is not None and t0 is not None and t1 is not None \
            and run.saveper > t1 - t0:
        log.warning("saveper %s is longer than the run (%s to %s): only the initial values "
                    "are saved", _full(run.saveper), _full(t0), _full(t1))


def _write_zarr(ds, path: Path) -> None:
    import warnings

    import numpy as np
    out = ds.copy()
    for name, var in out.variables.items():
        if var.dtype.kind in "OU" and name not in out.dims:
            out[name] = var.astype(np.dtypes.StringDType())
    out.attrs = {k: v for k, v in out.attrs.items() if isinstance(v, (str, int, float, bool))}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.to_zarr(path, mode="w", consolidated=False)
    except (OSError, ValueError) as exc:
        raise ScenarioError(f"cannot write results ({exc})", location=path) from None
