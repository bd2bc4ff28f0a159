"""simsys reproduce: identical for a fresh manifest; a changed model file is reported."""
import shutil
from pathlib import Path

from simsys.cli import cli

MODELS = Path(__file__).resolve().parents[1] / "models"


def test_reproduce_identical_then_model_edited(runner, tmp_path):
    model = tmp_path / "levers.mdl"
    shutil.copy(MODELS / "levers.mdl", model)
    sc = tmp_path / "s.toml"
    sc.write_text(f'[scenario]\nname = "s"\nmodel = "{model.as_posix()}"\n')
    out = tmp_path / "out"
    assert runner.invoke(cli, ["run", str(sc), "--out", str(out), "--no-plot"]).exit_code == 0
    manifest = out / "s.manifest.json"
    res = runner.invoke(cli, ["reproduce", str(manifest)])
    assert res.exit_code == 0 and "identical" in res.output, res.output
    model.write_text(model.read_text().replace("Birth Rate = 0.05", "Birth Rate = 0.06"))
    res = runner.invoke(cli, ["reproduce", str(manifest)])
    assert res.exit_code == 1, res.output
    assert "levers.mdl" in res.output and "differ" in res.output


def test_reproduce_missing_manifest(runner, tmp_path):
    res = runner.invoke(cli, ["reproduce", str(tmp_path / "none.json")])
    assert res.exit_code == 1 and "none.json" in res.output
