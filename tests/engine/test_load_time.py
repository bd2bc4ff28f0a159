"""Load-time constructs: macros, advisory slider ranges, legacy encodings, model size.

Numerical agreement with PySD for each is in test_conformance.py; these pin the behaviour
around it (namespaces, warnings, refusals and their messages).
"""
import shutil
import warnings

import numpy as np
import pytest

import simsys
from simsys.errors import ModelSyntaxError, ScenarioError, UnsupportedFeature
from simsys.model.load import OutOfRangeWarning
from simsys.scenario import load_scenario, validate_scenario

from test_conformance import MODELS


def test_each_macro_call_has_its_own_namespace_and_stock():
    m = simsys.load_model(MODELS / "macro_stock.mdl")
    stocks = sorted(e.name for e in m.stocks)
    assert stocks == [f"EXP SMOOTH.{n}.EXP SMOOTH" for n in range(1, 5)]
    f = simsys.to_frame(m.run())
    # two calls with different inputs keep separate states
    assert not np.allclose(f["EXP SMOOTH.1.EXP SMOOTH"], f["EXP SMOOTH.2.EXP SMOOTH"])
    np.testing.assert_array_equal(f["Smoothed"], f["EXP SMOOTH.1.EXP SMOOTH"])


def test_macro_calling_macro_and_trailing_definition():
    m = simsys.load_model(MODELS / "macro_nested.mdl")
    names = {e.name for e in m.elements}
    assert {"ADJUST.1.ADJUST", "ADJUST.1.rate", "INNER GAP.1.INNER GAP", "INNER GAP.2.INNER GAP"} <= names
    # the instance is located at its macro's header line
    assert m.element("ADJUST.1.rate").location.line == 9


def test_subscripted_macro_call_is_one_state_per_cell():
    m = simsys.load_model(MODELS / "macro_subscripted.mdl")
    assert m.element("EXP SMOOTH.1.EXP SMOOTH").dims == ("Region",)


def test_out_of_range_constant_loads_with_a_warning_but_a_scenario_may_not_set_one(tmp_path):
    with pytest.warns(OutOfRangeWarning, match=r"slider_out_of_range.mdl:2: 'Growth rate'.*\[0, 0.5\]"):
        m = simsys.load_model(MODELS / "slider_out_of_range.mdl")
    assert m.lever("Growth rate").default == 0.8
    shutil.copy(MODELS / "slider_out_of_range.mdl", tmp_path / "m.mdl")
    for value, ok in ((0.45, True), (0.9, False)):
        (tmp_path / "s.toml").write_text(f'[scenario]\nname = "s"\nmodel = "m.mdl"\n\n[levers]\n'
                                         f'"Growth rate" = {value}\n')
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OutOfRangeWarning)
            sc = load_scenario(tmp_path / "s.toml")
            if ok:
                validate_scenario(sc, m)
            else:
                with pytest.raises(ScenarioError, match="outside the lever's range"):
                    validate_scenario(sc, m)


def test_declared_legacy_encoding_is_decoded_and_undeclared_is_refused_by_name(tmp_path):
    m = simsys.load_model(MODELS / "latin1_text.mdl")
    assert "Café sales" in {e.name for e in m.elements}
    bad = tmp_path / "bad.mdl"
    bad.write_bytes((MODELS / "latin1_text.mdl").read_bytes().replace(b"{windows-1252}", b"{UTF-8}"))
    with pytest.raises(ModelSyntaxError, match="not UTF-8 as declared"):
        simsys.load_model(bad)
    bad.write_bytes((MODELS / "latin1_text.mdl").read_bytes().replace(b"{windows-1252}", b"{klingon-8}"))
    with pytest.raises(ModelSyntaxError, match=r"declares encoding \{klingon-8\}"):
        simsys.load_model(bad)


def test_macro_extra_outputs_become_model_variables():
    m = simsys.load_model(MODELS / "macro_outputs.mdl")
    f = simsys.to_frame(m.run())
    np.testing.assert_array_equal(f["Low"], np.minimum(f["Input"], 4.25))
    np.testing.assert_array_equal(f["Spread"], f["High"] - f["Low"])


def test_macro_refusal_names_every_macro_in_full(tmp_path):
    text = (MODELS / "macro_stock.mdl").read_text()
    text = text.replace("EXP SMOOTH = INTEG((input - EXP SMOOTH) / delay time, init)",
                        "EXP SMOOTH = INTEG((PINK NOISE(input) - EXP SMOOTH) / delay time, init)")
    text = text.replace(":END OF MACRO:", ":END OF MACRO:\n:MACRO: PINK NOISE(x)\nPINK NOISE = "
                        "EXP SMOOTH(x, 1, 0)\n\t~\tx\n\t~\t|\n\n:END OF MACRO:", 1)
    (tmp_path / "m.mdl").write_text(text)
    with pytest.raises(UnsupportedFeature, match="'EXP SMOOTH', 'PINK NOISE'"):
        simsys.load_model(tmp_path / "m.mdl")


def test_published_size_model_mixes_the_constructs():
    m = simsys.load_model(MODELS / "published_size.mdl")
    assert len(m.elements) > 200
    kinds = {e.kind.value for e in m.elements}
    assert {"stock", "lookup", "auxiliary", "constant"} <= kinds
    assert any(".data" in e.name for e in m.elements)            # a data variable
    assert any(e.name.startswith("EXP SMOOTH.") for e in m.elements)  # macro instances
    assert any(e.dims for e in m.elements)                      # subscripts
    assert (MODELS / "data" / "series.csv").resolve() in m.data_files
