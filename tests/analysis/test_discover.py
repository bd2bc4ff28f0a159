"""Scenario discovery (EMA Workbench's PRIM and CART) over sweep stores."""
import json

import numpy as np
import pytest
import xarray as xr

from simsys.analysis.discover import discover, parse_threshold
from simsys.analysis.sensitivity import sample_design
from simsys.errors import SimsysError


def known_box_store(path, n=600, seed=1):
    """Outcome 1 exactly where a > 0.6 and b < 0.5 (c is irrelevant), plus a little noise."""
    names = ["a", "b", "c"]
    X, design = sample_design("latin", names, [[0.0, 1.0]] * 3, n, seed=seed)
    rng = np.random.default_rng(seed)
    out = ((X[:, 0] > 0.6) & (X[:, 1] < 0.5)).astype(float) + 0.01 * rng.normal(size=n)
    ds = xr.Dataset({"Out:final": (("scenario",), out)})
    ds["design"] = xr.DataArray(X, dims=("scenario", "parameter"), coords={"parameter": names},
                                attrs={"design": json.dumps(design)})
    ds.attrs = {"design": json.dumps(design)}
    ds.to_zarr(path, mode="w", consolidated=False)
    return path


def test_prim_finds_the_known_box(tmp_path):
    store = known_box_store(tmp_path / "box.zarr")
    d = discover(store, "Out:final", 0.5)
    assert d.n_scenarios == 600 and 0.15 < d.n_of_interest / 600 < 0.25
    assert set(d.prim.limits) == {"a", "b"}
    (alo, ahi), (blo, bhi) = d.prim.limits["a"], d.prim.limits["b"]
    assert alo == pytest.approx(0.6, abs=0.05) and ahi == pytest.approx(1.0, abs=0.01)
    assert blo == pytest.approx(0.0, abs=0.01) and bhi == pytest.approx(0.5, abs=0.05)
    assert d.prim.density >= 0.8 and d.prim.coverage > 0.9
    # the trajectory starts with the whole space and ends in the chosen box or beyond
    first = d.trajectory.iloc[0]
    assert first["coverage"] == 1.0 and first["mass"] == 1.0
    assert d.trajectory.iloc[d.chosen]["density"] == pytest.approx(d.prim.density)
    assert d.cart and set(d.cart[0].limits) <= {"a", "b"} and d.cart[0].density >= 0.8
    # the box's statistics are counts over the design, computed independently here
    X = xr.open_zarr(store, consolidated=False)["design"].values
    inside = ((X[:, 0] >= alo) & (X[:, 0] <= ahi) & (X[:, 1] >= blo) & (X[:, 1] <= bhi))
    assert d.prim.n == inside.sum()


def test_below_and_percentile_thresholds(tmp_path):
    store = known_box_store(tmp_path / "box.zarr")
    d = discover(store, "Out:final", "p90", below=True)
    assert d.n_of_interest == pytest.approx(540, abs=1)
    assert not d.above


def test_threshold_parsing_and_refusals(tmp_path):
    v = np.arange(101.0)
    assert parse_threshold("p75", v) == 75.0 and parse_threshold("2.5", v) == 2.5
    for bad in ("p0", "p100", "high"):
        with pytest.raises(SimsysError):
            parse_threshold(bad, v)
    store = known_box_store(tmp_path / "box.zarr", n=100)
    with pytest.raises(SimsysError, match="split"):
        discover(store, "Out:final", 10.0)
    with pytest.raises(SimsysError, match="no variable"):
        discover(store, "Nothing:final", 0.5)
