"""RANDOM PINK NOISE on both backends.

PySD 3.14.3 raises NotImplementedError, so there is no value-by-value oracle. Oracles here:
the kernel :func:`simsys.functions.pink_noise_step` fed with the run's own normal draws
(``ndtri`` of the per-scenario counter-based uniforms, call site 0, step k), and the closed
form of the process started at the mean: after n steps, mean ``m``, variance
``sd**2 * (1 - (1 - a)**(2n))`` and covariance with the next step ``(1 - a)`` times the
variance, where ``a = TIME STEP / correlation time`` (model: m 5, sd 1.5, tau 2, dt 0.5).
"""
import numpy as np
import pytest
from scipy import special

import simsys
from simsys.compile import compile_model
from simsys.compile.backends import unavailable_notice
from simsys.compile.runtime import _u01, scenario_keys
from simsys.functions import pink_noise_init, pink_noise_step

from tests.engine.corpus_status import EXPECTED_REFUSED

MODEL = "tests/models/random_pink_noise.mdl"
MEAN, SD, TAU, DT = 5.0, 1.5, 2.0, 0.5
A = DT / TAU


def _skip(backend):
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))


def _noise(ds):
    return ds["Noise"].to_numpy()  # [scenario, time]


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_equals_the_kernel_on_the_runs_draws(backend):
    _skip(backend)
    idx = np.array([0, 3, 41, 977])
    ds = simsys.load_model(MODEL).run_batch({}, seed=21, scenario_index=idx, backend=backend)
    got = _noise(ds)
    keys = scenario_keys(21, idx)
    x = pink_noise_init(np.full(idx.size, MEAN))
    want = [x]
    for k in range(got.shape[1] - 1):
        z = special.ndtri(_u01(keys, 0, k))
        x = pink_noise_step(x, z, MEAN, SD, TAU, DT)
        want.append(x)
    np.testing.assert_allclose(got, np.stack(want, axis=1), rtol=1e-14, atol=0)
    assert "random_pink_noise.mdl" not in EXPECTED_REFUSED


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_closed_form_moments(backend):
    _skip(backend)
    n_sc = 20000
    x = _noise(simsys.load_model(MODEL).run_batch({}, seed=5, scenario_index=np.arange(n_sc),
                                                  backend=backend))
    steps = np.arange(x.shape[1])
    var = SD**2 * (1 - (1 - A) ** (2 * steps))
    assert x[:, 0].tolist() == [MEAN] * n_sc
    late = steps >= 10  # (1 - a)**20 < 0.01: near the stationary sd
    se = np.sqrt(var[late] / n_sc)
    assert np.all(np.abs(x[:, late].mean(axis=0) - MEAN) < 5 * se)
    sd = x[:, late].std(axis=0)
    np.testing.assert_allclose(sd, np.sqrt(var[late]), rtol=5 / np.sqrt(2 * n_sc))
    assert abs(sd[-1] - SD) < 0.03
    # lag-one correlation across scenarios: (1 - a) * sqrt(var_n / var_n+1)
    for n in (10, 15, 19):
        r = np.corrcoef(x[:, n], x[:, n + 1])[0, 1]
        want = (1 - A) * np.sqrt(var[n] / var[n + 1])
        assert abs(r - want) < 5 * (1 - want**2) / np.sqrt(n_sc), (n, r, want)


def test_c_equals_numpy_whatever_the_blocks():
    _skip("c")
    m = simsys.load_model(MODEL)
    ref, cm = compile_model(m, "numpy"), compile_model(m, "c")
    idx = np.arange(37) * 101 + 5
    a = _noise(ref.run_batch({}, seed=9, scenario_index=idx))
    base = _noise(cm.run_batch({}, seed=9, scenario_index=idx, block_size=37, threads=1))
    np.testing.assert_allclose(base, a, rtol=1e-12, atol=0)
    for bs, th in ((1, 1), (5, 2), (16, 2), (8, 3)):
        np.testing.assert_array_equal(
            _noise(cm.run_batch({}, seed=9, scenario_index=idx, block_size=bs, threads=th)), base)
    # a scenario's noise is its own: the same index alone gives the same path
    one = _noise(ref.run_batch({}, seed=9, scenario_index=idx[[7]]))
    np.testing.assert_array_equal(one[0], a[7])
    assert np.unique(a[:, -1]).size == idx.size


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_time_step_above_correlation_time_stops_the_scenario(tmp_path, backend):
    _skip(backend)
    text = open(MODEL).read().replace("RANDOM PINK NOISE(5, 1.5, 2, 7)",
                                      "RANDOM PINK NOISE(5, 1.5, Tau, 7)")
    text = text.replace("INITIAL TIME = 0", "Tau = 2\n\t~\tMonth\n\t~\t\n\t|\n\nINITIAL TIME = 0")
    path = tmp_path / "pink_tau.mdl"
    path.write_text(text)
    ds = simsys.load_model(path).run_batch({"Tau": np.array([2.0, 0.25])}, backend=backend)
    assert ds["simsys_status"].values.tolist() == [0, 1]
    assert "Noise" in str(ds["simsys_fail_variable"].values[1])
