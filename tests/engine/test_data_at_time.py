"""GET DATA AT TIME and GET TIME VALUE on numpy and C, against closed forms.

PySD 3.14.3 raises NotImplementedError on GET DATA AT TIME, so the oracles are the data
file's own numbers (Vensim's documented semantics: the data variable read at the given time
with its own interpolation mode) and simsys.functions.data_at_time, the engine-independent
kernel; GET TIME VALUE(0, offset, 0) is Time + offset, (1, offset, 0) INITIAL TIME + offset.
"""
from pathlib import Path

import numpy as np
import pytest

import simsys
from simsys.compile.backends import unavailable_notice
from simsys.functions import data_at_time

TIMES = np.array([0.0, 2.0, 3.5, 7.0, 9.0])
VALUES = np.array([[1.5, 3.25, 2.75, 6.5, 4.25], [10.0, 20.0, 40.0, 30.0, 50.0]])
BACKENDS = ["numpy", "c"]
MODELS = Path(__file__).resolve().parents[1] / "models"


def _write(tmp_path: Path, body: str) -> simsys.Model:
    rows = ["time,a,b"] + [f"{t},{a},{b}" for t, a, b in zip(TIMES, *VALUES)]
    (tmp_path / "series.csv").write_text("\n".join(rows) + "\n")
    text = "{UTF-8}\nR : a, b\n\t~\t~\t|\n\n" + body + "".join(
        f"{k} = {v}\n\t~\tMonth\n\t~\t|\n\n" for k, v in
        (("INITIAL TIME", 1), ("FINAL TIME", 10), ("TIME STEP", 0.5), ("SAVEPER", "TIME STEP")))
    (tmp_path / "m.mdl").write_text(text)
    return simsys.load_model(tmp_path / "m.mdl")


def _eq(name, rhs, dims=""):
    return f"{name}{dims} = {rhs}\n\t~\tWidget\n\t~\t|\n\n"


def _skip(backend):
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))


@pytest.mark.parametrize("backend", BACKENDS)
def test_corpus_model_closed_form(backend):
    _skip(backend)
    ds = simsys.load_model(MODELS / "get_data_at_time.mdl").run(backend=backend)
    t = ds["time"].values
    # series.csv: (2, 3.25) and (3.5, 2.75); at 3 the line between them
    np.testing.assert_allclose(ds["At three"].values, 3.25 + (2.75 - 3.25) * (3 - 2) / (3.5 - 2),
                               rtol=1e-15)
    np.testing.assert_array_equal(ds["Now"].values, t)


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_mode_and_subscript_at_a_moving_time(tmp_path, backend):
    """The data read at Time - 1.25 (a lag), per mode and per subscript element."""
    _skip(backend)
    body = "".join(
        f"{name}[R] {kw}:= GET DIRECT DATA('series.csv', ',', 'A', 'B2')\n\t~\tWidget\n\t~\t|\n\n"
        + _eq(f"{name} lagged", f"GET DATA AT TIME({name}[R], Time - 1.25)", "[R]")
        for name, kw in (("Interp", ""), ("Held", ":HOLD BACKWARD: "), ("Ahead", ":LOOK FORWARD: ")))
    m = _write(tmp_path, body)
    ds = m.run(backend=backend)
    t = ds["time"].values
    assert t[0] == 1 and t[-1] == 10
    for name, mode in (("Interp", "interpolate"), ("Held", "hold_backward"),
                       ("Ahead", "look_forward")):
        for i, el in enumerate(("a", "b")):
            got = ds[f"{name} lagged"].sel(R=el).values
            want = np.array([data_at_time(TIMES, VALUES[i:i + 1], x, mode)[0] for x in t - 1.25])
            np.testing.assert_allclose(got, want, rtol=1e-13, atol=0, err_msg=f"{name}[{el}]")
    # points by hand: at 9, Time - 1.25 = 7.75 lies between the listed 7 and 9
    at9 = {n: ds[f"{n} lagged"].sel(R="b", time=9.0).item() for n in ("Interp", "Held", "Ahead")}
    assert at9 == {"Interp": 30.0 + (50.0 - 30.0) * 0.75 / 2, "Held": 30.0, "Ahead": 50.0}


@pytest.mark.parametrize("backend", BACKENDS)
def test_get_time_value_relative_to_time_and_to_initial_time(tmp_path, backend):
    _skip(backend)
    m = _write(tmp_path, _eq("Ahead of time", "GET TIME VALUE(0, 2.5, 0)")
               + _eq("Since start", "GET TIME VALUE(1, Time * 0, 0)")
               + _eq("Start plus", "GET TIME VALUE(1, 4, 0)"))
    ds = m.run(backend=backend)
    t = ds["time"].values
    np.testing.assert_array_equal(ds["Ahead of time"].values, t + 2.5)
    np.testing.assert_array_equal(ds["Since start"].values, np.full_like(t, 1.0))
    np.testing.assert_array_equal(ds["Start plus"].values, np.full_like(t, 5.0))


@pytest.mark.parametrize("body,error,text", [
    (_eq("Clock", "GET TIME VALUE(2, 0, 1)"), "UnsupportedFeature", "computer's clock"),
    (_eq("Month", "GET TIME VALUE(0, 0, 3)"), "UnsupportedFeature", "calendar measure"),
    (_eq("Loose", "GET TIME VALUE(Time, 0, 0)"), "UnsupportedFeature", "whole number 0-2"),
    (_eq("Base", "3") + _eq("Wrong", "GET DATA AT TIME(Base, 2)"), "ModelStructureError",
     "needs a data variable"),
])
def test_refusals_name_the_variable(tmp_path, body, error, text):
    m = _write(tmp_path, body)
    with pytest.raises(simsys.SimsysError) as info:
        m.compile("numpy")
    assert type(info.value).__name__ == error
    assert text in str(info.value) and "m.mdl:" in str(info.value)
    assert info.value.variable == body.split(" =")[-2].rsplit("\n", 1)[-1].strip()
