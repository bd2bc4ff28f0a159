import numpy as np
import pytest
import xarray as xr
from scipy import stats

from simsys.analysis import did_2x2, event_study, twfe
from simsys.errors import SimsysError

REGIONS = ["hub", "east", "west", "north", "south", "inland"]
YEARS = np.arange(2021, 2033)


def panel(seed=0, effect=0.0, treated=("east", "west"), start=2027, noise=1.0):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(len(REGIONS), 1)) * 3
    lt = np.cumsum(rng.normal(size=(1, YEARS.size)))
    treat = np.isin(REGIONS, treated)[:, None]
    post = (YEARS >= start)[None, :]
    y = a + lt + effect * (treat & post) + noise * rng.normal(size=(len(REGIONS), YEARS.size))
    return xr.DataArray(y, dims=("Region", "time"), coords={"Region": REGIONS, "time": YEARS})


def dummy_regression(y, treat, post):
    """TWFE with explicit region and time dummies and CR1 clustered SE, written out.

    The small-sample factor counts the slope, the time dummies and a constant but not
    the region dummies, which are nested in the clusters (fixest's and reghdfe's rule).
    """
    g, t = y.shape
    rows, ys, cl = [], [], []
    for i in range(g):
        for s in range(t):
            row = [float(treat[i] and post[s])]
            row += [1.0 if i == j else 0.0 for j in range(g)]
            row += [1.0 if s == u else 0.0 for u in range(1, t)]
            rows.append(row)
            ys.append(y[i, s])
            cl.append(i)
    x, yv, cl = np.array(rows), np.array(ys), np.array(cl)
    beta = np.linalg.lstsq(x, yv, rcond=None)[0]
    e = yv - x @ beta
    bread = np.linalg.inv(x.T @ x)
    meat = sum(np.outer(x[cl == i].T @ e[cl == i], x[cl == i].T @ e[cl == i]) for i in range(g))
    n, k = x.shape[0], 1 + (t - 1) + 1
    v = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread
    return beta[0], np.sqrt(v[0, 0])


def test_2x2_equals_twfe_on_balanced_panel():
    p = panel(seed=1, effect=2.0)
    d = did_2x2(p, ["east", "west"], 2027)
    f = twfe(p, ["east", "west"], 2027)
    assert f.coef == pytest.approx(d.estimate, abs=1e-10)
    assert d.estimate == pytest.approx((d.treated_post - d.treated_pre)
                                       - (d.control_post - d.control_pre))
    assert (d.n_treated, d.n_control) == (2, 4)


def test_twfe_matches_explicit_dummies_and_cr1():
    p = panel(seed=2, effect=1.0)
    coef, se = dummy_regression(p.values, np.isin(REGIONS, ["east", "west"]), YEARS >= 2027)
    f = twfe(p, ["east", "west"], 2027)
    assert f.coef == pytest.approx(coef, abs=1e-10)
    assert f.se == pytest.approx(se, rel=1e-8)
    assert f.n_params == 1 + 6 + 11 and f.n_obs == 72 and f.df == 5
    assert f.t == pytest.approx(f.coef / f.se)
    assert f.p == pytest.approx(2 * stats.t.sf(abs(f.t), 5))


def test_group_means_by_hand():
    y = np.array([[1.0, 2.0, 4.0], [1.0, 1.0, 1.0], [2.0, 3.0, 3.0]])
    d = did_2x2(y, [0], 2)  # numpy: times are column indices
    assert d.treated_pre == 1.5 and d.treated_post == 4.0
    assert d.control_pre == pytest.approx(1.75) and d.control_post == 2.0
    assert d.estimate == pytest.approx(2.5 - 0.25)
    narrow = did_2x2(y, [0], 2, pre=(1, 1), post=(2, 2))
    assert narrow.estimate == pytest.approx((4 - 2) - (2 - 2))


def test_event_study_parallel_trends_known_effect():
    p = panel(seed=3, effect=5.0, noise=0.05)
    es = event_study(p, ["east", "west"], 2027)
    assert es.k.tolist() == list(range(-6, 6))
    pre = es.coef[es.k < -1]
    post = es.coef[es.k >= 0]
    assert np.abs(pre).max() < 0.2
    assert np.abs(post - 5.0).max() < 0.2
    ref = es.k.tolist().index(-1)
    assert es.coef[ref] == 0.0 and np.isnan(es.se[ref])
    ok = es.k != -1
    assert (es.ci_low[ok] < es.coef[ok]).all() and (es.ci_high[ok] > es.coef[ok]).all()
    crit = stats.t.ppf(0.975, 5)
    assert np.allclose(es.ci_high[ok] - es.coef[ok], crit * es.se[ok])


def test_event_study_exact_without_noise_equals_period_did():
    p = panel(seed=4, effect=3.0, noise=0.0, treated=("east",))
    es = event_study(p, ["east"], 2027)
    assert np.allclose(es.coef[es.k < 0], 0.0, atol=1e-10)
    assert np.allclose(es.coef[es.k >= 0], 3.0, atol=1e-10)


def test_event_study_coef_is_periodwise_did():
    p = panel(seed=5, effect=1.0)
    es = event_study(p, ["east", "west"], 2027)
    y, tr = p.values, np.isin(REGIONS, ["east", "west"])
    base = list(YEARS).index(2026)
    for kk, c in zip(es.k, es.coef):
        s = base + 1 + kk
        want = (y[tr, s] - y[tr, base]).mean() - (y[~tr, s] - y[~tr, base]).mean()
        assert c == pytest.approx(want, abs=1e-10)


def test_event_study_window_and_dataset():
    p = panel(seed=6, effect=1.0)
    es = event_study(p, ["east", "west"], 2027, window=(-3, 2))
    assert es.k.tolist() == [-3, -2, -1, 0, 1, 2]
    ds = es.to_dataset()
    assert ds["coef"].dims == ("k",) and ds.sizes["k"] == 6
    with pytest.raises(SimsysError):
        event_study(p, ["east"], 2027, window=(0, 3))


def test_single_treated_region_still_works():
    p = panel(seed=7, effect=2.0)
    d = did_2x2(p, ["hub"], 2027)
    f = twfe(p, ["hub"], 2027)
    assert f.coef == pytest.approx(d.estimate, abs=1e-10)
    assert f.n_clusters == 6
    es = event_study(p, ["hub"], 2027)
    assert es.coef.size == YEARS.size


def test_two_by_two_panel_has_nan_se():
    y = np.array([[1.0, 3.0], [1.0, 2.0]])
    f = twfe(y, [0], 1)
    assert f.coef == pytest.approx(1.0)
    assert np.isnan(f.se) and np.isnan(f.p)


@pytest.mark.parametrize("treated, start", [
    (["atlantis"], 2027),
    (REGIONS, 2027),
    ([], 2027),
    (["east"], 2040),
    (["east"], 2000),
])
def test_bad_designs_raise(treated, start):
    with pytest.raises(SimsysError):
        twfe(panel(), treated, start)


def test_bad_panels_raise():
    p = panel()
    with pytest.raises(SimsysError):
        did_2x2(p.expand_dims(scenario=["a"]), ["east"], 2027)
    with pytest.raises(SimsysError):
        did_2x2(p.where(p.time != 2022), ["east"], 2027)
    with pytest.raises(SimsysError):
        did_2x2(p, ["east"], 2027, pre=(1990, 1995))


def test_treated_may_be_a_single_label_and_order_free():
    p = panel(seed=8, effect=1.0)
    a = did_2x2(p, "east", 2027)
    b = did_2x2(p.transpose("time", "Region"), ["east"], 2027)
    assert a.estimate == pytest.approx(b.estimate)


def staggered_panel(seed=0, noise=0.05):
    """Two cohorts and never-treated regions; the effect grows by 0.5 a year of exposure."""
    rng = np.random.default_rng(seed)
    regions = [f"r{i:02d}" for i in range(30)]
    years = np.arange(2020, 2040)
    adoption = {r: 2024 for r in regions[:10]} | {r: 2032 for r in regions[10:20]}
    a = rng.normal(size=(30, 1)) * 2
    lt = np.cumsum(rng.normal(size=(1, years.size))) * 0.3
    g = np.array([adoption.get(r, 10_000) for r in regions])[:, None]
    exposure = years[None, :] - g
    effect = np.where(exposure >= 0, 0.5 * (exposure + 1), 0.0)
    y = a + lt + effect + noise * rng.normal(size=(30, years.size))
    da = xr.DataArray(y, dims=("Region", "time"), coords={"Region": regions, "time": years})
    return da, adoption, effect[effect > 0].mean()


def test_staggered_did2s_recovers_a_heterogeneous_effect_that_twfe_misses():
    from simsys.analysis import staggered_did
    da, adoption, true_att = staggered_panel()
    res = staggered_did(da, adoption)
    assert res.did2s.coef == pytest.approx(true_att, abs=0.05)
    # already-treated early adopters act as controls for the late cohort: TWFE is far off
    assert abs(res.twfe.coef - true_att) > 1.0
    ks = res.event["k"].values
    assert np.allclose(res.event["coef"].values, 0.5 * (ks + 1), atol=0.1)
    assert (res.event["ci_low"] < res.event["coef"]).all()
    assert res.twfe.n_clusters == 30 and np.isfinite(res.did2s.se)


def test_staggered_with_common_timing_equals_twfe():
    from simsys.analysis import staggered_did
    p = panel(seed=3, effect=2.0, noise=0.0)
    res = staggered_did(p, {"east": 2027, "west": 2027})
    assert res.twfe.coef == pytest.approx(twfe(p, ["east", "west"], 2027).coef)
    assert res.did2s.coef == pytest.approx(2.0, abs=1e-8)


def test_staggered_refuses_bad_adoption():
    from simsys.analysis import staggered_did
    p = panel()
    with pytest.raises(SimsysError, match="not in the panel"):
        staggered_did(p, {"mars": 2027})
    with pytest.raises(SimsysError, match="untreated time"):
        staggered_did(p, {"east": 2021})
    with pytest.raises(SimsysError, match="never-treated"):
        staggered_did(p, {r: 2027 for r in REGIONS})


def test_exclude_drops_spillover_controls():
    # "north" is hit by a spillover of the reform: excluding it restores the effect
    p = panel(seed=4, effect=1.0, noise=0.0)
    hit = p.copy()
    hit.loc[{"Region": "north"}] = hit.sel(Region="north") + 3.0 * (YEARS >= 2027)
    biased = twfe(hit, ["east", "west"], 2027)
    clean = twfe(hit, ["east", "west"], 2027, exclude=["north"])
    assert clean.coef == pytest.approx(1.0, abs=1e-8) and biased.coef < 0.5
    assert clean.n_clusters == 5
    assert did_2x2(hit, ["east", "west"], 2027, exclude="north").n_control == 3
    with pytest.raises(SimsysError, match="excluded"):
        twfe(hit, ["east"], 2027, exclude=["pluto"])


def trending_panel(seed=0):
    """Regions that grow at their own pace (a linear trend each) and one adoption cohort."""
    rng = np.random.default_rng(seed)
    regions = [f"r{i:02d}" for i in range(12)]
    years = np.arange(2010, 2030)
    adoption = {r: 2020 for r in regions[:4]} | {r: 2024 for r in regions[4:6]}
    slope = np.linspace(-1.0, 2.0, 12)[:, None]
    a = rng.normal(size=(12, 1))
    b = np.sin(np.arange(years.size) / 3.0)[None, :]
    g = np.array([adoption.get(r, 10_000) for r in regions])[:, None]
    d = years[None, :] >= g
    y = a + b + slope * (years - 2010)[None, :] + 1.5 * d
    return xr.DataArray(y, dims=("Region", "time"), coords={"Region": regions, "time": years}), adoption


def test_staggered_unit_trends_recover_the_effect_that_levels_miss():
    from simsys.analysis import staggered_did
    da, adoption = trending_panel()
    # treated regions are the slow growers: in levels the trends are not parallel
    assert abs(staggered_did(da, adoption).did2s.coef - 1.5) > 1.0
    res = staggered_did(da, adoption, trend="linear")
    assert res.did2s.coef == pytest.approx(1.5, abs=1e-8) and res.trend == "linear"
    assert np.allclose(res.event["coef"].values, 1.5, atol=1e-8)
    assert staggered_did(da, adoption, trend="quadratic").did2s.coef == pytest.approx(1.5, abs=1e-6)


def test_staggered_refuses_an_unknown_trend_and_too_short_a_pre_period():
    from simsys.analysis import staggered_did
    da, adoption = trending_panel()
    with pytest.raises(SimsysError, match="none, linear, quadratic"):
        staggered_did(da, adoption, trend="cubic")
    with pytest.raises(SimsysError, match=r"needs 2 untreated times per region.*\['r00'\]"):
        staggered_did(da, adoption | {"r00": 2011}, trend="linear")
