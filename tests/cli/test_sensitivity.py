"""simsys sensitivity: Sobol and Morris indices from a sweep store."""
import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import simsys
from simsys.analysis.sensitivity import sample_design
from simsys.cli import cli

MODEL = Path(__file__).resolve().parents[1] / "analysis" / "models" / "regions.mdl"


def make_store(path, method, n):
    """A store shaped like simsys sweep's: a design variable and attr, outputs per scenario."""
    names = ["Reform[east]", "reform effect"]
    X, design = sample_design(method, names, [[0.0, 1.0], [0.0, 0.05]], n, seed=3)
    model = simsys.load_model(MODEL)
    ds = model.run_batch({names[0]: X[:, 0], names[1]: X[:, 1]}, saveper=1.0,
                         return_columns=["Output", "Activity"])
    ds = ds.drop_vars(["simsys_fail_variable"])
    ds["design"] = xr.DataArray(X, dims=("scenario", "parameter"),
                                coords={"parameter": names},
                                attrs={"design": json.dumps(design)})
    ds.attrs = {"design": json.dumps(design)}
    ds.to_zarr(path, mode="w", consolidated=False)
    return path


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    d = tmp_path_factory.mktemp("stores")
    return {"saltelli": make_store(d / "sobol.zarr", "saltelli", 64),
            "morris": make_store(d / "morris.zarr", "morris", 10),
            "latin": make_store(d / "latin.zarr", "latin", 20)}


def test_sobol_ranks_the_lever_that_matters(runner, stores, tmp_path):
    png = tmp_path / "sobol.png"
    res = runner.invoke(cli, ["sensitivity", str(stores["saltelli"]), "--output", "Output[east]",
                              "--time", "2040", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split() == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    # east's output depends on both its reform and the reform's effect; the table is sorted by ST
    assert {lines[2].split()[0], lines[3].split()[0]} == {"Reform[east]", "reform"}
    assert png.stat().st_size > 1000


def test_other_regions_do_not_respond(runner, stores):
    res = runner.invoke(cli, ["sensitivity", str(stores["saltelli"]), "--output", "Output[hub]"])
    # hub's output is constant across the sweep: SALib yields nan indices, not an error
    assert res.exit_code == 0, res.output


def test_morris(runner, stores):
    res = runner.invoke(cli, ["sensitivity", str(stores["morris"]), "--output", "Output[east]",
                              "--method", "morris"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].split() == ["parameter", "mu_star", "mu_star_conf",
                                                  "sigma", "mu"]


@pytest.mark.parametrize("store, args, needle", [
    ("latin", ["--output", "Output[east]"], "sampled with 'latin'"),
    ("saltelli", ["--output", "Output[east]", "--method", "morris"], 'sampler = "morris"'),
    ("saltelli", ["--output", "Outptu"], "no variable 'Outptu'"),
    ("saltelli", ["--output", "Output"], "pick a cell"),
    ("saltelli", ["--output", "Output[east]", "--time", "2021.5"], "not saved"),
])
def test_refusals_are_one_clear_line(runner, stores, store, args, needle):
    res = runner.invoke(cli, ["sensitivity", str(stores[store])] + args)
    assert res.exit_code == 1
    assert needle in res.output and res.output.count("\n") == 1


def test_help_teaches_by_example(runner):
    res = runner.invoke(cli, ["sensitivity", "--help"])
    assert res.exit_code == 0 and "simsys sensitivity runs/levers.zarr" in res.output
