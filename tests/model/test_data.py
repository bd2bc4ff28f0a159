"""Data variables with several subscripts and missing values (simsys.model.data, external.data_block).

The corpus models get_xls_data_3d, get_direct_data_2d and get_direct_data agree with PySD
(tests/engine/test_oracle.py); these tests pin what PySD cannot show: each cell keeps its
own times, the reading order of a definition over several ranges, and the refusals.
"""
import shutil
from pathlib import Path

import numpy as np
import pytest

import simsys
from simsys.compile.backends import unavailable_notice
from simsys.errors import ModelStructureError
from simsys.model import external

DATA = Path(__file__).resolve().parents[1] / "models" / "data"

CONTROL = """INITIAL TIME = 0
\t~\tMonth
\t~\t|

FINAL TIME = 10
\t~\tMonth
\t~\t|

TIME STEP = 0.5
\t~\tMonth
\t~\t|

SAVEPER = TIME STEP
\t~\tMonth
\t~\t|
"""


def _model(tmp_path: Path, equations: str, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    path = tmp_path / "m.mdl"
    path.write_text("{UTF-8}\nRegion : north, south\n\t~\t~\t|\n\nSector : farm, mill\n\t~\t~\t|\n\n"
                    + equations + "\n" + CONTROL)
    return path


def _where(*_):
    return None


def test_data_block_skips_empty_times_and_reads_empty_values_as_missing():
    rows = [["time", "0", "", "4", "6", ""], ["a", "1", "99", "3", ""], ["b", "5"]]
    xs, ys = external.data_block(rows, "1", "B2", path=Path("f.csv"), where=None, variable="x")
    np.testing.assert_array_equal(xs, [0, 4, 6])
    np.testing.assert_array_equal(ys, [1, 3, np.nan])
    xs, ys = external.data_block(rows, "1", "B3", path=Path("f.csv"), where=None, variable="x")
    np.testing.assert_array_equal(ys, [5, np.nan, np.nan])


def test_data_block_down_a_column():
    rows = [["time", "v"], ["0", "1"], ["", "7"], ["2", ""], ["3", "4"]]
    xs, ys = external.data_block(rows, "A", "B2", path=Path("f.csv"), where=None, variable="x")
    np.testing.assert_array_equal(xs, [0, 2, 3])
    np.testing.assert_array_equal(ys, [1, np.nan, 4])


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_each_definition_keeps_its_own_times(tmp_path, backend):
    """Sheets with different times: every cell interpolates over its own (PySD needs one time axis)."""
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    path = _model(tmp_path, """Obs[Region, farm] := GET DIRECT DATA('a.csv', ',', '1', 'B2')
\t~\tWidget
\t~\t|

Obs[Region, mill] :HOLD BACKWARD: := GET DIRECT DATA('b.csv', ',', 'A', 'B2')
\t~\tWidget
\t~\t|
""", {"a.csv": "time,0,4,10\nnorth,1,5,2\nsouth,0,,6\n",
      "b.csv": "time,north,south\n1,3,7\n2.5,4,\n8,1,9\n"})
    frame = simsys.to_frame(simsys.load_model(path).run(backend=backend))
    t = frame.index.to_numpy(float)
    np.testing.assert_allclose(frame["Obs[north,farm]"], np.interp(t, [0, 4, 10], [1, 5, 2]), rtol=1e-12)
    np.testing.assert_allclose(frame["Obs[south,farm]"], np.interp(t, [0, 10], [0, 6]), rtol=1e-12)
    np.testing.assert_allclose(frame["Obs[north,mill]"], np.select([t < 2.5, t < 8], [3, 4], 1), rtol=1e-12)
    np.testing.assert_allclose(frame["Obs[south,mill]"], np.where(t < 8, 7, 9), rtol=1e-12)


def test_a_definition_over_two_ranges_reads_the_last_subscript_fastest(tmp_path):
    path = _model(tmp_path, """Obs[Region, Sector] := GET DIRECT DATA('a.csv', ',', 'A', 'B2')
\t~\tWidget
\t~\t|
""", {"a.csv": "time,nf,nm,sf,sm\n0,1,2,3,4\n10,1,2,3,4\n"})
    frame = simsys.to_frame(simsys.load_model(path).run())
    got = [frame[f"Obs[{r},{s}]"].iloc[3] for r in ("north", "south") for s in ("farm", "mill")]
    assert got == [1, 2, 3, 4]


def test_an_error_names_the_definition_and_the_cell(tmp_path):
    path = _model(tmp_path, """Obs[Region, farm] := GET DIRECT DATA('a.csv', ',', '1', 'B2')
\t~\tWidget
\t~\t|

Obs[Region, mill] := GET DIRECT DATA('b.csv', ',', '1', 'B2')
\t~\tWidget
\t~\t|
""", {"a.csv": "time,0,4\nnorth,1,5\nsouth,0,2\n", "b.csv": "time,0,4\nnorth,1,5\nsouth,,\n"})
    with pytest.raises(ModelStructureError) as info:
        simsys.load_model(path)
    err = info.value
    assert err.location.line == 12 and err.variable == "Obs[south, mill]"
    assert "b.csv has no values in the series starting at cell B3" in str(err)


def test_times_must_increase(tmp_path):
    path = _model(tmp_path, """Obs[Region] := GET DIRECT DATA('a.csv', ',', '1', 'B2')
\t~\tWidget
\t~\t|
""", {"a.csv": "time,0,5,3\nnorth,1,2,3\nsouth,4,5,6\n"})
    with pytest.raises(ModelStructureError, match=r"times in row 1 must increase; 3 follows 5"):
        simsys.load_model(path)


def test_text_in_a_value_cell_is_not_a_missing_value(tmp_path):
    path = _model(tmp_path, """Obs[Region] := GET DIRECT DATA('a.csv', ',', '1', 'B2')
\t~\tWidget
\t~\t|
""", {"a.csv": "time,0,5\nnorth,1,n/a\nsouth,4,5\n"})
    with pytest.raises(ModelStructureError, match=r"row 2, column 3: expected a number, found 'n/a'"):
        simsys.load_model(path)


def test_a_named_range_needs_named_times(tmp_path):
    """Values from a named range and times from a row number: PySD cannot read it either."""
    shutil.copy(DATA / "named.xlsx", tmp_path)
    path = _model(tmp_path, """Obs[Region] := GET XLS DATA('named.xlsx', 'series', '1', 'data_values')
\t~\tWidget
\t~\t|
""", {})
    with pytest.raises(ModelStructureError, match=r"the named range 'data_values', so the times "
                       r"\(x values\) must be a named range too, not '1'") as info:
        simsys.load_model(path)
    assert info.value.location.line == 8 and info.value.variable == "Obs"
