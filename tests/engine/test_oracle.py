"""Every oracle model agrees with PySD's own run: every variable, every saved time, rel 1e-9.

PySD's results are cached in tests/oracle/*.csv (regenerate: python tests/oracle/regenerate.py).
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsys

HERE = Path(__file__).resolve().parents[1]
MODELS = HERE / "models"
ORACLE = HERE / "oracle"
CASES = sorted(p for p in MODELS.glob("*.mdl") if (ORACLE / f"{p.stem}.csv").exists())
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


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_matches_pysd(path):
    ref = pd.read_csv(ORACLE / f"{path.stem}.csv", index_col=0)
    ds = simsys.load_model(path).run()
    compare(simsys.to_frame(ds), ref)


@pytest.mark.parametrize("path", XMILE, ids=[p.stem for p in XMILE])
def test_xmile_matches_vensim(path):
    mdl = path.with_suffix(".mdl")
    if not mdl.exists():
        pytest.fail(f"{path.name} has no .mdl twin")
    a = simsys.to_frame(simsys.load_model(path).run())
    b = simsys.to_frame(simsys.load_model(mdl).run())
    common = [c for c in b.columns if c in a.columns]
    assert len(common) >= 2
    compare(a[common], b[common])
