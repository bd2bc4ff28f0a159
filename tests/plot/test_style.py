import matplotlib
import pytest

from simsys.plot import PlotError, style


def test_text_lookup():
    assert style.text("year") == "Year"
    assert style.text("year", "zh") == "年份"
    assert style.text("percentile_band", lo=5, hi=95) == "5–95th percentile"
    with pytest.raises(PlotError, match="lang must be one of"):
        style.text("year", "de")
    with pytest.raises(PlotError, match="unknown label key"):
        style.text("nope")


def test_series_colors_stable_by_position():
    a = style.series_colors(["hub", "east"])
    b = style.series_colors(["hub", "east", "west"])
    assert a["hub"] == b["hub"] and a["east"] == b["east"] and len(set(b.values())) == 3


def test_use_cjk_font_sets_rcparams_when_found():
    family = style.find_cjk_font()
    with matplotlib.rc_context():
        found = style.use_cjk_font()
        assert found is (family is not None)
        if found:
            assert matplotlib.rcParams["font.sans-serif"][0] == family


def test_use_cjk_font_without_font(no_cjk_font, caplog):
    with matplotlib.rc_context():
        before = list(matplotlib.rcParams["font.sans-serif"])
        assert style.use_cjk_font() is False
        assert matplotlib.rcParams["font.sans-serif"] == before
    assert "fonts-wqy-microhei" in caplog.text


def test_resolve_lang(no_cjk_font):
    assert style.resolve_lang("en") == "en"
    assert style.resolve_lang("zh") == "en"


def test_chinese_names_render_in_english_plots(run_ds, tmp_path):
    import warnings

    from simsys.plot import trajectories

    if style.find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    ds = run_ds.rename({"Talent stock": "人才存量"}).assign_coords(
        Region=["枢纽", "东部", "西部", "北部", "南部"])
    ax = trajectories(ds, "人才存量")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph would warn
        ax.figure.savefig(tmp_path / "cn.png", dpi=60)
    assert (tmp_path / "cn.png").stat().st_size > 0
    assert ax.get_title() and any(t.get_text() == "枢纽" for t in ax.get_legend().get_texts())


def test_chinese_names_without_a_cjk_font_log_one_warning_not_one_per_glyph(no_cjk_font, run_ds,
                                                                           tmp_path, caplog):
    import warnings

    from simsys.plot import trajectories

    style._log_no_cjk_font.cache_clear()
    ds = run_ds.rename({"Talent stock": "人才存量"}).assign_coords(
        Region=["枢纽", "东部", "西部", "北部", "南部"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing-glyph warning would fail the test
        ax = trajectories(ds, "人才存量")
        ax.figure.savefig(tmp_path / "cn.png", dpi=60)
    logged = [r for r in caplog.records if "no CJK font" in r.getMessage()]
    assert len(logged) == 1 and "fonts-wqy-microhei" in logged[0].getMessage()


def test_an_english_plot_without_a_cjk_font_logs_nothing(no_cjk_font, run_ds, caplog):
    from simsys.plot import trajectories

    style._log_no_cjk_font.cache_clear()
    trajectories(run_ds, "Talent stock")
    assert "CJK" not in caplog.text
