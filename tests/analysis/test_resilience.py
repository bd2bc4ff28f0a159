import math

import numpy as np
import pytest
import xarray as xr

from simsys.analysis import recovery
from simsys.errors import SimsysError

DT = 1 / 16
T = np.arange(0, 60 + DT / 2, DT)


def exp_recovery(lam, x_star=10.0, x0=6.0, shock=5.0, t=T):
    return np.where(t < shock, x_star, x_star + (x0 - x_star) * np.exp(-lam * (t - shock)))


@pytest.mark.parametrize("lam", [0.1, 0.3, 1.0])
@pytest.mark.parametrize("fraction", [0.1, 0.05])
def test_exponential_recovery_matches_theory(lam, fraction):
    ds = recovery(exp_recovery(lam), shock_time=5.0, fraction=fraction, times=T)
    assert 0 <= float(ds.recovery_time) - (-math.log(fraction) / lam) <= DT
    assert 0 <= float(ds.half_life) - math.log(2) / lam <= DT
    assert float(ds.depth) == pytest.approx(-4.0)
    assert float(ds.resistance) == pytest.approx(-0.4)
    assert float(ds.time_of_minimum) == 5.0
    assert bool(ds.recovered)


def test_baseline_path_and_upward_shock():
    base = 10.0 + 0.2 * T
    shocked = base + np.where(T < 5, 0.0, 3.0 * np.exp(-0.5 * (T - 5)))
    ds = recovery(shocked, base, shock_time=5.0, times=T)
    assert float(ds.depth) == pytest.approx(3.0)
    assert float(ds.resistance) == pytest.approx(3.0 / 11.0)
    assert 0 <= float(ds.recovery_time) - math.log(10) / 0.5 <= DT
    # against the pre-shock value the growing baseline never looks recovered
    ds2 = recovery(shocked, shock_time=5.0, times=T)
    assert not bool(ds2.recovered) and math.isnan(float(ds2.recovery_time))


def test_gradual_shock_trough_later():
    x = np.where(T < 5, 10.0, 10.0 - 4.0 * (np.exp(-0.5 * (T - 5)) - np.exp(-2.0 * (T - 5))))
    ds = recovery(x, shock_time=5.0, times=T)
    assert float(ds.time_of_minimum) > 5.0
    tmin = float(ds.time_of_minimum)
    assert float(ds.recovery_time) > tmin - 5.0


def test_per_region_dataarray():
    lams = [0.2, 0.4, 0.8]
    data = np.stack([exp_recovery(lam) for lam in lams])
    da = xr.DataArray(data, dims=("Region", "time"),
                      coords={"Region": ["hub", "mid", "edge"], "time": 2021 + T})
    ds = recovery(da, shock_time=2026.0)
    assert ds["recovery_time"].dims == ("Region",)
    for r, lam in zip(["hub", "mid", "edge"], lams):
        assert 0 <= float(ds.recovery_time.sel(Region=r)) - math.log(10) / lam <= DT
    base = xr.DataArray(np.full(T.size, 10.0), dims="time", coords={"time": 2021 + T})
    ds_b = recovery(da, base, shock_time=2026.0)
    assert np.allclose(ds_b.recovery_time, ds.recovery_time)


def test_no_displacement_and_no_recovery():
    flat = recovery(np.full(T.size, 3.0), shock_time=5.0, times=T)
    assert float(flat.recovery_time) == 0.0 and float(flat.depth) == 0.0
    stuck = np.where(T < 5, 10.0, 6.0)
    ds = recovery(stuck, shock_time=5.0, times=T)
    assert not bool(ds.recovered) and math.isnan(float(ds.half_life))


def test_numpy_default_times_are_indices():
    x = np.array([5.0, 5.0, 1.0, 3.0, 4.7, 5.0])
    ds = recovery(x, shock_time=2)
    assert float(ds.recovery_time) == 2.0  # |4.7 - 5| <= 0.1 * 4 first at index 4
    assert float(ds.half_life) == 1.0


@pytest.mark.parametrize("kwargs", [
    {"shock_time": 5.0, "fraction": 1.5},
    {"shock_time": 100.0},
    {"shock_time": 0.0},
])
def test_bad_arguments_raise(kwargs):
    with pytest.raises(SimsysError):
        recovery(exp_recovery(0.3), times=T, **kwargs)


def test_bad_shapes_raise():
    with pytest.raises(SimsysError):
        recovery(np.ones(5), shock_time=1, times=np.arange(4))
    with pytest.raises(SimsysError):
        recovery(np.ones(5), np.ones(4), shock_time=1)
    with pytest.raises(SimsysError):
        recovery(np.array([1.0, np.nan, 1.0]), shock_time=1)
    da = xr.DataArray(np.ones(4), dims="year")
    with pytest.raises(SimsysError, match="time"):
        recovery(da, shock_time=1)
