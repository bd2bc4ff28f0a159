"""Smoke tests for the benchmark helpers that need no npm (no timing assertions).

The region-scaling generator must give a model simsys loads and that agrees with PySD; the
shared scenario design must be a seeded Latin hypercube inside the levers' bounds; the levers and
outputs the benchmark sends to every engine must exist in the shipped model.
"""
from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_peers  # noqa: E402
from region_model import HIRING_TIME, region_model, write_region_model  # noqa: E402

import simsys  # noqa: E402

STOCKS = ["Juniors", "Seniors", "Retirees"]


@pytest.fixture(scope="module")
def six(tmp_path_factory):
    return write_region_model(tmp_path_factory.mktemp("regions"), 6, final_time=25)


def test_region_model_has_the_requested_regions(tmp_path):
    for n in (1, 31):
        m = simsys.load_model(write_region_model(tmp_path, n, final_time=2))
        assert m.ranges["region"] == tuple(f"r{i + 1}" for i in range(n))


def test_region_model_refuses_zero_regions():
    with pytest.raises(ValueError, match="at least 1 region"):
        region_model(0)


def test_region_model_agrees_with_pysd(six):
    import pysd  # a core dependency: the oracle must be there
    warnings.filterwarnings("ignore")
    hire = 2.5
    ds = simsys.compile_model(simsys.load_model(six), "numpy").run({HIRING_TIME[0]: hire},
                                                                  return_columns=STOCKS + ["total workforce"])
    ref = pysd.read_vensim(str(six)).run(params={HIRING_TIME[0]: hire})
    regions = [f"r{i + 1}" for i in range(6)]
    for stock in STOCKS:
        ours = ds[stock].sel(region=regions).values  # [time, region]
        theirs = ref[[f"{stock}[{r}]" for r in regions]].to_numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ds["total workforce"].values, ref["total workforce"].to_numpy(), rtol=1e-9)
    # the regions differ (the generator spreads the constants), so the check covers them all
    assert len({round(float(v), 6) for v in ds["Juniors"].isel(time=-1).values}) > 1


def test_scenarios_are_a_seeded_latin_hypercube_within_bounds():
    n = 50
    a, b = bench_peers.scenarios(n, seed=3), bench_peers.scenarios(n, seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, bench_peers.scenarios(n, seed=4))
    for j, (_, lo, hi) in enumerate(bench_peers.LEVERS):
        bins = np.floor((a[:, j] - lo) / (hi - lo) * n).astype(int)
        assert sorted(bins) == list(range(n))  # one value in each of n equal strata


def test_levers_and_outputs_exist_in_the_talent_model():
    m = simsys.load_model(bench_peers.TALENT)
    for name in [n for n, _, _ in bench_peers.LEVERS] + bench_peers.OUTPUTS:
        assert m.element(name).name == name  # KeyError if missing


def test_rel_diff():
    a = np.array([[1.0, 0.0, -2.0]])
    assert bench_peers.rel_diff(a, a) == 0.0
    assert bench_peers.rel_diff(a, np.array([[1.0, 0.0, -2.0 * (1 + 1e-10)]])) == pytest.approx(1e-10, rel=1e-3)


def test_sde_gets_a_copy_of_the_shipped_model_with_rectangular_csvs(tmp_path):
    """SDEverywhere refuses ragged CSV rows; the benchmark pads a copy, never the model's folder."""
    import csv

    from peers import sde
    original = (ROOT / "models" / "data" / "calibration.csv").read_bytes()
    staged = sde.stage(ROOT / "models" / "talent_ecosystem.mdl", tmp_path / "m")
    text = (ROOT / "models" / "talent_ecosystem.mdl").read_text(encoding="utf-8")
    assert staged.read_text(encoding="utf-8") == sde.hoist_initial(text) != text
    rows = list(csv.reader((staged.parent / "data" / "calibration.csv").open(encoding="utf-8")))
    assert len({len(r) for r in rows}) == 1
    before = list(csv.reader(original.decode("utf-8").splitlines()))
    assert [r[:len(b)] for r, b in zip(rows, before)] == before  # only empty cells added
    assert (ROOT / "models" / "data" / "calibration.csv").read_bytes() == original
    # the staged copy is the same model to simsys (GET DIRECT reads the same cells; the hoisted
    # INITIAL gives the same bits), with the blockade on so Basic depth reaches the outputs
    cols = ["Total vitality", "Basic depth", "Blockade loss"]
    kw = dict(params={"Technology blockade": 0.5}, return_columns=cols, final_time=2012)
    a = simsys.load_model(staged).run(**kw)
    b = simsys.load_model(ROOT / "models" / "talent_ecosystem.mdl").run(**kw)
    for c in cols:
        np.testing.assert_array_equal(a[c].values, b[c].values)


def test_hoist_initial_moves_only_an_initial_inside_an_expression():
    from peers import sde
    text = ("a[r] = b[r] / INITIAL(SUM(b[r!]) / 2) + 1\n\t~\t\n\t~\t\n\t|\n"
            "c = INITIAL(d)\n\t~\t\n\t~\t\n\t|\n")
    out = sde.hoist_initial(text)
    assert "a[r] = b[r] / SDE initial 1 + 1" in out
    assert "SDE initial 1 = INITIAL(SUM(b[r!]) / 2)" in out and "c = INITIAL(d)" in out
    with pytest.raises(sde.PeerError, match="free subscripts"):
        sde.hoist_initial("a[r] = 1 + INITIAL(b[r])\n\t~\t\n\t~\t\n\t|\n")
