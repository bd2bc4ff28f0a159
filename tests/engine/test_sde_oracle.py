"""Models PySD cannot run agree with SDEverywhere's own run, on numpy and C.

GET DATA BETWEEN TIMES (PySD 3.14.3 does not implement it) and NPV (PySD raises
NotImplementedError) follow SDEverywhere 0.7.28; its C output is cached in
tests/oracle/<stem>.sde.csv (regenerate: python tests/oracle/regenerate_sde.py, needs node,
npm and gcc). Every output, every saved time, rel 1e-9; numpy and C agree to 1e-12.
"""
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsys
from simsys.compile.backends import unavailable_notice
from simsys.compile.runtime import _between

from corpus_status import SDE_ORACLE
from test_oracle import compare

HERE = Path(__file__).resolve().parents[1]
MODELS = HERE / "models"
ORACLE = HERE / "oracle"
CASES = sorted(SDE_ORACLE)


def _frame(name, backend):
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    ds = simsys.load_model(MODELS / name).run(backend=backend)
    assert ds.attrs["backend"] == backend
    return simsys.to_frame(ds)


@pytest.mark.parametrize("backend", ["numpy", "c"])
@pytest.mark.parametrize("name", CASES)
def test_matches_sdeverywhere(name, backend):
    ref = pd.read_csv(ORACLE / f"{Path(name).stem}.sde.csv", index_col=0)
    # the oracle holds every variable that calls the function under test, so none is unchecked
    calls = _callers(MODELS / name)
    assert calls and calls <= set(ref.columns), calls - set(ref.columns)
    compare(_frame(name, backend), ref)


def _callers(path) -> set:
    """Names of the model's variables whose equation calls NPV or GET DATA BETWEEN TIMES."""
    text = path.read_text(encoding="utf-8").split("\\\\\\---///")[0]
    out = set()
    for block in text.split("|"):
        lhs, eq, rhs = block.partition("=")
        if eq and re.search(r"\b(NPV|GET DATA BETWEEN TIMES)\s*\(", rhs.split("~")[0]):
            out.add(" ".join(lhs.replace("{UTF-8}", "").split()))
    return out


@pytest.mark.parametrize("name", CASES)
def test_numpy_and_c_agree(name):
    a, c = _frame(name, "numpy"), _frame(name, "c")
    assert list(a.columns) == list(c.columns)
    np.testing.assert_allclose(a.to_numpy(float), c.to_numpy(float), rtol=0, atol=1e-12)


XS = np.array([0.0, 2.0, 3.5, 7.0, 9.0])
YS = np.array([1.5, 3.25, 2.75, 6.5, 4.25])


@pytest.mark.parametrize("mode,x,want", [
    # forward: the first point at or after floor(x), else the last
    ("between_forward", [-3.0, 0.0, 0.5, 2.0, 2.9, 3.5, 3.9, 4.0, 9.0, 9.5, 12.0],
     [1.5, 1.5, 1.5, 3.25, 3.25, 2.75, 2.75, 6.5, 4.25, 4.25, 4.25]),
    # backward: the point before the first point from the second on at or after floor(x),
    # else the next-to-last (a point's own time reads the point before it)
    ("between_backward", [-3.0, 0.0, 2.0, 2.5, 3.0, 3.5, 4.0, 7.0, 8.0, 9.0, 12.0],
     [1.5, 1.5, 1.5, 1.5, 3.25, 3.25, 2.75, 2.75, 6.5, 6.5, 6.5]),
    # interpolate: the first segment extended before the data, the last value after it
    ("between_interpolate", [-2.0, 0.0, 1.0, 2.0, 5.25, 9.0, 12.0],
     [1.5 - 1.75, 1.5, 2.375, 3.25, 2.75 + 3.75 / 3.5 * 1.75, 4.25, 4.25]),
])
def test_between_reads_as_sdeverywhere(mode, x, want):
    np.testing.assert_allclose(_between(np.array(x), XS, YS, mode), want, rtol=1e-15)


@pytest.mark.parametrize("mode", ["between_forward", "between_backward", "between_interpolate"])
def test_between_one_point(mode):
    assert _between(5.0, np.array([2.0]), np.array([7.0]), mode) == 7.0


# -- subscripted calls (SDEverywhere generates neither subscripted NPV nor checks these) -------
BACKENDS = ["numpy", "c"]


def _model(tmp_path, body, dt=0.25):
    rows = ["time,a,b"] + [f"{t},{a},{b}" for t, a, b in zip(XS, YS, 10 * YS[::-1])]
    (tmp_path / "series.csv").write_text("\n".join(rows) + "\n")
    text = "{UTF-8}\nR : a, b\n\t~\t~\t|\n\n" + body + "".join(
        f"{k} = {v}\n\t~\tMonth\n\t~\t|\n\n" for k, v in
        (("INITIAL TIME", 0), ("FINAL TIME", 10), ("TIME STEP", dt), ("SAVEPER", "TIME STEP")))
    (tmp_path / "m.mdl").write_text(text)
    return simsys.load_model(tmp_path / "m.mdl")


def _eq(name, rhs, dims=""):
    return f"{name}{dims} = {rhs}\n\t~\tWidget\n\t~\t|\n\n"


@pytest.mark.parametrize("backend", BACKENDS)
def test_npv_per_cell_is_the_euler_recurrence(tmp_path, backend):
    """Each cell has its own stocks: df' = -df r / (1 + r dt) from 1, ncum' = stream df from
    the initial value, NPV = (ncum + stream dt df) factor, stepped by Euler by hand."""
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    body = (_eq("Stream", "100 + 5 * Time * (1 + Rate[R] * 10)", "[R]")
            + _eq("Rate", "0.08, 0.02", "[R]")
            + _eq("Value", "NPV(Stream[R] * 2, Rate[R] + 0.01, 10 - Rate[R] * 100, 0.75)", "[R]"))
    ds = _model(tmp_path, body).run(backend=backend)
    t = ds["time"].values
    dt = 0.25
    for i, rate in enumerate((0.08, 0.02)):
        r = rate + 0.01
        stream = 2 * (100 + 5 * t * (1 + rate * 10))
        df, ncum, want = 1.0, 10 - rate * 100, []
        for k in range(t.size):
            want.append((ncum + stream[k] * dt * df) * 0.75)
            df, ncum = df + dt * (-df * r / (1 + r * dt)), ncum + dt * stream[k] * df
        np.testing.assert_allclose(ds["Value"].values[:, i], want, rtol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_between_per_subscript_element(tmp_path, backend):
    """Each element reads its own series; the mode comes from a subscripted variable."""
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    body = ("Seen[R] := GET DIRECT DATA('series.csv', ',', 'A', 'B2')\n\t~\tWidget\n\t~\t|\n\n"
            + _eq("Mode", "1, -1", "[R]")
            + _eq("Read", "GET DATA BETWEEN TIMES(Seen[R], Time - 1.5, Mode[R])", "[R]")
            + _eq("Line", "GET DATA BETWEEN TIMES(Seen[R], Time * 1.1, 0)", "[R]"))
    ds = _model(tmp_path, body).run(backend=backend)
    t = ds["time"].values
    for i, (ys, mode) in enumerate(((YS, "between_forward"), (10 * YS[::-1], "between_backward"))):
        np.testing.assert_array_equal(ds["Read"].values[:, i], _between(t - 1.5, XS, ys, mode))
        np.testing.assert_allclose(ds["Line"].values[:, i],
                                   _between(t * 1.1, XS, ys, "between_interpolate"), rtol=1e-15)
