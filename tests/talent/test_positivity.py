"""No stock goes negative and nothing becomes NaN, over 1,000 lever settings spanning every
lever's declared range (a Latin hypercube, each region's value drawn separately) and in every
shipped scenario."""
import itertools

import numpy as np

from simsys.analysis import sample_design
from simsys.model.spec import ElementKind


def _lever_cells(model):
    for lv in model.levers:
        if lv.dims:
            for cell in itertools.product(*(model.ranges[d] for d in lv.dims)):
                yield lv, f"{lv.name}[{','.join(cell)}]"
        else:
            yield lv, lv.name


def test_latin_hypercube_of_1000_lever_settings_stays_positive_and_finite(model):
    cells = list(_lever_cells(model))
    names = [key for _, key in cells]
    bounds = [[lv.min, lv.max] for lv, _ in cells]
    X, _ = sample_design("latin", names, bounds, 1000, seed=2023)
    params = {}
    for j, (lv, key) in enumerate(cells):
        col = X[:, j]
        if lv.step:  # levers with a step (e.g. the integration mode) take values on their grid
            col = np.clip(lv.min + np.round((col - lv.min) / lv.step) * lv.step, lv.min, lv.max)
        params[key] = col
    stocks = [e.name for e in model.elements if e.kind is ElementKind.STOCK]
    ds = model.run_batch(params, return_columns=None, saveper=5.0)
    assert int(ds["simsys_status"].sum()) == 0, ds["simsys_fail_variable"].values[ds["simsys_status"].values > 0][:5]
    for name in ds.data_vars:
        assert np.isfinite(ds[name].values).all(), name
    for name in stocks:
        assert float(ds[name].min()) >= 0, name


def test_every_shipped_scenario_is_positive_and_finite(runs):
    assert int(runs["simsys_status"].sum()) == 0
    for name in runs.data_vars:
        assert np.isfinite(runs[name].values).all(), name
