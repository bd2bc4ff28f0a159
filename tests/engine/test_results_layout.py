"""The result Dataset places every cell at its scenario, time and subscripts, on both backends.

Variables whose cells are one run of solver rows in row-major order are views of the solver's
``[time, cell, scenario]`` arrays (no copy); the others are copied into place. Both must give
what a one-scenario run gives for each scenario.
"""
from pathlib import Path

import numpy as np
import pytest

import simsys
from simsys.compile.c_backend import compiler

MODELS = Path(__file__).resolve().parents[1] / "models"
BACKENDS = ["numpy"] + (["c"] if compiler() else [])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["bench_regions.mdl", "subscript_mixed_assembly.mdl",
                                  "subscript_mapping_elements.mdl"])
def test_each_scenario_of_a_batch_is_its_own_one_scenario_run(name, backend):
    m = simsys.load_model(MODELS / name)
    cm = simsys.compile_model(m, backend)
    levers = [lv for lv in m.levers if lv.max > lv.min][:2]
    n = 5
    p = {lv.name: np.linspace(lv.min, lv.max, n) for lv in levers}
    ds = cm.run_batch(p, _n=n)
    viewed = [v for v in ds.data_vars if "time" in ds[v].dims and not ds[v].values.flags.c_contiguous]
    if levers:
        assert viewed, "no variable came out as a view of the solver's arrays"
    for i in range(n):
        one = cm.run_batch({k: v[i:i + 1] for k, v in p.items()}, _n=1, scenario_index=[i])
        for v in ds.data_vars:
            if "time" not in ds[v].dims:
                continue
            a, b = ds[v].isel(scenario=i).values, one[v].isel(scenario=0).values
            assert ds[v].dims == one[v].dims
            np.testing.assert_array_equal(a, b, err_msg=f"{v}, scenario {i}")
