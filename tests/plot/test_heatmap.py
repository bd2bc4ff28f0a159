import pytest

from simsys.plot import PlotError, heatmap


def test_region_by_time(run_ds, save_png):
    ax = heatmap(run_ds, "Innovation output")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["hub", "east", "west", "north",
                                                            "south"]
    assert ax.get_xlabel() == "Year"
    colorbar_axes = [a for a in ax.figure.axes if a is not ax]
    assert colorbar_axes[0].get_ylabel().replace("\n", " ") == "Innovation output [patents/Year]"
    save_png(ax, "heatmap")


def test_dataarray(run_ds, save_png):
    import numpy as np
    da = run_ds["Talent stock"]
    ax = heatmap(da, cmap="magma")
    # the picture holds the array's values, one row per region, in the colormap asked for
    mesh = [c for c in ax.get_children() if hasattr(c, "get_array") and c.get_array() is not None][0]
    drawn = np.asarray(mesh.get_array()).reshape(da.sizes["Region"], -1)
    np.testing.assert_allclose(drawn, da.transpose("Region", "time").values)
    assert mesh.get_cmap().name == "magma"
    save_png(ax, "heatmap_da")


def test_sweep_refused(sweep_ds):
    with pytest.raises(PlotError, match="select or reduce 'scenario'"):
        heatmap(sweep_ds, "Talent stock")


def test_needs_region_dim(run_ds):
    with pytest.raises(PlotError, match="needs one dimension besides time"):
        heatmap(run_ds, "National policy index")
    with pytest.raises(PlotError, match="expected a 'Region' dimension"):
        heatmap(run_ds, "National policy index", dim="Region")


def test_region_dim_inferred_whatever_its_name(run_ds):
    da = run_ds["Talent stock"].rename(Region="Province")
    ax = heatmap(da)
    assert ax.get_ylabel() == "Province"
    assert [t.get_text() for t in ax.get_yticklabels()] == [str(e) for e in da["Province"].values]


def test_dataset_needs_variable(run_ds):
    with pytest.raises(PlotError, match="name the one to plot"):
        heatmap(run_ds)
