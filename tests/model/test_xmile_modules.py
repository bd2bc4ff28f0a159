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


@pytest.mark.parametrize("backend", ["numpy", "c"])
@pytest.mark.parametrize("name", MODULE_MODELS)
def test_agrees_with_pysd_on_the_hand_expanded_twin(name, backend):
    from simsys.compile.backends import unavailable_notice
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    ds = simsys.load_model(MODELS / name).run(backend=backend)
    assert ds.attrs["backend"] == backend
    got = simsys.to_frame(ds)
    ref = pd.read_csv(ORACLE / f"{name}.csv", index_col=0)
    ref = ref.drop(columns=["INITIAL TIME", "FINAL TIME", "TIME STEP", "SAVEPER"])
    assert sorted(got.columns) == sorted(ref.columns)
    np.testing.assert_allclose(got.index.to_numpy(), ref.index.to_numpy(float), rtol=0, atol=1e-12)
    for col in ref.columns:
        np.testing.assert_allclose(got[col].to_numpy(float), ref[col].to_numpy(float),
                                   rtol=1e-9, atol=1e-12, err_msg=col)


def test_a_file_without_modules_is_read_as_before():
    for name in ("stock_teacup.xmile", "subscript_1d.xmile", "xmile_pre10_namespace.xmile"):
        path = MODELS / name
        assert flatten(path, path.read_text()) is None


def test_instances_of_one_sub_model_are_independent():
    model = simsys.load_model(MODELS / "xmile_module.xmile")
    kinds = {e.name: e.kind.value for e in model.elements}
    assert kinds["Tank A.level"] == kinds["Tank B.level"] == "stock"
    assert kinds["Tank A.pressure effect"] == kinds["Tank B.pressure effect"] == "lookup"
    frame = simsys.to_frame(model.run(backend="numpy"))
    assert (frame["Tank A.drain time"] == 4).all()       # the sub-model's default
    assert (frame["Tank B.drain time"] == 2.5).all()     # connected from Drain Time B
    np.testing.assert_array_equal(frame["Tank B.inflow rate"], frame["Fill B"])
    assert not np.allclose(frame["Tank A.level"], frame["Tank B.level"])
    np.testing.assert_allclose(frame["Total Level"], frame["Tank A.level"] + frame["Tank B.level"])


def test_a_module_inside_a_module():
    frame = simsys.to_frame(simsys.load_model(MODELS / "xmile_module_nested.xmile").run(backend="numpy"))
    assert (frame["plant.line 1.max rate"] == 5).all()            # default
    np.testing.assert_array_equal(frame["plant.line 2.max rate"], frame["Capacity"])  # from=".Capacity"
    np.testing.assert_array_equal(frame["plant.line 1.start rate"], frame["plant.start 1"])
    np.testing.assert_allclose(frame["Shipped"], frame["plant.line 1.completion"]
                               + frame["plant.line 2.completion"])
    assert "plant.line 2.staff[night]" in frame.columns


def test_equations_are_rewritten_name_by_name_only():
    path = MODELS / "xmile_module_nested.xmile"
    flat = flatten(path, path.read_text())
    eqns = {el.get("name"): "".join(el.xpath("./*[local-name()='eqn']/text()"))
            for el in flat.root.iter() if el.get("name") and el.xpath("./*[local-name()='eqn']")}
    # subscripts, function names and numbers stay as written; names become quoted flat names
    assert eqns["plant.line 1.cycle time"] == '12 / SUM("plant.line 1.staff"[Shift!])'
    assert eqns["plant.line 2.starting"] == 'MIN("plant.line 2.start rate", "plant.line 2.max rate")'
    assert eqns["plant.line 2.max rate"] == '"Capacity"'
    assert eqns["Backlog Ratio"] == '"plant.backlog" / Demand'   # main-model names untouched
    assert [m.tag.rsplit("}", 1)[-1] for m in flat.root if "model" in m.tag] == ["model"]
    assert flat.lines[name_key("plant.line 2.wip")] == _line(path, '<stock name="wip">')
    assert flat.lines[name_key("plant.line 2.max rate")] == _line(path, '<connect to="line_2.max_rate"')


def test_names_reach_results_and_files_as_written(tmp_path):
    import xarray as xr
    ds = simsys.load_model(MODELS / "xmile_module_nested.xmile").run(backend="numpy")
    assert "plant.line 1.wip" in ds.data_vars
    assert encode_name("plant.line 1.wip") == "plant.line 1.wip"
    encode_names(ds).to_netcdf(tmp_path / "run.nc")
    with xr.open_dataset(tmp_path / "run.nc") as back:
        np.testing.assert_array_equal(decode_names(back)["plant.line 1.wip"], ds["plant.line 1.wip"])


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


def test_a_graphical_function_cannot_be_connected(tmp_path):
    _module_error(tmp_path, """<model><variables><aux name="x"><eqn>1</eqn></aux>
<module name="a" model="t"><connect to="a.curve" from="x"/></module></variables></model>
<model name="t"><variables><gf name="curve" access="input"><xpts>0,1</xpts><ypts>0,1</ypts></gf>
<aux name="y" access="output"><eqn>curve(0.5)</eqn></aux></variables></model>""",
                  'to="a.curve"', "'a'", contains=["graphical function"])


def test_a_scenario_sets_one_instance_s_lever(tmp_path):
    from simsys.scenario import run_scenario
    _write(tmp_path, """<model><variables>
<module name="a" model="tank"/><module name="b" model="tank"/></variables></model>""" + SUB)
    (tmp_path / "s.toml").write_text('[scenario]\nname = "s"\nmodel = "m.xmile"\n\n'
                                     '[levers]\n"a.k" = 3\n', encoding="utf-8")
    ds = run_scenario(tmp_path / "s.toml", backend="numpy")
    assert float(ds["a.level"].isel(time=-1)) == 12.0
    assert float(ds["b.level"].isel(time=-1)) == 8.0
