import math

import numpy as np
import pytest
import xarray as xr

from simsys.analysis import cross_region_flows, openness_share, shannon_index
from simsys.errors import SimsysError


def test_shannon_known_values():
    assert shannon_index([1.0, 1.0, 1.0, 1.0]) == pytest.approx(math.log(4))
    assert shannon_index([1.0, 1.0, 1.0, 1.0], normalised=True) == pytest.approx(1.0)
    assert shannon_index([0.0, 5.0, 0.0]) == pytest.approx(0.0)
    assert shannon_index([1.0, 1.0, 2.0]) == pytest.approx(1.5 * math.log(2))
    assert shannon_index([1.0, 1.0, 2.0], base=2) == pytest.approx(1.5)
    assert np.isnan(shannon_index([0.0, 0.0]))


def test_shannon_dataarray_over_type_dim():
    da = xr.DataArray([[[1.0, 1.0, 2.0], [3.0, 3.0, 3.0]]], dims=("time", "Region", "type"),
                      coords={"Region": ["hub", "edge"], "type": ["rd", "industry", "broker"]})
    h = shannon_index(da)
    assert h.dims == ("time", "Region")
    assert float(h.sel(Region="edge")[0]) == pytest.approx(math.log(3))
    ev = shannon_index(da, normalised=True)
    assert float(ev.sel(Region="hub")[0]) == pytest.approx(1.5 * math.log(2) / math.log(3))


@pytest.mark.parametrize("x, kwargs", [
    ([1.0, -1.0], {}),
    ([1.0, np.nan], {}),
    ([1.0], {"normalised": True}),
    ([1.0, 2.0], {"base": 1.0}),
])
def test_shannon_bad_inputs(x, kwargs):
    with pytest.raises(SimsysError):
        shannon_index(x, **kwargs)


def test_openness_share():
    assert openness_share(2.0, 1.0, 10.0) == pytest.approx(0.3)
    out = openness_share(np.array([1.0, 0.0]), np.array([1.0, 0.0]), np.array([4.0, 0.0]))
    assert out[0] == pytest.approx(0.5) and np.isnan(out[1])
    da = xr.DataArray([2.0, 4.0], dims="time")
    share = openness_share(da, 0.0 * da, 2 * da)
    assert share.dims == ("time",) and share.values == pytest.approx([0.5, 0.5])
    with pytest.raises(SimsysError, match="exceed"):
        openness_share(5.0, 6.0, 10.0)
    with pytest.raises(SimsysError):
        openness_share(-1.0, 0.0, 1.0)


def test_cross_region_flows():
    od = np.array([[5.0, 1.0, 2.0], [0.5, 4.0, 0.0], [1.0, 1.0, 3.0]])
    cross, local = cross_region_flows(od)
    assert local == pytest.approx(12.0) and cross == pytest.approx(5.5)
    regions = ["a", "b", "c"]
    da = xr.DataArray(np.stack([od, 2 * od]), dims=("time", "origin", "destination"),
                      coords={"origin": regions, "destination": regions, "time": [1, 2]})
    c, l = cross_region_flows(da)
    assert c.dims == ("time",) and c.values == pytest.approx([5.5, 11.0])
    assert openness_share(c, 0.0, c + l).values == pytest.approx([5.5 / 17.5] * 2)
    bad = da.assign_coords(destination=["c", "b", "a"])
    with pytest.raises(SimsysError, match="labels"):
        cross_region_flows(bad)
    with pytest.raises(SimsysError):
        cross_region_flows(np.ones((2, 3)))
