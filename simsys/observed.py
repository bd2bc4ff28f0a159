"""Observed series a scenario draws beside its run: the statistics a history was fitted to.

A scenario's ``[observed]`` table maps a model variable to one column of a CSV file::

    [observed]
    "National RD intensity" = { file = "../models/data/history/national.csv", time = "year",
                                column = "rd_intensity_pct_revised_CSTSY2024", scale = 0.01,
                                label = "CSTSY 2024 (revised)" }

``file`` is relative to the scenario file; ``scale`` multiplies the values (a percentage
read as a share); ``label`` names the source in the plot's legend. Rows whose value is
empty are skipped. The run plot draws the points over the simulated line, so a baseline
answers "compared with what?" with the official figures. The files are data: read, never
run, and bounded in size; one that is missing or malformed leaves its points out with a
warning (the results do not depend on it).
"""
from __future__ import annotations

import csv
import io
import logging
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Location, ScenarioError
from .safeio import read_bounded
from .tomlfile import key_location

__all__ = ["Observed", "read_observed"]

log = logging.getLogger(__name__)

MAX_OBSERVED_BYTES = 8 * 1024 * 1024
_REQUIRED = ("file", "time", "column")
_KEYS = set(_REQUIRED) | {"scale", "label"}


@dataclass(frozen=True, slots=True)
class Observed:
    """One observed series: its legend label, times and values, and the file it came from."""

    label: str
    time: tuple[float, ...]
    value: tuple[float, ...]
    path: Path


def read_observed(value: Any, *, path: Path, key: str) -> Observed | None:
    """Read the series ``[observed] key = value`` of the scenario file ``path`` names.

    The points only decorate the run plot, an optional output: a data file that is
    missing or unreadable (a reviewer's copy holding only what the model reads, say) is
    a warning naming the file and line, and the series is left out (``None``). A
    malformed entry in the scenario file itself is an error.

    Raises
    ------
    ScenarioError
        A value that is not a table of ``file``, ``time``, ``column`` (and optionally
        ``scale``, ``label``) with strings and a finite ``scale``.
    """
    where = key_location(path, key, "observed")

    def fail(message: str, location=where):
        raise ScenarioError(message, location=location, variable=key)

    if not isinstance(value, dict):
        fail("expected { file = \"data.csv\", time = \"year\", column = \"name\" }, found "
             f"{value!r}")
    unknown = sorted(set(value) - _KEYS)
    missing = [k for k in _REQUIRED if k not in value]
    if unknown or missing:
        fail(("unknown key(s) " + ", ".join(unknown) if unknown else "missing key(s) "
              + ", ".join(missing)) + f"; an observed series takes {', '.join(sorted(_KEYS))}")
    for k in ("file", "time", "column", "label"):
        if k in value and not isinstance(value[k], str):
            fail(f"{k} must be a string, found {value[k]!r}")
    scale = value.get("scale", 1.0)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale):
        fail(f"scale must be a finite number, found {scale!r}")
    try:
        return _read(value, (path.parent / value["file"]).resolve(), scale, fail)
    except ScenarioError as err:
        log.warning("%s; the run goes on without these observed points", err)
        return None


def _read(value: dict, file: Path, scale: float, fail) -> Observed:
    """The series of one CSV file (errors through ``fail``, located in the file)."""
    if not file.is_file():
        fail(f"the observed data file does not exist: {file}")
    raw = read_bounded(file, MAX_OBSERVED_BYTES, error=ScenarioError, what="observed data file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        fail("the observed data file is not UTF-8 text", Location(str(file)))
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    for k in ("time", "column"):
        if value[k] not in header:
            fail(f"the observed data file has no column {value[k]!r}; its columns: "
                 f"{', '.join(header)}", Location(str(file), 1))
    ti, vi = header.index(value["time"]), header.index(value["column"])
    times, values = [], []
    for line, row in enumerate(rows, start=2):
        cells = [row[i].strip() if i < len(row) else "" for i in (ti, vi)]
        if not cells[1]:
            continue
        try:
            t, v = float(cells[0]), float(cells[1]) * float(scale)
        except ValueError:
            fail(f"expected numbers in columns {value['time']!r} and {value['column']!r}, "
                 f"found {cells[0]!r} and {cells[1]!r}", Location(str(file), line))
        if not (math.isfinite(t) and math.isfinite(v)):
            fail(f"expected finite numbers, found {cells[0]!r} and {cells[1]!r}",
                 Location(str(file), line))
        times.append(t)
        values.append(v)
    if not times:
        fail(f"the observed data file has no value in column {value['column']!r}",
             Location(str(file)))
    label = value.get("label") or f"{file.name}: {value['column']}"
    return Observed(label=label, time=tuple(times), value=tuple(values), path=file)
