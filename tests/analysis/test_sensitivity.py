import numpy as np
import pytest
import xarray as xr

from simsys.analysis import SAMPLERS, morris_indices, sample_design, sobol_indices
from simsys.errors import SweepError

PI = np.pi
ISHIGAMI_BOUNDS = [[-PI, PI]] * 3


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_ishigami_sobol_indices():
    x, design = sample_design("saltelli", ["x1", "x2", "x3"], ISHIGAMI_BOUNDS, 2048, seed=11,
                              calc_second_order=False)
    assert x.shape == (2048 * 5, 3)
    ds = sobol_indices(ishigami(x), design)
    assert ds["S1"].values == pytest.approx([0.3139, 0.4424, 0.0], abs=0.03)
    assert ds["ST"].values == pytest.approx([0.5576, 0.4424, 0.2437], abs=0.03)
    assert ds["S1"].coords["parameter"].values.tolist() == ["x1", "x2", "x3"]
    assert "S2" not in ds
    again = sobol_indices(ishigami(x), design)
    assert np.array_equal(again["S1_conf"].values, ds["S1_conf"].values)


def test_second_order_and_per_time():
    x, design = sample_design("saltelli", ["x1", "x2", "x3"], ISHIGAMI_BOUNDS, 512, seed=3)
    assert design["calc_second_order"] is True
    assert x.shape == (512 * 8, 3)
    y = ishigami(x)
    y2 = np.stack([y, 2.0 * y + 1.0], axis=1)
    ds = sobol_indices(y2, design)
    assert ds["S1"].dims == ("parameter", "time")
    assert ds["S2"].dims == ("parameter", "parameter_j", "time")
    assert np.allclose(ds["S1"].isel(time=0), ds["S1"].isel(time=1))
    da = xr.DataArray(y2.T, dims=("year", "scenario"), coords={"year": [2030, 2050]})
    ds2 = sobol_indices(da, design)
    assert ds2["ST"].dims == ("parameter", "year")
    assert ds2["year"].values.tolist() == [2030, 2050]
    assert np.allclose(ds2["ST"].values, ds["ST"].values)


def test_morris_ranks_linear_factors():
    coef = np.array([1.0, 5.0, 10.0, 0.0])
    names = ["a", "b", "c", "d"]
    x, design = sample_design("morris", names, [[0, 1]] * 4, 20, seed=5, num_levels=4)
    assert x.shape == (20 * 5, 4)
    ds = morris_indices(x @ coef, x, design)
    assert ds["mu_star"].values == pytest.approx(coef, abs=1e-9)
    order = ds["mu_star"].sortby(ds["mu_star"], ascending=False)["parameter"].values.tolist()
    assert order == ["c", "b", "a", "d"]
    assert ds["sigma"].values == pytest.approx(np.zeros(4), abs=1e-9)
    per_time = morris_indices(np.stack([x @ coef, x @ (2 * coef)], axis=1), x, design)
    assert per_time["mu_star"].isel(time=1).values == pytest.approx(2 * coef, abs=1e-9)


@pytest.mark.parametrize("method", sorted(SAMPLERS))
def test_samplers_reproducible_and_in_bounds(method):
    bounds = [[0.0, 1.0], [-5.0, 5.0], [10.0, 20.0]]
    x1, d1 = sample_design(method, ["p", "q", "r"], bounds, 8, seed=123)
    x2, d2 = sample_design(method, ["p", "q", "r"], bounds, 8, seed=123)
    assert np.array_equal(x1, x2) and d1 == d2
    assert d1["method"] == method and d1["seed"] == 123 and d1["n"] == 8
    b = np.asarray(bounds)
    assert (x1 >= b[:, 0]).all() and (x1 <= b[:, 1]).all()
    assert x1.shape[1] == 3
    rows = {"saltelli": 8 * 8, "morris": 8 * 4, "latin": 8, "sobol": 8, "montecarlo": 8,
            "grid": 8 ** 3}[method]
    assert x1.shape[0] == rows
    if method != "grid":
        x3, _ = sample_design(method, ["p", "q", "r"], bounds, 8, seed=124)
        assert not np.array_equal(x1, x3)
    # design dicts re-draw the same sample through the registry signature
    opts = {k: v for k, v in d1.items() if k not in ("method", "n", "seed", "names", "bounds")}
    problem = {"num_vars": 3, "names": d1["names"], "bounds": d1["bounds"]}
    assert np.array_equal(SAMPLERS[method](problem, d1["n"], d1["seed"], **opts), x1)


def test_generator_and_none_seeds_are_recorded_as_ints():
    _, d = sample_design("latin", ["a"], [[0, 1]], 4, seed=np.random.default_rng(0))
    assert isinstance(d["seed"], int)
    _, d2 = sample_design("latin", ["a"], [[0, 1]], 4)
    assert isinstance(d2["seed"], int)


def test_latin_is_stratified():
    x, _ = sample_design("latin", ["a", "b"], [[0, 1], [0, 1]], 10, seed=0)
    for j in range(2):
        assert sorted(np.floor(x[:, j] * 10).astype(int).tolist()) == list(range(10))


def test_unknown_method_lists_valid():
    with pytest.raises(SweepError, match="valid: .*latin.*saltelli"):
        sample_design("fast", ["a"], [[0, 1]], 4, seed=0)


@pytest.mark.parametrize("kwargs", [
    {"names": ["a", "a"], "bounds": [[0, 1], [0, 1]]},
    {"names": ["a"], "bounds": [[1, 0]]},
    {"names": ["a"], "bounds": [[0, 1], [0, 1]]},
    {"names": ["a"], "bounds": [[0, 1]], "n": 0},
    {"names": ["a"], "bounds": [[0, 1]], "seed": -3},
    {"names": ["a"], "bounds": [[0, 1]], "num_levels": 4},
])
def test_bad_designs_raise(kwargs):
    args = {"method": "latin", "n": 4, "seed": 0, **kwargs}
    with pytest.raises(SweepError):
        sample_design(**args)


def test_sobol_refuses_other_designs_and_wrong_lengths():
    x, latin = sample_design("latin", ["a", "b"], [[0, 1], [0, 1]], 64, seed=0)
    with pytest.raises(SweepError, match="saltelli"):
        sobol_indices(x.sum(axis=1), latin)
    x, design = sample_design("saltelli", ["a", "b"], [[0, 1], [0, 1]], 64, seed=0)
    with pytest.raises(SweepError, match="design implies 384"):
        sobol_indices(x.sum(axis=1)[:-1], design)
    y = x.sum(axis=1)
    y[3] = np.nan
    with pytest.raises(SweepError, match="NaN"):
        sobol_indices(y, design)
    with pytest.raises(SweepError):
        sobol_indices(np.ones((384, 2, 2)), design)
    with pytest.raises(SweepError, match="lacks"):
        sobol_indices(x.sum(axis=1), {"method": "saltelli"})


def test_morris_refuses_other_designs_and_shapes():
    x, design = sample_design("morris", ["a", "b"], [[0, 1], [0, 1]], 10, seed=0)
    with pytest.raises(SweepError, match="morris"):
        morris_indices(x.sum(axis=1), x, {**design, "method": "latin"})
    with pytest.raises(SweepError, match="X must have shape"):
        morris_indices(x.sum(axis=1), x[:-1], design)
    with pytest.raises(SweepError, match="scenario rows"):
        morris_indices(x.sum(axis=1)[:-3], x, design)


@pytest.mark.parametrize("method", sorted(SAMPLERS))
def test_registry_samplers_take_generator_seeds(method):
    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0.0, 1.0], [2.0, 3.0]]}
    x1 = SAMPLERS[method](problem, 4, np.random.default_rng(8))
    x2 = SAMPLERS[method](problem, 4, np.random.default_rng(8))
    assert np.array_equal(x1, x2)


def test_store_style_design_variable_and_json():
    """A sweep store keeps the design as a (scenario, parameter) DataArray with JSON attrs."""
    import json
    x, design = sample_design("morris", ["a", "b"], [[0, 1], [0, 1]], 10, seed=2)
    coef = np.array([3.0, 1.0])
    stored = xr.DataArray(10 * x, dims=("scenario", "parameter"),  # lever units
                          coords={"parameter": ["a", "b"]},
                          attrs={"design": json.dumps({**design, "calc_second_order": True})})
    y = xr.DataArray((x @ coef)[:, None] * [1.0, 2.0], dims=("scenario", "time"),
                     coords={"time": [2030.0, 2050.0]})
    ds = morris_indices(y, stored, stored)
    assert ds["mu_star"].sel(time=2030.0).values == pytest.approx(coef)
    assert morris_indices(x @ coef, x, json.dumps(design))["mu"].values == pytest.approx(coef)
    xs, ds_design = sample_design("saltelli", ["a", "b"], [[0, 1], [0, 1]], 64, seed=0)
    one_level = {**ds_design, "bounds": [[0, 1], [2, 2]]}
    out = sobol_indices(xs[:, 0], one_level)
    assert out["S1"].sel(parameter="a") == pytest.approx(1.0, abs=0.1)
    with pytest.raises(SweepError, match="JSON"):
        sobol_indices(xs[:, 0], "{not json")
