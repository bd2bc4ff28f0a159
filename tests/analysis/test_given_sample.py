"""Given-sample sensitivity methods and Sobol warnings against closed forms."""
import numpy as np
import pytest

from simsys.analysis.given_sample import given_sample_indices
from simsys.analysis.sensitivity import sample_design, sobol_indices
from simsys.analysis.sobol_checks import sobol_warnings, suggested_n
from simsys.errors import SweepError

NAMES = ["a", "b", "c"]


def _linear(x):
    return 4.0 * x[:, 0] + 1.0 * x[:, 1]  # S1 = 16/17, 1/17, 0 for independent uniforms


@pytest.mark.parametrize("sampler", ["latin", "montecarlo", "sobol"])
def test_rbd_fast_and_hdmr_recover_the_closed_form_first_order_indices(sampler):
    x, design = sample_design(sampler, NAMES, [[0, 1]] * 3, 1024, seed=5)
    truth = np.array([16 / 17, 1 / 17, 0.0])
    rbd = given_sample_indices(_linear(x), x, design, "rbd_fast")
    np.testing.assert_allclose(rbd["S1"].values, truth, atol=0.06)
    hd = given_sample_indices(_linear(x), x, design, "hdmr")
    np.testing.assert_allclose(hd["S"].values, truth, atol=0.03)


def test_delta_and_pawn_rank_the_factors():
    x, design = sample_design("latin", NAMES, [[0, 1]] * 3, 500, seed=1)
    for method, key in (("delta", "delta"), ("pawn", "median")):
        y = 4.0 * x[:, 0] + 2.0 * x[:, 1]  # S1 = 0.8, 0.2, 0
        res = given_sample_indices(y, x, design, method)
        assert list(res[key].values.argsort()[::-1]) == [0, 1, 2]


def test_structured_designs_are_refused():
    x, design = sample_design("saltelli", NAMES, [[0, 1]] * 3, 8, seed=1)
    with pytest.raises(SweepError, match="random sample"):
        given_sample_indices(_linear(x), x, design, "delta")


def _ishigami(x):
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_sobol_warnings_fire_for_a_small_sample_and_not_for_a_large_one():
    b = [[-np.pi, np.pi]] * 3
    x, design = sample_design("saltelli", NAMES, b, 8, seed=2, calc_second_order=False)
    small = sobol_indices(_ishigami(x), design)
    warns = sobol_warnings(small, 8)
    assert warns and "rerun the sweep with n = " in warns[-1]
    x, design = sample_design("saltelli", NAMES, b, 8192, seed=2, calc_second_order=False)
    big = sobol_indices(_ishigami(x), design)
    # the closed-form Ishigami indices: the estimate is sound, so nothing to warn about
    np.testing.assert_allclose(big["S1"].values, [0.3139, 0.4424, 0.0], atol=0.05)
    assert sobol_warnings(big, 8192) == []


def test_impossible_indices_are_named():
    import xarray as xr
    res = xr.Dataset({"S1": ("parameter", [0.9, 0.5]), "S1_conf": ("parameter", [0.01, 0.01]),
                      "ST": ("parameter", [0.5, 0.6]), "ST_conf": ("parameter", [0.01, 0.01])},
                     coords={"parameter": ["p", "q"]})
    warns = sobol_warnings(res, 16)
    assert any("S1 above ST" in w and "p" in w for w in warns)
    assert any("sum to 1.40" in w for w in warns)
    assert suggested_n(16, 0.4) == 1024  # 16 * (0.4 / 0.05)^2 = 1024


def test_sobol_indices_in_python_warn_as_the_command_does():
    import warnings

    from simsys.analysis.sobol_checks import SobolSampleWarning
    b = [[-np.pi, np.pi]] * 3
    x, design = sample_design("saltelli", NAMES, b, 8, seed=2, calc_second_order=False)
    with pytest.warns(SobolSampleWarning, match="rerun the sweep with n = "):
        small = sobol_indices(_ishigami(x), design)
    assert small.attrs["warnings"] == sobol_warnings(small, 8)
    x, design = sample_design("saltelli", NAMES, b, 4096, seed=2, calc_second_order=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SobolSampleWarning)
        big = sobol_indices(_ishigami(x), design)
    assert "warnings" not in big.attrs
