"""simsys resilience: recovery of an output after a shock, against the baseline."""
from pathlib import Path

import pytest

from simsys.cli import cli

MODEL = (Path(__file__).resolve().parents[1] / "analysis" / "models" / "regions.mdl").as_posix()


@pytest.fixture
def shock(tmp_path):
    (tmp_path / "base.toml").write_text(f'[scenario]\nname = "base"\nmodel = "{MODEL}"\n')
    path = tmp_path / "shock.toml"
    path.write_text('[scenario]\nextends = "base.toml"\n[levers]\n"shock depth" = 0.5\n')
    return path


def test_recovery_table(runner, shock):
    res = runner.invoke(cli, ["resilience", str(shock), "--output", "Activity", "--shock-time",
                              "2030"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split() == ["cell", "depth", "resistance", "time_of_minimum",
                                "recovery_time", "half_life"]
    hub = lines[2].split()
    assert hub[0] == "hub" and hub[4] == "6" and hub[5] == "3"


def test_shock_after_the_run_is_one_line(runner, shock):
    res = runner.invoke(cli, ["resilience", str(shock), "--output", "Activity", "--shock-time",
                              "2100"])
    assert res.exit_code == 1 and "after the last time" in res.output


def test_help(runner):
    res = runner.invoke(cli, ["resilience", "--help"])
    assert res.exit_code == 0 and "--shock-time 2030" in res.output
