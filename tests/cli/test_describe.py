"""simsys describe: subscripts, counts, stocks."""
from pathlib import Path

from simsys.cli import cli

MODELS = Path(__file__).resolve().parents[1] / "models"


def test_describe_subscripted_model(runner):
    res = runner.invoke(cli, ["describe", str(MODELS / "bench_regions.mdl")])
    assert res.exit_code == 0, res.output
    assert "subscript region: north, south" in res.output
    assert "3 stocks" in res.output and "Juniors[region]" in res.output


def test_describe_all_lists_every_variable(runner):
    res = runner.invoke(cli, ["describe", str(MODELS / "smooth3.mdl"), "--all"])
    assert res.exit_code == 0, res.output
    assert "hidden" in res.output


def test_describe_bad_model(runner):
    bad = Path(__file__).resolve().parents[1] / "bad_models" / "syntax_unbalanced_paren_open.mdl"
    res = runner.invoke(cli, ["describe", str(bad)])
    assert res.exit_code == 1 and ":7" in res.output and "parenthes" in res.output
