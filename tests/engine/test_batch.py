"""run_batch of many scenarios equals the single runs bit for bit; RANDOM streams follow the scenario."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsys
from simsys.policy import Ramp, Step

MODELS = Path(__file__).resolve().parents[1] / "models"


def _levers(model):
    return [lv for lv in model.levers if not lv.dims]


def test_batch_of_1000_equals_single_runs_bitwise():
    m = simsys.load_model(MODELS / "bench_regions.mdl")
    cm = m.compile()
    rng = np.random.default_rng(1)
    consts = [k for k, _ in cm._p_rows.items()]
    assert consts
    n = 1000
    params = {}
    for key in consts:
        rows = cm._p_rows[key]
        base = cm.p_default[rows[0][1]]
        lv = cm._levers.get(key)
        lo, hi = (lv.min, lv.max) if lv else (0.5 * base, 1.5 * base) if base else (0.0, 1.0)
        params[key] = rng.uniform(lo, hi, n)
    batch = cm.run_batch(params, final_time=10)
    for i in range(n):
        single = cm.run({k: v[i] for k, v in params.items()}, final_time=10)
        for var in single.data_vars:
            a = batch[var].isel(scenario=i).values
            b = single[var].values
            assert np.array_equal(a, b), (var, i)


@pytest.mark.parametrize("name", ["random_uniform", "random_normal", "random_exponential"])
def test_random_draws_depend_on_seed_and_scenario_only(name):
    m = simsys.load_model(MODELS / f"{name}.mdl")
    big = m.run_batch({}, seed=11, scenario_index=np.arange(300))
    part = m.run_batch({}, seed=11, scenario_index=np.array([299, 5, 17]))
    for var in big.data_vars:
        np.testing.assert_array_equal(part[var].values[0], big[var].values[299])
        np.testing.assert_array_equal(part[var].values[1], big[var].values[5])
    other = m.run_batch({}, seed=12, scenario_index=np.arange(3))
    changed = [v for v in big.data_vars if not np.array_equal(other[v].values, big[v].values[:3])]
    assert changed, "a different seed must change the draws"


def test_random_uniform_statistics():
    m = simsys.load_model(MODELS / "random_uniform.mdl")
    ds = m.run_batch({}, seed=3, scenario_index=np.arange(2000))
    rand_vars = [v for v in ds.data_vars if ds[v].attrs["kind"] != "constant" and ds[v].std() > 0]
    assert rand_vars
    x = ds["draw"].isel(time=0).values  # draw = RANDOM UNIFORM(0, 10, 1)
    from scipy import stats
    # the model's bounds, and a uniform distribution on them (Kolmogorov-Smirnov, 2000 draws)
    assert x.min() >= 0.0 and x.max() <= 10.0
    assert stats.kstest(x, stats.uniform(loc=0.0, scale=10.0).cdf).pvalue > 1e-3
    assert x.std() == pytest.approx(10 / np.sqrt(12), rel=0.05)


def test_random_exponential_is_pysds_truncated_exponential():
    """draw = RANDOM EXPONENTIAL(0, 10, 1, 2, 1): PySD draws truncexpon(b=(10 - 1) / 2, loc=1,
    scale=2); each simsys draw is that distribution's quantile of the run's own uniform."""
    from scipy import stats
    from simsys.compile.runtime import _u01, scenario_keys
    m = simsys.load_model(MODELS / "random_exponential.mdl")
    idx = np.arange(2000)
    ds = m.run_batch({}, seed=3, scenario_index=idx)
    dist = stats.truncexpon(b=4.5, loc=1.0, scale=2.0)
    x = ds["draw"].values  # [scenario, time]
    u = np.stack([_u01(scenario_keys(3, idx), 0, k) for k in range(x.shape[1])], axis=1)
    np.testing.assert_allclose(x, dist.ppf(u), rtol=1e-13)
    assert x.min() >= 1.0 and x.max() <= 10.0
    assert stats.kstest(x[:, 0], dist.cdf).pvalue > 1e-3
    assert x.mean() == pytest.approx(dist.mean(), rel=0.01)


def test_dataframe_params_one_row_per_scenario():
    m = simsys.load_model(MODELS / "stock_teacup.mdl")
    lever = m.levers[0] if m.levers else None
    name = lever.name if lever else [e.name for e in m.elements if e.kind.value == "constant"][0]
    lo, hi = (lever.min, lever.max) if lever else (1.0, 2.0)
    df = pd.DataFrame({name: np.linspace(lo, hi, 4)})
    ds = m.run_batch(df)
    assert ds.sizes["scenario"] == 4
    # each row is its own scenario: row i equals a single run with that row's value
    for i, value in enumerate(df[name]):
        one = m.run({name: float(value)})
        for var in one.data_vars:
            np.testing.assert_array_equal(ds[var].values[i], one[var].values)


def test_lever_out_of_range_is_refused_with_the_range():
    m = simsys.load_model(MODELS / "levers.mdl")
    lv = m.levers[0]
    with pytest.raises(simsys.ScenarioError, match=r"outside the lever's range \["):
        m.run({lv.name: lv.max + 1})


def test_unknown_name_suggests_close_matches():
    m = simsys.load_model(MODELS / "levers.mdl")
    lv = m.levers[0]
    with pytest.raises(simsys.ScenarioError, match="did you mean"):
        m.run({lv.name + "x": 0.1})


def test_time_varying_policies():
    m = simsys.load_model(MODELS / "levers.mdl")
    lv = m.levers[0]
    lo, hi = lv.min, lv.max
    t0, t1 = m.control.initial_time, m.control.final_time
    mid = (t0 + t1) / 2
    ds = m.run_batch({lv.name: [Step(lo, hi, mid), Ramp(lo, hi, t0, t1)]}, return_columns=[lv.name])
    v = ds[lv.name].values
    t = ds["time"].values
    assert v[0, 0] == lo and v[0, -1] == hi
    np.testing.assert_allclose(v[1], lo + (hi - lo) * (t - t0) / (t1 - t0))


BLOWUP = """{UTF-8}
growth = 1 ~ 1/Year [0, 100, 1] ~ growth rate |
stock = INTEG(stock * growth, 1) ~ widgets ~ explodes for large growth |
ratio = stock / (growth - 2) ~ Dmnl ~ infinite when growth = 2 |
FINAL TIME = 100 ~ Year ~ |
INITIAL TIME = 0 ~ Year ~ |
TIME STEP = 0.25 ~ Year ~ |
SAVEPER = TIME STEP ~ Year ~ |
"""


def test_non_finite_scenarios_are_flagged_while_others_finish(tmp_path):
    path = tmp_path / "blowup.mdl"
    path.write_text(BLOWUP)
    m = simsys.load_model(path)
    ds = m.run_batch({"growth": [1.0, 100.0, 2.0, 0.5]})
    st = ds["simsys_status"].values
    assert list(st) == [0, 1, 1, 0]
    assert ds["simsys_fail_variable"].values[2] == "ratio"
    assert ds["simsys_fail_time"].values[2] == 0.0
    assert "stock" in ds["simsys_fail_variable"].values[1]
    assert np.isfinite(ds["stock"].values[[0, 3]]).all()
    with pytest.raises(simsys.SolveError, match="ratio") as err:
        m.run({"growth": 2.0})
    assert err.value.partial["stock"].size > 0


def test_element_settings_refine_whole_lever_settings_in_any_order():
    m = simsys.load_model(MODELS / "subscript_1d.mdl")
    lever = next((e for e in m.elements if e.kind.value == "constant" and e.dims), None)
    assert lever is not None
    first = m.ranges[lever.dims[0]][0]
    a = m.run({lever.name: 1.0, f"{lever.name}[{first}]": 2.0}, return_columns=[lever.name])
    b = m.run({f"{lever.name}[{first}]": 2.0, lever.name: 1.0}, return_columns=[lever.name])
    np.testing.assert_array_equal(a[lever.name].values, b[lever.name].values)
    assert a[lever.name].values[0, 0] == 2.0 and a[lever.name].values[0, 1] == 1.0


BLOCKS = """{UTF-8}
growth = 1 ~ 1/Year [0, 4] ~ a lever; growth 3 blows up |
noise = RANDOM NORMAL(-1, 1, 0, 0.2, 0) ~ Dmnl ~ |
stock = INTEG(stock * (growth - 2.5) / 10 + noise, 1) ~ widgets ~ |
ratio = stock / (growth - 3) ~ Dmnl ~ infinite when growth = 3 |
FINAL TIME = 10 ~ Year ~ |
INITIAL TIME = 0 ~ Year ~ |
TIME STEP = 0.25 ~ Year ~ |
SAVEPER = 1 ~ Year ~ |
"""


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_numpy_blocks_do_not_change_the_numbers(tmp_path, monkeypatch, method):
    """The numpy time loop integrates a large batch a block of scenarios at a time: any block
    size gives the same bits, random draws, time-varying levers and a failed scenario in a
    later block included."""
    import simsys.solve.simulate as sim
    path = tmp_path / "blocks.mdl"
    path.write_text(BLOCKS)
    cm = simsys.load_model(path).compile(backend="numpy")
    growth = np.linspace(0.5, 3.5, 13)
    growth[11] = 3.0  # the ratio is infinite there: flagged in the last block
    runs = {}
    for block in (10_000, 5, 4, 1):
        monkeypatch.setattr(sim, "BLOCK", block)
        runs[block] = (cm.run_batch({"growth": growth}, seed=3, method=method),
                       cm.run_batch({"growth": [Ramp(float(g), 1.0, 2, 8) for g in growth]}, seed=3,
                                    method=method))
    for block, pair in runs.items():
        for a, b in zip(runs[10_000], pair):
            for v in a.data_vars:
                assert np.array_equal(a[v].values.view(np.uint64), b[v].values.view(np.uint64)), (block, v)
            assert list(a["simsys_status"].values) == list(b["simsys_status"].values)
            assert list(a["simsys_fail_variable"].values) == list(b["simsys_fail_variable"].values)
    assert runs[1][0]["simsys_status"].values[11] == 1
    assert runs[1][0]["simsys_fail_variable"].values[11] == "ratio"
