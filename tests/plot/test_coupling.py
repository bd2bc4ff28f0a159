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
