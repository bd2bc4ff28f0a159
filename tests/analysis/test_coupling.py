import math

import numpy as np
import pytest
import xarray as xr

from simsys.analysis import BAND_LABELS, coupling_band, coupling_degree, minmax_index
from simsys.errors import SimsysError


def _rescale(u):
    return [0.01 + 0.98 * v for v in u]


def test_equal_indices_give_full_coupling():
    res = coupling_degree(np.array([0.4, 0.4, 0.4, 0.4]))
    assert res.C == pytest.approx(1.0, abs=1e-15)
    assert res.T == pytest.approx(0.01 + 0.98 * 0.4)
    assert res.D == pytest.approx(math.sqrt(0.01 + 0.98 * 0.4))


def test_standard_coupling_by_hand():
    u = _rescale([0.2, 0.5, 0.8])
    a = [0.5, 0.3, 0.2]
    c = 3 * (u[0] * u[1] * u[2]) ** (1 / 3) / (u[0] + u[1] + u[2])
    t = a[0] * u[0] + a[1] * u[1] + a[2] * u[2]
    res = coupling_degree([0.2, 0.5, 0.8], weights=a)
    assert res.C == pytest.approx(c, rel=1e-13)
    assert res.T == pytest.approx(t, rel=1e-13)
    assert res.D == pytest.approx(math.sqrt(c * t), rel=1e-13)


def test_corrected_coupling_by_hand_three_subsystems():
    u = _rescale([0.2, 0.5, 0.8])  # 0.206, 0.5, 0.794
    pairs = abs(u[1] - u[0]) + abs(u[2] - u[0]) + abs(u[2] - u[1])
    top = max(u)
    prod = (u[0] / top) * (u[1] / top) * (u[2] / top)
    c = math.sqrt((1 - pairs / 3) * prod ** (1 / 2))
    res = coupling_degree([0.2, 0.5, 0.8], corrected=True)
    assert res.C == pytest.approx(c, rel=1e-13)
    assert res.D == pytest.approx(math.sqrt(c * sum(u) / 3), rel=1e-13)


def test_corrected_coupling_two_subsystems_and_equal():
    u1, u2 = 0.3, 0.9
    res = coupling_degree([u1, u2], corrected=True, rescale=False)
    assert res.C == pytest.approx(math.sqrt((1 - 0.6) * (u1 / u2)), rel=1e-13)
    assert coupling_degree([0.7] * 4, corrected=True).C == pytest.approx(1.0)


def test_corrected_spreads_more_than_standard():
    res_s = coupling_degree([0.1, 0.9])
    res_c = coupling_degree([0.1, 0.9], corrected=True)
    assert res_c.C < res_s.C


def test_numpy_last_axis_is_subsystems():
    u = np.array([[0.2, 0.5, 0.8], [0.4, 0.4, 0.4]])
    res = coupling_degree(u)
    assert res.C.shape == (2,)
    assert res.C[1] == pytest.approx(1.0)
    assert res.C[0] == pytest.approx(coupling_degree(u[0]).C)


def test_dataarray_keeps_other_dims():
    rng = np.random.default_rng(0)
    da = xr.DataArray(rng.random((3, 4, 5)), dims=("Region", "chain", "time"),
                      coords={"Region": ["a", "b", "c"],
                              "chain": ["talent", "innovation", "industry", "capital"],
                              "time": np.arange(2021, 2026)})
    w = xr.DataArray([0.4, 0.2, 0.2, 0.2], dims="chain",
                     coords={"chain": ["talent", "innovation", "industry", "capital"]})
    res = coupling_degree(da, w)
    assert res.D.dims == ("Region", "time")
    one = coupling_degree(da.sel(Region="b", time=2023).values, [0.4, 0.2, 0.2, 0.2])
    assert float(res.D.sel(Region="b", time=2023)) == pytest.approx(one.D, rel=1e-13)
    corr = coupling_degree(da, w, corrected=True)
    one_c = coupling_degree(da.sel(Region="b", time=2023).values, [0.4, 0.2, 0.2, 0.2],
                            corrected=True)
    assert float(corr.C.sel(Region="b", time=2023)) == pytest.approx(one_c.C, rel=1e-13)
    ds = res.to_dataset()
    assert set(ds.data_vars) == {"C", "T", "D"}


@pytest.mark.parametrize("bad, kwargs", [
    ([0.2, 1.2], {}),
    ([0.0, 0.5], {"rescale": False}),
    ([0.2, np.nan], {}),
    ([0.5], {}),
    ([0.2, 0.4], {"weights": [0.5, 0.6]}),
    ([0.2, 0.4], {"weights": [1.0]}),
])
def test_bad_inputs_raise(bad, kwargs):
    with pytest.raises(SimsysError):
        coupling_degree(bad, **kwargs)


def test_missing_dim_raises():
    with pytest.raises(SimsysError, match="chain"):
        coupling_degree(xr.DataArray([0.1, 0.2], dims="x"))


def test_bands_edges_and_labels():
    d = np.array([0.0, 0.05, 0.1, 0.1000001, 0.3, 0.5, 0.55, 0.9, 0.95, 1.0, np.nan])
    band = coupling_band(d)
    assert band.index.tolist() == [0, 0, 0, 1, 2, 4, 5, 8, 9, 9, -1]
    assert band.zh[0] == "极度失调" and band.en[0] == "extreme disorder"
    assert band.zh[6] == "勉强协调" and band.en[6] == "barely coordinated"
    assert band.zh[9] == "优质协调" and band.en[9] == "high-quality coordination"
    assert band.zh[10] == ""
    assert len(BAND_LABELS) == 10


def test_band_scalar_and_dataarray():
    b = coupling_band(0.75)
    assert (b.index, b.zh, b.en) == (7, "中级协调", "intermediate coordination")
    da = xr.DataArray([0.25, 0.65], dims="Region", coords={"Region": ["x", "y"]})
    bd = coupling_band(da)
    assert bd.index.dims == ("Region",)
    assert bd.index.values.tolist() == [2, 6]
    assert bd.en.sel(Region="y").item() == "primary coordination"


def test_band_out_of_range_raises():
    with pytest.raises(SimsysError):
        coupling_band([0.5, 1.2])


def test_minmax_index():
    x = np.array([2.0, 4.0, 6.0])
    assert minmax_index(x).tolist() == [0.0, 0.5, 1.0]
    assert minmax_index(x, negative=True).tolist() == [1.0, 0.5, 0.0]
    da = xr.DataArray([[1.0, 3.0], [2.0, 2.0]], dims=("time", "Region"))
    out = minmax_index(da, over="Region")
    assert out.values.tolist() == [[0.0, 1.0], [1.0, 1.0]]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(arrays(float, st.integers(2, 6), elements=st.floats(0.0, 1.0)))
def test_property_bounds(u):
    for corrected in (False, True):
        res = coupling_degree(u, corrected=corrected)
        assert 0.0 <= res.C <= 1.0
        assert 0.01 - 1e-12 <= res.T <= 0.99 + 1e-12
        assert res.D == pytest.approx(math.sqrt(res.C * res.T))
        assert 0 <= coupling_band(res.D).index <= 9
