"""simsys loops: the feedback loops of a model with their polarity."""
from pathlib import Path

from simsys.cli import cli

MODELS = Path(__file__).resolve().parents[1] / "analysis" / "models"


def test_population_loops(runner):
    res = runner.invoke(cli, ["loops", str(MODELS / "population.mdl")])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].split()[:2] == ["R1", "R"]
    assert "Population -(+)-> Births -(+)-> Population" in lines[0]
    assert "Population -(+)-> Deaths -(-)-> Population" in lines[1]
    assert lines[-1] == "2 loops: 1 reinforcing, 1 balancing, 0 undetermined"


def test_teacup(runner):
    res = runner.invoke(cli, ["loops", str(MODELS / "teacup.mdl")])
    assert res.exit_code == 0 and res.output.splitlines()[-1].startswith("1 loop: 0 reinforcing, 1 balancing")


def test_missing_model_is_one_line(runner, tmp_path):
    res = runner.invoke(cli, ["loops", str(tmp_path / "nope.mdl")])
    assert res.exit_code == 1 and "does not exist" in res.output


def test_help(runner):
    res = runner.invoke(cli, ["loops", "--help"])
    assert res.exit_code == 0 and "simsys loops models/talent_ecosystem.mdl" in res.output
