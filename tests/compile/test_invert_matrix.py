"""INVERT MATRIX on both backends: against PySD's runs (tests/oracle), numpy.linalg.inv, and
each other; a singular matrix stops only its own scenario.

Oracles: PySD 3.14.3's CSVs of ``invert_matrix`` (a 3x3 matrix scaled with Time) and
``invert_matrix_dynamic`` (a matrix per region whose entries follow Time and a stock fed by
the inverse, plus INVERT MATRIX inside an expression); ``numpy.linalg.inv`` of the matrices
each scenario was given.
"""
import numpy as np
import pandas as pd
import pytest

import simsys
from simsys.compile.backends import unavailable_notice
from simsys.compile.graph import aux_order, init_order
from simsys.compile.lower import lower_model
from simsys.compile.vectorize import generate

from tests.engine.corpus_status import EXPECTED_REFUSED

MODELS = "tests/models"
BACKENDS = ["numpy", "c"]


def _skip(backend):
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))


def _run(name, backend, **kw):
    return simsys.to_frame(simsys.load_model(f"{MODELS}/{name}.mdl").run(backend=backend, **kw))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", ["invert_matrix", "invert_matrix_dynamic"])
def test_agrees_with_pysd(name, backend):
    _skip(backend)
    ref = pd.read_csv(f"tests/oracle/{name}.csv", index_col=0)
    got = _run(name, backend)
    cols = [c for c in ref.columns if c.startswith(("Inverse[", "Inv[", "Twice[", "Level[", "Solution["))]
    assert len(cols) >= 9, cols
    for c in cols:
        np.testing.assert_allclose(got[c].to_numpy(float), ref[c].to_numpy(float), rtol=0,
                                   atol=1e-9, err_msg=c)
    assert f"{name}.mdl" not in EXPECTED_REFUSED


def test_numpy_and_c_agree():
    _skip("c")
    a, b = (_run("invert_matrix_dynamic", be) for be in BACKENDS)
    np.testing.assert_allclose(b.to_numpy(float), a.to_numpy(float), rtol=1e-12, atol=1e-13)


def _cells(n):
    return [(f"r{i + 1}", f"c{j + 1}") for i in range(n) for j in range(n)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_scenario_its_own_matrix(backend):
    """200 random well-conditioned matrices, one per scenario: numpy.linalg.inv of each
    (times 1 + Time/10 as the model scales them), to 1e-12."""
    _skip(backend)
    rng = np.random.default_rng(3)
    mats = rng.normal(size=(200, 3, 3)) + 3 * np.eye(3)
    params = {f"Matrix[{r},{c}]": mats[:, i, j] for (r, c), (i, j) in
              zip(_cells(3), [(i, j) for i in range(3) for j in range(3)])}
    ds = simsys.load_model(f"{MODELS}/invert_matrix.mdl").run_batch(params, backend=backend)
    assert (ds["simsys_status"] == 0).all()
    times = ds["time"].to_numpy()
    want = np.linalg.inv(mats[:, None] * (1 + times / 10)[None, :, None, None])
    np.testing.assert_allclose(ds["Inverse"].to_numpy(), want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("backend", BACKENDS)
def test_singular_matrix_stops_only_its_scenario(backend):
    _skip(backend)
    # scenario 1: row r1 equals row r2 (1, 3, 0.25): LU meets an exact zero pivot
    params = {"Matrix[r1,c1]": np.array([4.0, 1.0]), "Matrix[r1,c2]": np.array([1.0, 3.0]),
              "Matrix[r1,c3]": np.array([0.5, 0.25])}
    ds = simsys.load_model(f"{MODELS}/invert_matrix.mdl").run_batch(params, backend=backend)
    assert ds["simsys_status"].values.tolist() == [0, 1]
    assert float(ds["simsys_fail_time"][1]) == 0.0
    assert "Inverse" in str(ds["simsys_fail_variable"].values[1])
    ref = pd.read_csv("tests/oracle/invert_matrix.csv", index_col=0)
    np.testing.assert_allclose(ds["Inverse"].sel(scenario=0, Row="r2", Col="c3").to_numpy(),
                               ref["Inverse[r2,c3]"].to_numpy(), rtol=0, atol=1e-12)


def test_one_inversion_per_matrix():
    """The nine cells of one matrix share one inversion per evaluation (a group statement),
    and the two regions' matrices of the dynamic model are two."""
    for name, count in (("invert_matrix", 1), ("invert_matrix_dynamic", 3)):
        L = lower_model(simsys.load_model(f"{MODELS}/{name}.mdl"))
        src, _ = generate(L, aux_order(L), init_order(L))
        assert src.count("_matinv(") == count, (name, src)


def test_loop_analysis_sees_through_the_inversion():
    """d inv(A)[i, j] / d A[i, j] = -inv(A)[i, i] * inv(A)[j, j] (from d inv(A) = -inv(A) dA
    inv(A)): negative wherever the inverse's diagonal is positive, which the oracle shows at
    every saved time; the loop Level -> M -> Inv -> Solution -> Level is found through it."""
    from simsys.analysis.loops import find_loops, link_sign
    ref = pd.read_csv("tests/oracle/invert_matrix_dynamic.csv", index_col=0)
    assert all((ref[f"Inv[{g},r{i},c{i}]"] > 0).all() for g in ("north", "south") for i in (1, 2, 3))
    m = simsys.load_model(f"{MODELS}/invert_matrix_dynamic.mdl")
    assert link_sign(m, "M", "Inv") == "-"
    assert any(set(lp.variables) == {"Level", "M", "Inv", "Solution"} for lp in find_loops(m))
