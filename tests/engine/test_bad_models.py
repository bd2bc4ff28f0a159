"""Every malformed or unsupported model gives a SimsysError naming the file, line and variable."""
import tomllib
from pathlib import Path

import pytest

import simsys
from simsys import errors

BAD = Path(__file__).resolve().parents[1] / "bad_models"
EXPECTED = tomllib.loads((BAD / "expected.toml").read_text()) if (BAD / "expected.toml").exists() else {}


def _cases():
    out = []
    for name, spec in sorted(EXPECTED.items()):
        out.append(pytest.param(name, spec, id=name))
    return out


def _load_compile_run(path):
    model = simsys.load_model(path)
    cm = model.compile()
    cm.run(final_time=min(model.control.final_time, model.control.initial_time + 50))


def test_corpus_is_large_enough():
    assert len(EXPECTED) >= 40


@pytest.mark.parametrize("name,spec", _cases())
def test_bad_model_is_reported_precisely(name, spec):
    path = BAD / name
    with pytest.raises(errors.SimsysError) as info:
        _load_compile_run(path)
    err = info.value
    assert type(err).__name__ == spec["error"], f"{type(err).__name__}: {err}"
    msg = str(err)
    assert path.name in msg, msg
    if "line" in spec:
        assert err.location is not None and err.location.line == spec["line"], msg
        assert f":{spec['line']}" in msg
    if "variable" in spec:
        assert err.variable is not None and spec["variable"].lower() in err.variable.lower(), msg
    if "contains" in spec:
        assert spec["contains"].lower() in msg.lower(), msg
