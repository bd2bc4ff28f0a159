"""simsys compare and the run plot against the parent scenario, on a two-region test model."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import simsys
from simsys.cli import cli

MODEL = Path(__file__).resolve().parents[1] / "models" / "bench_regions.mdl"


@pytest.fixture
def pair(tmp_path):
    """base.toml (hiring time 4) and reform.toml extending it (hiring time 2)."""
    base = tmp_path / "base.toml"
    base.write_text('[scenario]\nname = "base"\n'
                    f'model = "{MODEL.as_posix()}"\n[run]\nfinal_time = 10\n'
                    '[outputs]\nvariables = ["Juniors", "Seniors"]\n')
    reform = tmp_path / "reform.toml"
    reform.write_text('[scenario]\nname = "reform"\nextends = "base.toml"\n'
                      '[levers]\n"hiring time" = 2\n')
    return base, reform


def _final_sum(levers, name):
    model = simsys.load_model(MODEL)
    ds = model.run(levers, final_time=10, return_columns=[name])
    return float(ds[name].isel(time=-1).sum())


def test_compare_against_parent_tabulates_differences_from_independent_runs(runner, pair, tmp_path):
    base, reform = pair
    png = tmp_path / "cmp.png"
    res = runner.invoke(cli, ["compare", str(reform), "--plot", str(png)])
    assert res.exit_code == 0, res.output
    ref, new = _final_sum({}, "Seniors"), _final_sum({"hiring time": 2}, "Seniors")
    assert abs(new / ref - 1) > 0.01  # the lever matters, so the difference is a real check
    line = next(ln for ln in res.output.splitlines() if ln.startswith("Seniors"))
    cells = line.split()
    # Seniors (sum over region) | People | ref | reform | value | difference | change
    assert "sum over region" in line
    assert float(cells[cells.index("People") + 1]) == pytest.approx(ref, rel=1e-3)
    assert cells[-4] == "reform"
    assert float(cells[-3]) == pytest.approx(new, rel=1e-3)
    assert float(cells[-2]) == pytest.approx(new - ref, rel=1e-3)
    assert cells[-1] == f"{(new / ref - 1) * 100:+.1f}%"
    assert "base at 10" in res.output
    assert png.stat().st_size > 10_000


def test_compare_accepts_results_files_and_against(runner, pair, tmp_path):
    base, reform = pair
    out = tmp_path / "out"
    assert runner.invoke(cli, ["run", str(base), "--out", str(out), "--no-plot"]).exit_code == 0
    res = runner.invoke(cli, ["compare", str(reform), "--against", str(out / "base.nc"),
                              "--var", "Juniors", "--plot", "-"])
    assert res.exit_code == 0, res.output
    ref, new = _final_sum({}, "Juniors"), _final_sum({"hiring time": 2}, "Juniors")
    row = next(ln for ln in res.output.splitlines() if ln.startswith("Juniors"))
    assert float(row.split()[-2]) == pytest.approx(new - ref, rel=1e-3)
    assert "Seniors" not in res.output


def test_compare_of_one_file_without_parent_says_what_to_do(runner, pair):
    base, _ = pair
    res = runner.invoke(cli, ["compare", str(base), "--plot", "-"])
    assert res.exit_code == 1
    assert "--against" in res.output and "Traceback" not in res.output


def test_run_plot_draws_the_parent_dashed(pair, tmp_path, monkeypatch):
    import matplotlib
    matplotlib.use("Agg")
    from simsys.compare import parent_run
    from simsys.plot import trajectories
    from simsys.scenario import run_scenario
    base, reform = pair
    parent = parent_run(reform)
    assert parent.label == "base"
    ds = run_scenario(reform)
    fig = trajectories(ds, ["Juniors", "Seniors"], dim="region", reference=parent.data,
                       reference_label=parent.label, label="reform")
    for ax in fig.axes:
        dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
        assert len(dashed) == 2  # one per region
        np.testing.assert_allclose(
            sorted(ln.get_ydata()[-1] for ln in dashed),
            sorted(parent.data[ax.get_title(loc="left")].isel(time=-1).values))
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()] if fig.axes[0].get_legend() \
        else [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert "base (dashed)" in labels and "reform (solid)" in labels


def test_run_of_an_extending_scenario_writes_the_plot_against_its_parent(runner, pair, tmp_path):
    _, reform = pair
    res = runner.invoke(cli, ["run", str(reform), "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r" / "reform.png").stat().st_size > 10_000


def test_run_help_says_what_is_stored_and_all_stores_everything(runner, pair, tmp_path):
    text = runner.invoke(cli, ["run", "--help"]).output
    assert "[outputs]" in text and "--all" in text and "every variable" in text
    base, _ = pair
    assert runner.invoke(cli, ["run", str(base), "--out", str(tmp_path / "a"), "--no-plot"]).exit_code == 0
    assert runner.invoke(cli, ["run", str(base), "--out", str(tmp_path / "b"), "--no-plot",
                               "--all"]).exit_code == 0
    few = xr.open_dataset(tmp_path / "a" / "base.nc")
    every = xr.open_dataset(tmp_path / "b" / "base.nc")
    assert set(few.data_vars) == {"Juniors", "Seniors"}
    model_vars = set(simsys.load_model(MODEL).run(final_time=1).data_vars)
    assert set(every.data_vars) == model_vars


def test_run_of_a_model_file_says_write_a_scenario(runner):
    res = runner.invoke(cli, ["run", str(MODEL)])
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and "write a scenario file" in lines[0] and "base.toml" in lines[0]


def test_results_follow_the_umask(runner, pair, tmp_path):
    base, _ = pair
    old = os.umask(0o022)
    try:
        assert runner.invoke(cli, ["run", str(base), "--out", str(tmp_path / "u"),
                                   "--no-plot"]).exit_code == 0
    finally:
        os.umask(old)
    for f in (tmp_path / "u").iterdir():
        assert f.stat().st_mode & 0o777 == 0o644, f
