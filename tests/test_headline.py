"""How headline numbers are aggregated over regions and written."""
import numpy as np
import xarray as xr

from simsys.cli.options import table
from simsys.headline import aggregate, aggregation, percent, signed


def _da(name, doc=""):
    return xr.DataArray(np.array([[1.0, 3.0], [2.0, 6.0]]), dims=("time", "Region"),
                        name=name, attrs={"doc": doc, "units": "Dmnl"})


def test_per_capita_shares_and_indices_are_averaged_extensive_ones_summed():
    assert aggregation(_da("Vitality per capita")) == "mean"
    assert aggregation(_da("Openness share")) == "mean"
    assert aggregation(_da("U talent", "Normalised talent chain index in [0, 1].")) == "mean"
    assert aggregation(_da("RD talent", "R&D talent.")) == "sum"
    mean, label = aggregate(_da("Vitality per capita"))
    np.testing.assert_allclose(mean.values, [2.0, 4.0])
    assert label == " (mean over Region)"
    total, label = aggregate(_da("RD talent"))
    np.testing.assert_allclose(total.values, [4.0, 8.0])
    assert label == " (sum over Region)"


def test_no_negative_zero():
    assert percent(0.065 - 1e-17, 0.065) == "0.0%"
    assert percent(1.1, 1.0) == "+10.0%"
    assert percent(0.9, 1.0) == "-10.0%"
    assert percent(1.0, 0.0) == "-"
    assert signed(-1e-20, scale=0.065) == "0" and signed(-1e-20) == "-1e-20" and signed(0.5) == "+0.5" and signed(-2.0) == "-2"


def test_table_wraps_to_the_width():
    rows = [["a lever with a rather long name " * 4, "0.2", "a long description " * 6]]
    text = table(rows, ["lever", "default", "doc"], width=80)
    assert max(len(ln) for ln in text.splitlines()) <= 80
    assert text.split().count("lever") == 5  # header + 4: nothing lost in the wrapping
