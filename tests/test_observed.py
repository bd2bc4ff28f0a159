"""Observed series in scenario files: read as data, named errors, inherited, drawn on the run plot."""
from __future__ import annotations

import logging
import sys
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import xarray as xr

from simsys.errors import ScenarioError
from simsys.scenario import load_scenario, validate_scenario

sys.path.insert(0, str(Path(__file__).parent / "sweep"))
import fakemodel  # noqa: E402

matplotlib.use("Agg")

BASE = """\
[scenario]
name = "base"
model = "fake.mdl"
[observed]
Stock = { file = "data/stock.csv", time = "year", column = "stock_pct", scale = 0.01, label = "Bureau" }
"""
CSV = "year,stock_pct,other\n2001,10,x\n2002,,x\n2003,30,x\n"


@pytest.fixture
def project(tmp_path):
    (tmp_path / "fake.mdl").write_text("fake model\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "stock.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "base.toml").write_text(BASE, encoding="utf-8")
    return tmp_path


def test_a_column_is_read_scaled_skipping_empty_cells(project):
    obs = load_scenario(project / "base.toml").observed["Stock"]
    assert obs.label == "Bureau" and obs.time == (2001.0, 2003.0) and obs.value == (0.1, 0.3)
    assert obs.path == (project / "data" / "stock.csv").resolve()


def test_a_scenario_inherits_observed_series_and_may_replace_one(project):
    (project / "child.toml").write_text('[scenario]\nname = "child"\nextends = "base.toml"\n')
    assert load_scenario(project / "child.toml").observed["Stock"].label == "Bureau"
    (project / "data" / "b.csv").write_text("t,v\n5,1\n")
    (project / "child2.toml").write_text(
        '[scenario]\nname = "c2"\nextends = "base.toml"\n'
        '[observed]\nStock = { file = "data/b.csv", time = "t", column = "v" }\n')
    obs = load_scenario(project / "child2.toml").observed["Stock"]
    assert obs.time == (5.0,) and obs.label == "b.csv: v"


@pytest.mark.parametrize("entry, message", [
    ('"data/stock.csv"', "expected { file"),
    ('{ file = "data/stock.csv", time = "year" }', "missing key(s) column"),
    ('{ file = "data/stock.csv", time = "year", column = "x", colour = "red" }', "unknown key(s) colour"),
    ('{ file = "data/stock.csv", time = "year", column = "stock_pct", scale = "1" }',
     "scale must be a finite number"),
    ('{ file = 3, time = "year", column = "stock_pct" }', "file must be a string"),
])
def test_a_malformed_entry_is_an_error_at_its_line(project, entry, message):
    (project / "base.toml").write_text(BASE.replace(BASE.splitlines()[-1], f"Stock = {entry}"))
    with pytest.raises(ScenarioError) as err:
        load_scenario(project / "base.toml")
    assert message in str(err.value) and "base.toml:5" in str(err.value)
    assert err.value.variable == "Stock"


@pytest.mark.parametrize("entry, csv, message, where", [
    ('{ file = "data/none.csv", time = "year", column = "stock_pct" }', CSV,
     "does not exist", "base.toml:5"),
    ('{ file = "data/stock.csv", time = "year", column = "stock" }', CSV,
     "no column 'stock'; its columns: year, stock_pct, other", "stock.csv:1"),
    ('{ file = "data/stock.csv", time = "year", column = "other" }', CSV,
     "expected numbers in columns 'year' and 'other', found '2001' and 'x'", "stock.csv:2"),
    ('{ file = "data/stock.csv", time = "year", column = "stock_pct" }', "year,stock_pct\n2001,nan\n",
     "expected finite numbers", "stock.csv:2"),
    ('{ file = "data/stock.csv", time = "year", column = "stock_pct" }', "year,stock_pct\n2001,\n",
     "has no value in column", "stock.csv"),
])
def test_a_missing_or_bad_data_file_leaves_the_points_out_with_a_warning(project, caplog, entry, csv,
                                                                         message, where):
    """The points decorate an optional output: the scenario still loads and runs (a reviewer's
    copy may hold only what the model reads), and the warning names the file and line."""
    (project / "data" / "stock.csv").write_text(csv, encoding="utf-8")
    (project / "base.toml").write_text(BASE.replace(BASE.splitlines()[-1], f"Stock = {entry}"))
    with caplog.at_level(logging.WARNING):
        sc = load_scenario(project / "base.toml")
    assert "Stock" not in sc.observed
    assert message in caplog.text and where in caplog.text and "without these observed points" in caplog.text


def test_an_unknown_variable_is_refused_against_the_model(project):
    (project / "base.toml").write_text(BASE.replace("Stock = {", "Stok = {"))
    sc = load_scenario(project / "base.toml")
    with pytest.raises(ScenarioError, match="did you mean 'Stock'") as err:
        validate_scenario(sc, fakemodel.load(project / "fake.mdl"))
    assert "base.toml:5" in str(err.value)


def run_like():
    t = np.arange(2000.0, 2006.0)
    return xr.Dataset({"Stock": ("time", t - 1999.0, {"units": "Widget"}),
                       "Coop": (("time", "Region"), np.ones((t.size, 2)))},
                      coords={"time": t, "Region": ["a", "b"]})


def test_the_plot_draws_the_points_over_a_national_line_with_their_source(project):
    from simsys.plot import trajectories
    obs = load_scenario(project / "base.toml").observed
    fig = trajectories(run_like(), ["Coop", "Stock"], observed=obs)
    panel = fig.axes[1]
    points = [ln for ln in panel.lines if ln.get_marker() == "o"]
    assert len(points) == 1 and list(points[0].get_xdata()) == [2001.0, 2003.0]
    assert list(points[0].get_ydata()) == [0.1, 0.3]
    assert [t.get_text() for t in panel.get_legend().get_texts()] == ["observed: Bureau"]


def test_points_for_a_regional_variable_are_left_out_with_a_warning(project, caplog):
    from simsys.plot import trajectories
    obs = {"Coop": load_scenario(project / "base.toml").observed["Stock"]}
    with caplog.at_level(logging.WARNING):
        ax = trajectories(run_like(), "Coop", observed=obs)
    assert not [ln for ln in ax.lines if ln.get_marker() == "o"]
    assert "one national series" in caplog.text


def test_the_run_plot_gives_an_observed_series_outside_the_headline_a_panel(project, monkeypatch):
    from simsys import export
    drawn = {}
    monkeypatch.setattr(export, "headline_variables", lambda ds: ["Coop"])
    monkeypatch.setattr(export, "_plot", lambda ds, heads, path, *a: (
        drawn.setdefault("heads", heads), Path(path).write_bytes(b"png")))
    obs = load_scenario(project / "base.toml").observed
    export.export_run(run_like(), project / "out", "base", observed=obs)
    assert drawn["heads"] == ["Coop", "Stock"]
