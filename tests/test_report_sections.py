"""The report's province sections on synthetic 31-province output (until the province model lands)."""
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
