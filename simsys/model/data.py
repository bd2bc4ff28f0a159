"""Data variables (``x := GET DIRECT DATA(...)``, ``GET XLS DATA``) read into time series at load.

Each data variable's series is read from its CSV or .xlsx file (times along a row or
down a column, one series per subscript element after the first) and becomes a hidden
lookup element ``"<name>.data"`` holding the time series, with the variable itself an
auxiliary ``<name>.data(Time)``. The lookup keeps the data equation's mode:
``:INTERPOLATE:`` (the default), ``:HOLD BACKWARD:``, ``:LOOK FORWARD:`` and ``:RAW:``
(the listed value at a listed time, NaN at every other time, as PySD; see
:data:`simsys.compile.runtime.RAW_MATCH`). Ends are held, as PySD and Vensim do.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from ..errors import Location, UnsupportedFeature
from . import external
from .spec import name_key

__all__ = ["expand_data", "SUFFIX"]

SUFFIX = ".data"
_RUNNABLE = {None: "interpolate", "interpolate": "interpolate", "hold_backward": "hold_backward",
             "look_forward": "look_forward", "raw": "raw"}


def expand_data(elements, ranges, path: Path, where) -> tuple[list, list[Path]]:
    """Replace every data element read from a file by a lookup of time and an auxiliary.

    Returns the new element list and the data files read.
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
        loc = where(name_key(el.name))
        lookups, calls = [], []
        for c in comps:
            mode = _RUNNABLE.get(c.keyword)
            if mode is None:
                raise UnsupportedFeature(
                    f"data variables with :{c.keyword.upper().replace('_', ' ')}: are not supported "
                    "(use the default interpolation, :HOLD BACKWARD:, :LOOK FORWARD: or :RAW:)",
                    location=loc, variable=el.name.strip())
            a = c.ast
            file = path.parent / a.file
            files.append(file.resolve())
            rows = external.read_table(file, a.tab, where=loc, variable=el.name)
            subs, excepts = c.subscripts
            if excepts and any(excepts):
                raise UnsupportedFeature("a data equation with :EXCEPT: is not supported",
                                         location=loc, variable=el.name.strip())
            axes = [ranges.get(t, (t,)) for t in subs]
            cells = list(itertools.product(*axes))
            if len(subs) > 1:
                raise UnsupportedFeature("data variables with more than one subscript are not "
                                         "supported yet", location=loc, variable=el.name.strip())
            for k, cell in enumerate(cells):
                xs, ys = external.lookup_block(rows, str(a.time_row_or_col),
                                               _shift(a.cell, k, str(a.time_row_or_col), loc, el.name),
                                               path=file, where=loc, variable=el.name)
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


def _shift(cell: str, k: int, time_ref: str, loc: Location, name: str) -> str:
    """The first cell of the k-th series: the next row when times run along a row."""
    r, c, _ = external._cell(cell, where=loc, variable=name)
    if time_ref.strip().isdigit():
        r += k
    else:
        c += k
    letters = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"
