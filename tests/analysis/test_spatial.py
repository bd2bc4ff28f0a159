import math

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from simsys.analysis import (local_morans, morans_i, morans_i_over_time, row_standardise)
from simsys.analysis.spatial import local_morans_over_time
from simsys.analysis.weights import contiguity_weights
from simsys.errors import SimsysError


def line_w(n):
    w = np.zeros((n, n))
    for i in range(n - 1):
        w[i, i + 1] = w[i + 1, i] = 1.0
    return w


def rook_grid(side):
    n = side * side
    w = np.zeros((n, n))
    for r in range(side):
        for c in range(side):
            i = r * side + c
            for dr, dc in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                rr, cc = r + dr, c + dc
                if 0 <= rr < side and 0 <= cc < side:
                    w[i, rr * side + cc] = 1.0
    return w


def hand_moran(y, w):
    """Moran's I and its moments written out with loops, independent of the library."""
    n = len(y)
    rows = [sum(w[i]) for i in range(n)]
    ws = [[w[i][j] / rows[i] for j in range(n)] for i in range(n)]
    mean = sum(y) / n
    z = [v - mean for v in y]
    num = sum(ws[i][j] * z[i] * z[j] for i in range(n) for j in range(n))
    den = sum(v * v for v in z)
    s0 = sum(ws[i][j] for i in range(n) for j in range(n))
    s1 = 0.5 * sum((ws[i][j] + ws[j][i]) ** 2 for i in range(n) for j in range(n))
    s2 = sum((sum(ws[i]) + sum(ws[j][i] for j in range(n))) ** 2 for i in range(n))
    ei = -1 / (n - 1)
    vn = (n * n * s1 - n * s2 + 3 * s0 ** 2) / ((n - 1) * (n + 1) * s0 ** 2) - ei ** 2
    k = (sum(v ** 4 for v in z) / n) / (sum(v ** 2 for v in z) / n) ** 2
    vr = ((n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 ** 2)
           - k * ((n * n - n) * s1 - 2 * n * s2 + 6 * s0 ** 2))
          / ((n - 1) * (n - 2) * (n - 3) * s0 ** 2) - ei ** 2)
    return n / s0 * num / den, ei, vn, vr


def test_line_of_five_by_hand():
    # z = [-2,-1,0,1,2], Wz = [-1,-1,0,1,1], z'Wz = 6, z'z = 10, S0 = 5 -> I = 0.6
    res = morans_i([1, 2, 3, 4, 5], line_w(5), permutations=0)
    assert res.I == pytest.approx(0.6, abs=1e-14)
    assert res.EI == pytest.approx(-0.25)
    assert math.isnan(res.p_sim) and res.sim.size == 0


@pytest.mark.parametrize("y", [
    [1, 0, 1, 0, 1, 0, 1, 0, 1],
    [3.0, 1.5, 2.2, 8.0, 0.4, 5.5, 2.0, 2.1, 7.3],
])
def test_rook_grid_moments_by_hand(y):
    w = rook_grid(3)
    i, ei, vn, vr = hand_moran(y, w.tolist())
    res = morans_i(y, w, permutations=0)
    assert res.I == pytest.approx(i, rel=1e-12)
    assert res.EI == pytest.approx(ei)
    assert res.VI_norm == pytest.approx(vn, rel=1e-12)
    assert res.VI_rand == pytest.approx(vr, rel=1e-12)
    z_norm = (i - ei) / math.sqrt(vn)
    assert res.z_norm == pytest.approx(z_norm, rel=1e-12)
    assert res.p_norm == pytest.approx(2 * stats.norm.sf(abs(z_norm)), rel=1e-12)
    z_rand = (i - ei) / math.sqrt(vr)
    assert res.p_rand == pytest.approx(2 * stats.norm.sf(abs(z_rand)), rel=1e-12)


def test_checkerboard_is_minus_one_and_significant():
    # every rook neighbour has the other colour: W z = -z, so I = -1 exactly
    y = [1, 0, 1, 0, 1, 0, 1, 0, 1]
    res = morans_i(y, rook_grid(3), permutations=999, seed=1)
    assert res.I == pytest.approx(-1.0, abs=1e-14)
    assert res.p_sim < 0.05


def test_numbers_are_esdas_on_a_libpysal_lattice():
    import esda
    from libpysal.weights import lat2W
    rng = np.random.default_rng(4)
    y = rng.normal(size=25) + np.repeat(np.arange(5.0), 5)  # rows trend: positive I
    lat = lat2W(5, 5, rook=True)
    assert np.array_equal(lat.full()[0], rook_grid(5))
    ours = morans_i(y, rook_grid(5), permutations=0)
    ref = esda.Moran(y, lat2W(5, 5), permutations=0)
    for name in ("I", "EI", "VI_norm", "VI_rand", "z_norm", "z_rand", "p_norm", "p_rand"):
        assert getattr(ours, name) == pytest.approx(getattr(ref, name), rel=1e-12), name
    assert ours.I > 0.3 and ours.p_rand < 0.01
    loc = local_morans(y, rook_grid(5), permutations=99, seed=7)
    ref_l = esda.Moran_Local(y, lat2W(5, 5), permutations=99, seed=loc_seed(7))
    assert np.allclose(loc.Is, ref_l.Is) and np.array_equal(loc.q, ref_l.q)
    assert np.allclose(loc.p_sim, ref_l.p_sim)
    labels = np.asarray(ref_l.get_cluster_labels(0.05))
    mapping = {"High-High": "HH", "Low-Low": "LL", "High-Low": "HL", "Low-High": "LH",
               "Insignificant": "ns"}
    assert [mapping[str(v)] for v in labels] == loc.cluster.tolist()
    assert {"HH", "LL"} & set(loc.cluster.tolist())


def loc_seed(seed):
    # the int seed local_morans hands esda for an int seed
    return int(np.random.default_rng(seed).integers(2 ** 31 - 1))


def test_contiguity_weights_of_the_31_provinces():
    from simsys.geo import province_codes
    w = contiguity_weights()
    assert w.n == 31 and w.id_order == province_codes()
    assert sorted(w.neighbors["Hainan"]) == ["Guangdong", "Guangxi"]
    assert w.s0 == pytest.approx(31.0)  # row-standardised, no island
    island = contiguity_weights(hainan=())
    assert island.islands == ["Hainan"]
    only_gd = contiguity_weights(hainan=("广东",), standardise=False)
    assert only_gd.neighbors["Hainan"] == ["Guangdong"]
    assert only_gd.s0 == 2 * 69  # 68 land borders + one sea link, both directions


def test_local_morans_over_time_gives_clusters_per_year():
    da = xr.DataArray(np.stack([np.repeat(np.arange(3.0), 3), np.tile(np.arange(3.0), 3)]),
                      dims=("time", "Region"), coords={"time": [2025, 2035]})
    ds = local_morans_over_time(da, rook_grid(3), permutations=99, seed=1)
    assert ds["cluster"].dims == ("time", "Region")
    assert set(np.unique(ds["quadrant"].values)) <= {"HH", "LH", "LL", "HL"}
    single = local_morans(da.isel(time=0).values, rook_grid(3), permutations=0)
    assert np.allclose(ds["Is"].isel(time=0).values, single.Is)


def test_permutation_p_reproducible_and_esda_convention():
    y = np.array([3.0, 1.5, 2.2, 8.0, 0.4, 5.5, 2.0, 2.1, 7.3])
    a = morans_i(y, rook_grid(3), permutations=199, seed=42)
    b = morans_i(y, rook_grid(3), permutations=199, seed=42)
    c = morans_i(y, rook_grid(3), permutations=199, seed=np.random.default_rng(42))
    assert np.array_equal(a.sim, b.sim) and a.p_sim == b.p_sim
    assert np.array_equal(a.sim, c.sim)
    larger = int((a.sim >= a.I).sum())
    assert a.p_sim == (min(larger, 199 - larger) + 1) / 200
    assert a.EI_sim == pytest.approx(a.sim.mean())
    assert a.seI_sim == pytest.approx(a.sim.std())
    d = morans_i(y, rook_grid(3), permutations=199, seed=43)
    assert not np.array_equal(a.sim, d.sim)


def test_unstandardised_weights_and_row_standardise():
    w = np.array([[0, 2, 0, 0], [1, 0, 1, 0], [0, 3, 0, 1], [0, 0, 4, 0]], dtype=float)
    rs = row_standardise(w)
    assert np.allclose(rs.sum(axis=1), 1.0)
    y = [1.0, 4.0, 2.0, 8.0]
    raw = morans_i(y, w, permutations=0, standardise=False)
    z = np.array(y) - np.mean(y)
    assert raw.I == pytest.approx(4 / w.sum() * (z @ w @ z) / (z @ z))
    island = row_standardise(np.array([[0, 1.0, 0], [1, 0, 0], [0, 0, 0]]))
    assert island[2].tolist() == [0, 0, 0]
    da = xr.DataArray(w, dims=("Region", "Region2"))
    assert isinstance(row_standardise(da), xr.DataArray)


def test_constant_y_gives_nan():
    res = morans_i([2.0] * 5, line_w(5))
    assert math.isnan(res.I) and math.isnan(res.p_sim)


@pytest.mark.parametrize("y, w", [
    ([1, 2, 3], line_w(3)),
    ([1, 2, 3, 4, 5], line_w(4)),
    ([1, 2, np.nan, 4, 5], line_w(5)),
    ([[1, 2], [3, 4]], line_w(2)),
    ([1, 2, 3, 4, 5], -line_w(5)),
])
def test_bad_inputs_raise(y, w):
    with pytest.raises(SimsysError):
        morans_i(y, w)


def test_bad_permutations_and_seed_raise():
    with pytest.raises(SimsysError):
        morans_i([1, 2, 3, 4, 5], line_w(5), permutations=-1)
    with pytest.raises(SimsysError):
        morans_i([1, 2, 3, 4, 5], line_w(5), seed="x")


def test_local_morans_line():
    y = [1.0, 2.0, 3.0, 4.0, 5.0]
    res = local_morans(y, line_w(5), permutations=99, seed=3)
    z = (np.array(y) - 3.0) / np.std(y)
    lag = row_standardise(line_w(5)) @ z
    assert np.allclose(res.Is, 4 * z * lag / (z @ z))
    # sum of local I = (n - 1) * global I for row-standardised weights
    assert res.Is.sum() == pytest.approx(4 * morans_i(y, line_w(5), permutations=0).I)
    assert res.quadrant.tolist() == ["LL", "LL", "LL", "HH", "HH"]
    assert res.q.tolist() == [3, 3, 3, 1, 1]
    assert res.sim.shape == (99, 5)
    assert ((res.p_sim >= 1 / 100) & (res.p_sim <= 0.5 + 1 / 100)).all()
    assert np.allclose(res.EI, -row_standardise(line_w(5)).sum(axis=1) / 4)  # esda: -w_i/(n-1)


def test_local_morans_conditional_permutation_keeps_own_value():
    y = np.array([3.0, 1.5, 2.2, 8.0, 0.4, 5.5, 2.0, 2.1, 7.3])
    w = rook_grid(3)
    a = local_morans(y, w, permutations=500, seed=9)
    b = local_morans(y, w, permutations=500, seed=9)
    assert np.array_equal(a.sim, b.sim) and np.array_equal(a.p_sim, b.p_sim)
    # Unit i keeps its own z; its lag is the mean of k values drawn from the others,
    # so it lies between the means of the k smallest and the k largest of them.
    z = (y - y.mean()) / y.std()
    for i in range(9):
        k = int((w[i] > 0).sum())
        others = np.sort(np.delete(z, i))
        lag = a.sim[:, i] * (z @ z) / (8 * z[i])
        assert (lag >= others[:k].mean() - 1e-12).all()
        assert (lag <= others[-k:].mean() + 1e-12).all()
        assert np.unique(np.round(lag, 12)).size > 1
    ds = a.to_dataset("Region")
    assert ds.sizes["Region"] == 9 and "p_sim" in ds


def test_local_morans_dataarray_units():
    da = xr.DataArray([1.0, 5.0, 2.0, 4.0, 3.0], dims="Region",
                      coords={"Region": list("abcde")})
    res = local_morans(da, line_w(5), permutations=0)
    assert res.units.tolist() == list("abcde")
    assert np.isnan(res.p_sim).all()


def test_morans_i_over_time_matches_slices():
    rng = np.random.default_rng(0)
    da = xr.DataArray(rng.random((2, 4, 9)), dims=("scenario", "time", "Region"),
                      coords={"time": [2021, 2022, 2023, 2024], "scenario": ["a", "b"]})
    ds = morans_i_over_time(da, rook_grid(3), permutations=49, seed=5)
    assert ds["I"].dims == ("scenario", "time")
    for s in ("a", "b"):
        for t in (2021, 2024):
            single = morans_i(da.sel(scenario=s, time=t).values, rook_grid(3), permutations=0)
            assert float(ds["I"].sel(scenario=s, time=t)) == pytest.approx(single.I)
    again = morans_i_over_time(da, rook_grid(3), permutations=49, seed=5)
    assert np.array_equal(ds["p_sim"].values, again["p_sim"].values)
    assert ds["time"].values.tolist() == [2021, 2022, 2023, 2024]


def test_morans_i_over_time_infers_the_regional_dim_whatever_its_name():
    rng = np.random.default_rng(0)
    da = xr.DataArray(rng.random((3, 5)), dims=("time", "Zone"))
    inferred = morans_i_over_time(da, line_w(5), permutations=0)
    named = morans_i_over_time(da, line_w(5), dim="Zone", permutations=0)
    np.testing.assert_array_equal(inferred["I"].values, named["I"].values)
    assert inferred["I"].dims == ("time",)


def test_morans_i_over_time_needs_dims():
    da = xr.DataArray(np.ones((3, 5)), dims=("time", "Zone"))
    with pytest.raises(SimsysError, match="Region"):
        morans_i_over_time(da, line_w(5), dim="Region")
    two = xr.DataArray(np.ones((3, 5, 2)), dims=("time", "Zone", "Sector"))
    with pytest.raises(SimsysError, match="which one holds the regions"):
        morans_i_over_time(two, line_w(5))
    with pytest.raises(SimsysError):
        morans_i_over_time(np.ones((3, 5)), line_w(5))


def test_labelled_weights_must_match_unit_order():
    regions = ["a", "b", "c", "d", "e"]
    y = xr.DataArray([1.0, 2.0, 3.0, 4.0, 5.0], dims="Region", coords={"Region": regions})
    w = xr.DataArray(line_w(5), dims=("Region", "Region_to"),
                     coords={"Region": regions, "Region_to": regions})
    assert morans_i(y, w, permutations=0).I == pytest.approx(0.6)
    shuffled = w.assign_coords(Region=regions[::-1], Region_to=regions[::-1])
    with pytest.raises(SimsysError, match="labels"):
        morans_i(y, shuffled, permutations=0)
    panel = y.expand_dims(time=[2021, 2022])
    with pytest.raises(SimsysError, match="labels"):
        morans_i_over_time(panel, shuffled, permutations=0)


def test_randomisation_moments_equal_exact_enumeration():
    """E[I] and V_rand are the exact mean and variance over all 9! permutations."""
    import itertools
    y = np.array([3.0, 1.5, 2.2, 8.0, 0.4, 5.5, 2.0, 2.1, 7.3])
    w = row_standardise(rook_grid(3))
    perms = np.array(list(itertools.permutations(range(9))))
    z = y - y.mean()
    zp = z[perms]
    every = 9 / w.sum() * np.einsum("pi,pi->p", zp, zp @ w.T) / (z @ z)
    res = morans_i(y, rook_grid(3), permutations=0)
    assert every.mean() == pytest.approx(res.EI, rel=1e-10)
    assert every.var() == pytest.approx(res.VI_rand, rel=1e-10)


def test_normality_variance_by_simulation():
    w = rook_grid(3)
    ws = row_standardise(w)
    z = np.random.default_rng(0).normal(size=(200_000, 9))
    z -= z.mean(axis=1, keepdims=True)
    sims = 9 / 9 * np.einsum("pi,pi->p", z, z @ ws.T) / np.einsum("pi,pi->p", z, z)
    res = morans_i(np.arange(9.0), w, permutations=0)
    assert sims.var() == pytest.approx(res.VI_norm, rel=0.02)
    assert sims.mean() == pytest.approx(res.EI, abs=0.002)


def test_local_moments_equal_exact_enumeration():
    import itertools
    y = np.array([1.0, 4.0, 2.5, 9.0, 3.0, 3.5, 0.5])
    w = row_standardise(line_w(7))
    perms = np.array(list(itertools.permutations(range(7))))
    zs = (y - y.mean()) / y.std()
    zp = zs[perms]
    every = 6 * zp * (zp @ w.T) / (zs @ zs)
    res = local_morans(y, line_w(7), permutations=0)
    # esda states Sokal's moments for Anselin's n-scaled I_i while its Is is (n-1)-scaled:
    # rescaled by n/(n-1) (and its square) they are the exact moments over all 7! orders
    assert np.allclose(every.mean(axis=0) * 7 / 6, res.EI, rtol=1e-10)
    assert np.allclose(every.var(axis=0) * (7 / 6) ** 2, res.VI, rtol=1e-10)
