"""Every oracle model agrees with PySD's own run: every variable, every saved time, rel 1e-9.

PySD's results are cached in tests/oracle/*.csv (regenerate: python tests/oracle/regenerate.py).
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsys

from corpus_status import EXPECTED_REFUSED, VENSIM_NOT_PYSD

HERE = Path(__file__).resolve().parents[1]
MODELS = HERE / "models"
ORACLE = HERE / "oracle"
CASES = sorted(p for p in MODELS.glob("*.mdl") if (ORACLE / f"{p.stem}.csv").exists()
               and p.name not in EXPECTED_REFUSED and p.name not in VENSIM_NOT_PYSD)
XMILE = sorted(MODELS.glob("*.xmile"))


def compare(frame: pd.DataFrame, ref: pd.DataFrame, rtol=1e-9, atol=1e-12):
    assert len(frame) == len(ref), f"{len(frame)} saved times, PySD has {len(ref)}"
    np.testing.assert_allclose(frame.index.to_numpy(), ref.index.to_numpy(dtype=float), rtol=0, atol=1e-12)
    skip = {"FINAL TIME", "INITIAL TIME", "SAVEPER", "TIME STEP", "Time"}
    missing = [c for c in ref.columns if c not in frame.columns and c not in skip]
    assert not missing, f"simsys has no column for {missing}"
    for col in ref.columns:
        if col in skip:
            continue
        a = frame[col].to_numpy(dtype=float)
        b = ref[col].to_numpy(dtype=float)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=col)


def test_corpus_is_large_enough():
    assert len(CASES) >= 25, [p.name for p in CASES]


@pytest.mark.parametrize("backend", ["numpy", "c"])
@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_matches_pysd(path, backend):
    from simsys.compile.backends import unavailable_notice
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    ref = pd.read_csv(ORACLE / f"{path.stem}.csv", index_col=0)
    ds = simsys.load_model(path).run(backend=backend)
    assert ds.attrs["backend"] == backend
    compare(simsys.to_frame(ds), ref)


def test_xmile_corpus():
    assert len([p for p in XMILE if p.with_suffix(".mdl").exists()]) >= 3


@pytest.mark.parametrize("path", XMILE, ids=[p.stem for p in XMILE])
def test_xmile_matches_pysd_and_its_vensim_twin(path):
    """An XMILE model agrees with PySD's read_xmile run and with the same model's .mdl run."""
    got = simsys.to_frame(simsys.load_model(path).run())
    oracle = ORACLE / f"{path.name}.csv"
    mdl = path.with_suffix(".mdl")
    assert oracle.exists() or mdl.exists(), f"{path.name} has neither an oracle CSV nor a .mdl twin"
    if oracle.exists():
        compare(got, pd.read_csv(oracle, index_col=0))
    if mdl.exists():
        twin = simsys.to_frame(simsys.load_model(mdl).run())
        common = [c for c in twin.columns if c in got.columns]
        assert len(common) >= 2
        compare(got[common], twin[common])
