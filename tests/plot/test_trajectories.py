import matplotlib
import pytest

from simsys.errors import SimsysError
from simsys.plot import PlotError, trajectories


def test_one_variable_lines_per_region(run_ds, save_png):
    ax = trajectories(run_ds, "Talent stock", total="sum", title="Talent stock by region")
    assert isinstance(ax, matplotlib.axes.Axes)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["hub", "east", "west", "north", "south", "Total"]
    assert ax.get_ylabel() == "Talent stock [person]"
    assert ax.get_xlabel() == "Year"
    save_png(ax, "trajectories_one")


def test_legend_is_outside_the_axes(run_ds):
    ax = trajectories(run_ds, "Talent stock")
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1


def test_several_variables_give_a_figure(run_ds, save_png):
    fig = trajectories(run_ds, ["Talent stock", "Innovation output", "National policy index"],
                       title="Run overview")
    assert isinstance(fig, matplotlib.figure.Figure)
    axes = fig.get_axes()
    assert len(axes) == 3
    assert axes[1].get_ylabel() == "Innovation output [patents/Year]"
    assert axes[2].get_ylabel() == "National policy index"  # Dmnl: no units shown
    assert axes[0].get_legend() is not None and axes[1].get_legend() is None
    save_png(fig, "trajectories_many")


def test_draws_into_given_axes(run_ds):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert trajectories(run_ds, "Innovation output", ax=ax) is ax
    with pytest.raises(PlotError, match="one variable"):
        trajectories(run_ds, ["Talent stock", "Innovation output"], ax=ax)


def test_unknown_variable_lists_available(run_ds):
    with pytest.raises(SimsysError) as info:
        trajectories(run_ds, "Talent stocks")
    msg = str(info.value)
    assert "did you mean 'Talent stock'" in msg and "'Innovation output'" in msg


def test_sweep_is_refused_with_hint(sweep_ds):
    with pytest.raises(PlotError, match="fan_chart"):
        trajectories(sweep_ds, "Talent stock")


def test_bad_total(run_ds):
    with pytest.raises(PlotError, match="total must be one of"):
        trajectories(run_ds, "Talent stock", total="max")


def test_zh_labels(run_ds, save_png):
    pytest.importorskip("matplotlib")
    from simsys.plot.style import find_cjk_font

    if find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    ax = trajectories(run_ds, "Talent stock", total="sum", lang="zh")
    assert ax.get_xlabel() == "年份"
    assert ax.get_legend().get_title().get_text() == "地区"
    save_png(ax, "trajectories_zh")


def test_zh_without_font_falls_back_to_english(run_ds, no_cjk_font, caplog):
    ax = trajectories(run_ds, "Talent stock", lang="zh")
    assert ax.get_xlabel() == "Year"
    assert "no CJK font" in caplog.text


def test_internal_variables_are_not_offered():
    import numpy as np
    import xarray as xr
    # a sweep's design is over (scenario, parameter); a model variable "design" would be offered
    ds = xr.Dataset({"Stock": ("time", np.arange(3.0)),
                     "design": (("scenario", "parameter"), np.zeros((1, 1))),
                     "simsys_chunk_done": ("time", np.ones(3))}, coords={"time": [0.0, 1.0, 2.0]})
    with pytest.raises(PlotError) as err:
        trajectories(ds, "Stokc")
    assert "'Stock'" in str(err.value) and "design" not in str(err.value)
    assert "simsys_chunk_done" not in str(err.value)


def test_lines_per_province_whatever_the_dimension_is_called(run_ds):
    from simsys.plot import coupling_chart
    ds = run_ds.rename(Region="Province")
    ax = trajectories(ds, "Talent stock")
    legend = ax.get_legend()
    assert legend.get_title().get_text() == "Province"
    assert [t.get_text() for t in legend.get_texts()] == [str(e) for e in ds["Province"].values]
    zh = trajectories(ds, "Talent stock", lang="zh")
    assert zh.get_legend().get_title().get_text() == "省份"
    fig = trajectories(ds, ["Talent stock", "National policy index"])  # a national panel too
    assert len(fig.axes) == 2
    with pytest.raises(PlotError, match="pass dim="):
        trajectories(ds.assign(Other=ds["Talent stock"].rename(Province="Zone")),
                     ["Talent stock", "Other"])
    d = ds["Talent stock"] / float(ds["Talent stock"].max())
    ax = coupling_chart(d.rename("D"))
    assert ax.get_legend().get_title().get_text() == "Province"


def test_thirty_one_provinces_get_a_legend_in_columns_and_panels_keep_their_height():
    import numpy as np
    import xarray as xr

    from simsys.geo import province_codes
    t = np.arange(2010, 2051)
    da = xr.DataArray(np.outer(t - 2000, np.arange(1, 32)), dims=("time", "Province"),
                      coords={"time": t, "Province": province_codes()}, attrs={"units": "person"})
    ds = xr.Dataset({"A": da, "B": da * 2, "C": da * 3})
    fig = trajectories(ds, ["A", "B", "C"])
    fig.canvas.draw()
    legend = next(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)
    assert legend._ncols == 3 and len(legend.get_texts()) == 31
    for ax in fig.axes:  # the six-region layout squeezed these to a sliver (issue 13 swap)
        assert ax.get_position().height > 0.15


def test_a_long_title_wraps_instead_of_widening_the_page(run_ds, tmp_path):
    """A scenario's question is the run plot's title; a sentence longer than the figure is wide
    must wrap, or a tight save widens the page and leaves the panels in a corner."""
    import matplotlib.pyplot as plt
    from PIL import Image
    question = ("how deep is the damage of a five-year technology and talent blockade from 2030, which"
                " provinces does own basic research shield, and how fast does vitality recover? ") * 2
    widths = []
    for title in ("Run overview", question):
        fig = trajectories(run_ds, ["Talent stock", "Innovation output"], title=title)
        fig.savefig(tmp_path / "f.png", dpi=50, bbox_inches="tight")
        plt.close(fig)
        widths.append(Image.open(tmp_path / "f.png").size[0])
    assert widths[1] <= widths[0] + 2
    assert fig.get_suptitle().count("\n") >= 2
