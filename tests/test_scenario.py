"""Scenario files: parsing, extends, validation against a model, params for the engine."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from simsys.errors import ScenarioError
from simsys.policy import Ramp, Step, Table
from simsys.scenario import (load_scenario, run_scenario, scenario_params,
                             validate_scenario)

sys.path.insert(0, str(Path(__file__).parent / "sweep"))
import fakemodel  # noqa: E402


@pytest.fixture
def model_file(tmp_path):
    path = tmp_path / "fake.mdl"
    path.write_text("fake model\n")
    return path


@pytest.fixture
def model(model_file):
    return fakemodel.load(model_file)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = """\
# Question: does more gain raise the stock?
[scenario]
name = "base"
description = "everything as the model has it"
model = "fake.mdl"

[run]
final_time = 8
seed = 11

[levers]
gain = 1.5
"Noise  Scale" = { step = 0.6, at = 2 }
"regional cooperation" = { hub = 0.9, east = 0.2 }
"""


def test_load_parses_every_field(tmp_path, model_file):
    sc = load_scenario(write(tmp_path, "base.toml", BASE))
    assert sc.name == "base"
    assert sc.question == "does more gain raise the stock?"
    assert sc.model_path == model_file.resolve()
    assert sc.run.final_time == 8.0 and sc.run.seed == 11 and sc.run.method is None
    assert sc.levers["gain"] == 1.5
    assert sc.levers["Noise  Scale"] == Step(before=None, after=0.6, at=2.0)
    assert sc.levers["regional cooperation"] == {"hub": 0.9, "east": 0.2}
    assert sc.outputs is None and sc.chain == ()


def test_policy_forms(tmp_path, model_file):
    sc = load_scenario(write(tmp_path, "p.toml", """\
[scenario]
model = "fake.mdl"
[levers]
a = { ramp = [0.2, 0.8], from = 1, to = 3 }
b = { table = [[0, 0.1], [5, 0.7]] }
c = { step = 1, at = 2, before = 0.5 }
"""))
    assert sc.levers["a"] == Ramp(0.2, 0.8, 1.0, 3.0)
    assert sc.levers["b"] == Table(((0.0, 0.1), (5.0, 0.7)))
    assert sc.levers["c"] == Step(0.5, 1.0, 2.0)
    assert sc.name == "p"


def test_extends_inherits_and_overrides(tmp_path, model_file):
    write(tmp_path, "base.toml", BASE)
    sub = tmp_path / "sub"
    sub.mkdir()
    child = write(sub, "child.toml", """\
[scenario]
name = "child"
extends = "../base.toml"
[run]
final_time = 9
[levers]
GAIN = 0.5
[outputs]
variables = ["Stock"]
""")
    sc = load_scenario(child)
    assert sc.model_path == model_file.resolve()
    assert sc.run.final_time == 9 and sc.run.seed == 11
    assert "gain" not in sc.levers and sc.levers["GAIN"] == 0.5
    assert sc.levers["regional cooperation"] == {"hub": 0.9, "east": 0.2}
    assert sc.chain == ((tmp_path / "base.toml").resolve(),)
    assert sc.lever_files["GAIN"] == child.resolve()
    assert sc.outputs == ("Stock",)


def test_extends_cycle(tmp_path):
    write(tmp_path, "a.toml", '[scenario]\nextends = "b.toml"\n')
    write(tmp_path, "b.toml", '[scenario]\nextends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="cycle") as err:
        load_scenario(tmp_path / "a.toml")
    assert "b.toml:2" in str(err.value)


def test_extends_missing_target_names_file_and_key(tmp_path):
    path = write(tmp_path, "a.toml", '[scenario]\nmodel = "x.mdl"\nextends = "nope.toml"\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    msg = str(err.value)
    assert f"{path.resolve()}:3" in msg and "'extends'" in msg and "nope.toml" in msg


def test_toml_syntax_error_has_line_and_column(tmp_path):
    path = write(tmp_path, "bad.toml", '[scenario]\nmodel = "x.mdl"\ngain 0.3\n')
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert err.value.location.line == 3 and err.value.location.column is not None
    assert "gain 0.3" in str(err.value)


def test_missing_model(tmp_path):
    with pytest.raises(ScenarioError, match="no model"):
        load_scenario(write(tmp_path, "a.toml", "[levers]\ngain = 1\n"))


@pytest.mark.parametrize("text, match", [
    ("[levers]\ngain = true\n", "expected a number"),
    ("[levers]\ngain = { step = 1 }\n", r"\{ ramp = \[a, b\]"),
    ("[levers]\ngain = { ramp = [1], from = 1, to = 2 }\n", "table ="),
    ("[levers]\ngain = { ramp = [0, 1], from = 3, to = 2 }\n", "from < to"),
    ("[levers]\ngain = { table = [[2, 1], [1, 1]] }\n", "increase"),
    ("[levers]\ngain = \"high\"\n", "expected a number"),
    ("[run]\nmethod = \"rk45\"\n", "euler, rk4, adaptive"),
    ("[run]\nseed = 1.5\n", "non-negative integer"),
    ("[runs]\nseed = 1\n", "allowed: levers, observed, outputs, run, scenario"),
    ("[run]\nfinal = 1\n", "allowed: final_time"),
])
def test_malformed_values(tmp_path, model_file, text, match):
    path = write(tmp_path, "a.toml", '[scenario]\nmodel = "fake.mdl"\n' + text)
    with pytest.raises(ScenarioError, match=match) as err:
        load_scenario(path)
    assert err.value.location.line is not None
    assert "\n" not in err.value.message


def test_validate_accepts_good_scenario(tmp_path, model):
    sc = load_scenario(write(tmp_path, "base.toml", BASE))
    assert validate_scenario(sc, model) is None
    # what it accepted is what the engine gets, under the model's own lever names: each
    # setting, a step with the model's default before it, per element where given
    assert scenario_params(sc, model) == {
        "Gain": 1.5, "Noise scale": Step(before=0.0, after=0.6, at=2.0),
        "Regional cooperation[hub]": 0.9, "Regional cooperation[east]": 0.2}


@pytest.mark.parametrize("lever, match", [
    ("gian = 1", "did you mean 'Gain'"),
    ("gain = 3", r"outside the lever's range \[0, 2\] Dmnl"),
    ("gain = { ramp = [0.5, 2.5], from = 1, to = 2 }", r"2.5 is outside .*\[0, 2\]"),
    ("gain = { hub = 1 }", "not subscripted"),
    ("'regional cooperation' = { north = 1 }", "elements: hub, east, west"),
    ("'regional cooperation' = { hub = 1.2 }", r"'regional cooperation\[hub\]'"),
])
def test_validate_errors_name_file_line_and_allowed(tmp_path, model, lever, match):
    path = write(tmp_path, "a.toml",
                 '[scenario]\nmodel = "fake.mdl"\n[levers]\nnoise_scale = 0\n' + lever + "\n")
    with pytest.raises(ScenarioError, match=match) as err:
        validate_scenario(load_scenario(path), model)
    assert str(err.value).startswith(f"{path.resolve()}:5")


def test_validate_error_points_at_the_file_that_set_the_lever(tmp_path, model):
    write(tmp_path, "base.toml", '[scenario]\nmodel = "fake.mdl"\n[levers]\ngain = 5\n')
    child = write(tmp_path, "c.toml", '[scenario]\nextends = "base.toml"\n')
    with pytest.raises(ScenarioError) as err:
        validate_scenario(load_scenario(child), model)
    assert str(err.value).startswith(f"{(tmp_path / 'base.toml').resolve()}:4")


def test_scenario_params(tmp_path, model):
    sc = load_scenario(write(tmp_path, "base.toml", BASE))
    params = scenario_params(sc, model)
    assert params == {"Gain": 1.5, "Noise scale": Step(0.0, 0.6, 2.0),
                      "Regional cooperation[hub]": 0.9, "Regional cooperation[east]": 0.2}


def test_step_on_subscripted_lever_uses_each_default(tmp_path, model):
    sc = load_scenario(write(tmp_path, "s.toml", '[scenario]\nmodel = "fake.mdl"\n[levers]\n'
                             '"regional cooperation" = { step = 1, at = 2 }\n'))
    params = scenario_params(sc, model)
    assert params["Regional cooperation[west]"] == Step(0.3, 1.0, 2.0)
    assert len(params) == 3


def test_run_scenario_writes_results_and_manifest(tmp_path, model_file, monkeypatch):
    import fakemodel
    monkeypatch.setattr("simsys.scenario.load_model_file", fakemodel.load)
    path = write(tmp_path, "base.toml", BASE)
    ds = run_scenario(path, out_dir=tmp_path / "out")
    assert ds["Stock"].dims == ("time",)
    assert ds["time"].values[-1] == 8
    assert (tmp_path / "out" / "base.zarr").exists()
    assert (tmp_path / "out" / "base.manifest.json").exists()
    assert "simsys_manifest" in ds.attrs
    # the step in noise scale only changes noise, the gain sets the mean slope
    assert np.isfinite(ds["Stock"].values).all()
