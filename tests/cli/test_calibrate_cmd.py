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
    assert res.exit_code == 0 and "simsys calibrate scenarios/calibration/national_2021.toml" in res.output


def test_a_nan_standard_error_is_explained():
    import math
    from types import SimpleNamespace

    from simsys.analysis.calibrate import explain_se
    res = SimpleNamespace(se={"a": math.nan, "b": math.nan, "c": 0.1},
                          values={"a": 1.0, "b": 0.5, "c": 0.5}, names=("a", "b", "c"),
                          bounds=((0.0, 1.0),) * 3, fits=tuple(range(10)))
    assert "bound" in explain_se(res, "a")
    assert "flat" in explain_se(res, "b")
    assert explain_se(res, "c") == ""
    few = SimpleNamespace(**{**vars(res), "fits": (1, 2)})
    assert explain_se(few, "b") == "2 target points for 3 parameters; add target points"


def test_a_parameter_stopped_at_its_bound_gets_no_standard_error_and_the_reason(runner, tmp_path):
    """The targets come from Growth Rate 0.7; its range is cut at 0.5, so the fit sits on
    the bound, where a Jacobian standard error means nothing."""
    (tmp_path / "base.toml").write_text(f'[scenario]\nname = "base"\nmodel = "{MODEL.as_posix()}"\n')
    run = simsys.load_model(MODEL).run({"Growth Rate": 0.7, "Carrying Capacity": 1500})
    pts = [[t, float(run["Population"].sel(time=t))] for t in (2, 5, 8, 11)]
    cal = tmp_path / "cal.toml"
    cal.write_text('[calibration]\nscenario = "base.toml"\nstarts = 2\n[parameters]\n'
                   '"Growth Rate" = { range = [0.1, 0.5] }\n"Carrying Capacity" = {}\n'
                   f'[[targets]]\nvariable = "Population"\nseries = {pts}\n')
    out = tmp_path / "fitted.toml"
    res = runner.invoke(cli, ["calibrate", str(cal), "--out", str(out)])
    assert res.exit_code == 0, res.output
    row = next(ln for ln in res.output.splitlines() if ln.startswith("Growth Rate"))
    assert row.split()[2:4] == ["0.5", "n/a"]
    assert "Growth Rate: no standard error: the fit stopped at its bound (0.5 in [0.1, 0.5])" \
        in res.output
    assert '"Growth Rate" = 0.5    # no se: the fit stopped at its bound' in out.read_text()
