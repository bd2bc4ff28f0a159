"""spillover_did (Butts 2021) on synthetic panels whose direct effect and spillover are known."""
import numpy as np
import pytest
import xarray as xr

from simsys.analysis.spillover import contiguity_rings, spillover_did
from simsys.analysis.staggered import staggered_did
from simsys.errors import SimsysError

# two treated regions (t1, t2), three neighbours of theirs (n1..n3), n3 borders o1, and
# five regions no treated region touches (o1..o5; o1 is in ring 2)
REGIONS = ["t1", "t2", "n1", "n2", "n3", "o1", "o2", "o3", "o4", "o5"]
LINKS = [("t1", "n1"), ("t1", "n2"), ("t2", "n2"), ("t2", "n3"), ("n3", "o1"), ("o1", "o2"),
         ("o2", "o3"), ("o4", "o5"), ("o3", "o4")]
YEARS = np.arange(2010, 2030)


def contiguity():
    w = xr.DataArray(np.zeros((len(REGIONS), len(REGIONS))), dims=("Region", "other"),
                     coords={"Region": REGIONS, "other": REGIONS})
    for a, b in LINKS:
        w.loc[a, b] = w.loc[b, a] = 1.0
    return w


def make_panel(adoption, tau=2.0, sigma=0.5, sigma2=0.0, slopes=False, seed=0):
    """a_i + b_t (+ a trend per region) + tau on treated + sigma on untreated region-years
    next to a treated region (+ sigma2 two steps away). Returns the panel and the true
    direct effect and spillover (their means over the region-years they fall on)."""
    rng = np.random.default_rng(seed)
    n = len(REGIONS)
    g = np.array([adoption.get(r, 10_000) for r in REGIONS])[:, None]
    d = YEARS[None, :] >= g
    order = contiguity_rings(contiguity().values)
    dist = np.where(order > 0, order, 99)
    near = np.where(d[None, :, :], dist[:, :, None], 99).min(axis=1)
    ring1, ring2 = ~d & (near == 1), ~d & (near == 2)
    y = rng.normal(size=(n, 1)) * 3 + np.cumsum(rng.normal(size=YEARS.size))[None, :]
    if slopes:
        y = y + np.linspace(-1.0, 1.5, n)[:, None] * (YEARS - 2010)[None, :]
    y = y + tau * d + sigma * ring1 + sigma2 * ring2
    da = xr.DataArray(y, dims=("Region", "time"), coords={"Region": REGIONS, "time": YEARS})
    return da, ring1


def test_contiguity_rings_is_the_path_length():
    order = contiguity_rings(contiguity().values)
    i = REGIONS.index
    assert order[i("t1"), i("n1")] == 1 and order[i("t1"), i("t2")] == 2
    assert order[i("t1"), i("o1")] == 4 and order[i("n3"), i("o1")] == 1
    assert (np.diag(order) == 0).all() and np.array_equal(order, order.T)
    lone = np.zeros((3, 3))
    lone[0, 1] = 1.0  # a link given one way counts both ways; region 2 is unreachable
    assert contiguity_rings(lone).tolist() == [[0, 1, 0], [1, 0, 0], [0, 0, 0]]


def test_common_timing_closed_form():
    # one adoption year, parallel trends: pure controls give the counterfactual exactly, and
    # did2s that takes the three exposed neighbours as controls is off by -sigma x 3 / 8
    adoption = {"t1": 2020, "t2": 2020}
    da, _ = make_panel(adoption, tau=2.0, sigma=0.5)
    res = spillover_did(da, adoption, contiguity())
    assert res.direct.coef == pytest.approx(2.0, abs=1e-9)
    assert res.spillover[0].coef == pytest.approx(0.5, abs=1e-9)
    assert res.naive.coef == pytest.approx(2.0 - 0.5 * 3 / 8, abs=1e-9)
    assert res.bias == pytest.approx(-0.5 * 3 / 8, abs=1e-9)
    assert res.naive.coef == pytest.approx(staggered_did(da, adoption).did2s.coef, abs=1e-12)
    assert res.pure_controls == ("o1", "o2", "o3", "o4", "o5")
    assert res.design["ring"].sel(Region="n2", time=2020) == 1
    assert res.design["ring"].sel(Region="n2", time=2019) == 0
    assert bool(res.design["treated"].sel(Region="t1", time=2020))


def test_a_negative_spillover_biases_the_naive_estimate_up():
    adoption = {"t1": 2020, "t2": 2020}
    da, _ = make_panel(adoption, tau=1.0, sigma=-0.8)
    res = spillover_did(da, adoption, contiguity())
    assert res.spillover[0].coef == pytest.approx(-0.8, abs=1e-9)
    assert res.bias == pytest.approx(0.8 * 3 / 8, abs=1e-9) and res.bias > 0


def test_staggered_adoption_with_unit_trends():
    # t2 adopts four years after t1: n2 is exposed from t1's year; every region grows at its own
    # pace, so only the first-stage trends fitted on pure-control and pre-exposure years recover it
    adoption = {"t1": 2018, "t2": 2022}
    da, ring1 = make_panel(adoption, tau=2.0, sigma=0.5, slopes=True, seed=3)
    res = spillover_did(da, adoption, contiguity(), trend="linear")
    assert int(res.design["ring"].sum()) == int(ring1.sum())
    assert res.direct.coef == pytest.approx(2.0, abs=1e-8)
    assert res.spillover[0].coef == pytest.approx(0.5, abs=1e-8)
    assert abs(spillover_did(da, adoption, contiguity()).direct.coef - 2.0) > 0.5
    # spillover-blind with the same trends: the exposed neighbours' rise lifts the imputed
    # counterfactual, so the effect is understated (-0.09 here)
    assert res.bias < -0.05


def test_second_ring():
    adoption = {"t1": 2020, "t2": 2020}
    da, _ = make_panel(adoption, tau=2.0, sigma=0.5, sigma2=0.2)
    res = spillover_did(da, adoption, contiguity(), rings=2)
    assert [s.coef for s in res.spillover] == pytest.approx([0.5, 0.2], abs=1e-9)
    assert res.direct.coef == pytest.approx(2.0, abs=1e-9)
    # one ring: o1 (ring 2) is taken for a pure control, and its rise biases the direct effect
    one = spillover_did(da, adoption, contiguity(), rings=1)
    assert one.direct.coef == pytest.approx(2.0 - 0.2 / 5, abs=1e-9)


def test_matrix_and_libpysal_weights_and_exclude():
    from simsys.analysis.weights import weights
    adoption = {"t1": 2020, "t2": 2020}
    da, _ = make_panel(adoption)
    w = contiguity()
    ref = spillover_did(da, adoption, w)
    assert spillover_did(da, adoption, w.values).direct.coef == pytest.approx(ref.direct.coef)
    pysal = weights(w.values, ids=REGIONS)
    assert spillover_did(da, adoption, pysal).spillover[0].coef == pytest.approx(0.5, abs=1e-9)
    # a region left out of the sample is taken out of W by label
    res = spillover_did(da, adoption, w, exclude=["o5"])
    assert res.pure_controls == ("o1", "o2", "o3", "o4") and res.direct.n_clusters == 9
    assert res.direct.coef == pytest.approx(2.0, abs=1e-9)


def test_refusals():
    adoption = {"t1": 2020, "t2": 2020}
    da, _ = make_panel(adoption)
    w = contiguity()
    with pytest.raises(SimsysError, match="rings must be a whole number"):
        spillover_did(da, adoption, w, rings=0)
    with pytest.raises(SimsysError, match="no pure control .* at times"):
        spillover_did(da, adoption, w, rings=6)
    with pytest.raises(SimsysError, match="trend must be one of none, linear, quadratic"):
        spillover_did(da, adoption, w, trend="cubic")
    with pytest.raises(SimsysError, match="W is needed"):
        spillover_did(da, adoption)
    with pytest.raises(SimsysError, match=r"W is \(3, 3\) but the panel has 10 regions"):
        spillover_did(da, adoption, np.eye(3))
    with pytest.raises(SimsysError, match=r"regions \['o5'\] are not in W"):
        spillover_did(da, adoption, w.isel(Region=slice(0, 9), other=slice(0, 9)))
    lone = xr.zeros_like(w)
    with pytest.raises(SimsysError, match="no untreated region-year lies in ring"):
        spillover_did(da, adoption, lone)
