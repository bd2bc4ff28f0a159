"""Sweep files -> SweepSpec -> Design."""
import json

import numpy as np
import pytest

from simsys.errors import ScenarioError
from simsys.sweep.spec import build_design, load_sweep, spec_digest, validate_sweep

import fakemodel


def test_load_and_design(make_sweep):
    spec = load_sweep(make_sweep(n=200))
    assert spec.sampler == "montecarlo" and spec.n == 200 and spec.chunk_size == 16
    assert [p.kind for p in spec.parameters] == ["uniform", "levels", "normal"]
    assert [s.label for s in spec.outputs.summaries] == [
        "final", "max", "min", "time_of_max", "mean_2_5"]
    model = fakemodel.load(spec.scenario.model_path)
    spec = validate_sweep(spec, model)
    assert [p.target for p in spec.parameters] == [
        "Gain", "Noise scale", "Regional cooperation[east]"]
    assert spec.parameters[2].bounds == (0.0, 1.0)  # normal clipped to the lever range
    design = build_design(spec)
    assert design.values.shape == (200, 3)
    g, lv, nm = design.values.T
    assert 0.5 <= g.min() and g.max() <= 1.5
    assert set(np.unique(lv)) == {0.0, 0.5, 1.0}
    assert abs(nm.mean() - 0.5) < 0.03 and 0 <= nm.min() and nm.max() <= 1
    da = design.to_dataarray()
    assert da.dims == ("scenario", "parameter")
    assert list(da["parameter"].values) == ["gain", "noise scale", "regional cooperation[east]"]
    attrs = json.loads(da.attrs["design"])
    assert attrs == {"method": "montecarlo", "n": 200, "seed": 3,
                     "names": ["gain", "noise scale", "regional cooperation[east]"],
                     "bounds": [[0.5, 1.5], [0.0, 1.0], [0.0, 1.0]],
                     "calc_second_order": True, "num_levels": 4}


def test_saltelli_rows(make_sweep):
    spec = load_sweep(make_sweep(sampler="saltelli", n=8))
    assert spec.n_scenarios == 8 * 8
    assert build_design(spec).values.shape == (64, 3)


def test_digest_ignores_chunking_but_not_design(make_sweep):
    a = load_sweep(make_sweep(chunk_size=16))
    b = load_sweep(make_sweep(chunk_size=99))
    c = load_sweep(make_sweep(n=51))
    assert spec_digest(a) == spec_digest(b) != spec_digest(c)


@pytest.mark.parametrize("old, new, match", [
    ('sampler = "montecarlo"', 'sampler = "halton"', "valid: saltelli, morris"),
    ("n = 50", "n = 0", "integer >= 1"),
    ("gain = { range = [0.5, 1.5] }", "gain = { range = [1.5, 0.5] }", "lo < hi"),
    ("gain = { range = [0.5, 1.5] }", "gain = { uniform = [0, 1] }", r"\{ levels = \[v1"),
    ("gain = { range = [0.5, 1.5] }", 'gain = { range = [0, 1], distribution = "beta" }',
     "uniform"),
    ('{ mean = [2, 5] }', '{ median = [2, 5] }', "allowed: \"final\""),
    ("keep_series = true", "keep_series = 1", "true or false"),
])
def test_malformed_sweep_files(make_sweep, old, new, match):
    path = make_sweep()
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(ScenarioError, match=match) as err:
        load_sweep(path)
    assert err.value.location.line is not None


@pytest.mark.parametrize("old, new, match", [
    ("gain = { range = [0.5, 1.5] }", "gian = { range = [0.5, 1.5] }", "did you mean 'Gain'"),
    ("gain = { range = [0.5, 1.5] }", "gain = { range = [0.5, 2.5] }", r"\[0, 2\]"),
    ("[east]", "[north]", "elements: hub, east, west"),
    ("[outputs]", '[outputs]\nvariables = ["Stok"]', "did you mean 'Stock'"),
    ("{ mean = [2, 5] }", "{ mean = [20, 25] }", r"\[20, 25\] lies outside the run, 0 to 10"),
])
def test_validation_against_model(make_sweep, old, new, match):
    path = make_sweep()
    path.write_text(path.read_text().replace(old, new))
    spec = load_sweep(path)
    with pytest.raises(ScenarioError, match=match):
        validate_sweep(spec, fakemodel.load(spec.scenario.model_path))
