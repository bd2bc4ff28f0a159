"""CSV files and workbooks read into one grid of strings, whatever the format.

Every source becomes rows of cells (``""`` for an empty cell, a number written back exactly),
so the readers in :mod:`.external` never see the file format: CSV (or another delimiter)
through :mod:`csv`, .xlsx/.xlsm through openpyxl, .xls through xlrd, .ods through pandas'
odfpy reader and .xlsb through pyxlsb (the libraries PySD's ``pandas.read_excel`` uses for
them). A workbook's reader missing from the install is refused with the ``pip install`` to run.
"""
from __future__ import annotations

import csv
import hashlib
import importlib
import io
import math
import threading
from pathlib import Path

from ..errors import ModelStructureError, UnsupportedFeature

__all__ = ["read_table", "check_file", "WORKBOOKS", "MAX_DATA_BYTES"]

# a region table is a few kilobytes; anything this big is the wrong file
MAX_DATA_BYTES = 64 * 1024 * 1024
#: workbook suffix -> (the module that reads it, the package to install)
WORKBOOKS = {".xlsx": ("openpyxl", "openpyxl"), ".xlsm": ("openpyxl", "openpyxl"),
             ".xls": ("xlrd", "xlrd"), ".ods": ("odf", "odfpy"), ".xlsb": ("pyxlsb", "pyxlsb")}


#: grids already read, by (file, sheet or separator, sha256 of its bytes): a model reads one
#: workbook for many variables (and a subscripted one per element), and openpyxl takes a second
#: or more on a big workbook, while hashing it takes milliseconds. A file changed on disk has a
#: new key, however quickly it changed. Errors are not kept.
_GRIDS: dict = {}
_GRIDS_MAX = 32
_GRIDS_LOCK = threading.Lock()


def memo(kind: str, path: Path, extra, read):
    """``read()`` once per (kind, file as it is on disk, extra); later calls get the kept value.

    The value must not be changed by the caller (:func:`read_table` hands out copies)."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_DATA_BYTES:
            return read()  # let the reader say what is wrong with the file
        key = (kind, str(path.resolve()), extra, hashlib.sha256(path.read_bytes()).digest())
    except OSError:
        return read()
    with _GRIDS_LOCK:
        if key in _GRIDS:
            return _GRIDS[key]
    value = read()
    with _GRIDS_LOCK:
        if len(_GRIDS) >= _GRIDS_MAX:
            _GRIDS.pop(next(iter(_GRIDS)))
        _GRIDS[key] = value
    return value


def read_table(path: Path, sep: str, *, where, variable: str) -> list[list[str]]:
    """Read a CSV (or other delimited) file into rows of strings (a fresh copy per call; the
    file is read once while it is unchanged, :func:`memo`).

    Raises
    ------
    ModelStructureError
        If the file is missing, unreadable or not text.
    UnsupportedFeature
        If the workbook's reader (xlrd for .xls, odfpy for .ods, pyxlsb for .xlsb) is not
        installed.

    Notes
    -----
    A workbook (.xlsx, .xlsm, .xls, .ods, .xlsb) is read instead: ``sep`` is then its sheet.
    """
    rows = memo("grid", path, sep, lambda: _read_table(path, sep, where=where, variable=variable))
    return [list(row) for row in rows]


def _read_table(path: Path, sep: str, *, where, variable: str) -> list[list[str]]:
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


def check_file(path: Path, *, where, variable) -> None:
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
    check_file(path, where=where, variable=variable)
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


def _xlsb_rows(path: Path, sheet: str):
    """(sheet names, rows of ``sheet`` or None) of an .xlsb (binary) workbook. pyxlsb yields
    every row from the first, empty ones included, so every cell keeps its coordinates."""
    from pyxlsb import open_workbook
    with open_workbook(str(path)) as book:
        names = list(book.sheets)
        if sheet not in names:
            return names, None
        with book.get_sheet(sheet) as sh:
            return names, [[_text(c.v) for c in row] for row in sh.rows()]


_ROWS = {".xls": _xls_rows, ".ods": _ods_rows, ".xlsb": _xlsb_rows}


def _read_sheet(path: Path, sheet: str, *, where, variable) -> list[list[str]]:
    """One sheet of a workbook as rows of strings (numbers written back exactly)."""
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        wb = _open_workbook(path, where=where, variable=variable)
        names = wb.sheetnames
        rows = ([[_text(v) for v in row] for row in wb[sheet].iter_rows(values_only=True)]
                if sheet in names else None)
        wb.close()
    else:
        check_file(path, where=where, variable=variable)
        try:
            names, rows = _ROWS[path.suffix.lower()](path, sheet)
        except Exception as err:  # noqa: BLE001 - any failure is the file's
            raise ModelStructureError(f"cannot read spreadsheet {path.name!r}: "
                                      f"{type(err).__name__}: {err}",
                                      location=where, variable=variable) from None
    if rows is None:
        raise ModelStructureError(f"{path.name} has no sheet {sheet!r} (sheets: "
                                  f"{', '.join(names)})", location=where, variable=variable)
    return rows
