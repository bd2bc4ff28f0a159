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


def test_one_lever_is_counted_in_the_singular(runner, tmp_path):
    model = tmp_path / "one.mdl"
    model.write_text("{UTF-8}\nrate = 0.1 ~ 1/Year [0, 1, 0.1] ~ the one lever |\n"
                     "stock = INTEG(stock * rate, 1) ~ widgets ~ |\n"
                     "FINAL TIME = 2 ~ Year ~ |\nINITIAL TIME = 0 ~ Year ~ |\n"
                     "TIME STEP = 1 ~ Year ~ |\nSAVEPER = TIME STEP ~ Year ~ |\n")
    res = runner.invoke(cli, ["levers", str(model)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[-1] == "1 lever"
    res = runner.invoke(cli, ["check", str(model)])
    assert res.output.strip().endswith("model OK (2 variables, 1 state, 1 lever)")
    res = runner.invoke(cli, ["describe", str(model)])
    assert "  1 constant, 1 stock, 1 lever\n  1 state value per scenario" in res.output


def test_defaults_of_the_province_levers_are_one_short_cell(runner):
    shipped = Path(__file__).resolve().parents[2] / "models" / "talent_ecosystem.mdl"
    res = runner.invoke(cli, ["levers", str(shipped)])
    assert res.exit_code == 0, res.output
    assert "2 (each)" in res.output  # Integration mode[Province]: the same in every province
    assert "1, 1, 1, 1" not in res.output
