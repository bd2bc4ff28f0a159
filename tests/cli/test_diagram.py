"""simsys diagram: a stock-and-flow diagram from a model file."""
import shutil
from pathlib import Path

import pytest

from simsys.analysis.structure import stock_flow_structure
from simsys.cli import cli
from simsys.model.load import load_model

ROOT = Path(__file__).resolve().parents[1]


def test_structure_of_the_population_model():
    g = stock_flow_structure(load_model(ROOT / "analysis" / "models" / "population.mdl"))
    assert g["stocks"] == ["Population"]
    assert sorted(g["flows"], key=str) == sorted([("Births", None, "Population"),
                                                  ("Deaths", "Population", None)], key=str)
    assert ("Population", "Births") in g["links"]


def test_diagram_source_needs_no_graphviz(runner, tmp_path):
    out = tmp_path / "pop.dot"
    res = runner.invoke(cli, ["diagram", str(ROOT / "analysis" / "models" / "population.mdl"),
                              "--out", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    assert "Population" in text and "Births" in text


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed (.ci/run installs it)")
def test_diagram_png_with_layers(runner, tmp_path):
    out = tmp_path / "space.png"
    res = runner.invoke(cli, ["diagram", str(ROOT.parent / "models" / "talent_ecosystem.mdl"),
                              "--layer", "Space layer", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.stat().st_size > 1000
