"""ALLOCATE AVAILABLE / BY PRIORITY lowered (simsys/compile/lower.py) on numpy and C.

Oracles: PySD's run of the corpus models (tests/engine/test_oracle.py, every backend); here,
the numpy backend for C over a batch of scenarios whose supplies and widths differ (the C
solver repeats the kernel's steps: agreement to 1e-12, the rest is erfc/exp rounding), the
per-cell generator for the grouped one (bit for bit), and the kernel itself for a scenario.
"""
import numpy as np
import pytest

import simsys
from simsys.compile import compile_model
from simsys.compile.backends import unavailable_notice
from simsys.errors import UnsupportedFeature
from simsys.functions import allocate_available, allocate_by_priority

HEAD = """{UTF-8}
Region : north, south
	~	~	|
Branch : b1, b2, b3, b4
	~	~	|
pprofile : ptype, ppriority, pwidth, pextra
	~	~	|
"""
TAIL = """
INITIAL TIME = 0
	~	Month	~	|
FINAL TIME = 4
	~	Month	~	|
TIME STEP = 0.5
	~	Month	~	|
SAVEPER = TIME STEP
	~	Month	~	|
"""
BODY = """Request[Region, Branch] = 4, 2.5, 3, 0; 1.5, 3.5, 2, 2.75
Profile[Branch, pprofile] = 1, 4, 2, 0; 2, 3, 1.5, 0; 3, 3.5, 1, 0; 4, 2.5, 0.75, 0
Scale = 1
Spread = 1
Supply[Region] = Scale * (3 + Time), Scale * (2 + 2.5 * Time)
Priority[Region, Branch] = 5, 3.5, 4.25, 1; 2, 6, 3, 4.5
Shipped[Region, Branch] = ALLOCATE AVAILABLE(Request[Region, Branch], Profile[Branch, ptype], Supply[Region])
Sent[Region, Branch] = ALLOCATE BY PRIORITY(Request[Region, Branch], Priority[Region, Branch], ELMCOUNT(Branch), Spread, Supply[Region])
Got[Region, Branch] = INTEG(Shipped[Region, Branch] + Sent[Region, Branch], 0)
"""


def _eq(text):
    return "".join(f"{line}\n\t~\t\n\t~\t\n\t|\n\n" for line in text.strip().splitlines())


def _model(tmp_path, body=BODY):
    body = body.replace("Supply[Region] = Scale * (3 + Time), Scale * (2 + 2.5 * Time)",
                        "Supply[north] = Scale * (3 + Time)\nSupply[south] = Scale * (2 + 2.5 * Time)")
    path = tmp_path / "alloc.mdl"
    path.write_text(HEAD + _eq(body) + TAIL)
    return path


SCENARIOS = {"scale": np.array([1.0, 0.25, 0.6, 2.0, 0.0]),
             "spread": np.array([1.0, 0.1, 3.0, 0.5, 1.0])}


def test_c_agrees_with_numpy_over_a_batch(tmp_path):
    if unavailable_notice("c"):
        pytest.skip(unavailable_notice("c"))
    model = simsys.load_model(_model(tmp_path))
    a = model.run_batch(SCENARIOS, backend="numpy")
    b = model.run_batch(SCENARIOS, backend="c")
    for name in ("Shipped", "Sent", "Got"):
        np.testing.assert_allclose(b[name].values, a[name].values, rtol=1e-12, atol=1e-12, err_msg=name)
    assert (a["simsys_status"].values == 0).all()
    # scenario 4 has no supply: nothing is shipped; scenario 3 has enough for every request
    assert float(np.abs(a["Shipped"].isel(scenario=4)).max()) == 0.0


def test_each_scenario_is_the_kernel(tmp_path):
    model = simsys.load_model(_model(tmp_path))
    ds = model.run_batch(SCENARIOS, backend="numpy")
    req = np.array([[4, 2.5, 3, 0], [1.5, 3.5, 2, 2.75]])
    prof = np.array([[1, 4, 2, 0], [2, 3, 1.5, 0], [3, 3.5, 1, 0], [4, 2.5, 0.75, 0]], float)
    prio = np.array([[5, 3.5, 4.25, 1], [2, 6, 3, 4.5]])
    t = ds["time"].values
    for s, (scale, spread) in enumerate(zip(SCENARIOS["scale"], SCENARIOS["spread"])):
        supply = np.stack([scale * (3 + t), scale * (2 + 2.5 * t)], -1)  # [time, region]
        want = allocate_available(np.broadcast_to(req, supply.shape + (4,)), prof, supply)
        np.testing.assert_allclose(ds["Shipped"].isel(scenario=s).values, want, rtol=1e-14, atol=1e-14)
        want = allocate_by_priority(np.broadcast_to(req, supply.shape + (4,)), prio, spread, supply)
        np.testing.assert_array_equal(ds["Sent"].isel(scenario=s).values, want)
    # a region's shares add up to its supply while the supply is short
    sent = ds["Sent"].isel(scenario=1).sum("Branch").values
    np.testing.assert_allclose(sent[:, 0], 0.25 * (3 + t), rtol=1e-12)


def test_grouped_code_is_the_per_cell_code(tmp_path):
    model = simsys.load_model(_model(tmp_path))
    a = compile_model(model, "numpy", grouped=True).run_batch(SCENARIOS)
    b = compile_model(model, "numpy", grouped=False).run_batch(SCENARIOS)
    for name in ("Shipped", "Sent", "Got"):
        np.testing.assert_array_equal(a[name].values, b[name].values)


@pytest.mark.parametrize("backend", ["numpy", "c"])
def test_what_pysd_refuses_stops_the_scenario(tmp_path, backend):
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    ds = simsys.load_model(_model(tmp_path)).run_batch(
        {"scale": np.array([1.0, -1.0, 1.0]), "spread": np.array([1.0, 1.0, 0.0])}, backend=backend)
    status = ds["simsys_status"].values
    assert status[0] == 0 and status[1] != 0 and status[2] != 0
    assert "Shipped" in str(ds["simsys_fail_variable"].values[1])  # negative supply
    assert "Sent" in str(ds["simsys_fail_variable"].values[2])     # width 0


@pytest.mark.parametrize("bad,match", [
    ("Profile[Branch, pprofile] = 5, 4, 2, 0; 2, 3, 1.5, 0; 3, 3.5, 1, 0; 4, 2.5, 0.75, 0",
     "priority profile type 5"),
    ("Shipped[Region, Branch] = ALLOCATE AVAILABLE(Request[Region, Branch], 3, Supply[Region])",
     "not a subscripted variable"),
])
def test_refusals_name_the_variable(tmp_path, bad, match):
    key = bad.split("=")[0].strip()
    lines = [line for line in BODY.strip().splitlines() if not line.startswith(key)]
    path = _model(tmp_path, "\n".join(lines + [bad]) + "\n")
    with pytest.raises(UnsupportedFeature, match=match) as info:
        simsys.load_model(path).run()
    assert info.value.variable is not None and info.value.location is not None
    assert "alloc.mdl" in str(info.value)
