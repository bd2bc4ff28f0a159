"""RK4 and the adaptive method converge to closed forms with the expected order."""
from pathlib import Path

import numpy as np
import pytest

import simsys

MODELS = Path(__file__).resolve().parents[1] / "models"


def test_euler_first_order_rk4_fourth_order_on_exponential_decay():
    m = simsys.load_model(MODELS / "stock_exponential_decay.mdl")
    exact = simsys.load_model(MODELS / "stock_exponential_decay.mdl").run(
        method="adaptive", rtol=1e-12, atol=1e-14, saveper=1.0)
    stock = [v for v in exact.data_vars if exact[v].attrs.get("kind") == "stock"][0]
    ref = exact[stock].values
    errs = {}
    for method in ("euler", "rk4"):
        errs[method] = []
        for dt in (0.5, 0.25, 0.125):
            ds = m.run(method=method, time_step=dt, saveper=1.0)
            errs[method].append(np.max(np.abs(ds[stock].values - ref)))
    e = np.array(errs["euler"])
    r = np.array(errs["rk4"])
    assert np.all(np.log2(e[:-1] / e[1:]) > 0.8), e
    assert np.all(np.log2(r[:-1] / r[1:]) > 3.5), r


def test_adaptive_matches_closed_form_decay():
    m = simsys.load_model(MODELS / "stock_exponential_decay.mdl")
    ds = m.run(method="adaptive", rtol=1e-10, atol=1e-12, saveper=1.0)
    # the rate and the start value come from the model, not from the run being checked
    consts = m.run(return_columns=["Decay Rate", "Initial Material"])
    lam = float(consts["Decay Rate"].values[0])
    x0 = float(consts["Initial Material"].values[0])
    assert (lam, x0) == (0.3, 1000.0)  # what tests/models/stock_exponential_decay.mdl says
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
