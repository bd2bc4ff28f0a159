"""VECTOR SORT ORDER / RANK / REORDER / SELECT (simsys/compile/vector_ir.py) agree with PySD.

Oracles: PySD 3.14's own run of the same model text, made here (both directions, vectors
that cross during the run, every numerical action of VECTOR SELECT), on numpy and C; for
ties, where PySD's order depends on numpy's sort for the machine (this one gives
[1, 4, 2, 0, 5, 3] for 2, 1, 2, 3, 1, 2), numpy's stable argsort, flipped for direction <= 0.
"""
import numpy as np
import pytest

import pysd  # a core dependency: the oracle

import simsys
from simsys.compile.backends import unavailable_notice
from simsys.errors import UnsupportedFeature

HEAD = """{UTF-8}
Item : a, b, c, d, e, f
	~	~	|
Region : north, south
	~	~	|
"""
TAIL = """
INITIAL TIME = 0
	~	Month	~	|
FINAL TIME = 6
	~	Month	~	|
TIME STEP = 0.5
	~	Month	~	|
SAVEPER = TIME STEP
	~	Month	~	|
"""


def _eq(text):
    return "".join(f"{line}\n\t~\t\n\t~\t\n\t|\n\n" for line in text.strip().splitlines())


BODY = """Score[Item] = 2, 1, 2.5, 3, 1.5, 2.25
Mult[Region] = 1, -1
Slope[Item] = 0, 0.31, -0.73, 0.17, 0.05, 1.3
Wave[Region, Item] = Score[Item] * Mult[Region] + IF THEN ELSE(Time > 3, Time - 3, 0) * Slope[Item]
Down = -1
Up[Item] = VECTOR SORT ORDER(Wave[north, Item], 1)
Dn[Item] = VECTOR SORT ORDER(Wave[north, Item], Down)
Order2[Region, Item] = VECTOR SORT ORDER(Wave[Region, Item], 0)
Rk up[Item] = VECTOR RANK(Score[Item], 1)
Rk dn[Item] = VECTOR RANK(Score[Item] + Time / 10, -1)
Back[Item] = VECTOR REORDER(Score[Item], Dn[Item])
Sel[Item] = 0, 2, 0, 1, 0, 3
None[Item] = 0
"""


def _model(tmp_path, extra=""):
    body = BODY + "".join(f"S{k} = VECTOR SELECT(Sel[Item!], Score[Item!] + Time, -7, {k}, 0)\n"
                          for k in range(11))
    body += "Empty = VECTOR SELECT(None[Item!], Score[Item!], -7, 0, 0)\n" + extra
    path = tmp_path / "vectors.mdl"
    path.write_text(HEAD + _eq(body) + TAIL)
    return path


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    path = _model(tmp_path_factory.mktemp("vec"))
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pysd.read_vensim(str(path)).run()
    return path, ref


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_agrees_with_pysd(case, backend):
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    path, ref = case
    got = simsys.to_frame(simsys.load_model(path).run(backend=backend))
    cols = [c for c in ref.columns if c in got.columns]
    assert len(cols) >= 50, cols
    for c in cols:
        np.testing.assert_allclose(got[c].to_numpy(float), ref[c].to_numpy(float), rtol=0,
                                   atol=1e-12, err_msg=c)
    # the vectors really cross: the order changes during the run
    assert len(set(got["Up[c]"])) > 1


def test_ties_keep_subscript_order(tmp_path):
    score = np.array([2.0, 1, 2, 3, 1, 2])
    body = (f"Tied[Item] = {', '.join(map(str, score))}\n"
            "Up[Item] = VECTOR SORT ORDER(Tied[Item], 1)\nDn[Item] = VECTOR SORT ORDER(Tied[Item], -1)\n"
            "Rk up[Item] = VECTOR RANK(Tied[Item], 1)\nRk dn[Item] = VECTOR RANK(Tied[Item], 0)\n")
    path = tmp_path / "ties.mdl"
    path.write_text(HEAD + _eq(body) + TAIL)
    up = np.argsort(score, kind="stable")
    want = {"Up": up, "Dn": up[::-1], "Rk up": np.argsort(up) + 1, "Rk dn": np.argsort(up[::-1]) + 1}
    for backend in ("numpy", "c"):
        if unavailable_notice(backend):
            continue
        got = simsys.to_frame(simsys.load_model(path).run(backend=backend))
        for name, w in want.items():
            np.testing.assert_array_equal([got[f"{name}[{x}]"].iloc[-1] for x in "abcdef"], w,
                                          err_msg=f"{name} on {backend}")


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_direction_per_scenario(case, backend):
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    ds = simsys.load_model(case[0]).run_batch({"down": np.array([-1.0, 1.0])}, backend=backend)
    dn, up = ds["Dn"], ds["Up"]
    assert (dn.isel(scenario=1) == up.isel(scenario=1)).all()
    np.testing.assert_array_equal(dn.isel(scenario=0), up.isel(scenario=0)[..., ::-1])


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_error_action_stops_the_scenario(tmp_path, backend):
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    path = _model(tmp_path, "Bad = VECTOR SELECT(Sel[Item!], Score[Item!], 0, 0, 2)\n"
                            "Fine = VECTOR SELECT(Sel[Item!], Score[Item!], 0, 0, 1)\n")
    ds = simsys.load_model(path).run_batch({}, backend=backend)
    assert int(ds["simsys_status"][0]) != 0
    assert "Bad" in str(ds["simsys_fail_variable"].values[0])


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_actions_given_by_variables_agree_with_pysd(tmp_path, backend):
    """A constant, a lever and a time-varying action (PySD evaluates the argument at each
    step) against PySD's run of the same text; the all-zero selection gives the missing value."""
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    path = _model(tmp_path, "Act = 4\nErr = 0\n"
                            "Dyn act = MODULO(INTEGER(Time * 2), 11)\n"
                            "Va = VECTOR SELECT(Sel[Item!], Score[Item!] + Time, -7, Act, Err)\n"
                            "Vd = VECTOR SELECT(Sel[Item!], Score[Item!] * Time, -7, Dyn act, Err)\n"
                            "Ve = VECTOR SELECT(None[Item!], Score[Item!], -7, Dyn act, Err)\n")
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = pysd.read_vensim(str(path)).run()
    got = simsys.to_frame(simsys.load_model(path).run(backend=backend))
    assert set(ref["Dyn act"]) == set(range(11))  # every action is taken during the run
    for c in ("Va", "Vd", "Ve"):
        np.testing.assert_allclose(got[c].to_numpy(float), ref[c].to_numpy(float), rtol=0,
                                   atol=1e-12, err_msg=c)


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_action_per_scenario(tmp_path, backend):
    """A lever as the numerical action: scenario k equals the literal action k; a value that
    is not a whole number 0-10 gives NaN (PySD: ValueError) and stops only its scenario; an
    error action per scenario fires only where it is 1-3."""
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    path = _model(tmp_path, "Act = 0\nErr = 0\n"
                            "Va = VECTOR SELECT(Sel[Item!], Score[Item!] + Time, -7, Act, Err)\n")
    m = simsys.load_model(path)
    ds = m.run_batch({"Act": np.arange(11.0)}, backend=backend)
    assert (ds["simsys_status"] == 0).all()
    for k in range(11):
        np.testing.assert_array_equal(ds["Va"].isel(scenario=k), ds[f"S{k}"].isel(scenario=k),
                                      err_msg=str(k))
    ds = m.run_batch({"Act": np.array([2.0, 2.5, 11.0, 0.0]), "Err": np.array([0, 0, 0, 2.0])},
                     backend=backend)
    assert ds["simsys_status"].values.tolist() == [0, 1, 1, 1]
    assert "Va" in str(ds["simsys_fail_variable"].values[1])


@pytest.mark.parametrize("action", ["11", "2.5", "-1"])
def test_a_number_outside_0_10_is_refused(tmp_path, action):
    path = _model(tmp_path, f"Odd = VECTOR SELECT(Sel[Item!], Score[Item!], 0, {action}, 0)\n")
    with pytest.raises(UnsupportedFeature, match="VECTOR SELECT with a numerical action other "
                                                 "than a whole number 0-10"):
        simsys.load_model(path).run()
