"""No stock goes negative and nothing becomes NaN, over 500 lever settings spanning every
lever's declared range with each province's value drawn separately (a Latin hypercube of all
531 lever cells, so neighbours differ: reforms in one province and not the next, mixed
integration modes, reform start years from 2022 to 2100), and in every shipped scenario.

tests/provinces/test_plausibility.py covers the lever box with one value per lever for all
provinces; this one covers the heterogeneous settings that migration, spillover and pooled
funds between provinces must also survive. 500 points take about 25 s.
"""
import itertools

import numpy as np

from simsys.analysis import sample_design


def _lever_cells(model):
    for lv in model.levers:
        if lv.dims:
            for cell in itertools.product(*(model.ranges[d] for d in lv.dims)):
                yield lv, f"{lv.name}[{','.join(cell)}]"
        else:
            yield lv, lv.name


def test_latin_hypercube_of_per_province_lever_settings_stays_positive_and_finite(model):
    cells = list(_lever_cells(model))
    assert len(cells) > 31 * 10  # every provincial lever is drawn per province
    names = [key for _, key in cells]
    bounds = [[lv.min, lv.max] for lv, _ in cells]
    X, _ = sample_design("latin", names, bounds, 500, seed=2023)
    params = {}
    for j, (lv, key) in enumerate(cells):
        col = X[:, j]
        if lv.step:  # levers with a step (e.g. the integration mode) take values on their grid
            col = np.clip(lv.min + np.round((col - lv.min) / lv.step) * lv.step, lv.min, lv.max)
        params[key] = col
    ds = model.run_batch(params, return_columns=None, saveper=5.0)
    assert int(ds["simsys_status"].sum()) == 0, ds["simsys_fail_variable"].values[ds["simsys_status"].values > 0][:5]
    for name in ds.data_vars:
        if ds[name].dtype.kind == "f":
            assert np.isfinite(ds[name].values).all(), name
    for stock in model.stocks:
        assert float(ds[stock.name].min()) >= 0, stock.name


def test_every_shipped_scenario_is_positive_and_finite(runs):
    assert int(runs["simsys_status"].sum()) == 0
    for name in runs.data_vars:
        if runs[name].dtype.kind == "f":
            assert np.isfinite(runs[name].values).all(), name
    for name in ("RD talent", "Industrial talent", "Intermediary talent", "Value added"):
        assert float(runs[name].min()) > 0, name
