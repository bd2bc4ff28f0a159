"""Feedback loops and their polarity on models whose loops are known by hand."""
from pathlib import Path

import pytest

import simsys
from simsys.analysis.loops import (element_graph, find_loops, link_sign, loop_polarity,
                                   operating_points, shortest_cycles, simple_cycles)
from simsys.errors import AnalysisError

MODELS = Path(__file__).parent / "models"
ENGINE_MODELS = Path(__file__).parents[1] / "models"


def test_population_has_one_reinforcing_and_one_balancing_loop():
    loops = find_loops(simsys.load_model(MODELS / "population.mdl"))
    assert [(lp.name, lp.variables, lp.polarity, lp.length) for lp in loops] == [
        ("R1", ("Population", "Births"), "R", 2),
        ("B1", ("Population", "Deaths"), "B", 2),
    ]
    assert loops[0].links == ("+", "+") and loops[1].links == ("+", "-")


def test_teacup_has_one_balancing_loop():
    loops = find_loops(simsys.load_model(MODELS / "teacup.mdl"))
    assert len(loops) == 1
    lp = loops[0]
    assert lp.name == "B1" and lp.polarity == "B"
    assert lp.variables == ("Teacup Temperature", "Heat Loss to Room")
    # heat loss rises with the temperature (+) and drains the stock (-)
    assert lp.links == ("+", "-")
    assert str(lp) == "B1: Teacup Temperature -(+)-> Heat Loss to Room -(-)-> Teacup Temperature"


def test_loop_polarity_of_names_and_links():
    model = simsys.load_model(MODELS / "population.mdl")
    assert loop_polarity(model, ["Population", "Births"]) == "R"
    assert loop_polarity(model, ["Population", "Deaths"]) == "B"
    assert link_sign(model, "Deaths", "Population") == "-"
    assert link_sign(model, "Births", "Population") == "+"


def test_polarity_follows_the_operating_point():
    # with a zero birth rate the births link is inactive: its loop is undetermined
    model = simsys.load_model(MODELS / "population.mdl")
    pts = operating_points(model, {"Birth Rate": 0.0})
    assert link_sign(model, "Population", "Births", run=pts) == "0"
    assert loop_polarity(model, ["Population", "Births"], run=pts) == "?"


def test_not_a_link_is_refused():
    model = simsys.load_model(MODELS / "population.mdl")
    with pytest.raises(AnalysisError, match="does not use"):
        loop_polarity(model, ["Births", "Deaths"])
    with pytest.raises(AnalysisError, match="no variable"):
        loop_polarity(model, ["Population", "Nope"])


def test_initial_values_and_constants_make_no_edges():
    graph, stateful = element_graph(simsys.load_model(MODELS / "population.mdl"))
    assert graph == {"births": ["population"], "deaths": ["population"],
                     "population": ["births", "deaths"]}
    assert stateful == {"population"}


def test_loops_through_a_smooth_and_within_regions():
    # Talent -> pressure (relative size, within the region) -> Attrition -> Talent
    loops = find_loops(simsys.load_model(ENGINE_MODELS / "combined_workforce.mdl"))
    assert {(lp.variables, lp.polarity) for lp in loops} == {
        (("Talent", "Attrition"), "B"), (("Talent", "pressure", "Attrition"), "B")}


def test_regions_model_loops():
    loops = find_loops(simsys.load_model(MODELS / "regions.mdl"))
    by_vars = {lp.variables: lp for lp in loops}
    assert by_vars[("Output", "Output growth")].polarity == "R"
    assert by_vars[("Activity", "Recovery")].polarity == "B"
    # the disruption link only acts during a shock: undetermined at the baseline
    assert by_vars[("Activity", "Disruption")].polarity == "?"
    assert by_vars[("Activity", "Disruption")].name == "U1"


def test_johnson_finds_every_elementary_cycle():
    g = {"a": ["b"], "b": ["c", "a"], "c": ["a", "c"], "d": ["a"]}
    cycles = sorted(tuple(c) for c in simple_cycles(g))
    assert cycles == [("a", "b"), ("a", "b", "c"), ("c",)]
    # complete graph on 4 nodes: 6 two-cycles, 8 three-cycles, 6 four-cycles
    k4 = {n: [m for m in "abcd" if m != n] for n in "abcd"}
    assert len(list(simple_cycles(k4))) == 20
    short = shortest_cycles(k4, 10)
    assert [len(c) for c in short] == [2] * 6 + [3] * 4


def test_max_loops_keeps_the_shortest(caplog):
    model = simsys.load_model(MODELS / "population.mdl")
    loops = find_loops(model, max_loops=1)
    assert len(loops) == 1 and loops[0].length == 2
    with pytest.raises(AnalysisError):
        find_loops(model, max_loops=0)
