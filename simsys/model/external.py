"""GET DIRECT/XLS CONSTANTS, LOOKUPS and DATA read from a sheet's grid of strings, with PySD's
cell conventions, named ranges and missing values.

Files and workbooks become grids in :mod:`.sheets`, so nothing here sees the file format. A
cell such as ``B2`` names spreadsheet coordinates (row 1 is the file's first line). A 1-D read
runs along the row, or down the column when the cell ends with ``*``; a 2-D read takes rows x
columns from the cell. A defined name instead of a cell is resolved to its rectangle of cells
by :mod:`.named_ranges`; :func:`area_values` and :func:`named_series` read such a rectangle.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np

from ..errors import ModelStructureError, UnsupportedFeature
from . import named_ranges
from .sheets import MAX_DATA_BYTES, WORKBOOKS, read_table

__all__ = ["read_table", "cell_block", "constants_block", "lookup_block", "data_block", "is_cell",
           "shift_cell", "area_values", "named_series", "series_reader", "WORKBOOKS",
           "MAX_DATA_BYTES"]

_CELL = re.compile(r"^([A-Za-z]+)(\d+)(\*?)$")
def is_cell(cell: str) -> bool:
    """Whether ``cell`` names a spreadsheet cell such as 'B2' or 'B2*' (else a named range)."""
    return bool(_CELL.match(cell.strip()))


def _cell(cell: str, *, where, variable):
    m = _CELL.match(cell.strip())
    if not m:
        raise ModelStructureError(
            f"cell {cell!r} is not a spreadsheet cell like 'B2' or 'B2*'",
            location=where, variable=variable)
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + (ord(ch) - 64)
    return int(m.group(2)) - 1, col - 1, bool(m.group(3))


def _number(rows, r, c, *, where, variable, path):
    try:
        value = float(rows[r][c])
    except (IndexError, ValueError):
        got = repr(rows[r][c]) if r < len(rows) and c < len(rows[r]) else "nothing"
        hint = ""
        if r < len(rows) and len(rows[r]) == 1 and any(s in rows[r][0] for s in ",;\t|"):
            hint = " (the row is one column: is the file separated by another character?)"
        raise ModelStructureError(
            f"{path.name} cell row {r + 1}, column {c + 1}: expected a number, found {got}{hint}",
            location=where, variable=variable) from None
    if not math.isfinite(value):
        raise ModelStructureError(
            f"{path.name} cell row {r + 1}, column {c + 1}: expected a finite number, "
            f"found {rows[r][c]!r}", location=where, variable=variable)
    return value


def cell_block(rows, cell: str, shape: tuple[int, ...], *, path: Path, where, variable):
    """Values starting at ``cell`` shaped ``shape`` (scalar, 1-D or 2-D), as PySD reads them."""
    r0, c0, transpose = _cell(cell, where=where, variable=variable)
    num = lambda r, c: _number(rows, r, c, where=where, variable=variable, path=path)  # noqa: E731
    if len(shape) == 0:
        return num(r0, c0)
    if len(shape) == 1:
        n = shape[0]
        if transpose:
            return np.array([num(r0 + i, c0) for i in range(n)])
        return np.array([num(r0, c0 + i) for i in range(n)])
    if len(shape) == 2:
        n, m = shape
        if transpose:
            return np.array([[num(r0 + j, c0 + i) for j in range(m)] for i in range(n)])
        return np.array([[num(r0 + i, c0 + j) for j in range(m)] for i in range(n)])
    raise UnsupportedFeature("GET DIRECT CONSTANTS with more than 2 dimensions is not supported",
                             location=where, variable=variable)


def lookup_block(rows, x_ref: str, cell: str, *, path: Path, where, variable):
    """x and y points of a GET DIRECT LOOKUPS table: x along a row (or column) named by
    ``x_ref`` (a row number, a column letter, or a cell), y from ``cell`` onward."""
    r0, c0, _ = _cell(cell, where=where, variable=variable)
    num = lambda r, c: _number(rows, r, c, where=where, variable=variable, path=path)  # noqa: E731
    x_ref = x_ref.strip()
    if x_ref.isdigit():  # x values along a row
        xr = int(x_ref) - 1
        xs, ys = [], []
        c = c0
        while c < len(rows[xr]) and rows[xr][c].strip() != "":
            xs.append(num(xr, c))
            ys.append(num(r0, c))
            c += 1
    else:  # x values down a column
        xc = _cell(x_ref + "1", where=where, variable=variable)[1]
        xs, ys = [], []
        r = r0
        while r < len(rows) and xc < len(rows[r]) and rows[r][xc].strip() != "":
            xs.append(num(r, xc))
            ys.append(num(r, c0))
            r += 1
    return np.array(xs), np.array(ys)


def _blank(rows, r: int, c: int) -> bool:
    return r >= len(rows) or c >= len(rows[r]) or rows[r][c].strip() == ""


def data_block(rows, time_ref: str, cell: str, *, path: Path, where, variable):
    """Times and values of one GET DIRECT/XLS DATA series, read as PySD reads them.

    The times run along row ``time_ref`` (a row number) or down column ``time_ref`` (a
    letter), from the column (row) of ``cell`` to the end of the sheet; the values run beside
    them from ``cell``. An empty time cell drops its point; an empty value cell is a missing
    value, returned as NaN (the caller decides what a missing value means).

    Raises
    ------
    ModelStructureError
        A time or value cell holds text, or no time cell is filled.
    """
    r0, c0, _ = _cell(cell, where=where, variable=variable)
    time_ref = time_ref.strip()
    if time_ref.isdigit():  # times along a row, one series per row
        tr = int(time_ref) - 1
        width = len(rows[tr]) if tr < len(rows) else 0
        pairs = [((tr, c), (r0, c)) for c in range(c0, width)]
        where_times = f"row {time_ref}"
    else:  # times down a column, one series per column
        tc = _cell(time_ref + "1", where=where, variable=variable)[1]
        pairs = [((r, tc), (r, c0)) for r in range(r0, len(rows))]
        where_times = f"column {time_ref.upper()}"
    xs, ys = _series(rows, pairs, path=path, where=where, variable=variable)
    if not xs.size:
        raise ModelStructureError(f"{path.name} has no times in {where_times} beside cell "
                                  f"{cell.strip().upper()}", location=where, variable=variable)
    return xs, ys


def _series(rows, pairs, *, path: Path, where, variable):
    """(times, values) from ((time cell), (value cell)) pairs: an empty time cell drops its
    point, an empty value cell is NaN."""
    num = lambda r, c: _number(rows, r, c, where=where, variable=variable, path=path)  # noqa: E731
    xs, ys = [], []
    for (tr, tc), (vr, vc) in pairs:
        if _blank(rows, tr, tc):
            continue
        xs.append(num(tr, tc))
        ys.append(math.nan if _blank(rows, vr, vc) else num(vr, vc))
    return np.array(xs, dtype=float), np.array(ys, dtype=float)


def shift_cell(cell: str, k: int, down: bool, *, where, variable) -> str:
    """The cell ``k`` rows below (``down``) or ``k`` columns right of ``cell``: where the k-th
    element of a subscripted DATA or LOOKUPS definition reads its series."""
    r, c, _ = _cell(cell, where=where, variable=variable)
    r, c = (r + k, c) if down else (r, c + k)
    letters, c = "", c + 1
    while c:
        c, rem = divmod(c - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{r + 1}"


def area_values(rows, area, *, path: Path, where, variable) -> np.ndarray:
    """The numbers in a named rectangle (a :class:`.named_ranges.Area`), rows x columns.

    Raises
    ------
    ModelStructureError
        A cell is empty or holds text.
    """
    rows_n, cols_n = area.shape
    return np.array([[_number(rows, r, c, where=where, variable=variable, path=path)
                      for c in range(area.left, area.right + 1)]
                     for r in range(area.top, area.bottom + 1)]).reshape(rows_n, cols_n)


def named_series(rows, times, values, k: int, size: int, *, path: Path, where, variable):
    """Times and values of the k-th of ``size`` series read from two named rectangles, as
    PySD reads GET XLS DATA/LOOKUPS given names: times along a row put one series per row of
    ``values``, times down a column (or one cell) one series per column.

    Raises
    ------
    ModelStructureError
        The times are a table rather than a row or a column, the values' rectangle does not
        have one series per cell of the definition beside the times, or no time is filled.
    """
    t_rows, t_cols = times.shape
    if t_rows > 1 and t_cols > 1:
        raise ModelStructureError(
            f"the named range {times.name!r} in {path.name} ({times.describe()}) is a table; the "
            "times (x values) must be one row or one column", location=where, variable=variable)
    along_row = t_cols > 1
    n = t_cols if along_row else t_rows
    want = (size, n) if along_row else (n, size)
    if values.shape != want:
        lay = "row" if along_row else "column"
        raise ModelStructureError(
            f"the named range {values.name!r} in {path.name} is {values.describe()}, but with "
            f"{n} times along a {lay} ({times.name!r}) and {size} series it must be "
            f"{want[0]} x {want[1]} cells (one {lay} per series)", location=where,
            variable=variable)
    cells = values.line(k) if along_row else values.column(k)
    xs, ys = _series(rows, list(zip(times.cells(), cells)), path=path, where=where,
                     variable=variable)
    if not xs.size:
        raise ModelStructureError(f"the named range {times.name!r} in {path.name} has no times "
                                  "(every cell is empty)", location=where, variable=variable)
    return xs, ys


def series_reader(file: Path, tab: str, x_ref: str, cell: str, size: int, *, lookup: bool,
                  where, variable):
    """Read the series of one GET XLS/DIRECT DATA or LOOKUPS definition over ``size`` cells.

    Returns ``read(k) -> (xs, ys, label)`` for the k-th cell (subscript order, the last
    subscript fastest), which reads the k-th row below ``cell`` when the times (x values) run
    along a row and the k-th column when they run down a column, as PySD reads them; the
    label names the series in messages. ``x_ref`` and ``cell`` are a row number or column
    letter and a cell such as 'B2', or two named ranges (:mod:`.named_ranges`).

    Raises
    ------
    ModelStructureError
        The file cannot be read, a name does not resolve, or one of ``x_ref`` and ``cell``
        is a name and the other is not.
    """
    x_ref = str(x_ref).strip()
    if is_cell(cell):
        if not (x_ref.isdigit() or x_ref.isalpha()):
            raise ModelStructureError(
                f"the times (x values) {x_ref!r} must be a row number or a column letter when "
                f"the first value is the cell {cell.strip()!r}; or give both as named ranges",
                location=where, variable=variable)
        rows = read_table(file, tab, where=where, variable=variable)

        def read(k):
            first = shift_cell(cell, k, x_ref.isdigit(), where=where, variable=variable)
            block = lookup_block if lookup else data_block
            xs, ys = block(rows, x_ref, first, path=file, where=where, variable=variable)
            return xs, ys, f"starting at cell {first}"
        return read
    if file.suffix.lower() in WORKBOOKS and (x_ref.isdigit() or is_cell(x_ref)):
        raise ModelStructureError(
            f"the values are the named range {cell.strip()!r}, so the times (x values) must be "
            f"a named range too, not {x_ref!r}", location=where, variable=variable)
    times = named_ranges.resolve(file, tab, x_ref, where=where, variable=variable)
    values = named_ranges.resolve(file, tab, cell, where=where, variable=variable)
    rows = read_table(file, times.sheet, where=where, variable=variable)

    def read(k):
        xs, ys = named_series(rows, times, values, k, size, path=file, where=where,
                              variable=variable)
        lay = "row" if times.shape[1] > 1 else "column"
        return xs, ys, f"in {lay} {k + 1} of the named range {values.name!r}"
    return read


def constants_block(file: Path, tab: str, cell: str, shape: tuple[int, ...], *, where,
                    variable) -> np.ndarray:
    """The values of one GET XLS/DIRECT CONSTANTS definition shaped ``shape``: from a cell such
    as 'B2', or from a named range whose rectangle has that shape (rows x columns; a 1-D
    constant a row, or a column when the name ends with '*', as PySD reads it).

    Raises
    ------
    ModelStructureError
        The file cannot be read, a cell is not a number, or the named range does not
        resolve or has another shape.
    """
    if is_cell(cell) or file.suffix.lower() not in WORKBOOKS:
        rows = read_table(file, tab, where=where, variable=variable)
        return np.asarray(cell_block(rows, cell, shape, path=file, where=where,
                                     variable=variable), dtype=float)
    name = cell.strip()
    down = name.endswith("*")
    area = named_ranges.resolve(file, tab, name.rstrip("*").strip(), where=where,
                                variable=variable)
    want = (1, 1) if not shape else (1, shape[0]) if len(shape) == 1 else tuple(shape)
    if down:
        want = want[::-1]
    if area.shape != want:
        need = " x ".join(map(str, want))
        hint = (" (a 1-D constant reads a row; add '*' to the name to read a column)"
                if len(shape) == 1 and area.shape == want[::-1] else "")
        raise ModelStructureError(
            f"the named range {area.name!r} in {file.name} is {area.describe()}, but the "
            f"definition needs {need} cells{hint}", location=where, variable=variable)
    rows = read_table(file, area.sheet, where=where, variable=variable)
    block = area_values(rows, area, path=file, where=where, variable=variable)
    if down:
        block = block.T
    return block.reshape(shape) if shape else block.reshape(())
