"""One error hierarchy for everything a user can cause.

Every message names where the problem is (file, line, column, variable or key),
what was expected and what was found, so the CLI can print it as one line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "escape",
    "Location",
    "SimsysError",
    "ModelSyntaxError",
    "ModelStructureError",
    "UnsupportedFeature",
    "ScenarioError",
    "SweepError",
    "SolveError",
    "StoreError",
    "ReproduceError",
    "AnalysisError",
    "PlotError",
]


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_NL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _esc(m: re.Match) -> str:
    c = m.group(0)
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c) or (
        f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")


def escape(text: object, *, newlines: bool = True) -> str:
    """``text`` with control characters shown as escapes, safe to print on a terminal.

    Parameters
    ----------
    text : object
        Converted with ``str``.
    newlines : bool
        Escape newlines too (for a name or key); False keeps them (a multi-line message).

    Returns
    -------
    str
        ESC, BEL, NUL, CR, bidi overrides and other controls as ``\\xNN``/``\\uNNNN``.
    """
    return (_CONTROL_NL if newlines else _CONTROL).sub(_esc, str(text))


@dataclass(frozen=True, slots=True)
class Location:
    """Where something is in a source file (1-based line and column)."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = escape(self.file)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class SimsysError(ValueError):
    """Base of every error a user's input can cause.

    Parameters
    ----------
    message : str
        What was expected and what was found.
    location : Location or str or Path, optional
        File (and line) the problem is in.
    variable : str, optional
        The model variable, lever or file key concerned.
    source_line : str, optional
        The offending line of text; shown with a caret under ``location.column``.
    """

    def __init__(self, message: str, *, location: Location | str | Path | None = None,
                 variable: str | None = None, source_line: str | None = None):
        if location is not None and not isinstance(location, Location):
            location = Location(str(location))
        self.message = message
        self.location = location
        self.variable = variable
        self.source_line = source_line
        super().__init__(self._render())

    def _render(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(str(self.location))
        if self.variable is not None:
            parts.append(f"'{escape(self.variable)}'")
        head = ": ".join(parts)
        message = escape(self.message, newlines=False)
        text = f"{head}: {message}" if head else message
        if self.source_line is not None:
            text += "\n    " + escape(self.source_line.rstrip("\n"))
            if self.location is not None and self.location.column:
                text += "\n    " + " " * (self.location.column - 1) + "^"
        return text


class ModelSyntaxError(SimsysError):
    """The model file cannot be parsed."""


class ModelStructureError(SimsysError):
    """The model parses but is not a valid model (undefined names, loops, bad subscripts)."""


class UnsupportedFeature(SimsysError):
    """The model uses a function or construct simsys does not implement."""


class ScenarioError(SimsysError):
    """A scenario, sweep or calibration file is invalid."""


class SweepError(SimsysError):
    """A sweep cannot be run as asked (bad design, executor, chunking)."""


class StoreError(SimsysError):
    """A result store is unusable (locked, incompatible, unwritable, incomplete)."""


class SolveError(SimsysError):
    """The integration cannot proceed (bad time settings, non-finite values)."""


class ReproduceError(SimsysError):
    """A manifest cannot be reproduced (missing files, unreadable manifest)."""


class AnalysisError(SimsysError):
    """Data given to an analysis function does not fit it (shapes, NaN, designs)."""


class PlotError(SimsysError):
    """A plot cannot be drawn from the data given (unknown variable, wrong dims)."""
