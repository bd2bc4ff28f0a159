"""Models PySD cannot run agree with SDEverywhere's own run, on numpy and C.

GET DATA BETWEEN TIMES (PySD 3.14.3 does not implement it) and NPV (PySD raises
NotImplementedError) follow SDEverywhere 0.7.28; its C output is cached in
tests/oracle/<stem>.sde.csv (regenerate: python tests/oracle/regenerate_sde.py, needs node,
npm and gcc). Every output, every saved time, rel 1e-9; numpy and C agree to 1e-12.
"""
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
    compare(_frame(name, backend), ref)


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
