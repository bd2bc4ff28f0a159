"""RANDOM functions' bad arguments refused at load where they are written as numbers (read at
run time they give NaN: tests/compile/test_c_backend.py, tests/bad_models/), and RANDOM
LOOKUP's table where it cannot be a density."""
import pytest

import simsys

_MODEL = """{UTF-8}
shape = 2 ~ Dmnl ~ |
curve((0,0),(1,1)) ~ Dmnl ~ |
dip((0,1),(1,-1)) ~ Dmnl ~ |
draw = %s ~ Dmnl ~ |
INITIAL TIME = 0 ~ Month ~ |
FINAL TIME = 1 ~ Month ~ |
TIME STEP = 1 ~ Month ~ |
SAVEPER = TIME STEP ~ Month ~ |
"""


@pytest.mark.parametrize("call,message", [
    ("RANDOM GAMMA(0, 10, 0, 0, 1, 1)", "shape must be above 0 (and finite), found 0.0"),
    ("RANDOM GAMMA(0, 10, shape, 20, 1, 1)", "no value shift + stretch * X lies in [min, max]"),
    ("RANDOM BETA(0, 10, shape, -1, 0, 1, 1)", "beta must be above 0 (and finite), found -1.0"),
    ("RANDOM BETA(2, 10, shape, shape, 0, 1, 1)", "no value shift + stretch * X lies in [min, max]"),
    ("RANDOM LOOKUP(curve, 2, 3, 1)", "the lookup has no area within [min, max] = [2.0, 3.0]"),
    ("RANDOM LOOKUP(curve, 1, 0, 1)", "min (1.0) is above max (0.0)"),
    ("RANDOM LOOKUP(dip, 0, 1, 1)", "a density cannot be negative: the lookup has y = -1.0"),
    ("RANDOM LOOKUP(shape, 0, 1, 1)", "RANDOM LOOKUP needs a lookup as its first argument"),
    ("RANDOM BINOMIAL(0, 10, 1.5, 10, 0, 1, 1)", "prob must be in [0, 1], found 1.5"),
    ("RANDOM NEGATIVE BINOMIAL(0, 10, 0.5, 2.5, 0, 1, 1)", "count must be a whole number 1 or above"),
    ("RANDOM POISSON(5, 1, shape, 0, 1, 1)", "min (5.0) is above max (1.0)"),
    ("RANDOM WEIBULL(0, 10, shape, 0, -2, 1)", "stretch must be above 0, found -2.0"),
    ("RANDOM TRIANGULAR(0, 10, 4, 3, 10, 1)", "start (4.0) is above peak (3.0)"),
])
def test_refused_at_load_with_the_reason(tmp_path, call, message):
    path = tmp_path / "m.mdl"
    path.write_text(_MODEL % call)
    with pytest.raises(simsys.SimsysError) as info:
        simsys.load_model(path).compile()
    assert message in str(info.value)
    assert "draw" in str(info.value)
