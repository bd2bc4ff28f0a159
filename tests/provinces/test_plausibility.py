"""Plausibility over the whole lever box: a 1,000-point Latin hypercube of every lever, and every scenario."""
import tomllib

import numpy as np
import pytest

from .conftest import SCENARIOS

OUT = ["Value added", "National RD intensity", "National basic research share", "National enterprise share of RD",
       "RD talent", "Total vitality", "Talent innovation vitality"]


@pytest.fixture(scope="module")
def box(model):
    from scipy.stats import qmc
    spec = tomllib.loads((SCENARIOS / "sweep_levers.toml").read_text(encoding="utf-8"))["parameters"]
    names = [k for k in spec if "range" in spec[k]]
    X = qmc.LatinHypercube(d=len(names) + 1, seed=20230201).random(1000)
    params = {k: spec[k]["range"][0] + (spec[k]["range"][1] - spec[k]["range"][0]) * X[:, j] for j, k in enumerate(names)}
    params["Integration mode"] = np.floor(X[:, -1] * 3) + 1
    return model.run_batch(params, return_columns=OUT, saveper=1.0)


def growth(ds):
    va = ds["Value added"].transpose(..., "time", "Province").sel(time=slice(2022, 2050)).values
    return np.log(va[..., 1:, :] / va[..., :-1, :])


def test_national_shares_stay_in_their_bounds(box, runs):
    for ds in (box, runs):
        post = ds.sel(time=slice(2022, 2050))
        assert 0.015 <= float(post["National RD intensity"].min()) and float(post["National RD intensity"].max()) <= 0.05
        assert 0.03 <= float(post["National basic research share"].min()) and float(post["National basic research share"].max()) <= 0.25
        assert 0.50 <= float(post["National enterprise share of RD"].min()) and float(post["National enterprise share of RD"].max()) <= 0.90


def test_provincial_growth_bounded(box, runs):
    """The issue's -5%..+10% a year, with no exception. Observed over the box: -0.1% to 7.9%; over the
    shipped scenarios 0.5% to 7.8%. Adoption capacity (`Maximum adoption rate`) is what bounds it."""
    for ds in (box, runs):
        g = growth(ds)
        assert -0.05 < g.min() and g.max() < 0.10, (g.min(), g.max())


def test_adoption_capacity_bounds_growth(model, box):
    """Without the cap on technology adoption, the fastest points of the box pass 10% a year (Xizang,
    the smallest technology base, catching up through absorbed spillover)."""
    from scipy.stats import qmc
    spec = tomllib.loads((SCENARIOS / "sweep_levers.toml").read_text(encoding="utf-8"))["parameters"]
    names = [k for k in spec if "range" in spec[k]]
    X = qmc.LatinHypercube(d=len(names) + 1, seed=20230201).random(1000)
    fastest = np.argsort(growth(box).max(axis=(1, 2)))[-40:]
    params = {k: (spec[k]["range"][0] + (spec[k]["range"][1] - spec[k]["range"][0]) * X[:, j])[fastest]
              for j, k in enumerate(names)}
    params["Integration mode"] = np.floor(X[fastest, -1] * 3) + 1
    params["Maximum adoption rate"] = np.full(len(fastest), 100.0)
    uncapped = model.run_batch(params, return_columns=["Value added"], saveper=1.0)
    assert growth(uncapped).max() > 0.10


def test_nothing_negative_and_talent_within_supply(box):
    for v in OUT:
        assert float(box[v].min()) > 0, v
    # researchers never exceed what 2010's stock, every graduate cohort's research share and migration allow:
    # at most +12% a year nationally, far above any run
    rd = box["RD talent"].sum("Province")
    assert float((rd.sel(time=2050) / rd.sel(time=2010)).max()) < 1.12 ** 40
