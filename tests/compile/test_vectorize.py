"""The grouped numpy generator repeats the per-cell generator's runs to the bit.

Oracle: the per-cell generator (one numpy line per subscript cell, the reference every
oracle test has checked against PySD), on every test model and the talent model, with
parameters that differ per scenario and random draws. Plus: source size that does not grow
with the number of cells, big reductions that the per-cell code cannot compile, and the
allow-list of the generated names.
"""
from pathlib import Path

import numpy as np
import pytest

import simsys
from simsys.compile import compile_model
from simsys.compile.vet import GeneratedCodeError, check_source

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "tests" / "models"
CASES = sorted(list(MODELS.glob("*.mdl")) + list(MODELS.glob("*.xmile"))
               + [ROOT / "tests" / "engine" / "control_values.mdl", ROOT / "models" / "talent_ecosystem.mdl"])


def _params(cm, n):
    """Every constant varied per scenario (within its lever's range when it has one)."""
    out = {}
    levers = {lv.key: lv for lv in cm.model.levers}
    for key, cells in cm._p_rows.items():
        row = cells[0][1]
        base = cm.p_default[row]
        lv = levers.get(key)
        if lv is not None:
            out[key] = np.linspace(lv.min, lv.max, n)
        elif base != 0 and np.isfinite(base):
            out[key] = base * np.linspace(0.9, 1.1, n)
    return out


def _bits(ds):
    return {v: np.ascontiguousarray(ds[v].values) for v in ds.data_vars}


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_grouped_code_is_bit_identical_to_per_cell_code(path, method):
    try:
        m = simsys.load_model(path)
        old = compile_model(m, "numpy", grouped=False)
    except simsys.SimsysError as err:  # a coverage model simsys refuses: refused the same way
        with pytest.raises(type(err)) as again:
            compile_model(simsys.load_model(path), "numpy", grouped=True)
        assert str(again.value) == str(err)
        return
    new = compile_model(m, "numpy", grouped=True)
    assert new.grouped and not old.grouped and new.source != old.source
    p = _params(old, 4)
    ctl = m.control
    # the talent model's per-cell code is slow: 60 steps of it are enough to compare bits
    kw = dict(final_time=ctl.initial_time + 60 * ctl.time_step) if path.stem == "talent_ecosystem" else {}
    try:
        a = old.run_batch(p, method=method, seed=7, _n=4, **kw)
    except simsys.SimsysError:  # a varied constant the model cannot take: default values
        p = {}
        a = old.run_batch(p, method=method, seed=7, _n=4, **kw)
    b = new.run_batch(p, method=method, seed=7, _n=4, **kw)
    ba, bb = _bits(a), _bits(b)
    assert ba.keys() == bb.keys()
    for v in ba:
        x, y = ba[v], bb[v]
        if x.dtype == np.float64:
            assert np.array_equal(x.view(np.uint64), y.view(np.uint64)), v  # same bits, NaN too
        else:
            assert np.array_equal(x, y), v
    # saving only some outputs goes through another generated right-hand side
    some = [e.name for e in m.elements if e.kind.value != "lookup"][:2]
    c = new.run_batch(p, method=method, seed=7, return_columns=some, _n=4, **kw)
    for v in c.data_vars:
        if v in ba and ba[v].dtype == np.float64:
            assert np.array_equal(ba[v].view(np.uint64), np.ascontiguousarray(c[v].values).view(np.uint64))


def _regions_model(tmp_path, n):
    regions = ", ".join(f"r{i}" for i in range(n))
    text = f"""{{UTF-8}}
Region: {regions}
	~	~	|
growth[Region] = 0.01 * (1 + Region index[Region] / {n})
	~	1/Year	~	|
Region index[Region] = {", ".join(str(i) for i in range(n))}
	~	Dmnl	~	|
capacity = 5000
	~	People	~	|
people[Region] = INTEG(births[Region] - leaving[Region], 100)
	~	People	~	|
births[Region] = people[Region] * growth[Region] * (1 - total / capacity)
	~	People/Year	~	|
leaving[Region] = people[Region] / 40 + MAX(0, people[Region] - smallest) / 200
	~	People/Year	~	|
total = SUM(people[Region!])
	~	People	~	|
smallest = VMIN(people[Region!])
	~	People	~	|
largest = VMAX(people[Region!])
	~	People	~	|
share product = PROD(people[Region!] / people[Region!])
	~	Dmnl	~	|
FINAL TIME = 20
	~	Year	~	|
INITIAL TIME = 0
	~	Year	~	|
SAVEPER = 1
	~	Year	~	|
TIME STEP = 0.25
	~	Year	~	|
"""
    path = tmp_path / f"regions_{n}.mdl"
    path.write_text(text)
    return path


def test_source_grows_with_equations_not_cells(tmp_path):
    lines = {}
    for n in (6, 60):
        cm = compile_model(simsys.load_model(_regions_model(tmp_path, n)), "numpy")
        lines[n] = len(cm.source.splitlines())
    assert lines[6] == lines[60]


def test_big_reductions_compile_and_match_a_closed_form(tmp_path):
    """A 1,500-cell SUM/VMIN/VMAX/PROD: one fold each; the per-cell code is too deep for Python."""
    n = 1500
    m = simsys.load_model(_regions_model(tmp_path, n))
    with pytest.raises((RecursionError, MemoryError, SyntaxError)):
        compile_model(m, "numpy", grouped=False)
    cm = compile_model(m, "numpy")
    assert "_sum(" in cm.source and "_vmin(" in cm.source and "_vmax(" in cm.source
    assert len(cm.source.splitlines()) < 40
    ds = cm.run(final_time=0.25, saveper=0.25)
    people = ds["people"].isel(time=0).values
    assert np.all(people == 100.0)
    first = ds.isel(time=0)
    assert float(first["total"]) == 100.0 * n  # exact: integer-valued partial sums
    assert float(first["smallest"]) == 100.0 and float(first["largest"]) == 100.0
    assert float(first["share product"]) == 1.0
    # one step of Euler by hand, from the closed form of the first derivative
    g = 0.01 * (1 + np.arange(n) / n)
    d = 100 * g * (1 - 100.0 * n / 5000) - 100 / 40
    assert np.allclose(ds["people"].isel(time=-1).values, 100 + 0.25 * d, rtol=0, atol=1e-12)


def test_grouped_names_are_on_the_allow_list_exactly():
    ok = "def _rhs(t, dt, k, P, S, Y, Z, D, A, ZN, save):\n    _w = _buf(3, S)\n" \
         "    _w[_I[0]] = _sum(Y[_I[1]]) * _K[0]\n    D[_I[2]] = _vmin(_w[_I[3]])\n"
    check_source(ok)
    for bad in ("    _I = t\n", "    _K = t\n", "    _buf = t\n", "    _sum = t\n",
                "    _w = _I.__class__\n", "    __w = 1\n", "    _w = _np.sum(t)\n"):
        with pytest.raises(GeneratedCodeError):
            check_source("def _rhs(t):\n" + bad)


CONSTANTS = """{UTF-8}
Region: north, south, east
	~	~	|
a = 0.5 ~ Dmnl [0, 1] ~ a lever |
b[Region] = 1, 2, 3 ~ Dmnl ~ |
scale[Region] = (1 + a * b[Region]) / (2 + a) ~ Dmnl ~ constant for a run |
stock[Region] = INTEG(inflow[Region], 1) ~ widgets ~ |
inflow[Region] = stock[Region] * (1 + a * b[Region]) / 40 * scale[Region] - Time * a / 1000 ~ widgets/Year ~ |
total = SUM(stock[Region!]) * (a + 1) ~ widgets ~ |
FINAL TIME = 10 ~ Year ~ |
INITIAL TIME = 0 ~ Year ~ |
SAVEPER = 1 ~ Year ~ |
TIME STEP = 0.25 ~ Year ~ |
"""


def test_constant_parts_of_the_step_are_computed_once_per_run(tmp_path):
    """What reads only parameters (``scale``, ``1 + a * b`` inside ``inflow``) is computed
    once per run into the work buffer the steps share, and a run whose lever changes over
    time recomputes it at every step: both give the per-cell reference's bits."""
    from simsys.policy import Ramp
    path = tmp_path / "constants.mdl"
    path.write_text(CONSTANTS)
    m = simsys.load_model(path)
    new = compile_model(m, "numpy")
    old = compile_model(m, "numpy", grouped=False)
    step = new.source.split("def _step")[1].split("def _rhs")[0]
    const = new.source.split("def _const")[1].split("def _step")[0]
    assert "(P[0] * P[" in const and "(P[0] * P[" not in step  # a * b moved out of the step
    calls = []
    ns = new._saving(range(len(new.layout.v_label)))
    inner = ns["_const"]
    ns["_const"] = lambda *args: calls.append(1) or inner(*args)
    try:
        a = new.run_batch({"a": np.array([0.1, 0.9])})
        assert len(calls) == 1  # 40 steps, one computation of the constants
        b = old.run_batch({"a": np.array([0.1, 0.9])})
        ramp = {"a": Ramp(0.1, 0.9, 2, 8)}
        c = new.run_batch(ramp)
        d = old.run_batch(ramp)
    finally:
        ns["_const"] = inner
    for x, y in ((a, b), (c, d)):
        for v in ("stock", "inflow", "scale", "total"):
            assert np.array_equal(x[v].values.view(np.uint64), y[v].values.view(np.uint64)), v
    # the ramp reached the constants: scale follows a at each saved time
    s = c["scale"].sel(Region="north").values.ravel()
    av = c["a"].values.ravel()
    assert np.allclose(s, (1 + av) / (2 + av)) and s[0] != s[-1]
