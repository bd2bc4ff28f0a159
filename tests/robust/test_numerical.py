"""Exploding and stiff scenarios inside a large batch are flagged one by one; the rest are unharmed.

The model (tests/bad_inputs/models/exploding.mdl) has three ways to fail: a growth rate
large enough to overflow to infinity, a decay rate that makes Euler unstable (stiff), and a
pole ``1 / (Pole time - Time)`` that divides by zero when Time reaches ``Pole time``.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import simsys
from simsys.sweep.run import run_sweep

MODEL = Path(__file__).resolve().parents[1] / "bad_inputs" / "models" / "exploding.mdl"
N = 1000
DT, T1 = 0.25, 50.0


@pytest.fixture(scope="module")
def compiled():
    return simsys.load_model(MODEL).compile()


def _design(rng):
    """Lever values per scenario, and which kind of failure each should have (or none)."""
    growth = rng.uniform(0.0, 0.1, N)
    decay = rng.uniform(0.0, 1.0, N)
    pole = rng.uniform(60.0, 100.0, N)
    kind = np.full(N, "", dtype=object)
    idx = rng.permutation(N)
    boom, stiff, div = idx[:40], idx[40:70], idx[70:110]
    growth[boom] = rng.uniform(500.0, 1000.0, boom.size)
    kind[boom] = "overflow"
    decay[stiff] = rng.uniform(900.0, 1000.0, stiff.size)
    kind[stiff] = "stiff"
    pole[div] = rng.integers(4, 180, div.size) * DT  # on the step grid, inside the run
    kind[div] = "pole"
    return {"Growth rate": growth, "Decay rate": decay, "Pole time": pole}, kind


def _check_flags(ds: xr.Dataset, params, kind) -> None:
    status = np.asarray(ds["simsys_status"].values)
    when = np.asarray(ds["simsys_fail_time"].values, dtype=float)
    var = np.asarray(ds["simsys_fail_variable"].values).astype(object)
    bad = kind != ""
    assert (status[bad] == 1).all() and (status[~bad] == 0).all()
    assert np.isnan(when[~bad]).all() and all(v == "" for v in var[~bad])
    assert np.isfinite(when[bad]).all() and (when[bad] >= 0).all() and (when[bad] <= T1).all()
    for i in np.flatnonzero(kind == "overflow"):
        assert "Stock" in var[i] and "Damped" not in var[i], var[i]
    for i in np.flatnonzero(kind == "stiff"):
        assert "Damped" in var[i], var[i]
    for i in np.flatnonzero(kind == "pole"):
        assert "Ratio" in var[i] or "ratio" in var[i], var[i]
        # flagged at the pole (when saved there), else the step after (when the stock takes it)
        assert params["Pole time"][i] <= when[i] <= params["Pole time"][i] + DT, (
            params["Pole time"][i], when[i])


def test_batch_flags_each_failed_scenario_and_keeps_the_rest(compiled):
    rng = np.random.default_rng(7)
    params, kind = _design(rng)
    ds = compiled.run_batch(params)
    _check_flags(ds, params, kind)
    bad = kind != ""
    total = ds["Total"].values  # (scenario, time)
    assert np.isfinite(total[~bad]).all(), "healthy scenarios stay finite"
    t = ds["time"].values
    when = ds["simsys_fail_time"].values
    for i in np.flatnonzero(bad):
        before = t < when[i] - 1e-9
        assert np.isfinite(total[i, before]).all(), "values before the failure are kept"
        assert np.isnan(total[i, t > when[i] + 1e-9]).all(), "no values after the failure"

    # the healthy ones, run without the failing ones, and some of them alone: identical
    ok = np.flatnonzero(~bad)
    alone = compiled.run_batch({k: v[ok] for k, v in params.items()})
    for name in ("Total", "Stock", "Damped", "Accumulated ratio", "Ratio"):
        assert np.array_equal(ds[name].values[ok], alone[name].values), name
    for i in rng.choice(ok, 15, replace=False):
        one = compiled.run({k: float(v[i]) for k, v in params.items()})
        for name in ("Total", "Stock", "Damped", "Accumulated ratio"):
            assert np.array_equal(ds[name].values[i], one[name].values), (i, name)


def test_adaptive_and_rk4_flag_instead_of_raising(compiled):
    rng = np.random.default_rng(11)
    params, kind = _design(rng)
    sub = np.r_[np.flatnonzero(kind == "overflow")[:5], np.flatnonzero(kind == "")[:20],
                np.flatnonzero(kind == "stiff")[:5]]
    p = {k: v[sub] for k, v in params.items()}
    for method in ("rk4", "adaptive"):
        ds = compiled.run_batch(p, method=method)
        status = np.asarray(ds["simsys_status"].values)
        assert (status[:5] == 1).all(), method
        assert (status[5:25] == 0).all() and np.isfinite(ds["Total"].values[5:25]).all(), method


def test_single_run_raises_a_located_solve_error(compiled):
    with pytest.raises(simsys.SolveError) as info:
        compiled.run({"Pole time": 10.0})
    err = info.value
    assert "Ratio" in str(err) and "exploding.mdl" in str(err) and "10" in str(err)
    assert err.partial is not None and np.isfinite(err.partial["Total"].sel(time=9).item())


SWEEP = """\
[sweep]
scenario = "base.toml"
sampler = "montecarlo"
n = 1000
seed = 4
chunk_size = 125
[parameters]
"growth rate" = { levels = [0.01, 0.05, 800] }
"pole time" = { levels = [10, 75, 90, 95] }
"decay rate" = { range = [0.0, 1.0] }
[outputs]
summaries = ["final", "max"]
"""


@pytest.mark.slow
def test_sweep_store_records_failures_per_scenario(tmp_path, compiled):
    (tmp_path / "models").mkdir()
    shutil.copy(MODEL, tmp_path / "models" / MODEL.name)
    (tmp_path / "base.toml").write_text(
        '[scenario]\nname = "base"\nmodel = "models/exploding.mdl"\n')
    (tmp_path / "sweep.toml").write_text(SWEEP)
    report = run_sweep(tmp_path / "sweep.toml", tmp_path / "s.zarr")
    with xr.open_zarr(tmp_path / "s.zarr", consolidated=False) as ds:
        ds = ds.load()
    design = ds["design"].to_pandas()
    growth, pole = design["growth rate"].values, design["pole time"].values
    expect = (growth == 800) | (pole == 10)
    status = ds["simsys_status"].values
    assert expect.sum() > 100 and (~expect).sum() > 100
    assert np.array_equal(status == 1, expect)
    assert report.n_failed == int(expect.sum())
    var = ds["simsys_fail_variable"].values.astype(object)
    when = ds["simsys_fail_time"].values
    assert all("Stock" in v for v in var[(growth == 800) & (pole != 10)])  # the pole comes first
    assert all(v in ("Ratio", "rate of change of Accumulated ratio") or "Ratio" in v
               for v in var[(pole == 10) & (growth != 800)])
    assert np.isclose(when[(pole == 10) & (growth != 800)], 10).all()
    assert np.isnan(when[~expect]).all() and all(v == "" for v in var[~expect])
    final = ds["Total:final"].values
    assert np.isfinite(final[~expect]).all() and np.isnan(final[expect]).all()
    # the healthy scenarios equal a plain batch of them alone
    ok = np.flatnonzero(~expect)
    alone = compiled.run_batch({"Growth rate": growth[ok], "Pole time": pole[ok],
                                "Decay rate": design["decay rate"].values[ok]})
    assert np.array_equal(ds["Total"].values[ok], alone["Total"].values)
    assert np.array_equal(final[ok], alone["Total"].values[:, -1])
