"""simsys levers: a table of levers with range, units and meaning."""
from pathlib import Path

from simsys.cli import cli

MODELS = Path(__file__).resolve().parents[1] / "models"


def test_levers_table(runner):
    res = runner.invoke(cli, ["levers", str(MODELS / "levers.mdl")])
    assert res.exit_code == 0, res.output
    assert "Birth Rate" in res.output and "[0, 0.2, 0.01]" in res.output and "1/Year" in res.output
    assert "3 levers" in res.output


def test_levers_group_filter(runner):
    res = runner.invoke(cli, ["levers", str(MODELS / "levers.mdl"), "--group", "nothing"])
    assert res.exit_code == 0 and "0 levers" in res.output


def test_levers_missing_model(runner, tmp_path):
    res = runner.invoke(cli, ["levers", str(tmp_path / "none.mdl")])
    assert res.exit_code == 1 and "does not exist" in res.output and "Traceback" not in res.output


def test_levers_help_teaches_by_example(runner):
    res = runner.invoke(cli, ["levers", "--help"])
    assert res.exit_code == 0 and "Examples:" in res.output
