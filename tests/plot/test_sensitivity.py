import numpy as np
import pytest
import xarray as xr

from simsys.plot import PlotError, sensitivity_bars

NAMES = ["Evaluation reform", "Housing subsidy", "R&D tax credit", "Talent visa quota"]
SOBOL = {"names": NAMES, "S1": [0.05, 0.2, 0.3, -0.01], "S1_conf": [0.02, 0.03, 0.04, 0.02],
         "ST": [0.1, 0.25, 0.5, 0.3], "ST_conf": [0.03, 0.03, 0.05, 0.04]}
MORRIS = {"names": NAMES, "mu_star": [0.3, 1.2, 2.5, 0.8], "mu_star_conf": [0.1, 0.2, 0.4, 0.1],
          "sigma": [0.2, 1.5, 1.0, 0.9]}


def _ticks(ax):
    return [t.get_text() for t in ax.get_yticklabels()]


def _top_down(ax):
    return [t for _, t in sorted(zip(ax.get_yticks(), _ticks(ax)), reverse=True)]


def test_sobol_sorted_by_st_top_down(save_png):
    ax = sensitivity_bars(SOBOL)
    assert _top_down(ax) == ["R&D tax credit", "Talent visa quota", "Housing subsidy",
                                     "Evaluation reform"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["First order S1",
                                                                   "Total order ST"]
    save_png(ax, "sobol")


def test_sobol_from_dataset(save_png):
    ds = xr.Dataset({k: ("param", v) for k, v in SOBOL.items() if k != "names"},
                    coords={"param": NAMES})
    ds = ds.assign(names=("param", NAMES))
    ax = sensitivity_bars(ds, kind="sobol")
    assert set(_ticks(ax)) == set(NAMES)


def test_salib_style_result_without_names():
    result = {k: np.asarray(v) for k, v in SOBOL.items() if k != "names"}
    with pytest.raises(PlotError, match="names="):
        sensitivity_bars(result)
    ax = sensitivity_bars(result, names=NAMES)
    assert set(_ticks(ax)) == set(NAMES)


@pytest.mark.parametrize("kind", ["morris", "morris_scatter"])
def test_morris(kind, save_png):
    ax = sensitivity_bars(MORRIS, kind=kind)
    save_png(ax, kind)
    if kind == "morris":
        assert _top_down(ax)[0] == "R&D tax credit"  # largest mu* on top
    else:
        assert {t.get_text() for t in ax.texts} >= set(NAMES)


def test_unknown_kind_lists_valid():
    with pytest.raises(PlotError, match="valid kinds: sobol, morris, morris_scatter"):
        sensitivity_bars(SOBOL, kind="fast")


def test_length_mismatch_and_missing_key():
    bad = dict(SOBOL, ST=[0.1, 0.2])
    with pytest.raises(PlotError, match=r"result\['ST'\] has 2 values, expected 4"):
        sensitivity_bars(bad)
    with pytest.raises(PlotError, match="has no 'sigma'"):
        sensitivity_bars({k: v for k, v in MORRIS.items() if k != "sigma"}, kind="morris")
