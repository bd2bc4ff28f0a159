"""The C backend repeats the numpy backend's runs: every test model, RK4, policies, draws, flags.

Oracles: the numpy backend (itself checked against PySD by the oracle tests, which also run
on "c"), closed forms for RK4's order, and the C backend itself across block sizes and
thread counts (each scenario's numbers depend only on its own column).
"""
import re
from pathlib import Path

import numpy as np
import pytest

import simsys
from simsys.compile import backends, c_backend, c_codegen, compile_model
from simsys.compile.c_backend import compiler
from simsys.compile.vet import check_c_source
from simsys.policy import Ramp, Step

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "tests" / "models"
TALENT = ROOT / "models" / "talent_ecosystem.mdl"
CASES = sorted(list(MODELS.glob("*.mdl")) + list(MODELS.glob("*.xmile"))
               + [ROOT / "tests" / "engine" / "control_values.mdl"])

pytestmark = pytest.mark.skipif(compiler() is None, reason="no working C compiler")


def _params(cm, n):
    """Every constant varied per scenario (within its lever's range when it has one)."""
    out = {}
    levers = {lv.key: lv for lv in cm.model.levers}
    for key, cells in cm._p_rows.items():
        base = cm.p_default[cells[0][1]]
        lv = levers.get(key)
        if lv is not None:
            out[key] = np.linspace(lv.min, lv.max, n)
        elif base != 0 and np.isfinite(base):
            out[key] = base * np.linspace(0.9, 1.1, n)
    return out


def _same(a, b, rtol=1e-12, bitwise=False):
    """Every variable and flag of two result Datasets agree (NaN where the other has NaN)."""
    assert a.data_vars.keys() == b.data_vars.keys()
    for v in a.data_vars:
        x, y = np.ascontiguousarray(a[v].values), np.ascontiguousarray(b[v].values)
        if bitwise:
            assert np.array_equal(x.view(np.uint64), y.view(np.uint64)), v
        else:
            np.testing.assert_allclose(y, x, rtol=rtol, atol=rtol, equal_nan=True, err_msg=v)
    for c in ("simsys_status", "simsys_fail_variable"):
        assert np.array_equal(a[c].values, b[c].values), c
    np.testing.assert_array_equal(a["simsys_fail_time"].values, b["simsys_fail_time"].values)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_every_model_matches_numpy(path, method):
    try:
        m = simsys.load_model(path)
        ref = compile_model(m, "numpy")
    except simsys.SimsysError as err:  # a model simsys refuses: refused the same way on "c"
        with pytest.raises(type(err)) as again:
            compile_model(simsys.load_model(path), "c")
        assert str(again.value) == str(err)
        return
    cm = compile_model(m, "c")
    assert cm.backend == "c"
    p = _params(ref, 4)
    try:
        a = ref.run_batch(p, method=method, seed=7, _n=4)
    except simsys.SimsysError:  # a varied constant the model cannot take: default values
        p = {}
        a = ref.run_batch(p, method=method, seed=7, _n=4)
    b = cm.run_batch(p, method=method, seed=7, _n=4)
    _same(a, b)
    some = [e.name for e in m.elements if e.kind.value != "lookup"][:2]
    _same(ref.run_batch(p, method=method, seed=7, return_columns=some, _n=4),
          cm.run_batch(p, method=method, seed=7, return_columns=some, _n=4))


def test_talent_model_matches_numpy_over_its_full_horizon():
    m = simsys.load_model(TALENT)
    ref, cm = compile_model(m, "numpy"), compile_model(m, "c")
    p = {lv.name: np.linspace(lv.min, lv.max, 3) for lv in m.levers[:3]}
    a, b = ref.run_batch(p, _n=3), cm.run_batch(p, _n=3)
    _same(a, b)
    # the levers reach the outputs (the comparison is not of copies of one run)
    assert np.unique(b["Total vitality"].isel(time=-1).values).size > 1


def test_results_do_not_depend_on_block_size_or_threads():
    m = simsys.load_model(TALENT)
    cm = compile_model(m, "c")
    ctl = m.control
    p = {lv.name: np.linspace(lv.min, lv.max, 37) for lv in m.levers[:3]}
    kw = dict(final_time=ctl.initial_time + 40 * ctl.time_step, seed=3, _n=37)
    base = cm.run_batch(p, block_size=37, threads=1, **kw)
    # block 1 takes the kernel's per-scenario folds, the others the batch-innermost ones
    assert 1 < c_codegen.VECTOR_FOLD_MIN <= 5 and "[nb];" in cm.c_text
    # the scenarios differ in some computed variable (not 37 copies of one run)
    assert any(np.unique(base[v].isel(time=-1).values).size > 1 for v in base.data_vars
               if base[v].attrs.get("kind") in ("auxiliary", "stock") and "time" in base[v].dims)
    for bs, th in ((1, 1), (5, 2), (16, 2), (None, 2), (8, 3)):
        _same(base, cm.run_batch(p, block_size=bs, threads=th, **kw), bitwise=True)


NEW_RANDOM = ["random_triangular", "random_weibull", "random_gamma", "random_beta",
              "random_poisson", "random_binomial", "random_negative_binomial", "random_lookup"]


@pytest.mark.parametrize("name", ["random_normal", "random_uniform", "random_exponential"] + NEW_RANDOM)
def test_random_draws_equal_numpy(name):
    m = simsys.load_model(MODELS / f"{name}.mdl")
    ref, cm = compile_model(m, "numpy"), compile_model(m, "c")
    idx = np.arange(50) * 7919 + 11
    a = ref.run_batch({}, seed=12345, scenario_index=idx)
    b = cm.run_batch({}, seed=12345, scenario_index=idx)
    _same(a, b)
    # the draws differ between scenarios (a kernel that ignored the key would not)
    v = [x for x in a.data_vars if a[x].attrs.get("kind") != "constant"]
    assert any(np.unique(b[x].values[:, -1]).size > 1 for x in v)


@pytest.mark.parametrize("name", NEW_RANDOM)
def test_random_draws_do_not_depend_on_block_size_or_threads(name):
    """Each scenario draws from its own key (one uniform per call site and step), so the
    discrete searches and inverse CDFs give the same bits in any block and thread."""
    cm = compile_model(simsys.load_model(MODELS / f"{name}.mdl"), "c")
    idx = np.arange(37) * 101 + 3
    base = cm.run_batch({}, seed=99, scenario_index=idx, block_size=37, threads=1)
    assert np.unique(base["draw"].values).size > 1
    for bs, th in ((1, 1), (5, 2), (16, 2), (None, 2)):
        _same(base, cm.run_batch({}, seed=99, scenario_index=idx, block_size=bs, threads=th),
              bitwise=True)


_EDGES = """{UTF-8}
%s
tri = RANDOM TRIANGULAR(lo, hi, start, peak, end, 1) ~ Dmnl ~ |
wei = RANDOM WEIBULL(lo, hi, shape, shift, stretch, 1) ~ Dmnl ~ |
poi = RANDOM POISSON(lo, hi, mean, shift, stretch, 1) ~ Dmnl ~ |
bin = RANDOM BINOMIAL(lo, hi, prob, count, shift, stretch, 1) ~ Dmnl ~ |
nbi = RANDOM NEGATIVE BINOMIAL(lo, hi, prob, count, shift, stretch, 1) ~ Dmnl ~ |
INITIAL TIME = 0 ~ Month ~ |
FINAL TIME = 2 ~ Month ~ |
TIME STEP = 1 ~ Month ~ |
SAVEPER = TIME STEP ~ Month ~ |
"""
_BASE = dict(lo=0, hi=10, start=0, peak=3, end=10, shape=1.5, shift=0, stretch=1, mean=4,
             prob=0.3, count=10)


def test_random_distribution_edges_and_bad_arguments_equal_numpy(tmp_path):
    """Arguments read at run time: edge values (prob 1, mean 0, min = max, a shift and
    stretch) give the same draws on both backends; bad ones (prob 1.5, count 2.5, min > max,
    stretch 0, prob 0 for the negative binomial) give NaN, which stops that scenario on both
    with the same variable."""
    path = tmp_path / "edges.mdl"
    path.write_text(_EDGES % "\n".join(f"{k} = {v} ~ Dmnl ~ |" for k, v in _BASE.items()))
    m = simsys.load_model(path)
    rows = [{}, {"prob": 1.0}, {"mean": 0.0}, {"lo": 3, "hi": 3},
            {"shift": 0.5, "stretch": 0.25, "lo": 1}, {"hi": 1e9, "count": 400, "mean": 300},
            {"prob": 1.5}, {"count": 2.5}, {"lo": 5, "hi": 4}, {"stretch": 0.0},
            {"prob": 0.0}]  # the last: fine for the binomial, not the negative binomial
    p = {k: np.array([r.get(k, v) for r in rows], dtype=float) for k, v in _BASE.items()}
    kw = dict(seed=4, scenario_index=np.arange(len(rows)) * 13)
    a = compile_model(m, "numpy").run_batch(p, **kw)
    b = compile_model(m, "c").run_batch(p, **kw)
    _same(a, b)
    status = b["simsys_status"].values
    assert (status[:6] == 0).all() and (status[6:] != 0).all()
    np.testing.assert_array_equal(b["bin"].values[1], 10.0)  # prob 1: every trial succeeds
    np.testing.assert_array_equal(b["poi"].values[2], 0.0)  # mean 0
    assert b["simsys_fail_variable"].values[-1] == "nbi"


_CONTINUOUS = """{UTF-8}
%s
density((0,0),(1,2),(2.5,0.5),(4,0.5),(6,3)) ~ Dmnl ~ |
gam = RANDOM GAMMA(lo, hi, shape, shift, stretch, 1) ~ Dmnl ~ |
bet = RANDOM BETA(lo, hi, alpha, beta, shift, stretch, 1) ~ Dmnl ~ |
lkp = RANDOM LOOKUP(density, lo, hi, 1) ~ Dmnl ~ |
INITIAL TIME = 0 ~ Month ~ |
FINAL TIME = 2 ~ Month ~ |
TIME STEP = 1 ~ Month ~ |
SAVEPER = TIME STEP ~ Month ~ |
"""
_CBASE = dict(lo=0, hi=10, shape=2.5, alpha=2, beta=5, shift=0, stretch=1)


def test_gamma_beta_lookup_arguments_read_at_run_time_equal_numpy(tmp_path):
    """RANDOM GAMMA, BETA and LOOKUP with arguments a scenario sets: shapes from 0.1 to 100,
    narrow and one-sided ranges, a shift and stretch, give the same draws on both backends
    (to 1e-12: the incomplete gamma and beta are the same algorithm in numpy and C); bad ones
    (shape 0, beta below 0, min above max, no area of the lookup in range) give NaN, which
    stops that scenario on both, naming the same variable."""
    path = tmp_path / "continuous.mdl"
    path.write_text(_CONTINUOUS % "\n".join(f"{k} = {v} ~ Dmnl ~ |" for k, v in _CBASE.items()))
    m = simsys.load_model(path)
    rows = [{}, {"shape": 0.1, "alpha": 0.1, "beta": 0.1}, {"shape": 100, "alpha": 100, "beta": 100, "hi": 1e9},
            {"shape": 0.5, "alpha": 0.3, "beta": 40, "lo": 0.2, "hi": 0.3},
            {"shift": -2, "stretch": 3, "lo": -1, "hi": 0.5}, {"lo": 0.5, "hi": 0.5},
            {"alpha": 60, "beta": 0.2, "lo": -1e9, "hi": 1e9},
            {"shape": 0.0}, {"beta": -1.0}, {"lo": 5, "hi": 4}, {"lo": 7, "hi": 9, "shift": 6, "stretch": 3}]
    p = {k: np.array([r.get(k, v) for r in rows], dtype=float) for k, v in _CBASE.items()}
    kw = dict(seed=8, scenario_index=np.arange(len(rows)) * 17)
    a = compile_model(m, "numpy").run_batch(p, **kw)
    b = compile_model(m, "c").run_batch(p, **kw)
    _same(a, b)
    status = b["simsys_status"].values
    assert (status[:7] == 0).all() and (status[7:] != 0).all()
    assert list(b["simsys_fail_variable"].values[7:]) == ["gam", "bet", "gam", "lkp"]
    for v in ("gam", "bet", "lkp"):
        np.testing.assert_array_equal(b[v].values[5], 0.5)  # min = max: that point


def test_gamma_beta_lookup_over_a_grid_of_shapes_equal_numpy(tmp_path):
    """400 scenarios: shapes 0.01 to 10^4 (log-spaced, alpha and beta crossed), ranges from
    the whole support to narrow windows in either tail; C = numpy to 1e-12 at every draw."""
    path = tmp_path / "continuous.mdl"
    path.write_text(_CONTINUOUS % "\n".join(f"{k} = {v} ~ Dmnl ~ |" for k, v in _CBASE.items()))
    m = simsys.load_model(path)
    n = 400
    rng = np.random.default_rng(5)
    shapes = np.geomspace(0.01, 1e4, 20)
    lo = rng.choice([-1e9, 0.0, 0.05, 0.5, 2.0], n)
    p = {"shape": np.tile(shapes, n // 20), "alpha": np.repeat(shapes, n // 20),
         "beta": np.tile(shapes[::-1], n // 20), "lo": lo,
         "hi": lo + rng.choice([0.01, 0.3, 1.0, 5.0, 1e9], n), "shift": np.zeros(n),
         "stretch": rng.choice([0.5, 1.0, 3.0], n)}
    kw = dict(seed=21, scenario_index=np.arange(n), final_time=10.0)
    a = compile_model(m, "numpy").run_batch(p, **kw)
    b = compile_model(m, "c").run_batch(p, **kw)
    _same(a, b)
    assert (b["simsys_status"].values == 0).mean() > 0.5  # most windows hold some of each


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_time_varying_policies_equal_numpy(method):
    m = simsys.load_model(MODELS / "levers.mdl")
    lv = m.levers[0]
    t0, t1 = m.control.initial_time, m.control.final_time
    pols = [Step(lv.min, lv.max, (t0 + t1) / 2), Ramp(lv.min, lv.max, t0, t1)]
    a = compile_model(m, "numpy").run_batch({lv.name: pols}, method=method)
    b = compile_model(m, "c").run_batch({lv.name: pols}, method=method)
    _same(a, b)
    v = b[lv.name].values
    assert v[0, 0] == lv.min and v[0, -1] == lv.max  # the policy reached the kernel


BLOWUP = """{UTF-8}
growth = 1 ~ 1/Year [0, 100, 1] ~ growth rate |
stock = INTEG(stock * growth, 1) ~ widgets ~ explodes for large growth |
ratio = stock / (growth - 2) ~ Dmnl ~ infinite when growth = 2 |
bad start = INTEG(0, 1 / (growth - 3)) ~ widgets ~ infinite at the start when growth = 3 |
FINAL TIME = 100 ~ Year ~ |
INITIAL TIME = 0 ~ Year ~ |
TIME STEP = 0.25 ~ Year ~ |
SAVEPER = TIME STEP ~ Year ~ |
"""


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_non_finite_scenarios_are_flagged_as_numpy_flags_them(tmp_path, method):
    path = tmp_path / "blowup.mdl"
    path.write_text(BLOWUP)
    m = simsys.load_model(path)
    g = {"growth": [1.0, 100.0, 2.0, 0.5, 3.0]}
    a = compile_model(m, "numpy").run_batch(g, method=method)
    b = compile_model(m, "c").run_batch(g, method=method)
    _same(a, b)
    assert list(b["simsys_status"].values) == [0, 1, 1, 0, 1]
    assert b["simsys_fail_variable"].values[2] == "ratio"
    assert "stock" in b["simsys_fail_variable"].values[1]
    assert b["simsys_fail_variable"].values[4] == "initial value of bad start"


def test_rk4_converges_with_order_four_on_c():
    m = simsys.load_model(MODELS / "stock_exponential_decay.mdl")
    exact = m.run(method="adaptive", rtol=1e-12, atol=1e-14, saveper=1.0, backend="numpy")
    stock = [v for v in exact.data_vars if exact[v].attrs.get("kind") == "stock"][0]
    errs = []
    for dt in (0.5, 0.25, 0.125):
        ds = m.run(method="rk4", time_step=dt, saveper=1.0, backend="c")
        assert ds.attrs["backend"] == "c"
        errs.append(np.max(np.abs(ds[stock].values - exact[stock].values)))
    r = np.array(errs)
    assert np.all(np.log2(r[:-1] / r[1:]) > 3.5), r


def test_generated_c_is_checked_and_grows_with_equations_not_cells(tmp_path):
    text = (MODELS / "bench_regions.mdl").read_text()
    sizes = {}
    for n in (2, 40, 80):
        names = ", ".join(f"r{i}" for i in range(n))
        body = text.replace("region: north, south", f"region: {names}")
        # every per-region list of numbers gets n values
        body = re.sub(r"(\[region\]\s*=\s*)([-0-9.eE]+)(\s*,\s*[-0-9.eE]+)+",
                      lambda mt: mt.group(1) + ", ".join([mt.group(2)] * n), body)
        path = tmp_path / f"regions{n}.mdl"
        path.write_text(body)
        cm = compile_model(simsys.load_model(path), "c")
        check_c_source(cm.c_text, cm.c_names)
        code = [ln for ln in cm.c_text.splitlines() if not ln.startswith("static const")]
        sizes[n] = len(code)
    # tables grow with cells, code does not (a SUM over 2 cells is written out, over 40 a loop,
    # in a per-scenario and a batch-innermost form: a constant number of lines whatever n is)
    assert sizes[80] == sizes[40] <= sizes[2] + 24, sizes


@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_one_scenario_runs_through_its_own_kernel_with_the_batch_bits(monkeypatch, method):
    """A run of one scenario goes through the "one" kernel (nb the constant 1, folds in their
    per-scenario form only) and gives the bits the batch kernel gives that scenario."""
    m = simsys.load_model(TALENT)
    cm = compile_model(m, "c")
    ctl = m.control
    kw = dict(final_time=ctl.initial_time + 40 * ctl.time_step, seed=5, method=method)
    p = {lv.name: np.linspace(lv.min, lv.max, 6) for lv in m.levers[:3]}
    used = []
    real = c_backend.CModel.kernel
    monkeypatch.setattr(cm, "kernel", lambda v="batch": used.append(v) or real(cm, v))
    single = cm.run_batch({k: v[:1] for k, v in p.items()}, _n=1, **kw)
    batch = cm.run_batch(p, _n=6, **kw)
    assert used == ["one", "batch"]
    _same(single, batch.isel(scenario=[0]), bitwise=True)
    one, full = cm._c("one").text, cm.c_text
    assert "const long nb = 1;" in one and "[nb];" not in one and f"if (nb < {c_codegen.VECTOR_FOLD_MIN})" not in one
    assert "[nb];" in full and "const long nb = 1;" not in full
    assert cm._kernels["one"].path != cm.kernel_path


def test_a_first_run_of_one_scenario_builds_only_the_one_scenario_kernel(tmp_path, monkeypatch):
    """Model.run (what `simsys run` does) compiles the one-scenario kernel first: a cold first
    result does not wait for the batch kernel, which the first batch then builds."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(simsys.compile, "_CACHE", {})
    m = simsys.load_model(MODELS / "delay_fixed.mdl")
    single = m.run(backend="c", seed=1)
    cm = m.compile("c")
    assert cm._kernels["one"].lib is not None and cm._kernels["batch"].lib is None
    assert [p.name for p in (tmp_path / "simsys" / "c").glob("*.so")] == [cm._kernels["one"].path.name]
    batch = m.run_batch({}, _n=2, backend="c", seed=1)
    assert cm._kernels["batch"].lib is not None
    _same(single, batch.isel(scenario=0), bitwise=True)
    with pytest.raises(simsys.SimsysError, match="unknown kernel 'two'"):
        c_backend.to_c(compile_model(m, "numpy"), kernel="two")


def test_a_kernel_cut_into_units_gives_the_bits_of_one_unit(tmp_path, monkeypatch):
    """A big kernel is compiled as several translation units in parallel (init at -O1, the
    step functions hidden) and linked; its numbers are those of the one-unit build."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    m = simsys.load_model(MODELS / "allocate_regions.mdl")
    p = {lv.name: np.linspace(lv.min, lv.max, 6) for lv in m.levers[:2]}
    ref = compile_model(m, "numpy")
    one = c_backend.to_c(ref)
    assert len(c_codegen.units(one.c_text)[1]) == 1
    monkeypatch.setattr(c_codegen, "SPLIT_LINES", 0)
    monkeypatch.setattr(c_codegen, "UNIT_LINES", 12)
    calls = []
    run = c_backend.subprocess.run
    monkeypatch.setattr(c_backend.subprocess, "run", lambda cmd, **k: calls.append(cmd) or run(cmd, **k))
    cut = c_backend.to_c(ref)
    check_c_source(cut.c_text, cut.c_names)
    kinds = [k for k, _ in c_codegen.units(cut.c_text)[1]]
    assert kinds.count("each") > 1 and "once" in kinds and kinds[-1] == "main", kinds
    compiles = [c for c in calls if "-c" in c]
    assert len(compiles) == len(kinds) and len(calls) == len(kinds) + 1  # the units, one link
    assert sum("-O1" in c for c in compiles) == kinds.count("once")
    assert sum("-fvisibility=hidden" in c for c in compiles) == len(kinds) - 1
    _same(one.run_batch(p, _n=6), cut.run_batch(p, _n=6), bitwise=True)
    _same(one.run_batch(p, _n=6, block_size=1), cut.run_batch(p, _n=6, block_size=1), bitwise=True)


def test_kernel_is_cached_by_content_and_loaded_without_compiling(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    m = simsys.load_model(MODELS / "delay_fixed.mdl")
    ref = compile_model(m, "numpy")
    first = c_backend.to_c(ref)
    assert first.kernel_path.parent == tmp_path / "simsys" / "c"
    assert (first.kernel_path.parent.stat().st_mode & 0o777) == 0o700

    def refuse(*a, **k):
        raise AssertionError("the compiler ran for a cached kernel")

    monkeypatch.setattr(c_backend.subprocess, "run", refuse)
    again = c_backend.CModel(model=ref.model, layout=ref.layout, aux_order=ref.aux_order,
                             init_nodes=ref.init_nodes, backend="c",
                             _kernels={"batch": c_backend._Kernel(text=first.c_text, names=first.c_names)})
    again.kernel()
    assert again.kernel_path == first.kernel_path
    _same(first.run_batch({}, _n=2), again.run_batch({}, _n=2), bitwise=True)


def test_auto_picks_c_with_a_compiler_numpy_without(monkeypatch):
    assert backends.resolve_backend("auto") == "c"
    assert backends.unavailable_notice("c") is None
    ds = simsys.load_model(MODELS / "delay1.mdl").run()
    assert ds.attrs["backend"] == "c" and ds.attrs["compiler"]
    monkeypatch.setattr(c_backend, "_PROBE", {"cc": None})
    assert backends.resolve_backend("auto") == "numpy"
    notice = backends.unavailable_notice("c")
    assert notice.startswith("backend 'c' is not available") and "\n" not in notice
    assert backends.resolve_backend("c") == "numpy"


@pytest.mark.parametrize("name", ["numba", "fortran"])  # numba: removed with issue #12
def test_unknown_backend_is_refused_with_the_valid_names(name):
    from simsys.errors import SimsysError
    m = simsys.load_model(MODELS / "delay1.mdl")
    with pytest.raises(SimsysError, match=rf"unknown backend '{name}'; choose one of numpy, c, auto$"):
        compile_model(m, name)


def test_manifest_records_backend_and_compiler():
    from simsys.manifest import _backend
    ds = compile_model(simsys.load_model(MODELS / "delay1.mdl"), "c").run()
    got = _backend(ds)
    assert got["backend"] == "c" and got["compiler"] == compiler()[1]
