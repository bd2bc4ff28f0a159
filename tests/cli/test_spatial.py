"""simsys spatial and simsys coupling on a run of the shipped model."""
from pathlib import Path

import pytest

from simsys.cli import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    from click.testing import CliRunner
    out = tmp_path_factory.mktemp("run")
    # --all: coupling reads the chain indices "U talent" ..., which baseline.toml does not list
    res = CliRunner().invoke(cli, ["run", str(ROOT / "scenarios" / "baseline.toml"), "--out", str(out),
                                   "--final-time", "2026", "--no-plot", "--all"])
    assert res.exit_code == 0, res.output
    return out / "baseline.nc"


def test_spatial(runner, results):
    res = runner.invoke(cli, ["spatial", str(results), "--var", "Talent innovation vitality",
                              "--permutations", "49"])
    assert res.exit_code == 0, res.output
    assert "Moran's I" in res.output and "Theil" in res.output and "quadrant" in res.output
    # the quadrants in the local table carry a key naming what each one means
    from simsys.analysis.spatial import QUADRANT_KEY
    lines = res.output.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.split()[:2] == ["Province", "Ii"])
    shown = {ln.split()[2] for ln in lines[head + 2:] if len(ln.split()) == 4}
    assert shown and shown <= set(QUADRANT_KEY)
    start = next(i for i, ln in enumerate(lines) if ln.startswith("quadrant key (own value"))
    key = lines[start + 1:start + 1 + len(shown)]
    assert key == [f"  {q}  {QUADRANT_KEY[q]}" for q in QUADRANT_KEY if q in shown]


def test_spatial_unknown_variable(runner, results):
    res = runner.invoke(cli, ["spatial", str(results), "--var", "Vitallity"])
    assert res.exit_code == 1 and "did you mean" in res.output


def test_coupling_with_plot(runner, results, tmp_path):
    png = tmp_path / "d.png"
    res = runner.invoke(cli, ["coupling", str(results), "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert "coordination" in res.output and png.stat().st_size > 1000
    res = runner.invoke(cli, ["coupling", str(results), "--corrected", "--time", "2025"])
    assert res.exit_code == 0 and "corrected" in res.output
