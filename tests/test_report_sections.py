"""The report's province sections, on synthetic 31-province output and on the shipped model."""
import numpy as np
import xarray as xr

from simsys.geo import province_codes
from simsys.report import _headline, _map_section, _spatial_section


class NoW:
    elements = ()

    def element(self, name):
        raise KeyError(name)


def province_run(seed=0):
    rng = np.random.default_rng(seed)
    codes = province_codes()
    east = np.array([1.0 if c in {"Beijing", "Tianjin", "Shanghai", "Jiangsu", "Zhejiang",
                                  "Guangdong", "Fujian", "Shandong"} else 0.0 for c in codes])
    t = np.arange(2021, 2031)
    v = 1 + east[None, :] * (t[:, None] - 2020) * 0.1 + 0.05 * rng.random((t.size, 31))
    return xr.Dataset({"Vitality": (("time", "Province"), v)},
                      coords={"time": t, "Province": codes})


def test_map_and_lisa_sections_use_the_province_dimension():
    ds = province_run()
    ref = province_run(1)
    html = _map_section(ds, ref, ["Vitality"])
    assert html.count("<img ") == 2 and "data:image/png;base64," in html
    spatial = _spatial_section(NoW(), ds, ["Vitality"], seed=0)
    assert "province contiguity" in spatial and spatial.count("<img ") == 2
    assert "HH" in spatial  # the coastal block is a high-high cluster
    assert "<b>HH</b> high value, high-valued neighbours (hot spot)" in spatial  # the key


def test_map_section_skips_non_provinces_with_a_note():
    ds = province_run().rename(Province="Region").assign_coords(Region=[f"r{i}" for i in range(31)])
    assert "skipped" in _map_section(ds, None, ["Vitality"])


def test_headline_averages_per_capita_outputs_and_never_prints_minus_zero():
    t = np.array([2021.0, 2025.0, 2030.0, 2035.0, 2040.0, 2045.0, 2050.0])
    per_cap = np.array([[1.0, 3.0]] * t.size)
    ds = xr.Dataset({"Vitality per capita": (("time", "Region"), per_cap),
                     "Talent": (("time", "Region"), per_cap * 10)},
                    coords={"time": t, "Region": ["a", "b"]})
    ref = ds.copy(deep=True)
    ref["Vitality per capita"] = ref["Vitality per capita"] * (1 + 1e-9)  # a change that rounds to 0
    html, _ = _headline(ds, ref, ["Vitality per capita", "Talent"])
    rows = [r for r in html.split("<tr>") if "<td>" in r]
    cells = [[c.split("</td>")[0] for c in r.split("<td>")[1:]] for r in rows]
    first = {(c[0], c[1]): c for c in cells}
    assert first[("Vitality per capita", "mean")][2] == "2"  # (1 + 3) / 2, not 4
    assert first[("Talent", "sum")][2] == "40"
    assert "-0.00%" not in html and first[("Vitality per capita", "mean")][-1] == "0.00%"


def test_trajectory_panels_average_an_index_over_regions_as_the_headline_does():
    """The report's trajectory of a regional index is its mean (the sum of 31 vitality indices,
    about 4,500, means nothing); an extensive quantity is summed, as in the headline table."""
    import matplotlib.pyplot as plt
    from simsys.report import _compare_plot
    t = np.array([2021.0, 2030.0])
    ds = xr.Dataset({"Vitality index": (("time", "Region"), [[100.0, 140.0], [110.0, 150.0]],
                                        {"doc": "An index of vitality."}),
                     "Talent": (("time", "Region"), [[1.0, 3.0], [2.0, 4.0]])},
                    coords={"time": t, "Region": ["a", "b"]})
    for name, how, first in (("Vitality index", "mean", 120.0), ("Talent", "sum", 4.0)):
        fig = _compare_plot(ds, None, name, "run", None)
        ax = fig.axes[0]
        assert ax.get_title() == f"{name} ({how} over Region)"
        assert ax.lines[0].get_ydata()[0] == first
        plt.close(fig)


def _shipped_run(name, final_time=2036):
    from pathlib import Path

    import simsys
    from simsys.scenario import load_scenario, scenario_params
    root = Path(__file__).resolve().parents[1]
    model = simsys.load_model(root / "models" / "talent_ecosystem.mdl")
    sc = load_scenario(root / "scenarios" / f"{name}.toml")
    ds = model.run(scenario_params(sc, model), final_time=final_time, saveper=1.0,
                   return_columns=["Talent innovation vitality", "Coupling coordination D"])
    return sc, model, ds


def test_staggered_pilot_gets_twfe_beside_did2s_with_its_cohorts():
    from simsys.report import _did_section
    sc, model, ds = _shipped_run("did_staggered_pilot")
    html = _did_section(sc, model, ds, ["Talent innovation vitality"])
    assert "Staggered adoption from <b>Reform start year</b>" in html
    assert "2022: Anhui, Sichuan, Zhejiang; 2024: Guangxi, Hubei, Shaanxi; 2026: Fujian, Liaoning" in html
    assert "did2s" in html and "TWFE" in html and "<img" in html
    assert "did2s, unit trends + exposure (Butts 2021)" in html and "spillover onto neighbours" in html
    assert "pure controls (no adopter borders them): Beijing, Tianjin, Heilongjiang, Xinjiang" in html


def test_a_reform_everywhere_has_no_treated_group_and_says_so():
    from simsys.report import _did_section
    sc, model, ds = _shipped_run("evaluation_reform", final_time=2026)
    assert "defines no treated group" in _did_section(sc, model, ds, ["Talent innovation vitality"])


def test_coupling_section_falls_back_to_the_models_own_D():
    from simsys.report import _coupling_section
    _, _, ds = _shipped_run("baseline", final_time=2022)
    html = _coupling_section(ds)
    assert "model's own coupling coordination degree" in html
    assert "Inner Mongolia" in html and "coordination (" in html and "DataArray" not in html
