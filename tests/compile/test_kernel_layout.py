"""How the generated step reads rows and which auxiliaries it computes at every step.

Two layout decisions, each checked against its own mechanism and against the numbers:

- an equation over Region x Region2 reads its rows by arithmetic on two nested cell loops
  instead of gathering them through index tables (the tables of a 31 x 31 equation were most
  of the one-scenario kernel's time);
- auxiliaries that no rate of change or stateful update reads (indicators, totals) are only
  computed at saved steps, on numpy and C; the saved numbers are the same bits as when every
  step is saved.
"""
import re

import numpy as np
import pytest

import simsys
from simsys.compile import compile_model, vectorize
from simsys.compile.c_backend import compiler

N = 7

MATRIX = f"""{{UTF-8}}
Region: {", ".join(f"r{i}" for i in range(N))}
	~	~	|
Region2: {", ".join(f"r{i}" for i in range(N))} -> Region
	~	~	|
Stock[Region] = INTEG(Inflow[Region] - Outflow[Region], Initial stock[Region])
	~	People	~	|
Initial stock[Region] = {", ".join(str(10 + 3 * i) for i in range(N))}
	~	People	~	|
Distance[Region, Region2] = 1 + ABS(Position[Region] - Position[Region2])
	~	Dmnl	~	|
Position[Region] = {", ".join(str(float(i * i % 5)) for i in range(N))}
	~	Dmnl	~	|
Pull[Region, Region2] = Stock[Region2] / Distance[Region, Region2] ^ friction
	~	People	~	|
friction = 1.5
	~	Dmnl [0.5, 3]	~	|
Outflow[Region] = mobility * Stock[Region] * SUM(Pull[Region, Region2!]) / SUM(Stock[Region2!])
	~	People/Year	~	|
Inflow[Region] = mobility * SUM(Stock[Region2!] * Pull[Region2!, Region] / (1 + SUM(Pull[Region2!, Region])))
	~	People/Year	~	|
mobility = 0.05
	~	1/Year [0, 0.2]	~	|
Total people = SUM(Stock[Region!])
	~	People	~	An indicator: nothing reads it.	|
Concentration = VMAX(Stock[Region!]) / Total people
	~	Dmnl	~	An indicator of the indicator.	|
INITIAL TIME = 0
	~	Year	~	|
FINAL TIME = 10
	~	Year	~	|
TIME STEP = 0.125
	~	Year	~	|
SAVEPER = 1
	~	Year	~	|
"""

needs_cc = pytest.mark.skipif(compiler() is None, reason="no working C compiler")


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    path = tmp_path_factory.mktemp("layout") / "matrix.mdl"
    path.write_text(MATRIX)
    return simsys.load_model(path)


def _statements(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if "=" in ln and not ln.lstrip().startswith(("static", "for"))]


@needs_cc
def test_region_by_region_rows_are_read_by_arithmetic_not_index_tables(matrix):
    cm = compile_model(matrix, "c")
    for variant in ("one", "batch"):
        text = cm._c(variant).text
        step = text[text.index("sim_aux"):]
        # the 7 x 7 equations run as two nested loops over their cells...
        assert re.search(rf"for \(long i0 = 0; i0 < {N}; i0\+\+\)", step), variant
        assert re.search(rf"for \(long i1 = 0; i1 < {N}; i1\+\+\)", step), variant
        # ... and no statement of the step reads a row through an index table
        assert not [s for s in _statements(step) if re.search(r"\bg\d+\[", s)], variant


@needs_cc
def test_two_index_loops_give_the_numbers_of_numpy_and_the_same_bits_in_any_block(matrix):
    ref = compile_model(matrix, "numpy")
    cm = compile_model(matrix, "c")
    p = {"friction": np.linspace(0.5, 3, 9), "mobility": np.linspace(0, 0.2, 9)}
    a = ref.run_batch(p, _n=9)
    b = cm.run_batch(p, _n=9)
    c = cm.run_batch({k: v[4:5] for k, v in p.items()}, _n=1)
    for v in a.data_vars:
        np.testing.assert_allclose(b[v].values, a[v].values, rtol=1e-12, atol=1e-12, err_msg=v)
        assert np.array_equal(b[v].values[4:5], c[v].values), v


def test_indicators_nothing_reads_are_report_only(matrix):
    cm = compile_model(matrix, "numpy")
    L = cm.layout
    plan = vectorize.group_plan(L, cm.aux_order, cm.init_nodes)
    names = lambda groups: {L.v_label[i].split("[")[0] for _, rows, _ in groups for i in rows}  # noqa: E731
    assert names(plan["report"]) == {"Total people", "Concentration"}
    assert {"Pull", "Distance", "Outflow", "Inflow"} <= names(plan["aux"])


@pytest.mark.parametrize("backend", ["numpy", pytest.param("c", marks=needs_cc)])
@pytest.mark.parametrize("method", ["euler", "rk4"])
def test_indicators_saved_yearly_equal_those_saved_every_step(matrix, backend, method):
    """Skipping the indicators between saved steps changes no saved number: a yearly save
    gives the bits of a save at every step, at the years."""
    cm = compile_model(matrix, backend)
    p = {"friction": np.array([0.7, 2.5]), "mobility": np.array([0.2, 0.01])}
    yearly = cm.run_batch(p, _n=2, method=method)
    every = cm.run_batch(p, _n=2, method=method, saveper=0.125).sel(time=yearly.time)
    assert yearly.time.size == 11
    for v in ("Total people", "Concentration", "Stock", "Outflow"):
        assert np.array_equal(yearly[v].values, every[v].values), v
    assert np.isfinite(yearly["Concentration"].values).all()
