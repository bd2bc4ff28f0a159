"""RANDOM PINK NOISE kernel: PySD has none, so the oracle is the process's closed-form moments."""
import numpy as np
import pytest

from simsys.functions import pink_noise_init, pink_noise_step


def _run(mean, sd, tau, dt, steps, batch, seed=7):
    rng = np.random.default_rng(seed)
    x = pink_noise_init(np.full(batch, mean))
    out = np.empty((steps, batch))
    for k in range(steps):
        x = pink_noise_step(x, rng.standard_normal(batch), mean, sd, tau, dt)
        out[k] = x
    return out


def test_moments_match_the_closed_form():
    mean, sd, tau, dt = 5.0, 1.5, 2.0, 0.25
    out = _run(mean, sd, tau, dt, 4000, 200)[400:]  # drop the start-up transient
    assert abs(out.mean() - mean) < 0.02
    assert abs(out.std() - sd) / sd < 0.01
    a = dt / tau
    lag1 = np.mean([np.corrcoef(out[:-1, b], out[1:, b])[0, 1] for b in range(200)])
    assert abs(lag1 - (1 - a)) < 0.005
    # white noise (a = 1) has no memory: the mechanism is the smoothing
    white = _run(mean, sd, 1.0, 1.0, 2000, 50)
    lag1w = np.mean([np.corrcoef(white[:-1, b], white[1:, b])[0, 1] for b in range(50)])
    assert abs(lag1w) < 0.02


def test_same_draws_same_noise_and_bad_ratio_refused():
    np.testing.assert_array_equal(_run(0, 1, 3, 0.5, 50, 4), _run(0, 1, 3, 0.5, 50, 4))
    with pytest.raises(ValueError):
        pink_noise_step(np.zeros(2), np.zeros(2), 0, 1, 0.5, 1.0)
