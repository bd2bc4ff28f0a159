"""simsys calibrate: fit levers to targets and write a fitted scenario."""
from pathlib import Path

import pytest

import simsys
from simsys.cli import cli

MODEL = Path(__file__).resolve().parents[1] / "analysis" / "models" / "logistic.mdl"


@pytest.fixture
def calibration(tmp_path):
    (tmp_path / "base.toml").write_text(f'[scenario]\nname = "base"\nmodel = "{MODEL.as_posix()}"\n')
    run = simsys.load_model(MODEL).run({"Growth Rate": 0.7, "Carrying Capacity": 1500})
    pts = [[t, float(run["Population"].sel(time=t))] for t in (2, 5, 8, 11)]
    path = tmp_path / "cal.toml"
    path.write_text('[calibration]\nscenario = "base.toml"\nstarts = 2\n[parameters]\n'
                    '"Growth Rate" = {}\n"Carrying Capacity" = {}\n'
                    f'[[targets]]\nvariable = "Population"\nseries = {pts}\n')
    return path


def test_calibrate_prints_and_writes_a_scenario(runner, calibration, tmp_path):
    out = tmp_path / "scenarios" / "fitted.toml"
    res = runner.invoke(cli, ["calibrate", str(calibration), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Growth Rate" in res.output and "0.7" in res.output and "converged" in res.output
    text = out.read_text()
    assert 'extends = "../base.toml"' in text
    from simsys.scenario import load_scenario
    sc = load_scenario(out)
    assert sc.levers["Growth Rate"] == pytest.approx(0.7, rel=1e-6)
    assert sc.levers["Carrying Capacity"] == pytest.approx(1500, rel=1e-6)


def test_bad_file_is_one_line_with_location(runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[calibration]\nscenario = "missing.toml"\n')
    res = runner.invoke(cli, ["calibrate", str(bad)])
    assert res.exit_code == 1 and "bad.toml:2" in res.output and "does not exist" in res.output


def test_help(runner):
    res = runner.invoke(cli, ["calibrate", "--help"])
    assert res.exit_code == 0 and "simsys calibrate scenarios/calibration.toml" in res.output


def test_a_nan_standard_error_is_explained():
    import math
    from types import SimpleNamespace

    from simsys.cli.analysis import _se_note
    res = SimpleNamespace(se={"a": math.nan, "b": math.nan, "c": 0.1},
                          values={"a": 1.0, "b": 0.5, "c": 0.5}, names=("a", "b", "c"),
                          fits=tuple(range(10)))
    assert "bound" in _se_note(res, "a", 0.0, 1.0)
    assert "flat" in _se_note(res, "b", 0.0, 1.0)
    assert _se_note(res, "c", 0.0, 1.0) == ""
    few = SimpleNamespace(**{**vars(res), "fits": (1, 2)})
    assert "add target points" in _se_note(few, "b", 0.0, 1.0)
