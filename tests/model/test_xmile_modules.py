"""XMILE modules (simsys.model.xmile_modules): sub-models expanded into one flat model at load.

The corpus models (tests/models/xmile_module*.xmile) agree with PySD's run of their
hand-expanded twins (tests/oracle/twins/) on every backend; every refusal names the file,
the line and the module.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsys
from simsys.errors import ModelStructureError, SimsysError, UnsupportedFeature
from simsys.model import xmile_modules
from simsys.model.spec import name_key
from simsys.model.xmile_modules import flatten
from simsys.names import decode_names, encode_name, encode_names

TESTS = Path(__file__).resolve().parents[1]
MODELS, ORACLE = TESTS / "models", TESTS / "oracle"
MODULE_MODELS = ["xmile_module.xmile", "xmile_module_nested.xmile"]

HEAD = """<?xml version="1.0" encoding="utf-8"?>
<xmile version="1.0" xmlns="http://docs.oasis-open.org/xmile/ns/XMILE/v1.0">
<header><vendor>t</vendor><product version="1.0">t</product></header>
<sim_specs method="Euler"><start>0</start><stop>4</stop><dt>1</dt></sim_specs>
"""


def _write(tmp_path, body: str, name="m.xmile") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + body + "\n</xmile>\n", encoding="utf-8")
    return path


def _line(path: Path, needle: str) -> int:
    return next(i for i, row in enumerate(path.read_text().splitlines(), 1) if needle in row)


def _refused(path: Path, kind=ModelStructureError) -> SimsysError:
    with pytest.raises(kind) as info:
        simsys.load_model(path).run(backend="numpy")
    assert path.name in str(info.value), str(info.value)
    return info.value


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))


def test_a_file_without_modules_is_read_as_before():
    for name in ("stock_teacup.xmile", "subscript_1d.xmile", "xmile_pre10_namespace.xmile"):
        path = MODELS / name
        assert flatten(path, path.read_text()) is None


SUB = """<model name="tank"><variables>
<aux name="inflow" access="input"><eqn>1</eqn></aux>
<aux name="k"><eqn>2</eqn><range min="0" max="5"/></aux>
<stock name="level" access="output"><eqn>0</eqn><inflow>filling</inflow></stock>
<flow name="filling"><eqn>inflow * k</eqn></flow>
</variables></model>"""


def test_each_instance_has_its_own_levers(tmp_path):
    path = _write(tmp_path, """<model><variables>
<module name="a" model="tank"/><module name="b" model="tank"/>
</variables></model>""" + SUB)
    model = simsys.load_model(path)
    assert {lv.name for lv in model.levers} == {"a.k", "b.k"}
    ds = model.compile(backend="numpy").run_batch({"a.k": [1.0, 4.0]})
    np.testing.assert_allclose(ds["a.level"].isel(time=-1), [4.0, 16.0])
    np.testing.assert_allclose(ds["b.level"].isel(time=-1), [8.0, 8.0])


def test_an_error_found_after_expansion_names_the_sub_model_line(tmp_path):
    path = _write(tmp_path, """<model><variables><module name="loop here" model="l"/></variables></model>
<model name="l"><variables>
<aux name="first"><eqn>second</eqn></aux>
<aux name="second"><eqn>first + 1</eqn></aux>
</variables></model>""")
    for _ in range(2):  # parsed, then from the parse cache
        err = _refused(path)
        assert "loop" in str(err)
        assert err.variable in ("loop here.first", "loop here.second")
        assert err.location.line in (_line(path, '"first"'), _line(path, '"second"'))


def _module_error(tmp_path, body, needle, module, kind=ModelStructureError, contains=()):
    path = _write(tmp_path, body)
    err = _refused(path, kind)
    assert err.location.line == _line(path, needle), str(err)
    assert module in str(err), str(err)
    for text in contains:
        assert text in str(err), str(err)
    return err


def test_an_input_connected_twice(tmp_path):
    _module_error(tmp_path, """<model><variables><aux name="x"><eqn>1</eqn></aux>
<module name="a" model="tank"><connect to="a.inflow" from="x"/>
<connect to="a.inflow" from="x"/></module></variables></model>""" + SUB,
                  '<connect to="a.inflow" from="x"/></module>', "'a'", contains=["connected twice"])


def test_a_connection_to_a_variable_that_is_not_an_input(tmp_path):
    _module_error(tmp_path, """<model><variables><aux name="x"><eqn>1</eqn></aux>
<module name="a" model="tank"><connect to="a.k" from="x"/></module></variables></model>""" + SUB,
                  'to="a.k"', "'a'", contains=["not an input", 'access="input"'])


def test_a_connection_to_a_missing_variable_lists_the_inputs(tmp_path):
    _module_error(tmp_path, """<model><variables><aux name="x"><eqn>1</eqn></aux>
<module name="a" model="tank"><connect to="a.nope" from="x"/></module></variables></model>""" + SUB,
                  'to="a.nope"', "'a'", contains=["no variable 'nope'", "its inputs: inflow"])


def test_a_connection_from_a_missing_variable(tmp_path):
    _module_error(tmp_path, """<model><variables>
<module name="a" model="tank"><connect to="a.inflow" from="nothing"/></module></variables></model>"""
                  + SUB, 'from="nothing"', "'a'", contains=["'nothing' is not a variable"])


def test_a_module_from_another_file_is_unsupported(tmp_path):
    _module_error(tmp_path, """<model><variables>
<module name="a" model="tank" resource="other.xmile"/></variables></model>""" + SUB,
                  'resource="other.xmile"', "'a'", kind=UnsupportedFeature, contains=["another file"])


def test_a_model_that_contains_itself(tmp_path):
    _module_error(tmp_path, """<model><variables><module name="a" model="r"/></variables></model>
<model name="r"><variables><aux name="v"><eqn>1</eqn></aux><module name="again" model="r"/>
</variables></model>""", '<module name="again"', "'a.again'", contains=["'r' -> 'r'"])


def test_reading_a_missing_variable_of_a_module(tmp_path):
    _module_error(tmp_path, """<model><variables><module name="a" model="tank"/>
<aux name="peek"><eqn>a.volume</eqn></aux></variables></model>""" + SUB,
                  '<aux name="peek">', "module 'a'", contains=["no variable 'volume'", "its outputs: level"])


def test_a_dotted_name_that_is_not_a_module(tmp_path):
    _module_error(tmp_path, """<model><variables><module name="a" model="tank"/>
<aux name="peek"><eqn>b.level</eqn></aux></variables></model>""" + SUB,
                  '<aux name="peek">', "'b'", contains=["not a module"])


def test_two_variables_with_one_flat_name(tmp_path):
    _module_error(tmp_path, """<model><variables><module name="a" model="tank"/>
<aux name="a.k"><eqn>1</eqn></aux></variables></model>""" + SUB,
                  '<aux name="k">', "a.k", contains=["both called 'a.k'"])


def test_several_models_but_no_main_one(tmp_path):
    path = _write(tmp_path, SUB + SUB.replace('"tank"', '"pond"'))
    err = _refused(path)
    assert "no main model" in str(err) and err.location.line == _line(path, '<model name="tank">')


def test_the_expansion_has_a_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(xmile_modules, "MAX_FLAT_VARIABLES", 6)
    _module_error(tmp_path, """<model><variables>
<module name="a" model="tank"/><module name="b" model="tank"/></variables></model>""" + SUB,
                  '<module name="b"', "'b'", contains=["more than 6 variables"])


def test_a_module_named_after_its_model(tmp_path):
    path = _write(tmp_path, """<model><variables><aux name="x"><eqn>3</eqn></aux>
<module name="Tank"><connect to="Tank.inflow" from="x"/></module>
<aux name="seen"><eqn>Tank.level</eqn></aux></variables></model>""" + SUB)
    frame = simsys.to_frame(simsys.load_model(path).run(backend="numpy"))
    np.testing.assert_allclose(frame["seen"], frame["Tank.level"])
    assert frame["Tank.level"].iloc[-1] == 4 * 3 * 2


def test_nesting_has_a_depth_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(xmile_modules, "MAX_DEPTH", 2)
    _module_error(tmp_path, """<model><variables><module name="a" model="p"/></variables></model>
<model name="p"><variables><module name="b" model="q"/></variables></model>
<model name="q"><variables><aux name="v"><eqn>1</eqn></aux></variables></model>""",
                  '<module name="b"', "'a.b'", contains=["nested more than 2 deep"])
