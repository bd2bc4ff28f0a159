"""simsys plot: figures from a run's NetCDF file or a sweep's Zarr store."""
from pathlib import Path

import numpy as np
import pytest

import simsys
from simsys.cli import cli

MODEL = Path(__file__).resolve().parents[1] / "analysis" / "models" / "regions.mdl"


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    d = tmp_path_factory.mktemp("plots")
    model = simsys.load_model(MODEL)
    run = model.run(saveper=1.0, return_columns=["Output", "Activity"])
    run.to_netcdf(d / "run.nc")
    sweep = model.run_batch({"reform effect": np.linspace(0, 0.05, 8)}, saveper=1.0,
                            return_columns=["Output", "Activity"])
    sweep.drop_vars("simsys_fail_variable").to_zarr(d / "sweep.zarr", consolidated=False)
    return d


@pytest.mark.parametrize("src, kind, var, extra", [
    ("run.nc", "trajectories", "Output", []),
    ("run.nc", "heatmap", "Output", []),
    ("run.nc", "coupling", "Activity", []),
    ("sweep.zarr", "fan", "Output", ["--region", "hub"]),
    ("sweep.zarr", "trajectories", "Output", ["--scenario", "3"]),
])
def test_each_kind_writes_a_figure(runner, results, tmp_path, src, kind, var, extra):
    out = tmp_path / f"{kind}.png"
    res = runner.invoke(cli, ["plot", str(results / src), "--kind", kind, "--var", var,
                              "--out", str(out)] + extra)
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 1000 and f"plot: {out}" in res.output


def test_sweep_needs_a_scenario_for_one_run_plots(runner, results, tmp_path):
    res = runner.invoke(cli, ["plot", str(results / "sweep.zarr"), "--kind", "heatmap", "--var",
                              "Output", "--out", str(tmp_path / "x.png")])
    assert res.exit_code == 1 and "--scenario N" in res.output


def test_unknown_variable_suggests(runner, results, tmp_path):
    res = runner.invoke(cli, ["plot", str(results / "run.nc"), "--var", "Outptu", "--out",
                              str(tmp_path / "x.png")])
    assert res.exit_code == 1 and "did you mean 'Output'" in res.output


def test_help(runner):
    res = runner.invoke(cli, ["plot", "--help"])
    assert res.exit_code == 0 and "--kind fan" in res.output
