import shutil

import pytest

from simsys.errors import SimsysError
from simsys.plot import GraphvizNotFoundError, PlotError, stock_flow_diagram
from simsys.plot import diagram as diagram_module

GRAPH = {
    "stocks": ["Talent stock", "Knowledge stock"],
    "flows": [("Talent inflow", None, "Talent stock"),
              ("Talent outflow", "Talent stock", None),
              ("Knowledge creation", None, "Knowledge stock")],
    "auxiliaries": ["Attractiveness", "Evaluation reform"],
    "links": [("Attractiveness", "Talent inflow"), ("Evaluation reform", "Attractiveness"),
              ("Talent stock", "Knowledge creation")],
    "groups": {"Talent stock": "Talent", "Talent inflow": "Talent", "Talent outflow": "Talent",
               "Attractiveness": "Talent", "Evaluation reform": "Policy",
               "Knowledge stock": "Innovation", "Knowledge creation": "Innovation"},
}

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' not installed")


def test_source_only_needs_no_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(diagram_module, "_dot_executable", lambda: None)
    out = stock_flow_diagram(GRAPH, tmp_path / "sfd.dot")
    text = out.read_text()
    assert "shape=box" in text and "Talent stock" in text and "cluster_" in text
    assert "label=Policy" in text


@needs_dot
@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_renders(tmp_path, suffix):
    out = stock_flow_diagram(GRAPH, tmp_path / f"sfd{suffix}", title="Excerpt")
    assert out.stat().st_size > 1000
    if suffix == ".svg":
        svg = out.read_text()
        assert "Knowledge creation" in svg and "Innovation" in svg


@needs_dot
def test_layers_filter(tmp_path):
    out = stock_flow_diagram(GRAPH, tmp_path / "talent.svg", layers=["Talent"])
    svg = out.read_text()
    assert "Talent inflow" in svg and "Knowledge stock" not in svg and "Policy" not in svg


def test_missing_dot_writes_source_and_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(diagram_module, "_dot_executable", lambda: None)
    with pytest.raises(GraphvizNotFoundError) as info:
        stock_flow_diagram(GRAPH, tmp_path / "sfd.png")
    assert isinstance(info.value, SimsysError)
    assert "apt-get install graphviz" in str(info.value)
    assert (tmp_path / "sfd.dot").exists()
    assert not (tmp_path / "sfd.png").exists()


def test_unknown_names_are_reported(tmp_path):
    bad = dict(GRAPH, links=[("Atractiveness", "Talent inflow")])
    with pytest.raises(PlotError, match="did you mean 'Attractiveness'"):
        stock_flow_diagram(bad, tmp_path / "x.dot")
    bad = dict(GRAPH, flows=[("Hiring", None, "Talent")])
    with pytest.raises(PlotError, match="not a stock"):
        stock_flow_diagram(bad, tmp_path / "x.dot")
    with pytest.raises(PlotError, match="unknown layer"):
        stock_flow_diagram(GRAPH, tmp_path / "x.dot", layers=["Finance"])
    with pytest.raises(PlotError, match="valid keys"):
        stock_flow_diagram(dict(GRAPH, stock=[]), tmp_path / "x.dot")
    with pytest.raises(PlotError, match="more than once"):
        stock_flow_diagram(dict(GRAPH, auxiliaries=["Talent stock"]), tmp_path / "x.dot")


def test_bad_suffix(tmp_path):
    with pytest.raises(PlotError, match="unsupported diagram file type '.jpeg'"):
        stock_flow_diagram(GRAPH, tmp_path / "x.jpeg")
