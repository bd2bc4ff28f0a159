"""SUM / PROD / VMIN / VMAX folds of the grouped numpy code (simsys.compile.runtime._fold).

They must give the bits of the per-cell chain ``((a + b) + c) + ...`` whatever the batch
size (a chunk of one scenario and a chunk of a thousand take different paths), NaN and
boolean operands included; ``np.sum`` would not (it pairs terms).
"""
import numpy as np
import pytest

from simsys.compile.runtime import _FOLD_SMALL, _prod, _sum, _vmax, _vmin

FOLDS = [(_sum, np.add), (_prod, np.multiply), (_vmin, np.minimum), (_vmax, np.maximum)]


def _chain(x, op):
    acc = x[0]
    for i in range(1, len(x)):
        acc = op(acc, x[i])
    return acc


@pytest.mark.parametrize("shape", [(31, 1), (31, 31, 1), (7, 3), (1, 1), (1, 5), (4, 2, 2),
                                   (31, _FOLD_SMALL), (31, _FOLD_SMALL + 1), (31, 31, 5),
                                   (31, 1000)])
def test_fold_gives_the_chain_bits(shape):
    rng = np.random.default_rng(7)
    x = rng.normal(size=shape) * 10.0 ** rng.integers(-8, 9, size=shape)
    x.flat[min(3, x.size - 1)] = np.nan
    for operand in (x, x > 0, x[::-1]):
        for fold, op in FOLDS:
            got, want = fold(operand), _chain(operand, op)
            assert got.dtype == want.dtype and got.shape == want.shape
            np.testing.assert_array_equal(got, want)


def test_one_scenario_and_a_batch_give_the_same_bits():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(31, 31, 300)) * 1e6
    whole = _sum(x)
    for j in (0, 17, 299):
        np.testing.assert_array_equal(_sum(x[..., j:j + 1])[..., 0], whole[..., j])
