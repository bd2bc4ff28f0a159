"""simsys did: a reform in some regions, evaluated by difference-in-differences."""
from pathlib import Path

import pytest

from simsys.cli import cli

MODEL = (Path(__file__).resolve().parents[1] / "analysis" / "models" / "regions.mdl").as_posix()


@pytest.fixture
def reform(tmp_path):
    (tmp_path / "base.toml").write_text(f'[scenario]\nname = "base"\nmodel = "{MODEL}"\n')
    path = tmp_path / "reform.toml"
    path.write_text('[scenario]\nextends = "base.toml"\n[levers]\nReform = 1\n')
    return path


def test_did_prints_estimates_and_plots(runner, reform, tmp_path):
    png = tmp_path / "event.png"
    res = runner.invoke(cli, ["did", str(reform), "--treated", "east,west", "--from", "2028",
                              "--output", "Output", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert "treated: east, west   control: hub, north, south" in res.output
    assert "2x2 DiD" in res.output and "TWFE" in res.output and "event study" in res.output
    assert "unreliable" in res.output  # five regions: few clusters
    assert png.stat().st_size > 1000


def test_did_refuses_unknown_region(runner, reform):
    res = runner.invoke(cli, ["did", str(reform), "--treated", "mars", "--from", "2028",
                              "--output", "Output"])
    assert res.exit_code == 1 and "'mars' is not an element of Region" in res.output


def test_did_empty_treated_is_a_usage_error(runner, reform):
    res = runner.invoke(cli, ["did", str(reform), "--treated", ",", "--from", "2028",
                              "--output", "Output"])
    assert res.exit_code == 2


def test_help(runner):
    res = runner.invoke(cli, ["did", "--help"])
    assert res.exit_code == 0 and "--treated Zhejiang,Anhui,Sichuan --from 2025" in res.output
