"""spatial_report and coupling_report on the shipped model agree with the model's own measures."""
from pathlib import Path

import numpy as np
import pytest

import simsys
from simsys.analysis import morans_i
from simsys.analysis.reports import coupling_report, spatial_report, weights_of
from simsys.errors import AnalysisError

ROOT = Path(__file__).resolve().parents[2]
CHAINS = ["U talent", "U innovation", "U industry", "U capital"]


@pytest.fixture(scope="module")
def run():
    m = simsys.load_model(ROOT / "models" / "talent_ecosystem.mdl")
    return m.run(final_time=2026, saveper=1.0,
                 return_columns=CHAINS + ["Coupling coordination D", "Talent innovation vitality"])


def test_coupling_report_reproduces_the_models_D(run):
    r = coupling_report(run, CHAINS)
    np.testing.assert_allclose(r["D"].values, run["Coupling coordination D"].values, rtol=1e-12)
    assert set(np.unique(r["band"].values)) <= set(range(10))
    corrected = coupling_report(run, CHAINS, corrected=True)
    assert (corrected["C"].values <= r["C"].values + 1e-12).all()


def test_spatial_report_matches_morans_i_each_year(run):
    r = spatial_report(run, "Talent innovation vitality", permutations=49, seed=3)
    W = weights_of(run.attrs["model"])
    for i, t in enumerate(run["time"].values):
        y = run["Talent innovation vitality"].sel(time=t).values
        assert r["I"].values[i] == pytest.approx(morans_i(y, W, permutations=0).I, rel=1e-12)
    assert r["Ii"].sizes["Province"] == 31 and set(r["quadrant"].values) <= {"HH", "HL", "LH", "LL"}


def test_reports_refuse_bad_input(run):
    with pytest.raises(AnalysisError, match="no variable"):
        coupling_report(run, ["U talent", "U nothing"])
    with pytest.raises(AnalysisError, match="at least two"):
        coupling_report(run, ["U talent"])
    with pytest.raises(AnalysisError, match="weight matrix"):
        spatial_report(run, "Talent innovation vitality", weights="Nope")


def test_regional_dim_comes_from_the_variable_then_the_weights():
    from simsys.analysis.reports import regional_dim
    m = simsys.load_model(ROOT / "models" / "talent_ecosystem.mdl")
    assert regional_dim(m, "Talent innovation vitality") == "Province"
    assert regional_dim(m, "Total vitality") == "Province"  # national: from W[Province, Province2]
    assert regional_dim(m) == "Province"
    with pytest.raises(AnalysisError, match="which subscript range holds the regions"):
        regional_dim(m, weights="Nope")


def test_spatial_report_accepts_an_explicit_dim(run):
    r = spatial_report(run, "Talent innovation vitality", permutations=0, dim="Province")
    assert r["Ii"].dims == ("Province",)
    with pytest.raises(AnalysisError, match="'Region'"):
        spatial_report(run, "Talent innovation vitality", permutations=0, dim="Region")
