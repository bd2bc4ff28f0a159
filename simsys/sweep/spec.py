"""Sweep files: TOML -> a validated :class:`SweepSpec` -> a :class:`Design`.

A sweep is a base scenario, a parameter space, a sampler and what to keep of each
run. The design (the sampled lever values, one row per scenario) is plain data stored
next to the results; see ``docs/SCENARIO_FORMAT.md`` for the file format.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import xarray as xr
from scipy.stats import norm

from ..errors import ScenarioError, SweepError
from ..scenario import (Scenario, _elements, _find_lever, check_in_range, key_location, lever_key,
                        load_scenario, validate_scenario)
from ..tomlfile import check_keys as _check_keys
from ..tomlfile import read_toml as _read_toml
from .samplers import SAMPLERS, n_rows, sample_unit

__all__ = ["ParameterSpec", "Summary", "OutputSpec", "SweepSpec", "Design",
           "load_sweep", "validate_sweep", "build_design", "spec_digest", "SUMMARIES"]

SUMMARIES = ("final", "max", "min", "time_of_max", "mean")
# bounds that keep a file from asking for more than any machine can give
MAX_INTS = {"n": 100_000_000, "seed": 2**63 - 1, "chunk_size": 10_000_000, "num_levels": 1000}
_TABLES = {"sweep": {"scenario", "sampler", "n", "seed", "chunk_size", "calc_second_order",
                     "num_levels"},
           "parameters": None,
           "outputs": {"variables", "saveper", "times", "summaries", "keep_series"}}
_PARAM_FORMS = ("{ range = [lo, hi] } (distribution = \"uniform\" optional), "
                "{ normal = [mean, sd], clip = [lo, hi] (optional) }, { levels = [v1, v2, ...] }")
DEFAULT_CHUNK_SIZE = 500


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One swept lever (or ``"lever[element]"``) and how its values are drawn.

    ``kind`` is ``"uniform"`` (``low``..``high``), ``"normal"`` (``mean``, ``sd``, clipped
    to ``low``..``high`` when set) or ``"levels"`` (the unit interval cut into equal parts,
    one per level). ``target`` is the key handed to the engine.
    """

    name: str
    kind: str
    low: float | None = None
    high: float | None = None
    mean: float | None = None
    sd: float | None = None
    levels: tuple[float, ...] = ()
    target: str | None = None

    @property
    def bounds(self) -> tuple[float, float]:
        """The interval the values lie in (levels: smallest and largest level)."""
        if self.kind == "levels":
            return (min(self.levels), max(self.levels))
        if self.low is not None:
            return (self.low, self.high)
        return (self.mean - 4 * self.sd, self.mean + 4 * self.sd)

    def transform(self, u: np.ndarray) -> np.ndarray:
        """Map unit-interval samples onto this parameter's values."""
        u = np.asarray(u, dtype=float)
        if self.kind == "uniform":
            return u * (self.high - self.low) + self.low
        if self.kind == "levels":
            idx = np.minimum((u * len(self.levels)).astype(np.int64), len(self.levels) - 1)
            return np.asarray(self.levels, dtype=float)[idx]
        x = norm.ppf(np.clip(u, 1e-12, 1 - 1e-12), loc=self.mean, scale=self.sd)
        if self.low is not None:
            x = np.clip(x, self.low, self.high)
        return x


@dataclass(frozen=True, slots=True)
class Summary:
    """A per-scenario summary of a series: ``final``, ``max``, ``min``, ``time_of_max``,
    or ``mean`` over ``[t1, t2]``."""

    kind: str
    t1: float | None = None
    t2: float | None = None

    @property
    def label(self) -> str:
        """Suffix of the stored variable: ``"<variable>:<label>"``."""
        if self.kind == "mean":
            return f"mean_{self.t1:g}_{self.t2:g}"
        return self.kind


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """What a sweep keeps of each run."""

    variables: tuple[str, ...] | None = None
    saveper: float | None = None
    times: tuple[float, ...] | None = None
    summaries: tuple[Summary, ...] = ()
    keep_series: bool = True


@dataclass(frozen=True, slots=True)
class SweepSpec:
    """A parsed sweep file (validated against a model by :func:`validate_sweep`)."""

    path: Path
    scenario: Scenario
    sampler: str
    n: int
    seed: int
    parameters: tuple[ParameterSpec, ...]
    outputs: OutputSpec = field(default_factory=OutputSpec)
    chunk_size: int = DEFAULT_CHUNK_SIZE
    calc_second_order: bool = True
    num_levels: int = 4

    @property
    def n_scenarios(self) -> int:
        """Number of scenarios the design makes."""
        return n_rows(self.sampler, len(self.parameters), self.n,
                      calc_second_order=self.calc_second_order)

    @property
    def root_seed(self) -> int:
        """Seed of the model's RANDOM functions: the base scenario's, else the sweep's."""
        return self.scenario.run.seed if self.scenario.run.seed is not None else self.seed


@dataclass(frozen=True)
class Design:
    """The sampled lever values: ``values[scenario, parameter]``."""

    method: str
    n: int
    seed: int
    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    values: np.ndarray
    calc_second_order: bool = True
    num_levels: int = 4

    def attrs(self) -> dict:
        """The JSON-able description stored as the ``design`` attribute."""
        return {"method": self.method, "n": self.n, "seed": self.seed,
                "names": list(self.names), "bounds": [list(b) for b in self.bounds],
                "calc_second_order": self.calc_second_order, "num_levels": self.num_levels}

    def to_dataarray(self) -> xr.DataArray:
        """``design`` (dims scenario, parameter) with the JSON description in its attrs."""
        return xr.DataArray(self.values, dims=("scenario", "parameter"),
                            coords={"scenario": np.arange(len(self.values)),
                                    "parameter": list(self.names)},
                            name="design", attrs={"design": json.dumps(self.attrs())})


def _err(msg, path, key, table) -> ScenarioError:
    return ScenarioError(msg, location=key_location(path, key, table), variable=key)


def _num(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def _pair(v) -> bool:
    return isinstance(v, list) and len(v) == 2 and all(_num(x) for x in v)


def _parameter(name: str, value, path: Path) -> ParameterSpec:
    bad = _err(f"expected {_PARAM_FORMS}, found {value!r}", path, name, "parameters")
    if not isinstance(value, dict):
        raise bad
    if "range" in value:
        if set(value) - {"range", "distribution"} or not _pair(value["range"]):
            raise bad
        if value.get("distribution", "uniform") != "uniform":
            raise _err(f"distribution must be \"uniform\" with range (use normal = [mean, sd] "
                       f"for a normal), found {value['distribution']!r}", path, name, "parameters")
        lo, hi = map(float, value["range"])
        if not lo < hi:
            raise _err(f"range needs lo < hi, found [{lo:g}, {hi:g}]", path, name, "parameters")
        return ParameterSpec(name, "uniform", low=lo, high=hi)
    if "normal" in value:
        if set(value) - {"normal", "clip"} or not _pair(value["normal"]):
            raise bad
        mean, sd = map(float, value["normal"])
        if sd <= 0:
            raise _err(f"normal needs sd > 0, found {sd:g}", path, name, "parameters")
        lo = hi = None
        if "clip" in value:
            if not _pair(value["clip"]) or not value["clip"][0] < value["clip"][1]:
                raise _err(f"clip must be [lo, hi] with lo < hi, found {value['clip']!r}",
                           path, name, "parameters")
            lo, hi = map(float, value["clip"])
        return ParameterSpec(name, "normal", low=lo, high=hi, mean=mean, sd=sd)
    if "levels" in value:
        lv = value["levels"]
        if set(value) != {"levels"} or not isinstance(lv, list) or not lv or not all(
                _num(x) for x in lv):
            raise bad
        return ParameterSpec(name, "levels", levels=tuple(float(x) for x in lv))
    raise bad


def _summaries(raw, path: Path) -> tuple[Summary, ...]:
    allowed = "\"final\", \"max\", \"min\", \"time_of_max\", { mean = [t1, t2] }"
    if not isinstance(raw, list):
        raise _err(f"expected a list of {allowed}, found {raw!r}", path, "summaries", "outputs")
    out = []
    for item in raw:
        if isinstance(item, str) and item in SUMMARIES[:-1]:
            out.append(Summary(item))
        elif isinstance(item, dict) and set(item) == {"mean"} and _pair(item["mean"]):
            t1, t2 = map(float, item["mean"])
            if t1 > t2:
                raise _err(f"a mean window needs t1 <= t2, found [{t1:g}, {t2:g}]", path,
                           "summaries", "outputs")
            out.append(Summary("mean", t1, t2))
        else:
            raise _err(f"unknown summary {item!r}; allowed: {allowed}", path, "summaries",
                       "outputs")
    return tuple(out)


def _outputs(raw: dict, path: Path, scenario: Scenario) -> OutputSpec:
    variables = scenario.outputs
    if "variables" in raw:
        v = raw["variables"]
        if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
            raise _err(f"expected a non-empty list of variable names, found {v!r}", path,
                       "variables", "outputs")
        variables = tuple(v)
    if "saveper" in raw and "times" in raw:
        raise _err("give saveper or times, not both", path, "times", "outputs")
    saveper = times = None
    if "saveper" in raw:
        if not _num(raw["saveper"]) or raw["saveper"] <= 0:
            raise _err(f"expected a positive number, found {raw['saveper']!r}", path,
                       "saveper", "outputs")
        saveper = float(raw["saveper"])
    if "times" in raw:
        t = raw["times"]
        if not isinstance(t, list) or not t or not all(_num(x) for x in t):
            raise _err(f"expected a list of times, found {t!r}", path, "times", "outputs")
        times = tuple(float(x) for x in t)
    keep = raw.get("keep_series", True)
    if not isinstance(keep, bool):
        raise _err(f"expected true or false, found {keep!r}", path, "keep_series", "outputs")
    summaries = _summaries(raw.get("summaries", []), path)
    if not keep and not summaries:
        raise _err("keep_series = false needs at least one summary", path, "keep_series",
                   "outputs")
    return OutputSpec(variables, saveper, times, summaries, keep)


def load_sweep(path: str | Path) -> SweepSpec:
    """Read a sweep file and its base scenario.

    Parameters
    ----------
    path : str or Path
        The sweep TOML file.

    Returns
    -------
    SweepSpec
        Not yet checked against the model (see :func:`validate_sweep`).

    Raises
    ------
    ScenarioError
        If the file or its base scenario is invalid: TOML syntax (line and column),
        unknown keys, an unknown sampler (valid names listed), a malformed parameter
        (allowed forms shown), bad outputs.
    """
    path = Path(path).resolve()
    data, _ = _read_toml(path)
    _check_keys(data, _TABLES, path, None)
    for table, allowed in _TABLES.items():
        if not isinstance(data.get(table, {}), dict):
            raise _err(f"expected a [{table}] table", path, table, None)
        if allowed is not None:
            _check_keys(data.get(table, {}), allowed, path, table)
    head = data.get("sweep", {})
    for key in ("scenario", "sampler", "n"):
        if key not in head:
            raise ScenarioError(f"[sweep] needs '{key}'", location=key_location(path, "sweep"),
                                variable=key)
    if not isinstance(head["scenario"], str):
        raise _err(f"expected a file path, found {head['scenario']!r}", path, "scenario", "sweep")
    base = path.parent / head["scenario"]
    if not base.is_file():
        raise _err(f"base scenario file not found: {base.resolve()}", path, "scenario", "sweep")
    scenario = load_scenario(base)
    if head["sampler"] not in SAMPLERS:
        raise _err(f"unknown sampler {head['sampler']!r}; valid: {', '.join(SAMPLERS)}",
                   path, "sampler", "sweep")
    ints = {}
    for key, default, low in (("n", None, 1), ("seed", 0, 0),
                              ("chunk_size", DEFAULT_CHUNK_SIZE, 1), ("num_levels", 4, 2)):
        v = head.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int) or v < low:
            raise _err(f"expected an integer >= {low}, found {v!r}", path, key, "sweep")
        high = MAX_INTS.get(key)
        if high is not None and v > high:
            raise _err(f"expected an integer <= {high}, found {v}", path, key, "sweep")
        ints[key] = v
    cso = head.get("calc_second_order", True)
    if not isinstance(cso, bool):
        raise _err(f"expected true or false, found {cso!r}", path, "calc_second_order", "sweep")
    params = tuple(_parameter(k, v, path) for k, v in data.get("parameters", {}).items())
    if not params:
        raise ScenarioError("[parameters] is empty; a sweep needs at least one parameter",
                            location=key_location(path, "parameters"), variable="parameters")
    seen = {}
    for p in params:
        if lever_key(p.name) in seen:
            raise _err(f"parameter given twice (also as {seen[lever_key(p.name)]!r})", path,
                       p.name, "parameters")
        seen[lever_key(p.name)] = p.name
    outputs = _outputs(data.get("outputs", {}), path, scenario)
    return SweepSpec(path=path, scenario=scenario, sampler=head["sampler"], n=ints["n"],
                     seed=ints["seed"], parameters=params, outputs=outputs,
                     chunk_size=ints["chunk_size"], calc_second_order=cso,
                     num_levels=ints["num_levels"])


def validate_sweep(spec: SweepSpec, model) -> SweepSpec:
    """Check a sweep against ``model`` and resolve parameter names to engine keys.

    Parameters
    ----------
    spec : SweepSpec
        From :func:`load_sweep`.
    model : simsys.Model
        Provides ``levers``, ``ranges`` and ``elements``.

    Returns
    -------
    SweepSpec
        A new spec whose parameters carry their engine ``target`` and, for a normal
        without ``clip``, the lever's range as clip.

    Raises
    ------
    ScenarioError
        If the base scenario is invalid, a parameter is not a lever (close matches
        listed) or can take values outside the lever's range, or an output variable
        is not in the model.
    """
    validate_scenario(spec.scenario, model)
    resolved = []
    for p in spec.parameters:
        loc = key_location(spec.path, p.name, "parameters")
        base, _, elem = p.name.partition("[")
        lever = _find_lever(model, base, loc)
        target = lever.name
        if elem:
            elem = elem.rstrip("]").strip()
            valid = _elements(model, lever) if lever.dims else []
            if elem not in valid:
                raise ScenarioError(f"'{elem}' is not an element of {lever.name}; elements: "
                                    f"{', '.join(valid) or '(lever is not subscripted)'}",
                                    location=loc, variable=p.name)
            target = f"{lever.name}[{elem}]"
        if p.kind == "normal" and p.low is None:
            p = replace(p, low=lever.min, high=lever.max)
        lo, hi = p.bounds
        check_in_range(lever, lo, loc, p.name)
        check_in_range(lever, hi, loc, p.name)
        for level in p.levels:
            check_in_range(lever, level, loc, p.name)
        resolved.append(replace(p, target=target))
    control = getattr(model, "control", None)
    if control is not None:
        t0 = control.initial_time
        t1 = spec.scenario.run.final_time or control.final_time
        windows = [(s.t1, s.t2, "summaries") for s in spec.outputs.summaries if s.kind == "mean"]
        windows += [(t, t, "times") for t in spec.outputs.times or ()]
        for a, b, key in windows:
            if b < t0 or a > t1:
                raise ScenarioError(f"[{a:g}, {b:g}] lies outside the run, {t0:g} to {t1:g}",
                                    location=key_location(spec.path, key, "outputs"),
                                    variable=key)
        # the saving grid the engine will use (see CompiledModel.schedule)
        dt = spec.scenario.run.time_step or control.time_step
        every = spec.outputs.saveper or spec.scenario.run.saveper or (
            dt if control.saveper == control.time_step else control.saveper)
        for t in spec.outputs.times or ():
            k = (t - t0) / every
            if abs(k - round(k)) > 1e-9 * max(1.0, abs(k)):
                raise SweepError(f"output time {t:g} is not on the saving grid ({t0:g} to "
                                 f"{t1:g} every {every:g})",
                                 location=key_location(spec.path, "times", "outputs"),
                                 variable="times")
    names = {getattr(e, "name", e) for e in getattr(model, "elements", ())}
    for var in spec.outputs.variables or ():
        if names and var not in names:
            import difflib
            close = difflib.get_close_matches(var, sorted(names), n=3)
            raise ScenarioError("not a variable of the model"
                                + (f"; did you mean {', '.join(map(repr, close))}?" if close
                                   else ""),
                                location=key_location(spec.path, "variables", "outputs"),
                                variable=var)
    return replace(spec, parameters=tuple(resolved))


def build_design(spec: SweepSpec) -> Design:
    """Sample the spec's parameter space.

    Returns
    -------
    Design
        ``values`` has one row per scenario, in lever units.

    Raises
    ------
    SweepError
        If the sampler cannot make the design.
    """
    unit = sample_unit(spec.sampler, len(spec.parameters), spec.n, spec.seed,
                       calc_second_order=spec.calc_second_order, num_levels=spec.num_levels)
    values = np.column_stack([p.transform(unit[:, j]) for j, p in enumerate(spec.parameters)])
    return Design(method=spec.sampler, n=spec.n, seed=spec.seed,
                  names=tuple(p.name for p in spec.parameters),
                  bounds=tuple(p.bounds for p in spec.parameters), values=values,
                  calc_second_order=spec.calc_second_order, num_levels=spec.num_levels)


def spec_digest(spec: SweepSpec, model_digest: str | None = None) -> str:
    """SHA-256 of everything that determines a sweep's results (not its chunking).

    Parameters
    ----------
    spec : SweepSpec
        The sweep.
    model_digest : str, optional
        The model's digest (model file and data files); default: hash the model file.

    Returns
    -------
    str
        Hex digest; a store records it so ``resume`` can refuse a different sweep.
    """
    from ..manifest import file_digest
    sc = spec.scenario
    doc = {
        "model": model_digest or file_digest(sc.model_path),
        "run": asdict(sc.run),
        "levers": {lever_key(k): repr(v) for k, v in sorted(sc.levers.items())},
        "sampler": spec.sampler, "n": spec.n, "seed": spec.seed,
        "calc_second_order": spec.calc_second_order, "num_levels": spec.num_levels,
        "parameters": [repr(replace(p, target=None)) for p in spec.parameters],
        "outputs": repr(spec.outputs),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=str).encode()).hexdigest()
