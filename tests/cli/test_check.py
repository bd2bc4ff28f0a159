"""simsys check: models, scenarios and sweeps validated without running."""
from pathlib import Path

from simsys.cli import cli

ROOT = Path(__file__).resolve().parents[1]


def test_check_good_model(runner):
    res = runner.invoke(cli, ["check", str(ROOT / "models" / "bench_regions.mdl")])
    assert res.exit_code == 0 and "model OK" in res.output


def test_check_bad_model_names_line(runner):
    res = runner.invoke(cli, ["check", str(ROOT / "bad_models" / "algebraic_loop_two.mdl")])
    assert res.exit_code == 1 and "loop" in res.output.lower()


def test_check_scenario(runner, scenario):
    res = runner.invoke(cli, ["check", str(scenario('[levers]\n"Birth Rate" = 0.1\n'))])
    assert res.exit_code == 0 and "scenario OK" in res.output


def test_check_bad_scenario(runner, scenario):
    res = runner.invoke(cli, ["check", str(scenario('[levers]\n"Birth Rate" = -1\n', name="b"))])
    assert res.exit_code == 1 and "b.toml:6" in res.output and "[0, 0.2]" in res.output
