""":RAW: data: the listed value at a listed time, NaN between (as PySD), on numpy and C.

The gap of a :RAW: variable is meant and does not stop the scenario; a value computed from
a gap is NaN too and stops it, naming that variable, as any other non-finite value does.
Oracles: the data file itself (closed form) and the non-finite rule's own flags.
"""
from pathlib import Path

import numpy as np
import pytest

import simsys
from simsys.compile.backends import unavailable_notice
from simsys.compile.runtime import RAW_MATCH

SERIES = {0.0: 1.5, 0.3: 2.25, 2.0: 3.25}
BACKENDS = ["numpy", "c"]


def _model(tmp_path: Path, extra: str = "", dt: float = 0.1) -> simsys.Model:
    (tmp_path / "series.csv").write_text(
        "time,value\n" + "".join(f"{t},{v}\n" for t, v in SERIES.items()))
    (tmp_path / "raw.mdl").write_text(f"""{{UTF-8}}
Raw :RAW: := GET DIRECT DATA('series.csv', ',', 'A', 'B2')
\t~\tWidget
\t~\t|

{extra}INITIAL TIME = 0
\t~\tMonth
\t~\t|

FINAL TIME = 3
\t~\tMonth
\t~\t|

TIME STEP = {dt}
\t~\tMonth
\t~\t|

SAVEPER = TIME STEP
\t~\tMonth
\t~\t|
""")
    return simsys.load_model(tmp_path / "raw.mdl")


def _skip(backend):
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))


@pytest.mark.parametrize("backend", BACKENDS)
def test_raw_is_the_listed_value_at_listed_times_and_nan_between(tmp_path, backend):
    _skip(backend)
    ds = _model(tmp_path).run(backend=backend)
    t, raw = ds["time"].values, ds["Raw"].values
    assert int(ds["simsys_status"]) == 0  # the gaps did not stop the run
    # Time accumulates 0.1 three times: 0.30000000000000004, not 0.3; PySD compares exactly
    # and gives NaN there, simsys counts a step within RAW_MATCH of a listed time as reaching it
    assert t[3] != 0.3 and abs(t[3] - 0.3) <= RAW_MATCH
    want = np.full(t.size, np.nan)
    for tl, v in SERIES.items():
        want[np.abs(t - tl) <= RAW_MATCH * max(1.0, tl)] = v
    assert np.count_nonzero(~np.isnan(want)) == len(SERIES)
    np.testing.assert_array_equal(raw, want)


@pytest.mark.parametrize("backend", BACKENDS)
def test_arithmetic_on_a_gap_still_stops_the_scenario(tmp_path, backend):
    _skip(backend)
    extra = "Doubled = Raw * 2\n\t~\tWidget\n\t~\t|\n\n"
    m = _model(tmp_path, extra)
    ds = m.compile(backend).run_batch({}, _n=1).isel(scenario=0)
    assert int(ds["simsys_status"]) == 1
    assert str(ds["simsys_fail_variable"].values) == "Doubled"
    assert float(ds["simsys_fail_time"]) == pytest.approx(0.1)
    with pytest.raises(simsys.errors.SolveError, match="Doubled"):
        m.run(backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_guarded_gap_runs(tmp_path, backend):
    """A model that tests for the gap before using it runs to the end (x = x is false for NaN)."""
    _skip(backend)
    extra = ("Filled = IF THEN ELSE(Raw = Raw, Raw, -1)\n\t~\tWidget\n\t~\t|\n\n"
             "Total = INTEG(Filled, 0)\n\t~\tWidget Month\n\t~\t|\n\n")
    ds = _model(tmp_path, extra, dt=0.5).run(backend=backend)
    np.testing.assert_array_equal(ds["Filled"].values, [1.5, -1, -1, -1, 3.25, -1, -1])
    np.testing.assert_allclose(ds["Total"].values, np.concatenate([[0], np.cumsum(
        [1.5, -1, -1, -1, 3.25, -1]) * 0.5]), rtol=0, atol=1e-12)
