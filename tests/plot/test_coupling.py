import numpy as np
import pytest

from simsys.plot import COUPLING_BANDS, PlotError, coupling_chart


def test_bands_and_regions(run_ds, save_png):
    ax = coupling_chart(run_ds["Coupling coordination degree"])
    lo, hi = ax.get_ylim()
    assert (lo, hi) == (0.3, 0.9)
    names = [t.get_text() for t in ax.texts]
    assert "barely coordinated (0.5–0.6]" in names
    assert not any(n.startswith("extreme disorder") for n in names)  # below the data
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["hub", "east", "west", "north", "south"]
    save_png(ax, "coupling")


def test_full_range_shows_all_ten(run_ds, save_png):
    ax = coupling_chart(run_ds, variable="Coupling coordination degree", full_range=True)
    assert len(ax.texts) == len(COUPLING_BANDS) == 10
    save_png(ax, "coupling_full")


def test_zh_band_names(run_ds, save_png):
    from simsys.plot.style import find_cjk_font

    if find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    ax = coupling_chart(run_ds["Coupling coordination degree"], lang="zh", full_range=True)
    assert any(t.get_text().startswith("勉强协调") for t in ax.texts)
    save_png(ax, "coupling_zh")


def test_zh_without_font_falls_back(run_ds, no_cjk_font, caplog):
    ax = coupling_chart(run_ds["Coupling coordination degree"], lang="zh")
    assert any(t.get_text().startswith("barely coordinated") for t in ax.texts)
    assert "no CJK font" in caplog.text


def test_values_outside_unit_interval(run_ds):
    with pytest.raises(PlotError, match="must lie in"):
        coupling_chart(run_ds["Coupling coordination degree"] * 2)


def test_band_edges_are_contiguous():
    for (_, hi, *_), (lo, *_) in zip(COUPLING_BANDS, COUPLING_BANDS[1:]):
        assert hi == lo
    assert COUPLING_BANDS[0][0] == 0.0 and COUPLING_BANDS[-1][1] == 1.0
    assert np.all([len(b) == 4 for b in COUPLING_BANDS])


def test_bad_lang(run_ds):
    with pytest.raises(PlotError, match="lang must be one of"):
        coupling_chart(run_ds["Coupling coordination degree"], lang="fr")


def test_coupling_chart_has_a_title_and_31_distinct_colours():
    """Issue 16: every figure names its output; 31 provinces get 31 different colours."""
    import matplotlib
    matplotlib.use("Agg")
    import numpy as np
    import xarray as xr
    from simsys.plot.coupling import coupling_chart
    from simsys.plot.style import series_colors
    names = [f"P{i}" for i in range(31)]
    da = xr.DataArray(np.linspace(0.3, 0.8, 31 * 5).reshape(5, 31), dims=("time", "Province"),
                      coords={"time": np.arange(2020.0, 2025.0), "Province": names},
                      name="Coupling coordination D")
    ax = coupling_chart(da)
    assert ax.get_title()
    assert len(set(series_colors(names).values())) == 31
