"""Propositions of the study as behaviour of the 31-province model, each read off its mechanism."""
import numpy as np
import pytest

from .conftest import HUBS, at

REFORMS = {"evaluation_reform": "Evaluation reform", "incentive_reform": "Incentive reform",
           "autonomy_reform": "Autonomy reform"}


def test_p1_removing_any_fusion_lowers_vitality(runs):
    base = at(runs, "baseline", "Total vitality", 2040)
    for pair in ("industry_innovation", "innovation_capital", "industry_capital", "talent_industry"):
        assert at(runs, f"fusion_off_{pair}", "Total vitality", 2040) < base - 0.5, pair


def test_p1_weak_link_holds_a_package_back(model):
    """Complementarity: three fusions at 0.9 gain less when the fourth (talent x industry) is off."""
    three = {"Industry innovation fusion": 0.9, "Innovation capital fusion": 0.9, "Industry capital fusion": 0.9}
    ds = model.run_batch({**{k: [0.5, 0.9, 0.5, 0.9] for k in three},
                          "Talent industry fusion": [0.5, 0.5, 0.0, 0.0]},
                         return_columns=["Total vitality"], saveper=1.0)
    v = ds["Total vitality"].sel(time=2040).values
    gain_with, gain_without = v[1] - v[0], v[3] - v[2]
    assert gain_with > 0 and gain_without < 0.9 * gain_with


def test_p2_each_reform_acts_only_after_its_start_and_delay(runs):
    for scen in list(REFORMS) + ["ip_protection", "service_chain"]:
        for year in (2015, 2021, 2024):
            assert at(runs, scen, "Total vitality", year) == pytest.approx(at(runs, "baseline", "Total vitality", year), rel=1e-12)
        assert at(runs, scen, "Total vitality", 2035) > at(runs, "baseline", "Total vitality", 2035)


def test_p2_evaluation_reform_shifts_effort(runs):
    d = lambda v, y: float(runs[v].sel(scenario="evaluation_reform", time=y).mean()) - float(runs[v].sel(scenario="baseline", time=y).mean())
    assert d("Counted effort share", 2035) < -0.15
    assert d("Applied effort share", 2035) > 0.1 and d("Basic effort share", 2035) > 0


def test_p2_incentive_reform_retains_researchers(runs):
    q = lambda s: float(runs["RD quit rate"].sel(scenario=s, time=2035).mean())
    assert q("incentive_reform") < 0.8 * q("baseline")
    assert float(runs["RD quits"].sel(scenario="incentive_reform", time=2035).sum()) < float(runs["RD quits"].sel(scenario="baseline", time=2035).sum())


def test_p2_autonomy_acts_on_public_results_only(runs):
    pub = float(runs["Public success share"].sel(scenario="autonomy_reform", time=2035).mean()) / float(runs["Public success share"].sel(scenario="baseline", time=2035).mean())
    ent = float(runs["Enterprise success share"].sel(scenario="autonomy_reform", time=2035).mean()) / float(runs["Enterprise success share"].sel(scenario="baseline", time=2035).mean())
    assert pub > 1.5 and abs(ent - 1) < 0.05


def test_p2_ip_protection_has_a_cost(runs, model):
    """Less technology others can copy, less absorbed, and some province loses vitality for a period."""
    assert float(runs["Copyable share"].sel(scenario="ip_protection", time=2035).max()) < 0.7
    assert float(runs["Copyable share"].sel(scenario="baseline", time=2035).min()) == 1.0
    assert float(runs["Total knowledge spillover"].sel(scenario="ip_protection", time=2035)) < float(runs["Total knowledge spillover"].sel(scenario="baseline", time=2035))
    loss = (runs["Talent innovation vitality"].sel(scenario="ip_protection") - runs["Talent innovation vitality"].sel(scenario="baseline")).sel(time=slice(2025, 2050))
    assert float(loss.min()) < 0, "no province and no year loses from stronger IP protection"


def test_p3_synergy_beats_beggar_thy_neighbour(runs):
    for year in (2035, 2050):
        assert at(runs, "regional_synergy", "Total vitality", year) > at(runs, "beggar_thy_neighbour", "Total vitality", year)
        assert at(runs, "regional_synergy", "Hub periphery vitality gap", year) < at(runs, "beggar_thy_neighbour", "Hub periphery vitality gap", year)
    assert float(runs["Talent subsidy spending"].sel(scenario="beggar_thy_neighbour", time=2035).sum()) > 0
    assert float(runs["Talent subsidy spending"].sel(scenario="regional_synergy", time=2035).sum()) < 1e-3 * float(runs["Talent subsidy spending"].sel(scenario="beggar_thy_neighbour", time=2035).sum())


def test_p3_pooled_funds_are_conserved(runs):
    paid = runs["Pooled funds"].sel(scenario="regional_synergy", time=2035).sum()
    got = runs["Received funds"].sel(scenario="regional_synergy", time=2035).sum()
    assert float(paid) > 0 and float(got) == pytest.approx(float(paid), rel=1e-9)


def test_p3_migration_conserves_researchers_and_hubs_keep_a_net_inflow(runs):
    nm = runs["Net migration"].sel(scenario="baseline")
    assert np.abs(nm.sum("Province").values).max() < 1e-9
    assert float(nm.sel(Province=HUBS, time=slice(2011, 2050)).min()) > 0


def test_a4_modes_rank_as_the_article_argues(runs):
    s = {m: runs.sel(scenario=f"integration_{m}", time=2040) for m in ("loose_alliance", "vocational_group", "independent_entity")}
    match = {m: float(d["Skill match"].mean()) for m, d in s.items()}
    cost = {m: float(d["Coordination cost rate"].mean()) for m, d in s.items()}
    econ = {m: float(d["Economic function"].mean()) for m, d in s.items()}
    assert match["independent_entity"] > match["vocational_group"] > match["loose_alliance"]
    assert cost["loose_alliance"] > cost["vocational_group"] > cost["independent_entity"]
    assert econ["loose_alliance"] == max(econ.values())
