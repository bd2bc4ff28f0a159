"""Named ranges resolved in one place (simsys.model.named_ranges) for every workbook format.

The corpus models get_xls_named_* agree with PySD (tests/engine/test_oracle.py); these tests
pin that .xlsx, .xls and .ods give the same rectangles, that a sheet's own name wins over the
workbook's, and that a bad name is refused with the file, line, variable and name.
"""
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

import simsys
from simsys.errors import ModelStructureError, UnsupportedFeature
from simsys.model.named_ranges import Area, resolve

DATA = Path(__file__).resolve().parents[1] / "models" / "data"
NAMES = [("constants", "capacity_row"), ("constants", "growth"), ("constants", "matrix"),
         ("constants", "capacity_down"), ("constants", "scale"), ("lookups", "scale"),
         ("series", "data_times"), ("series", "data_values"), ("table", "col_times"),
         ("table", "col_values"), ("lookups", "x_points"), ("lookups", "y_points"),
         ("names", "region_names"), ("names", "sector_names")]
CONTROL = "".join(f"{k} = {v}\n\t~\tMonth\n\t~\t|\n\n" for k, v in
                  (("INITIAL TIME", 0), ("FINAL TIME", 2), ("TIME STEP", 1), ("SAVEPER", 1)))


def _resolve(path, sheet, name):
    return resolve(path, sheet, name, where=None, variable="x")


def _model(tmp_path: Path, equations: str, book: str = "named.xlsx") -> Path:
    if (DATA / book).exists():
        shutil.copy(DATA / book, tmp_path)
    path = tmp_path / "m.mdl"
    path.write_text("{UTF-8}\nRegion : north, south\n\t~\t~\t|\n\n" + equations + "\n" + CONTROL)
    return path


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
@pytest.mark.parametrize("sheet, name", NAMES)
def test_every_format_gives_the_xlsx_rectangle(suffix, sheet, name):
    assert _resolve(DATA / f"named{suffix}", sheet, name) == _resolve(DATA / "named.xlsx", sheet, name)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_the_sheets_own_name_wins_and_the_sheet_is_not_case_sensitive(suffix):
    book = DATA / f"named{suffix}"
    assert _resolve(book, "Constants", "scale") == Area("scale", "constants", 10, 1, 10, 1)
    assert _resolve(book, "lookups", "scale") == Area("scale", "lookups", 9, 1, 9, 1)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_missing_name_is_refused_with_file_line_variable_and_name(tmp_path, suffix):
    path = _model(tmp_path, f"""Capacity[Region] = GET XLS CONSTANTS('named{suffix}', 'constants', 'nope')
\t~\tWidget
\t~\t|
""", f"named{suffix}")
    with pytest.raises(ModelStructureError) as info:
        simsys.load_model(path)
    err = info.value
    assert err.location.line == 5 and err.variable == "Capacity" and "m.mdl" in str(err)
    assert (f"the named range 'nope' in named{suffix} does not exist (neither on sheet "
            "'constants' nor for the whole workbook)") in str(err)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_name_on_another_sheet_is_refused(suffix):
    with pytest.raises(ModelStructureError, match=r"'growth' in named\.\w+ points at sheet "
                       r"'constants', not at sheet 'series' given in the function"):
        _resolve(DATA / f"named{suffix}", "series", "growth")


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods"])
def test_a_name_over_two_areas_is_refused_in_every_format(suffix):
    with pytest.raises(ModelStructureError, match=rf"'two_areas' in named\{suffix} covers 2 areas "
                       r"\(.*\); name one rectangle of cells"):
        _resolve(DATA / f"named{suffix}", "constants", "two_areas")


def test_a_name_that_is_not_cells_is_refused(tmp_path):
    wb = Workbook()
    wb.active.title = "s"
    wb.defined_names["two"] = DefinedName("two", attr_text="s!$A$1:$A$2,s!$C$1")
    wb.defined_names["five"] = DefinedName("five", attr_text="5")
    wb.save(tmp_path / "b.xlsx")
    with pytest.raises(ModelStructureError, match=r"'two' in b.xlsx covers 2 areas"):
        _resolve(tmp_path / "b.xlsx", "s", "two")
    with pytest.raises(ModelStructureError, match=r"'five' in b.xlsx is not a range of cells"):
        _resolve(tmp_path / "b.xlsx", "s", "five")


def test_a_name_in_xlsb_is_refused_with_the_reason():
    with pytest.raises(UnsupportedFeature, match=r"named range 'growth' in cells.xlsb: named "
                       r"ranges cannot be read from .xlsb workbooks \(pyxlsb reads their cells only\)"):
        _resolve(DATA / "cells.xlsb", "constants", "growth")


def test_a_name_in_a_csv_file_is_refused(tmp_path):
    (tmp_path / "a.csv").write_text("1,2\n")
    with pytest.raises(ModelStructureError, match=r"'growth' is not a cell such as 'B2', and a.csv "
                       "is not a workbook"):
        _resolve(tmp_path / "a.csv", ",", "growth")


def test_a_constant_of_the_wrong_shape_names_both_shapes(tmp_path):
    path = _model(tmp_path, """Down[Region] = GET XLS CONSTANTS('named.xlsx', 'constants', 'capacity_down')
\t~\tWidget
\t~\t|
""")
    with pytest.raises(ModelStructureError, match=r"'capacity_down' in named.xlsx is B8:B9 \(2 x 1 "
                       r"cells\), but the definition needs 1 x 2 cells \(a 1-D constant reads a "
                       r"row; add '\*' to the name to read a column\)"):
        simsys.load_model(path)


def test_data_values_of_the_wrong_shape_are_refused(tmp_path):
    path = _model(tmp_path, """Obs[Region] := GET XLS DATA('named.xlsx', 'series', 'data_times', 'data_times')
\t~\tWidget
\t~\t|
""")
    with pytest.raises(ModelStructureError, match=r"'data_times' in named.xlsx is B1:F1 \(1 x 5 "
                       r"cells\), but with 5 times along a row \('data_times'\) and 2 series it "
                       r"must be 2 x 5 cells"):
        simsys.load_model(path)


def test_times_from_a_table_are_refused(tmp_path):
    path = _model(tmp_path, """Effect[Region](GET XLS LOOKUPS('named.xlsx', 'lookups', 'y_points', 'y_points'))
\t~\tDmnl
\t~\t|

Used[Region] = Effect[Region](Time)
\t~\tDmnl
\t~\t|
""")
    with pytest.raises(ModelStructureError, match=r"'y_points' in named.xlsx \(B2:F3 \(2 x 5 "
                       r"cells\)\) is a table; the times \(x values\) must be one row or one column"):
        simsys.load_model(path).compile()
