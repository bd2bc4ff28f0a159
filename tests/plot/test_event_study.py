import numpy as np
import pytest
import xarray as xr

from simsys.plot import PlotError, event_study_plot

K = np.array([-4, -3, -2, 0, 1, 2, 3])
COEF = np.array([0.01, -0.02, 0.0, 0.05, 0.1, 0.12, 0.15])
RESULT = {"k": K, "coef": COEF, "ci_low": COEF - 0.06, "ci_high": COEF + 0.06}


def test_dict(save_png):
    ax = event_study_plot(RESULT)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "k = -1: reference (omitted)" in labels
    assert list(ax.get_xticks()) == list(range(-4, 4))
    ref = [line for line in ax.get_lines() if line.get_label().startswith("k = -1")][0]
    assert list(ref.get_xdata()) == [-1] and list(ref.get_ydata()) == [0.0]
    save_png(ax, "event_study")


def test_dataset_with_reference_row(save_png):
    k = np.arange(-3, 4)
    coef = np.where(k == -1, 0.0, 0.02 * k)
    ds = xr.Dataset({"coef": ("k", coef, {"units": "patents per 10k people"}),
                     "ci_low": ("k", np.where(k == -1, np.nan, coef - 0.05)),
                     "ci_high": ("k", np.where(k == -1, np.nan, coef + 0.05))},
                    coords={"k": k})
    ax = event_study_plot(ds)
    assert ax.get_ylabel() == "Coefficient [patents per 10k people]"
    save_png(ax, "event_study_ds")


def test_mismatched_lengths():
    with pytest.raises(PlotError, match=r"result\['ci_high'\] has 6 values, expected 7"):
        event_study_plot(dict(RESULT, ci_high=RESULT["ci_high"][:-1]))


def test_missing_key():
    with pytest.raises(PlotError, match="has no 'coef'"):
        event_study_plot({"k": K, "ci_low": K, "ci_high": K})
