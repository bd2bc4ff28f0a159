import math

import numpy as np
import pytest
import xarray as xr

from simsys.analysis import gini, theil
from simsys.errors import SimsysError


def test_equal_values_give_zero():
    assert gini([3.0, 3.0, 3.0]) == pytest.approx(0.0, abs=1e-15)
    assert theil([3.0, 3.0, 3.0]) == pytest.approx(0.0, abs=1e-15)


def test_one_region_holds_everything():
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)
    assert theil([0, 0, 0, 1]) == pytest.approx(math.log(4))


def test_known_vector_by_hand():
    x = [1.0, 2.0, 3.0, 4.0]
    n, mu = 4, 2.5
    g = sum(abs(a - b) for a in x for b in x) / (2 * n * n * mu)
    t = sum((v / mu) * math.log(v / mu) for v in x) / n
    assert g == pytest.approx(0.25)
    assert gini(x) == pytest.approx(g, rel=1e-13)
    assert theil(x) == pytest.approx(t, rel=1e-13)
    assert gini([4.0, 1.0, 3.0, 2.0]) == pytest.approx(g, rel=1e-13)


def test_over_time_dataarray():
    da = xr.DataArray([[1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0]], dims=("time", "Region"),
                      coords={"time": [2021, 2022]})
    g = gini(da)
    assert g.dims == ("time",)
    assert g.values == pytest.approx([0.0, 0.25])
    assert theil(da.T).values == pytest.approx([0.0, theil([1.0, 2.0, 3.0, 4.0])])


def test_numpy_last_axis_and_all_zero():
    out = gini(np.array([[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 0.0]]))
    assert out[0] == pytest.approx(0.25) and np.isnan(out[1])
    assert np.isnan(theil([0.0, 0.0]))


def test_theil_population_weights():
    pop = np.array([1.0, 2.0, 5.0])
    assert theil(pop * 3.0, weights=pop) == pytest.approx(0.0, abs=1e-15)
    y = np.array([1.0, 1.0, 1.0])
    s, p = y / 3, pop / 8
    assert theil(y, weights=pop) == pytest.approx(float((s * np.log(s / p)).sum()))
    with pytest.raises(SimsysError):
        theil(y, weights=[1.0, 0.0, 1.0])
    with pytest.raises(SimsysError):
        theil(y, weights=[1.0, 2.0])


@pytest.mark.parametrize("fn", [gini, theil])
def test_bad_values_raise(fn):
    with pytest.raises(SimsysError):
        fn([1.0, -1.0, 2.0])
    with pytest.raises(SimsysError):
        fn([1.0, np.nan])
    with pytest.raises(SimsysError, match="Region"):
        fn(xr.DataArray([1.0, 2.0], dims="zone"), dim="Region")
    with pytest.raises(SimsysError, match="which one holds the regions"):
        fn(xr.DataArray([[1.0, 2.0]], dims=("zone", "sector")))


@pytest.mark.parametrize("fn", [gini, theil])
def test_the_regional_dim_is_inferred_whatever_the_model_calls_it(fn):
    values = [[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]]
    da = xr.DataArray(values, dims=("time", "Province"))
    np.testing.assert_allclose(fn(da).values, fn(da, dim="Province").values)
    np.testing.assert_allclose(fn(da).values, fn(np.array(values)))


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra.numpy import arrays  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(arrays(float, st.integers(2, 8), elements=st.floats(0.01, 1e3)),
       st.floats(0.1, 100.0))
def test_property_bounds_and_scale_invariance(x, scale):
    n = x.size
    g, t = gini(x), theil(x)
    assert -1e-12 <= g <= (n - 1) / n + 1e-12
    assert -1e-12 <= t <= math.log(n) + 1e-12
    assert gini(x * scale) == pytest.approx(g, abs=1e-12)
    assert theil(x * scale) == pytest.approx(t, abs=1e-12)
    pairwise = np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * x.mean())
    assert g == pytest.approx(pairwise, abs=1e-12)
