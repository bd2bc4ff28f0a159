"""Named ranges (workbook defined names) for every GET XLS/DIRECT reader.

A GET XLS/DIRECT function may give a defined name instead of a cell such as 'B2': DATA and
LOOKUPS for both the times (x values) and the values, CONSTANTS and SUBSCRIPT for their cells.
:func:`resolve` turns the name into one rectangle of cells on the sheet the function names,
whatever the workbook's format, so the readers in :mod:`.external`, :mod:`.data`,
:mod:`.ranges` and :mod:`simsys.compile.lower` only ever see cell coordinates:

- .xlsx/.xlsm: openpyxl's defined names, the sheet's own (sheet-scoped) before the
  workbook's, as PySD looks them up;
- .xls: xlrd's ``name_map``, the sheet-scoped name before the global one;
- .ods: odfpy's ``table:named-range`` elements, those inside the sheet before the document's;
- .xlsb: pyxlsb reads cells only, so a name there is refused with that reason.

A name that does not exist, covers several areas, or lies on another sheet than the one
the function names is refused with the file, the line, the variable and the name.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelStructureError, UnsupportedFeature
from .sheets import check_file, memo

__all__ = ["Area", "resolve"]

_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@dataclass(frozen=True, slots=True)
class Area:
    """A rectangle of cells named by a defined name; rows and columns 0-based, inclusive."""

    name: str
    sheet: str
    top: int
    left: int
    bottom: int
    right: int

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns)."""
        return self.bottom - self.top + 1, self.right - self.left + 1

    def cells(self) -> list[tuple[int, int]]:
        """Every cell, row by row (the last column fastest), as PySD flattens a range."""
        return [(r, c) for r in range(self.top, self.bottom + 1)
                for c in range(self.left, self.right + 1)]

    def line(self, k: int) -> list[tuple[int, int]]:
        """The k-th row of the rectangle."""
        return [(self.top + k, c) for c in range(self.left, self.right + 1)]

    def column(self, k: int) -> list[tuple[int, int]]:
        """The k-th column of the rectangle."""
        return [(r, self.left + k) for r in range(self.top, self.bottom + 1)]

    def describe(self) -> str:
        """'B2:D4 (3 x 3)' for messages."""
        def a1(r, c):
            letters, c = "", c + 1
            while c:
                c, rem = divmod(c - 1, 26)
                letters = chr(65 + rem) + letters
            return f"{letters}{r + 1}"
        rows, cols = self.shape
        return f"{a1(self.top, self.left)}:{a1(self.bottom, self.right)} ({rows} x {cols} cells)"


def resolve(path: Path, sheet: str, name: str, *, where, variable: str) -> Area:
    """The rectangle of cells that the defined ``name`` of workbook ``path`` names.

    Parameters
    ----------
    path : Path
        The workbook (.xlsx, .xlsm, .xls, .ods; .xlsb and text files have no readable names).
    sheet : str
        The sheet the GET XLS/DIRECT function names; the name must lie on it (its case may
        differ, as Vensim's sheet names are not case-sensitive). ``Area.sheet`` is the
        sheet's name as the workbook spells it.
    name : str
        The defined name, as written in the model (a trailing ``*`` is the caller's).
    where, variable
        The location and variable named in an error.

    Raises
    ------
    ModelStructureError
        The workbook has no such name (on that sheet or for the whole workbook), the name
        covers several areas or is not a range of cells, lies on another sheet, or the
        file has no named ranges (a CSV file), or the sheet does not exist.
    UnsupportedFeature
        A name in an .xlsb workbook (pyxlsb reads cells, not defined names).
    """
    name = name.strip()
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if suffix == ".xlsb":
        raise UnsupportedFeature(
            f"the named range {name!r} in {path.name}: named ranges cannot be read from .xlsb "
            "workbooks (pyxlsb reads their cells only); give the cell, such as 'B2', or save "
            "the workbook as .xlsx", location=where, variable=variable)
    if reader is None:
        raise ModelStructureError(
            f"{name!r} is not a cell such as 'B2', and {path.name} is not a workbook, so it has "
            "no named ranges", location=where, variable=variable)
    check_file(path, where=where, variable=variable)

    def fail(why: str):
        return ModelStructureError(f"the named range {name!r} in {path.name} {why}",
                                   location=where, variable=variable)
    try:
        sheets, found = memo("name", path, (sheet, name), lambda: reader(path, sheet, name))
    except ModelStructureError:
        raise
    except Exception as err:  # noqa: BLE001 - any failure is the file's
        raise ModelStructureError(f"cannot read the named ranges of {path.name}: "
                                  f"{type(err).__name__}: {err}", location=where,
                                  variable=variable) from None
    actual = next((s for s in sheets if s.lower() == sheet.lower()), None)
    if actual is None:
        raise ModelStructureError(f"{path.name} has no sheet {sheet!r} (sheets: "
                                  f"{', '.join(sheets)})", location=where, variable=variable)
    if found is None:
        raise fail(f"does not exist (neither on sheet {actual!r} nor for the whole workbook)")
    if isinstance(found, str):
        raise fail(found)
    on, (top, left, bottom, right) = found
    if on.lower() != sheet.lower():
        raise fail(f"points at sheet {on!r}, not at sheet {sheet!r} given in the function")
    return Area(name, actual, min(top, bottom), min(left, right), max(top, bottom), max(left, right))


def _cell(ref: str) -> tuple[int, int] | None:
    m = _REF.match(ref.strip())
    if not m:
        return None
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + (ord(ch) - 64)
    return int(m.group(2)) - 1, col - 1


def _box(first: str, last: str | None):
    """(top, left, bottom, right) of 'B2' or 'B2':'C4', or None if not cells."""
    a = _cell(first)
    b = _cell(last) if last is not None else a
    if a is None or b is None:
        return None
    return a[0], a[1], b[0], b[1]


# Each reader returns (sheet names, found) where found is None (no such name), a str (why
# the name cannot be read as one area) or (sheet, (top, left, bottom, right)).

def _xlsx(path: Path, sheet: str, name: str):
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=False, data_only=True)
    try:
        sheets = list(wb.sheetnames)
        own = next((s for s in sheets if s.lower() == sheet.lower()), None)
        dn = wb[own].defined_names.get(name) if own is not None else None
        if dn is None:
            dn = wb.defined_names.get(name)
        if dn is None:
            return sheets, None
        dests = list(dn.destinations)
        if not dests:
            return sheets, f"is not a range of cells (it is {dn.attr_text!r})"
        if len(dests) > 1:
            return sheets, (f"covers {len(dests)} areas ({dn.attr_text}); name one rectangle "
                            "of cells")
        on, ref = dests[0]
        first, _, last = ref.partition(":")
        box = _box(first, last or None)
        if box is None:
            return sheets, f"is not a rectangle of cells ({dn.attr_text})"
        return sheets, (on, box)
    finally:
        wb.close()


def _xls(path: Path, sheet: str, name: str):
    import xlrd
    book = xlrd.open_workbook(str(path), on_demand=True)
    try:
        sheets = book.sheet_names()
        index = next((i for i, s in enumerate(sheets) if s.lower() == sheet.lower()), None)
        candidates = book.name_map.get(name.lower(), [])
        nm = next((n for n in candidates if n.scope == index), None)
        nm = nm or next((n for n in candidates if n.scope < 0), None)
        if nm is None:
            return sheets, None
        # read the evaluated formula rather than call area2d, which prints the name on failure
        result = nm.result
        if result is None or result.kind != xlrd.formula.oREF or not result.value:
            return sheets, f"is not a range of cells ({getattr(result, 'text', '?')})"
        if len(result.value) > 1:
            return sheets, (f"covers {len(result.value)} areas ({result.text}); name one "
                            "rectangle of cells")
        first_sheet, end_sheet, top, bottom, left, right = result.value[0].coords
        if end_sheet - first_sheet != 1:
            return sheets, f"spans several sheets ({result.text}); name one rectangle of cells"
        return sheets, (sheets[first_sheet], (top, left, bottom - 1, right - 1))
    finally:
        book.release_resources()


_ODS_PART = re.compile(r"^\$?(?:'((?:[^']|'')*)'|([^.]*))?\.(\$?[A-Za-z]+\$?\d+)$")


def _ods(path: Path, sheet: str, name: str):
    from odf.namespaces import TABLENS
    from odf.opendocument import load
    from odf.table import NamedExpression, NamedRange, Table
    doc = load(str(path))
    sheets = [t.getAttribute("name") for t in doc.spreadsheet.getElementsByType(Table)]
    local, glob = None, None
    named = (doc.spreadsheet.getElementsByType(NamedRange)
             + doc.spreadsheet.getElementsByType(NamedExpression))
    for nr in named:
        if nr.getAttribute("name") != name:
            continue
        owner = nr.parentNode.parentNode  # table:named-expressions -> its table or the document
        if owner.qname == (TABLENS, "table"):
            if owner.getAttribute("name").lower() == sheet.lower():
                local = nr
        elif glob is None:
            glob = nr
    nr = local or glob
    if nr is None:
        return sheets, None
    if nr.qname == (TABLENS, "named-expression"):
        # LibreOffice writes a name over several areas as an expression "[$s.$B$2];[$s.$B$3]"
        expression = nr.getAttribute("expression") or ""
        refs = re.findall(r"\[([^\]]*)\]", expression)
        if len(refs) > 1:
            return sheets, f"covers {len(refs)} areas ({expression}); name one rectangle of cells"
        if len(refs) != 1 or expression.strip() not in (f"[{refs[0]}]", f"of:=[{refs[0]}]"):
            return sheets, f"is not a range of cells ({expression})"
        address = refs[0]
    else:
        address = nr.getAttribute("cellrangeaddress") or ""
    if " " in address.strip() or ";" in address:
        return sheets, f"covers several areas ({address}); name one rectangle of cells"
    first, _, last = address.partition(":")
    parts = [_ODS_PART.match(p.strip()) for p in (first, last or first)]
    if not all(parts):
        return sheets, f"is not a rectangle of cells ({address})"
    on = (parts[0].group(1) or "").replace("''", "'") or (parts[0].group(2) or "").lstrip("$")
    second = (parts[1].group(1) or "").replace("''", "'") or (parts[1].group(2) or "").lstrip("$")
    if second and second != on:
        return sheets, f"spans sheets {on!r} and {second!r}; name one rectangle of cells"
    return sheets, (on, _box(parts[0].group(3), parts[1].group(3)))


_READERS = {".xlsx": _xlsx, ".xlsm": _xlsx, ".xls": _xls, ".ods": _ods}
