"""The numba backend repeats the numpy backend's runs: same numbers, same flags, same draws.

Kernels are cached in ``$XDG_CACHE_HOME/simsys/numba`` (default ``~/.cache/simsys/numba``); the first
run of this file compiles one kernel per model (a few seconds each), later runs load them.
"""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

numba = pytest.importorskip("numba")

import simsys  # noqa: E402
from simsys.compile import backends, compile_model  # noqa: E402
from simsys.compile.codegen import check_source  # noqa: E402
from simsys.compile.ir import walk  # noqa: E402
from simsys.compile import numba_codegen  # noqa: E402
from simsys.compile.numba_backend import NumbaModel, to_numba  # noqa: E402
from simsys.compile.numba_codegen import HEADER  # noqa: E402
from simsys.policy import Ramp, Step  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "tests" / "models"
ORACLE = ROOT / "tests" / "oracle"
_spec = importlib.util.spec_from_file_location("corpus_status", ROOT / "tests" / "engine" / "corpus_status.py")
_status = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_status)
# models simsys refuses today are checked by tests/engine/test_conformance.py instead
CASES = sorted(p for p in MODELS.glob("*.mdl") if (ORACLE / f"{p.stem}.csv").exists()
               and p.name not in _status.EXPECTED_REFUSED)
TALENT = ROOT / "models" / "talent_ecosystem.mdl"
if TALENT.exists():
    CASES.append(TALENT)

# numpy's exp/log/pow/trig ufuncs use their own SIMD code; numba calls the C library. The two
# may round a result differently in the last bit, which the dynamics can carry further.
_LIBM = {"exp", "ln", "log", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh",
         "tanh", "power"}


def _uses_libm(layout):
    exprs = list(layout.v_expr) + list(layout.y_ddt) + list(layout.y_init) + list(layout.z_next)
    for e in exprs:
        for n in walk(e):
            if (n[0] == "call" and n[1] in _LIBM) or (n[0] == "chain" and "^" in n[1]):
                return True
    return False


def _both(path):
    m = simsys.load_model(path)
    return compile_model(m, "numba"), compile_model(m, "numpy")


def _assert_same(a, b, rtol=0.0):
    assert set(a.data_vars) == set(b.data_vars)
    for v in b.data_vars:
        x, y = a[v].values, b[v].values
        if rtol == 0.0:
            assert np.array_equal(x, y, equal_nan=True), v
        else:
            # relative to the variable's scale: a net flow near zero carries its terms' ulps
            scale = np.nanmax(np.abs(y)) if np.isfinite(y).any() else 0.0
            np.testing.assert_allclose(x, y, rtol=rtol, atol=rtol * scale, equal_nan=True, err_msg=v)
    for c in ("simsys_status", "simsys_fail_time", "simsys_fail_variable"):
        assert np.array_equal(a[c].values, b[c].values) or np.allclose(a[c].values, b[c].values,
                                                                      equal_nan=True), c


def _sweep_params(cm, n, seed=0):
    """Constants varied by +-20% (levers within their range) over n scenarios."""
    rng = np.random.default_rng(seed)
    params = {}
    for key, rows in cm._p_rows.items():
        base = cm.p_default[rows[0][1]]
        lv = cm._levers.get(key)
        if lv is not None:
            params[key] = rng.uniform(lv.min, lv.max, n)
        elif base > 0 and len(rows) == 1:
            params[key] = base * rng.uniform(0.8, 1.2, n)
    return params


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_numba_matches_numpy(path):
    nb, npy = _both(path)
    if not isinstance(nb, NumbaModel):
        pytest.skip(f"{path.stem}: the numba backend falls back to numpy for this model")
    rtol = 1e-13 if _uses_libm(nb.layout) else 0.0
    _assert_same(nb.run_batch({}, scenario_index=np.arange(3), seed=7),
                 npy.run_batch({}, scenario_index=np.arange(3), seed=7), rtol)
    if path.stem in ("bench_regions", "levers", "combined_policy", "delay_fixed", "smooth3"):
        p = _sweep_params(npy, 40)
        _assert_same(nb.run_batch(p, seed=1), npy.run_batch(p, seed=1), rtol)


def test_oracle_model_cases_are_compiled_by_numba():
    native = [p.stem for p in CASES if isinstance(_both(p)[0], NumbaModel)]
    assert len(native) >= len(CASES) - 2, native


@pytest.mark.parametrize("name", ["random_uniform"])
def test_random_draws_identical_to_numpy(name):
    nb, npy = _both(MODELS / f"{name}.mdl")
    assert isinstance(nb, NumbaModel)
    idx = np.array([0, 5, 17, 299, 10**9])
    _assert_same(nb.run_batch({}, seed=11, scenario_index=idx),
                 npy.run_batch({}, seed=11, scenario_index=idx))
    big = nb.run_batch({}, seed=11, scenario_index=np.arange(300))
    part = nb.run_batch({}, seed=11, scenario_index=np.array([299, 5]))
    for v in big.data_vars:
        assert np.array_equal(part[v].values[0], big[v].values[299])
        assert np.array_equal(part[v].values[1], big[v].values[5])


def test_random_normal_falls_back_to_numpy():
    nb, _ = _both(MODELS / "random_normal.mdl")
    assert not isinstance(nb, NumbaModel) and nb.backend == "numpy"


@pytest.mark.parametrize("chunk", [1, 7, 64, None])
def test_chunk_size_does_not_change_results(chunk):
    nb, npy = _both(MODELS / "bench_regions.mdl")
    p = _sweep_params(npy, 50, seed=3)
    ref = npy.run_batch(p, final_time=30)
    _assert_same(nb.run_batch(p, final_time=30, chunk_size=chunk), ref)


def test_return_columns_and_time_overrides():
    nb, npy = _both(MODELS / "bench_regions.mdl")
    kw = dict(return_columns=["Juniors", "total workforce", "hiring time"], final_time=40.5,
              time_step=0.125, saveper=0.5)
    _assert_same(nb.run_batch({"hiring time": [2.0, 5.0]}, **kw),
                 npy.run_batch({"hiring time": [2.0, 5.0]}, **kw))


BLOWUP = """{UTF-8}
growth = 1 ~ 1/Year [0, 100, 1] ~ growth rate |
stock = INTEG(stock * growth, 1) ~ widgets ~ explodes for large growth |
ratio = stock / (growth - 2) ~ Dmnl ~ infinite when growth = 2 |
FINAL TIME = 100 ~ Year ~ |
INITIAL TIME = 0 ~ Year ~ |
TIME STEP = 0.25 ~ Year ~ |
SAVEPER = TIME STEP ~ Year ~ |
"""


def test_non_finite_scenarios_flagged_as_numpy_does(tmp_path):
    path = tmp_path / "blowup.mdl"
    path.write_text(BLOWUP)
    nb, npy = _both(path)
    assert isinstance(nb, NumbaModel)
    p = {"growth": [1.0, 100.0, 2.0, 0.5]}
    a, b = nb.run_batch(p), npy.run_batch(p)
    _assert_same(a, b)
    assert list(a["simsys_status"].values) == [0, 1, 1, 0]
    assert a["simsys_fail_variable"].values[2] == "ratio"
    with pytest.raises(simsys.SolveError, match="ratio"):
        nb.run({"growth": 2.0})


def test_rk4_adaptive_and_policies_fall_back_to_numpy():
    nb, npy = _both(MODELS / "levers.mdl")
    assert isinstance(nb, NumbaModel)
    _assert_same(nb.run_batch({}, method="rk4"), npy.run_batch({}, method="rk4"))
    lv = nb.model.levers[0]
    t0, t1 = nb.model.control.initial_time, nb.model.control.final_time
    pol = {lv.name: [Step(lv.min, lv.max, (t0 + t1) / 2), Ramp(lv.min, lv.max, t0, t1)]}
    _assert_same(nb.run_batch(pol), npy.run_batch(pol))


def test_auto_never_picks_numba(monkeypatch):
    monkeypatch.setattr(backends, "_numba_available", lambda: False)
    monkeypatch.setattr(backends, "_c_available", lambda: False)
    assert backends.resolve_backend("auto") == "numpy"
    assert backends.resolve_backend("numpy") == "numpy"
    assert backends.resolve_backend("numba") == "numpy"  # with a notice, not an error
    assert "not available" in backends.unavailable_notice("numba")
    with pytest.raises(simsys.SimsysError, match="choose one of"):
        backends.resolve_backend("fortran")
    monkeypatch.setattr(backends, "_numba_available", lambda: True)
    assert backends.resolve_backend("auto") == "numpy"  # numba only when asked for


def test_segmented_kernel_and_auto_for_big_models(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(numba_codegen, "SCALAR_LIMIT", 2)  # every model counts as big
    path = tmp_path / "delay_fixed.mdl"
    path.write_text((MODELS / "delay_fixed.mdl").read_text())
    m = simsys.load_model(path)
    npy = compile_model(m, "numpy")
    assert to_numba(npy, only_if_cheap=True) is npy  # not compiled yet: numpy
    nb = to_numba(npy)
    assert "def _seg0(" in nb.kernel_source
    p = _sweep_params(npy, 9)
    _assert_same(nb.run_batch(p, seed=2), npy.run_batch(p, seed=2))
    assert isinstance(to_numba(npy, only_if_cheap=True), NumbaModel)  # now in the disk cache


def test_kernel_source_is_checked_and_holds_no_model_text():
    nb, _ = _both(MODELS / "hostile_names.mdl")
    assert isinstance(nb, NumbaModel)
    nb.kernel()
    text = nb.kernel_path.read_text()
    assert text.startswith(HEADER)
    check_source(text[len(HEADER):])
    body = text[len(HEADER):]
    for e in nb.model.elements:
        if len(e.name) > 3:
            assert e.name not in body


_SECOND_LOAD = """
import sys, time, numpy as np, simsys
from simsys.compile import compile_model
t = time.perf_counter()
cm = compile_model(simsys.load_model(sys.argv[1]), "numba")
cm.run_batch({}, scenario_index=np.arange(4))
run = cm.kernel()
one = sys.modules[run.__module__]._one
print(sum(run.stats.cache_misses.values()) + sum(one.stats.cache_misses.values()),
      sum(run.stats.cache_hits.values()) + sum(one.stats.cache_hits.values()),
      time.perf_counter() - t, cm.kernel_path)
"""


def _fresh_process(path, cache):
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    out = subprocess.run([sys.executable, "-c", _SECOND_LOAD, str(path)], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT).stdout.split()
    return int(out[0]), int(out[1]), float(out[2]), Path(out[3])


def test_disk_cache_reused_and_invalidated(tmp_path):
    cache = tmp_path / "cache"
    model = tmp_path / "teacup.mdl"
    model.write_text((MODELS / "stock_teacup.mdl").read_text())
    miss1, hit1, _, file1 = _fresh_process(model, cache)
    assert miss1 >= 1 and file1.exists() and file1.parent == cache / "simsys" / "numba"
    assert list((file1.parent / "__pycache__").glob(f"{file1.stem}*.nbi"))
    miss2, hit2, _, file2 = _fresh_process(model, cache)
    # nothing compiled the second time (_one comes linked into _run, so only _run counts a hit)
    assert file2 == file1 and miss2 == 0 and hit2 >= 1
    # a changed equation is a different kernel in a different file
    text = model.read_text()
    changed = text.replace("/ Characteristic Time", "/ (2 * Characteristic Time)", 1)
    assert changed != text
    model.write_text(changed)
    miss3, _, _, file3 = _fresh_process(model, cache)
    assert file3 != file1 and miss3 >= 1
