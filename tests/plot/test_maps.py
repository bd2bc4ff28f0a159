"""Province maps: the tile grid (always) and the real-boundary choropleth (maps extra)."""
import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from simsys.errors import SimsysError
from simsys.geo import adjacency_pairs, by_province, province_codes, provinces, to_code
from simsys.plot.maps import LISA_COLORS, choropleth, maps_available, tile_map


def synthetic(seed=0):
    rng = np.random.default_rng(seed)
    return xr.DataArray(rng.random(31), dims="Province", coords={"Province": province_codes()})


def test_province_table_names_and_places():
    ps = provinces()
    assert len(ps) == 31 and ps[0].code == "Beijing" and ps[-1].code == "Xinjiang"
    assert len({(p.row, p.col) for p in ps}) == 31  # one tile per province
    assert to_code("内蒙古") == to_code("Inner Mongolia") == to_code("neimenggu") == "Neimenggu"
    assert to_code("Tibet") == "Xizang"
    # approximate places: most land neighbours are touching tiles (incl. diagonals)
    where = {p.code: (p.row, p.col) for p in ps}
    dist = [max(abs(where[a][0] - where[b][0]), abs(where[a][1] - where[b][1]))
            for a, b in adjacency_pairs()]
    assert np.mean(np.array(dist) <= 1) > 0.8 and max(dist) <= 3
    with pytest.raises(SimsysError, match="not a province"):
        to_code("Atlantis")


def test_values_by_code_chinese_or_english():
    s = pd.Series({"北京": 1.0, "Inner Mongolia": 2.0, "Hainan": 3.0})
    assert by_province(s) == {"Beijing": 1.0, "Neimenggu": 2.0, "Hainan": 3.0}
    assert by_province(synthetic())["Xizang"] == pytest.approx(float(synthetic()[25]))
    with pytest.raises(SimsysError, match="one value per province"):
        by_province(synthetic().expand_dims(time=[2025]))


def _tile_colours(ax):
    return [p.get_facecolor() for p in ax.patches]


def test_tile_map_colours_follow_the_values(save_png):
    da = synthetic()
    ax = tile_map(da, title="vitality", label="index")
    assert len(ax.patches) == 31
    norm = mpl.colors.Normalize(float(da.min()), float(da.max()))
    cmap = mpl.colormaps["viridis"]
    for p, face in zip(provinces(), _tile_colours(ax)):
        want = mpl.colors.to_rgba(mpl.colors.to_hex(cmap(norm(float(da.sel(Province=p.code))))))
        assert np.allclose(face, want, atol=1e-6), p.code
    texts = {t.get_text() for t in ax.texts}
    assert {"北京", "Beijing", "新疆", "Xinjiang"} <= texts
    assert len(ax.figure.axes) == 2  # the colour bar
    save_png(ax, "tile_map")


def test_tile_map_of_lisa_clusters_and_a_diverging_effect(save_png):
    clusters = {c: ("HH" if i < 3 else "LL" if i > 27 else "ns")
                for i, c in enumerate(province_codes())}
    ax = tile_map(clusters, title="LISA clusters", label="cluster")
    faces = _tile_colours(ax)
    assert np.allclose(faces[0], mpl.colors.to_rgba(LISA_COLORS["HH"]))
    assert np.allclose(faces[30], mpl.colors.to_rgba(LISA_COLORS["LL"]))
    # each class names what it means, not just its code
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "HH: high value, high-valued neighbours (hot spot)",
        "LL: low value, low-valued neighbours (cold spot)", "ns: not significant"]
    # the key covers no province's tile
    ax.figure.canvas.draw()
    key = ax.get_legend().get_window_extent()
    assert not any(key.overlaps(tile.get_window_extent()) for tile in ax.patches)
    effect = {c: v - 0.5 for c, v in by_province(synthetic(1)).items()}
    effect["Beijing"] = -1e-9  # rounds to zero: drawn "0.0", never "-0.0"
    ax2 = tile_map(effect, cmap="RdBu_r", center=0.0, label="DiD effect", fmt="{:+.1f}")
    assert len(ax2.patches) == 31
    labels = [t.get_text() for t in ax2.texts]
    assert "0.0" in labels and not any(lb in ("-0.0", "+0.0") for lb in labels)
    save_png(ax, "tile_lisa")


def test_partial_and_bad_values():
    ax = tile_map({"Beijing": 1.0, "Shanghai": 2.0})
    assert sum(np.allclose(f, mpl.colors.to_rgba("#ffffff")) for f in _tile_colours(ax)) == 29
    with pytest.raises(SimsysError, match="all numbers or all"):
        tile_map({"Beijing": 1.0, "Shanghai": "HH"})
    with pytest.raises(SimsysError):
        tile_map({"Gotham": 1.0})


@pytest.mark.skipif(not maps_available(), reason="the optional 'maps' extra (cnmaps) is not"
                    " installed: pip install 'simsys[maps]'")
def test_choropleth_with_real_boundaries(save_png):
    ax = choropleth(synthetic(), title="vitality", label="index")
    assert len(ax.collections) >= 1
    labels = {t.get_text().split("\n")[-1] for t in ax.texts}
    assert set(province_codes()) <= labels
    save_png(ax, "choropleth")


def test_choropleth_without_the_extra_says_how_to_get_it(monkeypatch):
    import builtins
    real = builtins.__import__

    def no_cnmaps(name, *a, **k):
        if name == "cnmaps":
            raise ImportError("no cnmaps")
        return real(name, *a, **k)
    monkeypatch.setattr(builtins, "__import__", no_cnmaps)
    with pytest.raises(SimsysError, match="simsys\\[maps\\]"):
        choropleth(synthetic())


def test_the_shipped_models_province_names_map_onto_the_package_table():
    # models/data/provinces.csv (the model's subscript) writes "Inner Mongolia" where the
    # package table's code is "Neimenggu"; one normaliser (to_code) matches both.
    import csv
    from pathlib import Path
    table = Path(__file__).resolve().parents[2] / "models" / "data" / "provinces.csv"
    model_codes = [r["code"] for r in csv.DictReader(table.read_text(encoding="utf-8").splitlines())]
    assert "Inner Mongolia" in model_codes
    assert [to_code(c) for c in model_codes] == province_codes()
    da = xr.DataArray(np.arange(31.0), dims="Province", coords={"Province": model_codes})
    ax = tile_map(da, title="model names")
    texts = {t.get_text() for t in ax.texts}
    assert {"Neimenggu", "内蒙古", "4"} <= texts  # Inner Mongolia's tile got its value
