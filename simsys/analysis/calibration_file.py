"""Calibration files: which levers to fit, within which bounds, to which targets.

The format is described in :mod:`simsys.analysis.calibrate`. Like scenario files, a
calibration file is data: parsed with tomllib, validated, never evaluated.
"""
from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, ScenarioError
from ..scenario import key_location

__all__ = ["ParameterSpec", "TargetSpec", "CalibrationSpec", "load_calibration"]


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """A calibrated lever (``name`` may be ``"lever[element]"``) and its bounds."""

    name: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """A figure to reproduce: ``points`` are (time, value) pairs."""

    variable: str
    points: tuple[tuple[float, float], ...]
    weight: float = 1.0
    element: str | None = None
    sum_over: str | None = None
    scale: float | None = None
    location: Location | None = None

    @property
    def label(self) -> str:
        where = f"[{self.element}]" if self.element else ""
        over = f" summed over {self.sum_over}" if self.sum_over else ""
        return f"{self.variable}{where}{over}"


@dataclass(frozen=True, slots=True)
class CalibrationSpec:
    """A parsed calibration file."""

    path: Path
    scenario_path: Path
    parameters: tuple[ParameterSpec, ...]
    targets: tuple[TargetSpec, ...]
    starts: int = 5
    seed: int = 1


# -- the file ---------------------------------------------------------------------------
def _num(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def load_calibration(path: str | Path) -> CalibrationSpec:
    """Read a calibration file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    CalibrationSpec

    Raises
    ------
    ScenarioError
        Missing file, invalid TOML, unknown keys, a parameter or target of the
        wrong form (the message names the file, line and key).
    """
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("file not found", location=path) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read file ({exc.strerror})", location=path) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"invalid TOML: {exc}", location=path) from None

    def err(msg, key, table=None):
        return ScenarioError(msg, location=key_location(path, key, table), variable=key)

    for k in data:
        if k not in ("calibration", "parameters", "targets"):
            raise err("unknown table; allowed: calibration, parameters, targets", k)
    head = data.get("calibration")
    if not isinstance(head, dict) or "scenario" not in head:
        raise ScenarioError('needs [calibration] with scenario = "base.toml"', location=path,
                            variable="calibration")
    for k in head:
        if k not in ("scenario", "starts", "seed"):
            raise err("unknown key in [calibration]; allowed: scenario, starts, seed", k,
                      "calibration")
    if not isinstance(head["scenario"], str):
        raise err("expected a file path", "scenario", "calibration")
    scenario_path = (path.parent / head["scenario"]).resolve()
    if not scenario_path.is_file():
        raise err(f"scenario file does not exist: {scenario_path}", "scenario", "calibration")
    starts, seed = head.get("starts", 5), head.get("seed", 1)
    for k, v in (("starts", starts), ("seed", seed)):
        if isinstance(v, bool) or not isinstance(v, int) or v < (1 if k == "starts" else 0):
            raise err(f"expected a {'positive' if k == 'starts' else 'non-negative'} integer, "
                      f"found {v!r}", k, "calibration")

    params = []
    table = data.get("parameters", {})
    if not isinstance(table, dict) or not table:
        raise ScenarioError("needs a [parameters] table naming at least one lever",
                            location=path, variable="parameters")
    for name, v in table.items():
        if not isinstance(v, dict) or set(v) - {"range"}:
            raise err("expected { range = [low, high] } or {} (the lever's own range)", name,
                      "parameters")
        if "range" in v:
            r = v["range"]
            if not (isinstance(r, list) and len(r) == 2 and all(_num(x) for x in r)
                    and r[0] < r[1]):
                raise err(f"range must be [low, high] with low < high, found {r!r}", name,
                          "parameters")
            params.append(ParameterSpec(name, float(r[0]), float(r[1])))
        else:
            params.append(ParameterSpec(name))

    raw = data.get("targets", [])
    if not isinstance(raw, list) or not raw:
        raise ScenarioError("needs at least one [[targets]] entry", location=path,
                            variable="targets")
    lines = text.splitlines()
    starts_at = [i + 1 for i, ln in enumerate(lines) if ln.strip().startswith("[[targets]]")]
    targets = []
    allowed = {"variable", "time", "value", "series", "weight", "element", "sum_over", "scale"}
    for i, t in enumerate(raw):
        loc = Location(str(path), starts_at[i] if i < len(starts_at) else None)

        def bad(msg, t=t, loc=loc):
            return ScenarioError(msg, location=loc, variable=str(t.get("variable", "targets")))
        if not isinstance(t, dict):
            raise bad("a target must be a table")
        extra = set(t) - allowed
        if extra:
            raise bad(f"unknown key(s) {sorted(extra)}; allowed: {', '.join(sorted(allowed))}")
        if not isinstance(t.get("variable"), str):
            raise bad('needs variable = "name"')
        if "series" in t:
            if "time" in t or "value" in t:
                raise bad("give either series or time and value, not both")
            s = t["series"]
            if not (isinstance(s, list) and s and all(isinstance(p, list) and len(p) == 2 and
                                                    all(_num(x) for x in p) for p in s)):
                raise bad("series must be a list of [time, value] pairs")
            points = tuple((float(a), float(b)) for a, b in s)
        else:
            if not (_num(t.get("time")) and _num(t.get("value"))):
                raise bad("needs time = t and value = v (numbers), or series = [[t, v], ...]")
            points = ((float(t["time"]), float(t["value"])),)
        weight = t.get("weight", 1.0)
        if not _num(weight) or weight < 0:
            raise bad(f"weight must be a non-negative number, found {weight!r}")
        scale = t.get("scale")
        if scale is not None and (not _num(scale) or scale <= 0):
            raise bad(f"scale must be a positive number, found {scale!r}")
        for k in ("element", "sum_over"):
            if k in t and not isinstance(t[k], str):
                raise bad(f"{k} must be a string")
        targets.append(TargetSpec(t["variable"], points, float(weight), t.get("element"),
                                  t.get("sum_over"), None if scale is None else float(scale),
                                  loc))
    return CalibrationSpec(path=path, scenario_path=scenario_path, parameters=tuple(params),
                           targets=tuple(targets), starts=starts, seed=seed)


# -- the fit ----------------------------------------------------------------------------
