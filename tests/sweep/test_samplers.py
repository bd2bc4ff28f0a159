"""Samplers: one signature, deterministic under a seed, row counts per method."""
import numpy as np
import pytest

from simsys.errors import SweepError
from simsys.sweep.samplers import SAMPLERS, n_rows, sample_unit


@pytest.mark.parametrize("method", sorted(SAMPLERS))
def test_every_sampler_is_seeded_and_in_unit_cube(method):
    a = sample_unit(method, 3, 8, 11)
    assert a.shape == (n_rows(method, 3, 8), 3)
    assert (a >= 0).all() and (a <= 1).all()
    np.testing.assert_array_equal(a, sample_unit(method, 3, 8, 11))
    if method != "grid":
        assert not np.array_equal(a, sample_unit(method, 3, 8, 12))


def test_saltelli_without_second_order():
    assert sample_unit("saltelli", 4, 8, 0, calc_second_order=False).shape == (8 * 6, 4)


def test_unknown_sampler_lists_valid_names():
    with pytest.raises(SweepError, match="valid: saltelli, morris, latin, sobol, montecarlo, grid"):
        sample_unit("halton", 2, 4, 0)
