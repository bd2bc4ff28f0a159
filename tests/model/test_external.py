"""Workbooks read into one cell grid (simsys.model.external): .xlsx, .xls (xlrd), .ods (odfpy),
.xlsb (pyxlsb).

The corpus models get_xls_data_xls/_ods/_xlsb and get_xls_constants_xls/_ods/_xlsb agree with PySD
(tests/engine/test_oracle.py); these tests pin that every format gives the .xlsx grid, that
cells keep their coordinates, and the refusals.
"""
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import simsys
from simsys.errors import ModelStructureError, UnsupportedFeature
from simsys.model import external

DATA = Path(__file__).resolve().parents[1] / "models" / "data"
SHEETS = load_workbook(DATA / "workbook.xlsx").sheetnames

CONTROL = """INITIAL TIME = 0
\t~\tMonth
\t~\t|

FINAL TIME = 2
\t~\tMonth
\t~\t|

TIME STEP = 1
\t~\tMonth
\t~\t|

SAVEPER = TIME STEP
\t~\tMonth
\t~\t|
"""


def _model(tmp_path: Path, equations: str) -> Path:
    for suffix in (".xls", ".ods", ".xlsb"):
        shutil.copy(DATA / (f"workbook{suffix}" if suffix != ".xlsb" else "cells.xlsb"),
                    tmp_path / f"workbook{suffix}")
    path = tmp_path / "m.mdl"
    path.write_text("{UTF-8}\n" + equations + "\n" + CONTROL)
    return path


def _read(path: Path, sheet: str):
    return external.read_table(path, sheet, where=None, variable="x")


@pytest.mark.parametrize("copy", ["workbook.xls", "workbook.ods", "cells.xlsb"])
@pytest.mark.parametrize("sheet", SHEETS)
def test_every_format_gives_the_xlsx_grid(copy, sheet):
    assert _read(DATA / copy, sheet) == _read(DATA / "workbook.xlsx", sheet)


def test_ods_cells_keep_their_coordinates(tmp_path):
    """Empty leading rows and columns are kept, so 'C3' is the third column of the third row."""
    path = tmp_path / "offset.ods"
    with pd.ExcelWriter(path, engine="odf") as out:
        pd.DataFrame([[0.1, 2], ["x", None]], dtype=object).to_excel(
            out, sheet_name="s", header=False, index=False, startrow=2, startcol=2)
    rows = _read(path, "s")
    assert rows[2][2:] == ["0.1", "2"] and rows[3][2:4] == ["x", ""]
    assert external.cell_block(rows, "C3", (), path=path, where=None, variable="x") == 0.1


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_a_named_range_is_read_in_every_format(tmp_path, suffix):
    shutil.copy(DATA / f"named{suffix}", tmp_path)
    path = _model(tmp_path, f"""Named = GET XLS CONSTANTS('named{suffix}', 'constants', 'growth')
\t~\tDmnl
\t~\t|
""")
    assert (simsys.to_frame(simsys.load_model(path).run())["Named"] == 0.125).all()


def test_a_missing_sheet_lists_the_sheets(tmp_path):
    path = _model(tmp_path, """Capacity = GET DIRECT CONSTANTS('workbook.xls', 'nope', 'B2')
\t~\tWidget
\t~\t|
""")
    with pytest.raises(ModelStructureError,
                       match=r"workbook.xls has no sheet 'nope' \(sheets: series, constants"):
        simsys.load_model(path)


@pytest.mark.parametrize("suffix, package", [(".xls", "xlrd"), (".ods", "odfpy"), (".xlsb", "pyxlsb")])
def test_a_missing_reader_names_the_pip_command(tmp_path, monkeypatch, suffix, package):
    monkeypatch.setitem(sys.modules, external.WORKBOOKS[suffix][0], None)  # import fails
    eq = f"Capacity = GET XLS CONSTANTS('workbook{suffix}', 'constants', 'B2')"
    path = _model(tmp_path, eq + """
\t~\tWidget
\t~\t|
""")
    with pytest.raises(UnsupportedFeature) as info:
        simsys.load_model(path)
    err = info.value
    assert err.location.line == 2 and err.variable == "Capacity"
    assert f"needs the package '{package}'" in str(err) and f"pip install {package}" in str(err)


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".xlsb"])
def test_a_broken_workbook_is_a_model_error(tmp_path, suffix):
    (tmp_path / f"bad{suffix}").write_bytes(b"not a workbook\n")
    with pytest.raises(ModelStructureError, match=rf"cannot read spreadsheet 'bad{suffix}'"):
        _read(tmp_path / f"bad{suffix}", "s")


def test_a_file_is_read_once_while_unchanged_and_again_when_it_changes(tmp_path, monkeypatch):
    """A model reads one workbook for many variables: the grid is read once and each caller gets
    its own copy; a file rewritten on disk (same size, same instant) is read again."""
    from simsys.model import sheets
    path = tmp_path / "t.csv"
    path.write_text("a,1\nb,2\n")
    reads = []
    real = sheets._read_table
    monkeypatch.setattr(sheets, "_read_table", lambda *a, **k: reads.append(a) or real(*a, **k))
    first = sheets.read_table(path, ",", where=None, variable="x")
    first[0][1] = "changed by a caller"
    again = sheets.read_table(path, ",", where=None, variable="x")
    assert again == [["a", "1"], ["b", "2"]] and len(reads) == 1
    path.write_text("a,3\nb,4\n")
    assert sheets.read_table(path, ",", where=None, variable="x") == [["a", "3"], ["b", "4"]]
    assert len(reads) == 2
