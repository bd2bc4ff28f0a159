"""GET DIRECT/XLS CONSTANTS and LOOKUPS from CSV files and workbooks, with PySD's cell
conventions and named ranges; GET DIRECT/XLS DATA series with missing values.

Every source becomes one grid of strings (rows of cells, ``""`` for an empty cell, a number
written back exactly), so the readers below never see the file format: .xlsx/.xlsm through
openpyxl (which also resolves named ranges), .xls through xlrd and .ods through pandas'
odfpy reader (the libraries PySD's ``pandas.read_excel`` uses for them).

A cell such as ``B2`` names spreadsheet coordinates (row 1 is the file's first
line). A 1-D read runs along the row, or down the column when the cell ends
with ``*``; a 2-D read takes rows x columns from the cell.
"""
from __future__ import annotations

import csv
import importlib
import io
import math
import re
from pathlib import Path

import numpy as np

from ..errors import ModelStructureError, UnsupportedFeature

__all__ = ["read_table", "cell_block", "lookup_block", "data_block", "named_cell", "is_cell",
           "WORKBOOKS"]

_CELL = re.compile(r"^([A-Za-z]+)(\d+)(\*?)$")
# a region table is a few kilobytes; anything this big is the wrong file
MAX_DATA_BYTES = 64 * 1024 * 1024
#: workbook suffix -> (the module that reads it, the package to install)
WORKBOOKS = {".xlsx": ("openpyxl", "openpyxl"), ".xlsm": ("openpyxl", "openpyxl"),
             ".xls": ("xlrd", "xlrd"), ".ods": ("odf", "odfpy")}


def read_table(path: Path, sep: str, *, where, variable: str) -> list[list[str]]:
    """Read a CSV (or other delimited) file into rows of strings.

    Raises
    ------
    ModelStructureError
        If the file is missing, unreadable or not text.
    UnsupportedFeature
        If the workbook's reader (xlrd for .xls, odfpy for .ods) is not installed.

    Notes
    -----
    A workbook (.xlsx, .xlsm, .xls, .ods) is read instead: ``sep`` is then its sheet.
    """
    if path.suffix.lower() in WORKBOOKS:
        return _read_sheet(path, sep, where=where, variable=variable)
    if not path.is_file():
        raise ModelStructureError(f"data file {str(path)!r} does not exist",
                                  location=where, variable=variable)
    delimiter = sep if sep and sep not in {"\\t", "tab"} else "\t"
    if len(delimiter) != 1:
        delimiter = ","
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_DATA_BYTES:
            raise ModelStructureError(f"data file {name!r} is {size} bytes; the limit is "
                                      f"{MAX_DATA_BYTES} bytes", location=where, variable=variable)
        data = path.read_bytes()
    except OSError as err:
        raise ModelStructureError(f"cannot read data file {name!r}: {err.strerror or err}",
                                  location=where, variable=variable) from None
    if not data.strip():
        raise ModelStructureError(f"data file {name!r} is empty", location=where,
                                  variable=variable)
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ModelStructureError(f"data file {name!r} is binary (NUL byte on line {line}), "
                                  "not CSV text; save it as CSV (UTF-8)", location=where,
                                  variable=variable)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise ModelStructureError(f"data file {name!r} is not UTF-8 text (byte "
                                  f"0x{data[err.start]:02x} on line {line}, column {col}); "
                                  "save it as UTF-8", location=where, variable=variable) from None
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as err:
        raise ModelStructureError(f"cannot read data file {name!r}: {err}",
                                  location=where, variable=variable) from None


def _check_file(path: Path, *, where, variable) -> None:
    if not path.is_file():
        raise ModelStructureError(f"data file {str(path)!r} does not exist",
                                  location=where, variable=variable)
    if path.stat().st_size > MAX_DATA_BYTES:
        raise ModelStructureError(f"data file {str(path)!r} is larger than {MAX_DATA_BYTES} bytes",
                                  location=where, variable=variable)
    module, package = WORKBOOKS[path.suffix.lower()]
    try:
        importlib.import_module(module)
    except ImportError:
        raise UnsupportedFeature(
            f"reading {path.suffix} workbooks ({path.name}) needs the package {package!r}, "
            f"which is not installed; run: pip install {package}",
            location=where, variable=variable) from None


def _open_workbook(path: Path, *, where, variable):
    _check_file(path, where=where, variable=variable)
    import openpyxl
    try:
        return openpyxl.load_workbook(path, read_only=False, data_only=True)
    except Exception as err:  # noqa: BLE001 - any failure is the file's
        raise ModelStructureError(f"cannot read spreadsheet {path.name!r}: {type(err).__name__}: {err}",
                                  location=where, variable=variable) from None


def _text(value) -> str:
    """One cell as the grid holds it: empty as "", a float in full (repr), a whole number as
    an integer ("4", as pandas and openpyxl give it, so names read from cells agree), anything
    else as str."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _xls_rows(path: Path, sheet: str):
    """(sheet names, rows of ``sheet`` or None if it is not one) of an .xls (BIFF) workbook.

    xlrd is called directly: pandas 3.1 deprecates its xlrd engine."""
    import xlrd
    book = xlrd.open_workbook(str(path))
    if sheet not in book.sheet_names():
        return book.sheet_names(), None
    kinds = {xlrd.XL_CELL_NUMBER: _text,
             xlrd.XL_CELL_DATE: lambda v: str(xlrd.xldate.xldate_as_datetime(v, book.datemode)),
             xlrd.XL_CELL_BOOLEAN: lambda v: str(bool(v)),
             xlrd.XL_CELL_ERROR: lambda v: xlrd.error_text_from_code.get(v, "#ERROR")}
    sh = book.sheet_by_name(sheet)
    rows = [[kinds.get(c.ctype, str)(c.value) for c in sh.row(r)] for r in range(sh.nrows)]
    return book.sheet_names(), rows


def _ods_rows(path: Path, sheet: str):
    """(sheet names, rows of ``sheet`` or None) of an .ods workbook. pandas' odfpy reader
    keeps empty leading rows and columns, so every cell keeps its coordinates."""
    import pandas as pd
    with pd.ExcelFile(path, engine="odf") as book:
        if sheet not in book.sheet_names:
            return book.sheet_names, None
        frame = pd.read_excel(book, sheet_name=sheet, header=None, dtype=object, na_filter=False)
        return book.sheet_names, [[_text(v) for v in row] for row in frame.itertuples(index=False)]


def _read_sheet(path: Path, sheet: str, *, where, variable) -> list[list[str]]:
    """One sheet of a workbook as rows of strings (numbers written back exactly)."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        wb = _open_workbook(path, where=where, variable=variable)
        names = wb.sheetnames
        rows = ([[_text(v) for v in row] for row in wb[sheet].iter_rows(values_only=True)]
                if sheet in names else None)
        wb.close()
    else:
        _check_file(path, where=where, variable=variable)
        try:
            names, rows = (_xls_rows if path.suffix.lower() == ".xls" else _ods_rows)(path, sheet)
        except Exception as err:  # noqa: BLE001 - any failure is the file's
            raise ModelStructureError(f"cannot read spreadsheet {path.name!r}: "
                                      f"{type(err).__name__}: {err}",
                                      location=where, variable=variable) from None
    if rows is None:
        raise ModelStructureError(f"{path.name} has no sheet {sheet!r} (sheets: "
                                  f"{', '.join(names)})", location=where, variable=variable)
    return rows


def named_cell(path: Path, tab: str, cell: str, *, where, variable) -> tuple[str, str]:
    """Resolve ``cell`` to (sheet, top-left cell): a cell such as 'B2' stays as it is; in an
    .xlsx workbook another name is a named range (PySD accepts both).

    Raises
    ------
    ModelStructureError
        The .xlsx workbook has no such named range.
    UnsupportedFeature
        A named range in an .xls or .ods workbook (PySD looks named ranges up with openpyxl,
        which opens .xlsx only).
    """
    suffix = path.suffix.lower()
    if _CELL.match(cell.strip()) or suffix not in WORKBOOKS:
        return tab, cell
    if suffix not in {".xlsx", ".xlsm"}:
        raise UnsupportedFeature(
            f"the named range {cell.strip()!r} in {path.name}: named ranges are read from .xlsx "
            f"workbooks only, not {suffix}; give the cell, such as 'B2', or save the workbook as "
            ".xlsx", location=where, variable=variable)
    wb = _open_workbook(path, where=where, variable=variable)
    dn = wb.defined_names.get(cell)
    if dn is None and tab in wb.sheetnames:
        dn = wb[tab].defined_names.get(cell)
    if dn is None:
        raise ModelStructureError(f"{path.name} has no cell or named range {cell!r}",
                                  location=where, variable=variable)
    sheet, ref = next(iter(dn.destinations))
    wb.close()
    return sheet, ref.split(":", 1)[0].replace("$", "")


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
    num = lambda r, c: _number(rows, r, c, where=where, variable=variable, path=path)  # noqa: E731
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
    xs, ys = [], []
    for (tr, tc), (vr, vc) in pairs:
        if _blank(rows, tr, tc):
            continue
        xs.append(num(tr, tc))
        ys.append(math.nan if _blank(rows, vr, vc) else num(vr, vc))
    if not xs:
        raise ModelStructureError(f"{path.name} has no times in {where_times} beside cell "
                                  f"{cell.strip().upper()}", location=where, variable=variable)
    return np.array(xs), np.array(ys)
