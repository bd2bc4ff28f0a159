"""Which corpus models simsys refuses today, and where it follows Vensim instead of PySD.

Shared by test_oracle.py (which skips these from the value-by-value comparison with PySD),
test_sde_oracle.py (the models whose oracle is SDEverywhere) and test_conformance.py (which
checks the refusals are still true and precise, and counts every model's status).
"""
import numpy as np
from scipy import interpolate, optimize, stats

from simsys.model.fold import NA


def _stream(t, dt=0.25):
    """The uniforms a default run (seed 0, scenario 0) draws at call site 0 at times ``t``."""
    from simsys.compile.runtime import _u01, scenario_keys
    key = scenario_keys(0, np.zeros(1, dtype=np.int64))
    return np.array([_u01(key, 0, int(k))[0] for k in np.rint(t / dt)])


def _truncated(dist, lo, hi, shift=0.0, stretch=1.0, discrete=False):
    """``shift + stretch * X`` restricted to [lo, hi] at the run's own uniforms, by scipy.stats'
    quantile: what Vensim's RANDOM functions draw under RANDOM NORMAL's truncation."""
    def draws(t):
        u = _stream(t)
        if discrete:
            a = dist.cdf(max(np.ceil((lo - shift) / stretch), 0) - 1)
            b = dist.cdf(np.floor((hi - shift) / stretch))
            return shift + stretch * dist.ppf(np.minimum(a + u * (b - a), b))
        a, b = dist.cdf((lo - shift) / stretch), dist.cdf((hi - shift) / stretch)
        return np.clip(shift + stretch * dist.ppf(a + u * (b - a)), lo, hi)
    return draws


def _lookup_density(xs, ys, lo, hi):
    """RANDOM LOOKUP's draws at the run's own uniforms: the lookup's cumulative area (scipy's
    antiderivative of its linear spline) inverted by brentq, restricted to [lo, hi]."""
    area = interpolate.make_interp_spline(np.asarray(xs, float), np.asarray(ys, float), k=1).antiderivative()
    lo2, hi2 = max(lo, xs[0]), min(hi, xs[-1])
    a, b = area(lo2), area(hi2)

    def draws(t):
        return np.array([optimize.brentq(lambda x: area(x) - (a + u * (b - a)), lo2, hi2,
                                         xtol=1e-15, rtol=1e-15) for u in _stream(t)])
    return draws


#: model -> (construct, text the refusal must contain). Remove an entry when it lands.
EXPECTED_REFUSED = {
}



#: Models PySD cannot run whose oracle is SDEverywhere's own run (tests/oracle/<stem>.sde.csv,
#: written by tests/oracle/regenerate_sde.py): model -> what is checked and why SDEverywhere.
SDE_ORACLE = {
    "get_data_between_times.mdl": "GET DATA BETWEEN TIMES, modes 1, -1, 0, a mode variable and a "
                                  "mode changing in the run, inside and outside the data: PySD "
                                  "3.14.3 does not implement it",
    "npv.mdl": "NPV, two calls (factor 1 and 0.5): PySD 3.14.3 raises NotImplementedError",
}


#: Where simsys follows Vensim and PySD differs: model -> {column: expected values(time)}.
VENSIM_NOT_PYSD = {
    # PySD 3.14.3 calls a named table without its argument (TypeError); Vensim holds the table
    # to the table (0,1.5),(2,3.5),(5,2.25),(9,6): FORWARD takes the next point at or after
    # Time, BACKWARD the last at or before it
    "lookup_forward_backward.mdl": {
        "Forward": lambda t: np.select([t <= 0, t <= 2, t <= 5], [1.5, 3.5, 2.25], 6.0),
        "Backward": lambda t: np.select([t < 2, t < 5, t < 9], [1.5, 3.5, 2.25], 6.0)},
    # PySD 3.14.3 raises NotImplementedError; Vensim reads the data variable at the given time
    # with its own mode (series.csv: (2, 3.25), (3.5, 2.75)), GET TIME VALUE(0, 0, 0) is Time
    "get_data_at_time.mdl": {
        "At three": lambda t: np.full_like(t, 3.25 + (2.75 - 3.25) * (3 - 2) / (3.5 - 2)),
        "Now": lambda t: t},
    # PySD reads :NA: as nan (so nan = nan is false); Vensim's NA is the number -1e38.
    "na_constant.mdl": {"Missing": lambda t: np.full_like(t, NA), "Valid": lambda t: 2.5 + t},
    # PySD 3.14.3 translates these to not_implemented_function (NotImplementedError); Vensim
    # draws shift + stretch * X restricted to [min, max]: each draw is scipy.stats' quantile
    # of the run's own uniform (draw = RANDOM ...(args) in each model)
    "random_triangular.mdl": {"draw": _truncated(stats.triang(0.3, loc=0, scale=10), 1, 9)},
    "random_weibull.mdl": {"draw": _truncated(stats.weibull_min(1.5), 0, 10, 1, 2)},
    "random_gamma.mdl": {"draw": _truncated(stats.gamma(2.5), 0, 10, 1, 2)},
    "random_beta.mdl": {"draw": _truncated(stats.beta(2, 5), 2, 4, 1, 4)},
    "random_lookup.mdl": {"draw": _lookup_density([0, 1, 2.5, 4, 6], [0, 2, 0.5, 0.5, 3], 0.5, 5)},
    "random_poisson.mdl": {"draw": _truncated(stats.poisson(4), 1, 20, 0.5, 2, discrete=True)},
    "random_binomial.mdl": {"draw": _truncated(stats.binom(10, 0.3), 1, 8, discrete=True)},
    "random_negative_binomial.mdl": {
        "draw": _truncated(stats.nbinom(3, 0.4), 0, 30, discrete=True)},
}
