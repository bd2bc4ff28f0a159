import numpy as np
import pytest

from simsys.errors import SimsysError
from simsys.plot import PlotError, fan_chart


def test_bands_and_median(sweep_ds, save_png):
    ax = fan_chart(sweep_ds, "Talent stock", region="hub")
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["5–95th percentile", "25–75th percentile", "Median"]
    assert ax.get_legend().get_title().get_text() == "200 scenarios"
    assert ax.get_ylabel() == "Talent stock [person]"
    median = ax.get_lines()[0].get_ydata()
    expected = sweep_ds["Talent stock"].sel(Region="hub").median("scenario").values
    np.testing.assert_allclose(median, expected)
    save_png(ax, "fan")


def test_scalar_variable_needs_no_region(sweep_ds, save_png):
    ax = fan_chart(sweep_ds["National policy index"], percentiles=(10, 50, 90))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["10–90th percentile", "Median"]
    save_png(ax, "fan_scalar")


def test_failed_scenarios_are_left_out(sweep_ds, caplog):
    da = sweep_ds["Innovation output"].sel(Region="east").copy()
    da[:10, 20:] = np.nan
    ax = fan_chart(da)
    assert np.all(np.isfinite(ax.get_lines()[0].get_ydata()))
    assert "10 of 200 scenarios" in caplog.text


def test_region_required_and_listed(sweep_ds):
    with pytest.raises(PlotError, match=r"pass region= one of \['hub', 'east'"):
        fan_chart(sweep_ds, "Talent stock")
    with pytest.raises(PlotError, match="unknown region 'centre'"):
        fan_chart(sweep_ds, "Talent stock", region="centre")


def test_needs_scenarios(run_ds):
    with pytest.raises(PlotError, match="'scenario' dimension"):
        fan_chart(run_ds, "Talent stock", region="hub")


def test_unknown_variable(sweep_ds):
    with pytest.raises(SimsysError, match="available: 'Talent stock'"):
        fan_chart(sweep_ds, "GDP", region="hub")


def test_bad_percentiles(sweep_ds):
    with pytest.raises(PlotError, match=r"\[0, 100\]"):
        fan_chart(sweep_ds, "National policy index", percentiles=(5, 50, 150))


def test_zh(sweep_ds, save_png):
    from simsys.plot.style import find_cjk_font

    if find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    ax = fan_chart(sweep_ds, "Talent stock", region="hub", lang="zh")
    assert "中位数" in [t.get_text() for t in ax.get_legend().get_texts()]
    save_png(ax, "fan_zh")


def test_one_scenario_is_counted_in_the_singular(sweep_ds):
    ax = fan_chart(sweep_ds.isel(scenario=[0]), "Talent stock", region="hub")
    assert ax.get_legend().get_title().get_text() == "1 scenario"
