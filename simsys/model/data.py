"""Data variables (``x := GET DIRECT DATA(...)``, ``GET XLS DATA``) read into time series at load.

Each data variable's series is read from its CSV file or workbook (times along a row or
down a column, one series per cell of the definition in the next rows or columns) and
becomes a hidden lookup element ``"<name>.data"`` holding one time series per cell, with
the variable itself an auxiliary ``<name>.data(Time)``. A variable with several
subscripts is usually written as one definition per element of its last subscript, each
reading its own sheet (``x[Region, farm] := GET XLS DATA('f.xlsx', 'farm', '1', 'B2')``);
a definition over several ranges reads its cells in subscript order, the last subscript
fastest (PySD refuses such a definition; it reshapes in that order). Each cell keeps its
own times, and an empty value cell is a missing value (see :func:`_clean`). The lookup keeps the data equation's mode:
``:INTERPOLATE:`` (the default), ``:HOLD BACKWARD:``, ``:LOOK FORWARD:`` and ``:RAW:``
(the listed value at a listed time, NaN at every other time, as PySD; see
:data:`simsys.compile.runtime.RAW_MATCH`). Ends are held, as PySD and Vensim do.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from ..errors import Location, ModelStructureError, UnsupportedFeature
from . import external
from .spec import name_key

__all__ = ["expand_data", "SUFFIX"]

SUFFIX = ".data"
_RUNNABLE = {None: "interpolate", "interpolate": "interpolate", "hold_backward": "hold_backward",
             "look_forward": "look_forward", "raw": "raw"}


def expand_data(elements, ranges, path: Path, where, definition_lines=None) -> tuple[list, list[Path]]:
    """Replace every data element read from a file by a lookup of time and an auxiliary.

    ``where(key)`` is the location of a variable; ``definition_lines[key]``, when given, the
    first line of each of its definitions, so that an error names the definition at fault.
    Returns the new element list and the data files read.

    Raises
    ------
    UnsupportedFeature
        A data keyword other than the four runnable modes, or :EXCEPT:.
    ModelStructureError
        A data file is missing or unreadable, a cell holds text, a series has no values, or
        a named range does not resolve (:mod:`.named_ranges`).
    """
    from pysd.translators.structures import abstract_expressions as ae
    from pysd.translators.structures.abstract_model import (AbstractComponent, AbstractData,
                                                            AbstractElement, AbstractLookup)
    out, files = [], []
    for el in elements:
        comps = el.components
        if not comps or not all(isinstance(c, AbstractData) and isinstance(c.ast, ae.GetDataStructure)
                                for c in comps):
            out.append(el)
            continue
        base = where(name_key(el.name))
        starts = (definition_lines or {}).get(name_key(el.name), [])
        locs = [Location(base.file, n) for n in starts] if len(starts) == len(comps) else [base] * len(comps)
        for c, loc in zip(comps, locs):  # refuse what cannot run before reading any file
            _check(c, loc, el.name.strip())
        lookups, calls = [], []
        for c, loc in zip(comps, locs):
            a, mode, time_ref = c.ast, _RUNNABLE[c.keyword], str(c.ast.time_row_or_col).strip()
            file = path.parent / a.file
            files.append(file.resolve())
            subs = c.subscripts[0]
            axes = [ranges.get(t, (t,)) for t in subs]
            cells = list(itertools.product(*axes))
            read = external.series_reader(file, a.tab, time_ref, a.cell, len(cells), lookup=False,
                                          where=loc, variable=el.name)
            for k, cell in enumerate(cells):
                xs, ys, label = read(k)
                xs, ys = _clean(xs, ys, file, a.tab, time_ref, label, loc,
                                f"{el.name.strip()}[{', '.join(cell)}]" if cell else el.name.strip())
                lk = ae.LookupsStructure(x=tuple(xs), y=tuple(ys), x_limits=(xs.min(), xs.max()),
                                         y_limits=(ys.min(), ys.max()), type=mode)
                lookups.append(AbstractLookup(subscripts=(list(cell), []), ast=lk))
            ref = ae.SubscriptsReferenceStructure(tuple(subs)) if subs else None
            call = ae.CallStructure(ae.ReferenceStructure(el.name.strip() + SUFFIX, ref),
                                    (ae.ReferenceStructure("time", None),))
            calls.append(AbstractComponent(subscripts=(list(subs), []), ast=call))
        out.append(AbstractElement(name=el.name.strip() + SUFFIX, components=lookups, units=el.units,
                                   limits=el.limits, documentation=f"time series of {el.name.strip()}"))
        out.append(AbstractElement(name=el.name, components=calls, units=el.units, limits=el.limits,
                                   documentation=el.documentation))
    return out, files


def _check(c, loc: Location, name: str) -> None:
    """Refuse a data definition simsys cannot run, naming what to write instead."""
    if c.keyword not in _RUNNABLE:
        raise UnsupportedFeature(
            f"data variables with :{c.keyword.upper().replace('_', ' ')}: are not supported "
            "(use the default interpolation, :HOLD BACKWARD:, :LOOK FORWARD: or :RAW:)",
            location=loc, variable=name)
    if any(c.subscripts[1]):
        raise UnsupportedFeature("a data equation with :EXCEPT: is not supported",
                                 location=loc, variable=name)


def _clean(xs, ys, file: Path, tab: str, time_ref: str, series: str, loc: Location, name: str):
    """The series without its missing values, its times checked.

    PySD fills a missing value from its neighbours with the variable's own mode and keeps it
    missing under :RAW:. Dropping the point gives the same value at every time in every mode:
    the filled point lies on the line (or step) between its neighbours, ends are held, and a
    :RAW: variable is NaN at a time that is not listed.

    Raises
    ------
    ModelStructureError
        The times do not increase, or every value is missing.
    """
    sheet = f" sheet {tab!r}" if file.suffix.lower() in external.WORKBOOKS else ""
    down = np.nonzero(np.diff(xs) <= 0)[0]
    if down.size:
        k = down[0]
        line = (f"row {time_ref}" if time_ref.isdigit() else f"column {time_ref.upper()}"
                if time_ref.isalpha() else f"the named range {time_ref!r}")
        raise ModelStructureError(f"{file.name}{sheet}: the times in {line} must increase; "
                                  f"{xs[k + 1]:g} follows {xs[k]:g}", location=loc, variable=name)
    keep = ~np.isnan(ys)
    if not keep.any():
        raise ModelStructureError(f"{file.name}{sheet} has no values in the series "
                                  f"{series} (every cell is empty)", location=loc, variable=name)
    return xs[keep], ys[keep]
