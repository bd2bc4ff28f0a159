"""simsys staggered: a staggered pilot read as a DiD, with the spillover onto neighbours."""
from pathlib import Path

import pytest

from simsys.cli import cli

MODEL = (Path(__file__).resolve().parents[1] / "analysis" / "models" / "pilot_regions.mdl").as_posix()


@pytest.fixture
def pilot(tmp_path):
    (tmp_path / "base.toml").write_text(f'[scenario]\nname = "base"\nmodel = "{MODEL}"\n')
    path = tmp_path / "pilot.toml"
    path.write_text('[scenario]\nextends = "base.toml"\n[levers]\n"Start year" = { a = 2100, b = 2025,'
                    ' c = 2100, d = 2027, e = 2100, f = 2100, g = 2100, h = 2100 }\n')
    return path


def test_prints_each_estimator_beside_the_models_own_effect(runner, pilot):
    res = runner.invoke(cli, ["staggered", str(pilot), "--output", "Output"])
    assert res.exit_code == 0, res.output
    assert "adoption from Start year: 2025: b; 2027: d" in res.output
    assert "pure controls: f, g, h   trend: linear" in res.output
    lines = {ln.split("  ")[0]: ln.split() for ln in res.output.splitlines()}
    direct = lines["did2s + exposure (Butts 2021)"]
    assert direct[-4] == direct[-1] == "5.045"  # the estimate is the model's own effect
    assert lines["spillover, ring 1"][-4] == lines["spillover, ring 1"][-1] == "1.301"
    assert "naive - direct): -0.6094" in res.output


def test_options_reach_the_estimators(runner, pilot):
    res = runner.invoke(cli, ["staggered", str(pilot), "--output", "Output", "--years", "2022:2034",
                              "--rings", "2", "--trend", "none"])
    assert res.exit_code == 0, res.output
    assert "spillover, ring 2" in res.output and "trend: none" in res.output


def test_bad_input(runner, pilot, tmp_path):
    res = runner.invoke(cli, ["staggered", str(pilot), "--output", "Output", "--years", "2022"])
    assert res.exit_code == 2 and "FIRST:LAST" in res.output
    res = runner.invoke(cli, ["staggered", str(pilot), "--output", "Output", "--trend", "cubic"])
    assert res.exit_code == 2
    res = runner.invoke(cli, ["staggered", str(pilot), "--output", "Output", "--rings", "5"])
    assert res.exit_code == 1 and "no pure control" in res.output
    (tmp_path / "flat.toml").write_text('[scenario]\nextends = "base.toml"\n')
    res = runner.invoke(cli, ["staggered", str(tmp_path / "flat.toml"), "--output", "Output"])
    assert res.exit_code == 1 and "no per-region lever of adoption years" in res.output


def test_help(runner):
    res = runner.invoke(cli, ["staggered", "--help"])
    assert res.exit_code == 0 and "--years 2016:2032" in res.output
