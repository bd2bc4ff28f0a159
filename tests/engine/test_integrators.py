"""RK4 and the adaptive method converge to closed forms with the expected order."""
from pathlib import Path

import numpy as np
import pytest

import simsys

MODELS = Path(__file__).resolve().parents[1] / "models"


def _decay_constants(model):
    """Decay Rate and Initial Material as the model file states them (not from a run)."""
    lam = float(model.element("Decay Rate").components[0].ast)
    x0 = float(model.element("Initial Material").components[0].ast)
    assert (lam, x0) == (0.3, 1000.0)  # what tests/models/stock_exponential_decay.mdl says
    return lam, x0


def test_euler_and_rk4_equal_their_closed_form_on_exponential_decay():
    """dx/dt = -lam x: one Euler step multiplies x by 1 - h lam, one RK4 step by the
    degree-4 Taylor polynomial of exp(-h lam); the runs must equal those powers, and
    their errors against exp(-lam t) must shrink with order 1 and 4."""
    m = simsys.load_model(MODELS / "stock_exponential_decay.mdl")
    lam, x0 = _decay_constants(m)
    errs = {"euler": [], "rk4": []}
    for dt in (0.5, 0.25, 0.125):
        z = -lam * dt
        factor = {"euler": 1 + z, "rk4": 1 + z + z ** 2 / 2 + z ** 3 / 6 + z ** 4 / 24}
        for method in errs:
            ds = m.run(method=method, time_step=dt, saveper=1.0)
            t = ds["time"].values - ds["time"].values[0]
            np.testing.assert_allclose(ds["Material"].values,
                                       x0 * factor[method] ** np.round(t / dt), rtol=1e-12)
            errs[method].append(np.max(np.abs(ds["Material"].values - x0 * np.exp(-lam * t))))
    e, r = np.array(errs["euler"]), np.array(errs["rk4"])
    assert np.all(np.log2(e[:-1] / e[1:]) > 0.8), e
    assert np.all(np.log2(r[:-1] / r[1:]) > 3.5), r


def test_adaptive_matches_closed_form_decay():
    m = simsys.load_model(MODELS / "stock_exponential_decay.mdl")
    lam, x0 = _decay_constants(m)
    ds = m.run(method="adaptive", rtol=1e-10, atol=1e-12, saveper=1.0)
    t = ds["time"].values
    np.testing.assert_allclose(ds["Material"].values, x0 * np.exp(-lam * (t - t[0])), rtol=1e-7)


def test_rk4_converges_on_logistic_growth():
    m = simsys.load_model(MODELS / "stock_logistic_growth.mdl")
    exact = m.run(method="adaptive", rtol=1e-12, atol=1e-12, saveper=1.0)
    stock = [v for v in exact.data_vars if exact[v].attrs.get("kind") == "stock"][0]
    ref = exact[stock].values
    errs = [np.max(np.abs(m.run(method="rk4", time_step=dt, saveper=1.0)[stock].values - ref))
            for dt in (0.5, 0.25, 0.125)]
    orders = np.log2(np.array(errs[:-1]) / np.array(errs[1:]))
    assert np.all(orders > 3.5), (errs, orders)


def test_unknown_method_is_refused():
    m = simsys.load_model(MODELS / "stock_teacup.mdl")
    with pytest.raises(simsys.SolveError, match="euler"):
        m.run(method="leapfrog")


def test_adaptive_refuses_non_negative_stocks():
    """A clamped stock (XMILE non_negative) has no adaptive counterpart: refused, with the reason."""
    m = simsys.load_model(Path(__file__).resolve().parents[1] / "models" / "stock_non_negative.xmile")
    assert m.run(method="euler") is not None
    with pytest.raises(simsys.SimsysError, match="non-negative"):
        m.run(method="adaptive")
