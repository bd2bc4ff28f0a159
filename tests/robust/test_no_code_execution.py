"""Model and scenario text never reaches eval, exec, compile or an import.

A Python audit hook watches every compile/exec/import while simsys loads,
compiles and runs models whose names, units, documentation and lookups look like
Python. Generated source may be compiled (it is made of simsys's own
identifiers and numeric literals); the test proves none of the file's text is in it.
"""
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import simsys

HOSTILE = [
    "__import__('os').system('touch /tmp/simsys-pwned')",
    "x\"); print(1) #",
    "lambda: 0",
    "exec(open('/etc/passwd').read())",
    "a\\nb",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 名字",
    "y" * 300,
]

_EVENTS = []
_ACTIVE = False


def _hook(event, args):
    if not _ACTIVE:
        return
    if event == "compile":
        src = args[0]
        if isinstance(src, bytes):
            src = src.decode("utf-8", "replace")
        _EVENTS.append(("compile", src if isinstance(src, str) else repr(src), str(args[1])))
    elif event == "exec":
        code = args[0]
        consts = repr(getattr(code, "co_consts", ())) + repr(getattr(code, "co_names", ()))
        _EVENTS.append(("exec", consts, getattr(code, "co_filename", "")))
    elif event == "import":
        _EVENTS.append(("import", str(args[0]), ""))


sys.addaudithook(_hook)


def _model_text():
    defs = []
    for i, name in enumerate(HOSTILE):
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        text = name.replace('"', "'")  # a bare quote in units/docs opens a string in PySD's grammar
        defs.append(f"{quoted} = {i + 1}\n\t~\t{text}\n\t~\t{text} |\n")
    first = '"' + HOSTILE[0].replace('"', '\\"') + '"'
    defs.append(f'"stock {HOSTILE[2]}" = INTEG({first} * 0.1, 1)\n\t~\t__class__ ~\t() |\n')
    defs.append('"lookup __import__"(\n\t[(0,0)-(10,10)],(0,0),(10,10))\n\t~\t~\t|\n')
    defs.append('"use lookup" = "lookup __import__"(Time)\n\t~\t~\t|\n')
    ctl = textwrap.dedent("""\
        FINAL TIME = 2 ~ Year ~ |
        INITIAL TIME = 0 ~ Year ~ |
        TIME STEP = 0.25 ~ Year ~ |
        SAVEPER = TIME STEP ~ Year ~ |
        """)
    return "{UTF-8}\n" + "\n".join(defs) + ctl


@pytest.fixture
def hostile_model(tmp_path):
    path = tmp_path / "hostile.mdl"
    path.write_text(_model_text(), encoding="utf-8")
    return path


def _audit(fn):
    global _ACTIVE
    _EVENTS.clear()
    _ACTIVE = True
    try:
        return fn()
    finally:
        _ACTIVE = False


def test_hostile_names_are_names_and_never_code(hostile_model):
    marker = Path("/tmp/simsys-pwned")
    marker.unlink(missing_ok=True)
    model = simsys.load_model(hostile_model)  # warm imports outside the audit window
    model.compile("numpy")
    from simsys.compile import _CACHE
    _CACHE.clear()

    def work():
        m = simsys.load_model(hostile_model)
        cm = m.compile("numpy")
        return cm.run_batch({HOSTILE[1]: np.array([1.0, 2.0])})

    ds = _audit(work)
    assert not marker.exists()
    assert f'"{HOSTILE[0]}"' in ds.data_vars  # quoted names keep their quotes, as in PySD
    np.testing.assert_allclose(ds['"use lookup"'].isel(scenario=0).values, ds["time"].values)
    # distinctive strings only: library code legitimately contains "lambda: 0" or "__class__"
    needles = [h for h in HOSTILE if len(h) > 12] + ["simsys-pwned", "print(1)", "/etc/passwd"]
    # module code read from installed .py files is the libraries', not the model's
    compiled = [e for e in _EVENTS if e[0] in ("compile", "exec") and not Path(e[2]).is_file()]
    assert any(e[2] == "<simsys-generated>" for e in compiled), "the generated code was not seen"
    for kind, text, where in compiled:
        for needle in needles:
            assert needle not in text, f"{kind} in {where} contains model text {needle!r}"
    imports = [e[1] for e in _EVENTS if e[0] == "import"]
    for name in imports:
        for needle in needles:
            assert needle not in name


def test_generated_source_is_only_our_vocabulary(hostile_model):
    from simsys.compile.codegen import check_source
    cm = simsys.load_model(hostile_model).compile("numpy")
    check_source(cm.source)
    for needle in HOSTILE:
        assert needle not in cm.source


def test_check_source_refuses_foreign_code():
    from simsys.compile.codegen import check_source
    for bad in ("def _rhs(t):\n    import os\n",
                "def _rhs(t):\n    return __import__('os')\n",
                "def _rhs(t):\n    return 'text'\n",
                "def _rhs(t):\n    return t.__class__\n",
                "def _rhs(t):\n    return open\n"):
        with pytest.raises(AssertionError):
            check_source(bad)
