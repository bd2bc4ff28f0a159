"""RANDOM PINK NOISE as a per-step kernel over a batch, with the random stream supplied.

Vensim's pink noise is first-order exponentially smoothed white noise whose variance is
scaled so the *output* has the requested standard deviation. With ``a = TIME STEP /
correlation time`` and Euler updates, the state follows

    white = mean + sd * sqrt((2 - a) / a) * z,      z ~ N(0, 1)
    pink' = pink + a * (white - pink)

whose stationary mean is ``mean``, standard deviation exactly ``sd`` and lag-one
autocorrelation ``1 - a``. The state starts at ``mean``.

Stream semantics: the kernel draws nothing itself. The engine passes ``z`` for every
batch member at every step from its per-scenario counter-based generator (one stream per
call site, advanced once per time step, whatever the chunking or the number of workers),
so the same scenario and seed give the same noise. PySD 3.14.3 has no RANDOM PINK NOISE
(NotImplementedError), so there is no value-by-value oracle; tests check the moments.
"""
from __future__ import annotations

import numpy as np

__all__ = ["pink_noise_init", "pink_noise_step"]


def pink_noise_init(mean) -> np.ndarray:
    """The state before the first step: the mean (one per batch member)."""
    return np.array(mean, dtype=float, copy=True)


def pink_noise_step(state, z, mean, sd, correlation_time, dt) -> np.ndarray:
    """The next state, from the current one and standard normal draws ``z`` (same shape)."""
    a = np.asarray(dt, dtype=float) / np.asarray(correlation_time, dtype=float)
    if np.any((a <= 0) | (a > 1)):
        raise ValueError("RANDOM PINK NOISE needs 0 < TIME STEP / correlation time <= 1")
    white = mean + sd * np.sqrt((2 - a) / a) * np.asarray(z, dtype=float)
    return state + a * (white - state)
