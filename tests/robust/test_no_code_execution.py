"""Model and scenario text never reaches eval, exec, compile or an import.

A Python audit hook watches every compile/exec/import while simsys loads,
compiles and runs models whose names, units, documentation and lookups look like
Python. Generated source may be compiled (it is made of simsys's own
identifiers and numeric literals); the test proves none of the file's text is in it.
"""
import os
import stat
import subprocess
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


_FOREIGN = {
    "import": "def _rhs(t):\n    import os\n",
    "__import__": "def _rhs(t):\n    return __import__('os')\n",
    "__import__ as a name": "def _rhs(t):\n    v1 = __import__\n",
    "__builtins__": "def _rhs(t):\n    return __builtins__\n",
    "string": "def _rhs(t):\n    return 'text'\n",
    "bytes": "def _rhs(t):\n    return b'text'\n",
    "dunder attribute": "def _rhs(t):\n    return t.__class__\n",
    "dunder of _np": "def _rhs(t):\n    return _np.__dict__\n",
    "other _np attribute": "def _rhs(t):\n    return _np.load(t)\n",
    "attribute of a call": "def _rhs(t):\n    return _np.where(t, 1, 2).__class__\n",
    "attribute of a table": "def _rhs(t):\n    return _T.__class__\n",
    "builtin open": "def _rhs(t):\n    return open\n",
    "getattr": "def _rhs(t):\n    return getattr(_np, 1)\n",
    "rebinding _np": "def _rhs(t):\n    _np = t\n    return _np.exp(t)\n",
    "rebinding a runtime name": "def _rhs(t):\n    _lookup = t\n",
    "loop variable _np": "def _rhs(t):\n    for _np in _range(3):\n        v1 = 1\n",
    "aliasing _np": "def _rhs(t):\n    v1 = _np\n",
    "rebinding an argument array": "def _rhs(t, Y):\n    Y = t\n",
    "module-level code": "v1 = 1\n",
    "keyword argument": "def _rhs(t):\n    return _np.where(t, 1, 2, out=t)\n",
    "lambda": "def _rhs(t):\n    return (lambda: 0)\n",
    "default argument": "def _rhs(t=0):\n    return t\n",
    "foreign function name": "def __init__(t):\n    return t\n",
    "decorator": "@staticmethod\ndef _rhs(t):\n    return t\n",
    "global": "def _rhs(t):\n    global v1\n",
    "class": "class _rhs:\n    pass\n",
    "with": "def _rhs(t):\n    with t:\n        v1 = 1\n",
    "dunder local": "def _rhs(t):\n    __v1 = 1\n",
}


@pytest.mark.parametrize("case", sorted(_FOREIGN))
def test_check_source_refuses_foreign_code(case):
    from simsys.compile.codegen import check_source
    from simsys.compile.vet import GeneratedCodeError
    with pytest.raises(GeneratedCodeError):
        check_source(_FOREIGN[case])


def test_check_source_holds_under_python_O():
    """Real exceptions, not assert: ``python -O`` still refuses."""
    code = textwrap.dedent("""\
        from simsys.compile.codegen import check_source
        from simsys.compile.vet import GeneratedCodeError
        assert False  # skipped under -O
        try:
            check_source("def _rhs(t):\\n    return __import__('os')\\n")
        except GeneratedCodeError:
            print('refused')
        """)
    out = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "refused"


def test_refused_source_never_runs(tmp_path):
    """Audit hook and sentinel: a hostile generated source is refused before compile/exec."""
    from simsys.compile.codegen import build
    from simsys.compile.vet import GeneratedCodeError
    sentinel = tmp_path / "sentinel"
    src = (f"def _rhs(t):\n    return __import__('os').system('touch {sentinel}')\n"
           f"v1 = _rhs(0)\n")

    def work():
        with pytest.raises(GeneratedCodeError):
            build(src, [])

    _audit(work)
    assert not sentinel.exists()
    # parsing for the check is a compile event too (ast.parse, filename "<unknown>"); the
    # compile to bytecode ("<simsys-generated>") and any exec must never see the text
    assert any(e[0] == "compile" and str(sentinel) in e[1] for e in _EVENTS), "check not seen"
    assert not [e for e in _EVENTS if e[0] == "compile" and e[2] == "<simsys-generated>"]
    assert not [e for e in _EVENTS if e[0] == "exec" and str(sentinel) in e[1]]


# -- the kernel cache directory ----------------------------------------------------------


def test_cache_dir_is_created_private(tmp_path, monkeypatch):
    from simsys.compile.cache import cache_root, private_dir
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    d = private_dir("c")
    assert d == tmp_path / "xdg" / "simsys" / "c" and cache_root() == d.parent
    for p in (d, d.parent):
        assert stat.S_IMODE(p.stat().st_mode) == 0o700


def test_cache_dir_relative_xdg_is_ignored(monkeypatch):
    from simsys.compile.cache import cache_root
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    assert cache_root() == Path.home() / ".cache" / "simsys"


def test_cache_dir_readable_by_others_is_tightened(tmp_path, monkeypatch):
    from simsys.compile.cache import private_dir
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "simsys").mkdir(mode=0o755)
    os.chmod(tmp_path / "simsys", 0o755)
    private_dir()
    assert stat.S_IMODE((tmp_path / "simsys").stat().st_mode) == 0o700


@pytest.mark.parametrize("mode", [0o775, 0o757, 0o777])
def test_cache_dir_writable_by_others_is_refused(tmp_path, monkeypatch, mode):
    from simsys.compile.cache import CacheError, private_dir
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "simsys").mkdir()
    os.chmod(tmp_path / "simsys", mode)
    with pytest.raises(CacheError, match="writable by others"):
        private_dir("c")
    assert not (tmp_path / "simsys" / "c").exists()


def test_cache_dir_symlink_is_refused(tmp_path, monkeypatch):
    from simsys.compile.cache import CacheError, private_dir
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "elsewhere").mkdir(mode=0o700)
    (tmp_path / "simsys").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(CacheError, match="symlink"):
        private_dir()


def test_cache_dir_of_another_user_is_refused(tmp_path, monkeypatch):
    from simsys.compile import cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    (tmp_path / "simsys").mkdir(mode=0o700)
    real = os.geteuid()
    monkeypatch.setattr(cache.os, "geteuid", lambda: real + 1)  # as if someone else owned it
    with pytest.raises(cache.CacheError, match="owned by uid"):
        cache.private_dir()


# -- generated C -------------------------------------------------------------------------

_C_OK = """#include <math.h>
#include <stdint.h>
/* Stock = INTEG(inflow - outflow, 10) */
static void sim_rhs(const double *restrict p, const double *restrict y, double *restrict d,
                    int64_t nb) {
    for (int64_t b = 0; b < nb; b++) {
        double v3 = fmax(p[2 * nb + b], 0.0) * exp(-1.5e-3 * y[b]);
        d[b] = v3 - ss_xidz(y[nb + b], p[b], 0x1fULL);
    }
}
"""

_C_BAD = {
    "string": 'static void sim_rhs(void) { system("rm -rf x"); }',
    "unknown function": "static void sim_rhs(double *d) { d[0] = system(0); }",
    "include of a file": '#include "/etc/passwd"\n',
    "define": "#define exp system\n",
    "comment closing early": "/* a */ system(0); /* b */",
    "line comment": "static void sim_rhs(void) { } // note\n",
    "backslash": "/* a \\\n */",
    "trigraph": "static void sim_rhs(void) { ??= }",
    "asm": 'static void sim_rhs(void) { asm("nop"); }',
    "attribute": "static void __attribute__((constructor)) sim_rhs(void) { }",
    "member access": "static void sim_rhs(double *d) { d.x = 1; }",
    "char literal": "static void sim_rhs(double *d) { d[0] = 'a'; }",
    "digraph include": "%:include <stdlib.h>\n",
}


def test_check_c_source_accepts_generated_shape():
    from simsys.compile.vet import check_c_source
    assert check_c_source(_C_OK) is None  # the generated shape passes: no exception, nothing returned


@pytest.mark.parametrize("case", sorted(_C_BAD))
def test_check_c_source_refuses_foreign_code(case):
    from simsys.compile.vet import GeneratedCodeError, check_c_source
    with pytest.raises(GeneratedCodeError):
        check_c_source(_C_BAD[case])
