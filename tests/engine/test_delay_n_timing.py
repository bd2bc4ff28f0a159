"""DELAY N with a delay time that changes during the run, against PySD's ``DelayN``.

PySD keeps one delay time per stage and rolls them at each step: stage k's outflow reads the
delay time of k steps ago and the output the delay time of the step before. A new delay time
therefore reaches the output one step later than DELAY3's, which applies it to every stage at
once (what Vensim does on Earth4All, issue #14). The oracle file holds PySD's run of
``tests/models/delay_n_changing_time.mdl``; ``test_oracle`` compares every variable, this file
the mechanism itself at the step where the delay time doubles.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsys

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests" / "models" / "delay_n_changing_time.mdl"


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_the_output_reads_the_delay_time_of_the_step_before(backend):
    ds = simsys.load_model(MODEL).run(backend=backend)
    dn = ds["delayed"].values.ravel()
    d3 = ds["as delay three"].values.ravel()
    t = ds["time"].values
    tau = ds["delay time"].values.ravel()
    jump = int(np.flatnonzero(t == 5.0)[0])  # delay time 4 -> 8 at t = 5
    assert tau[jump - 1] == 4.0 and tau[jump] == 8.0
    # up to the jump both cascades held the same material, over the same delay time
    np.testing.assert_array_equal(dn[:jump], d3[:jump])
    # at the jump DELAY3 divides the last stage by the new time, DELAY N by the old one
    assert dn[jump] == pytest.approx(2 * d3[jump], rel=1e-14)
    # and the two part afterwards (DELAY N's stages take the new time one by one)
    assert np.max(np.abs(dn[jump + 1:] - d3[jump + 1:])) > 1.0


def test_matches_pysd_where_the_cascade_of_one_delay_time_does_not():
    """The oracle: PySD to 1e-12 on every saved step; DELAY3's cascade (simsys's DELAY N before
    this change) is off by a factor of two at the jump."""
    ref = pd.read_csv(ROOT / "tests" / "oracle" / "delay_n_changing_time.csv", index_col=0)
    got = simsys.to_frame(simsys.load_model(MODEL).run())
    for col in ("delayed", "delayed five", "lane delayed[fast]", "lane delayed[slow]", "shipped"):
        np.testing.assert_allclose(got[col].to_numpy(), ref[col].to_numpy(), rtol=1e-12, err_msg=col)
    assert np.max(np.abs(ref["delayed"].to_numpy() / ref["as delay three"].to_numpy() - 1)) > 0.9


CONSTANT_DELAY = """{UTF-8}
input = 10 + STEP(10, 2) ~ widgets/Month ~ |
delay time = 3 ~ Month ~ |
delayed = DELAY N(input, delay time, input, 3) ~ widgets/Month ~ |
as delay three = DELAY3(input, delay time) ~ widgets/Month ~ |
FINAL TIME = 12 ~ Month ~ |
INITIAL TIME = 0 ~ Month ~ |
SAVEPER = 1 ~ Month ~ |
TIME STEP = 0.25 ~ Month ~ |
"""


def test_the_adaptive_method_runs_a_constant_delay_and_refuses_a_changing_one(tmp_path):
    """A constant delay time keeps every stage's time at its initial value, so the adaptive
    method integrates DELAY N as the cascade it is (DELAY3's, to the bit); a delay time that
    changes needs the per-step roll, which has no adaptive counterpart: refused, naming it."""
    path = tmp_path / "constant_delay.mdl"
    path.write_text(CONSTANT_DELAY)
    ds = simsys.load_model(path).run(method="adaptive")
    np.testing.assert_array_equal(ds["delayed"].values, ds["as delay three"].values)
    # closed form of a third-order delay's step response; STEP switches at t + dt/2 > 2
    x = 3 * (12 - (2 - 0.25 / 2)) / 3
    assert ds["delayed"].values.ravel()[-1] == pytest.approx(20 - 10 * np.exp(-x) * (1 + x + x * x / 2), rel=1e-6)
    with pytest.raises(simsys.SimsysError, match="'delayed' has one"):
        simsys.load_model(MODEL).run(method="adaptive")
