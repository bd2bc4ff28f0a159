"""Conformance over the whole test corpus: every model under tests/models/ against PySD.

Each model either agrees with PySD's cached run (tests/oracle/, rel 1e-9 on every variable
at every saved time), or with SDEverywhere's where PySD cannot run it (corpus_status.SDE_ORACLE,
tests/oracle/<stem>.sde.csv), or is listed below as EXPECTED_REFUSED with the construct simsys
refuses and the text its refusal must contain, or has no oracle for a reason given in
tests/oracle/regenerate.py. A listed model that starts agreeing fails the test, so the
list shrinks as constructs land; a model that neither agrees nor is listed fails too.
The summary (counts agreeing, refused by construct, without oracle) is printed (pytest -s).
"""
from __future__ import annotations

import importlib.util
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsys
from simsys.errors import SimsysError

from corpus_status import EXPECTED_REFUSED, SDE_ORACLE, VENSIM_NOT_PYSD
from test_oracle import compare

HERE = Path(__file__).resolve().parents[1]
MODELS = HERE / "models"
ORACLE = HERE / "oracle"


def _script(name):
    spec = importlib.util.spec_from_file_location(name, ORACLE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


regenerate = _script("regenerate")
regenerate_sde = _script("regenerate_sde")


def _corpus():
    return sorted(p for p in MODELS.iterdir() if p.suffix in regenerate.SUFFIXES)


def _check(path: Path) -> tuple[str, str]:
    """('agree' | 'sde' | 'refused' | 'no-oracle' | 'vensim', detail) for one model;
    AssertionError on a mismatch."""
    oracle = regenerate.oracle_path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = simsys.to_frame(simsys.load_model(path).run())
    except SimsysError as err:
        return "refused", str(err)
    if path.name in VENSIM_NOT_PYSD:
        t = frame.index.to_numpy(float)
        for col, f in VENSIM_NOT_PYSD[path.name].items():
            np.testing.assert_allclose(frame[col].to_numpy(float), f(t), rtol=1e-12, err_msg=col)
        return "vensim", "follows Vensim where PySD differs"
    if path.name in SDE_ORACLE:
        compare(frame, pd.read_csv(regenerate_sde.oracle_path(path), index_col=0))
        return "sde", SDE_ORACLE[path.name]
    if not oracle.exists():
        reason = regenerate.SKIP.get(path.name)
        assert reason, f"{path.name} runs but has neither an oracle nor a reason in regenerate.SKIP"
        return "no-oracle", reason
    compare(frame, pd.read_csv(oracle, index_col=0))
    return "agree", ""


def test_conformance_over_the_whole_corpus():
    corpus = _corpus()
    assert len(corpus) >= 90, len(corpus)
    results, problems = {}, []
    for path in corpus:
        try:
            status, detail = _check(path)
        except AssertionError as err:
            status, detail = "differs", str(err).strip().splitlines()[0][:200]
        results[path.name] = (status, detail)
        expected = EXPECTED_REFUSED.get(path.name)
        if expected and status != "refused":
            problems.append(f"{path.name} is listed as expected-refused ({expected[0]}) but now "
                            f"{status}: remove it from EXPECTED_REFUSED")
        elif expected and expected[1].lower() not in detail.lower():
            problems.append(f"{path.name}: refusal should mention {expected[1]!r}: {detail}")
        elif not expected and status in ("refused", "differs"):
            problems.append(f"{path.name} {status}: {detail}")
    counts = Counter(s for s, _ in results.values())
    refused = Counter(EXPECTED_REFUSED[n][0] for n, (s, _) in results.items()
                      if s == "refused" and n in EXPECTED_REFUSED)
    print(f"\nconformance: {len(corpus)} models; {counts['agree']} agree with PySD (1e-9), "
          f"{counts['sde']} agree with SDEverywhere (1e-9) where PySD cannot run them, "
          f"{counts['vensim']} follow Vensim where PySD differs, {counts['no-oracle']} run without "
          f"a PySD oracle, {counts['refused']} refused")
    for construct, n in sorted(refused.items()):
        print(f"  refused ({n}): {construct}")
    assert not problems, "\n".join(problems)
    assert set(EXPECTED_REFUSED) <= set(results), set(EXPECTED_REFUSED) - set(results)


_XMILE = [p for p in _corpus() if p.suffix == ".xmile" and regenerate.oracle_path(p).exists()]


@pytest.mark.parametrize("backend", ["numpy", "c"])
@pytest.mark.parametrize("path", _XMILE, ids=[p.name for p in _XMILE])
def test_xmile_models_agree_on_every_backend(path, backend):
    """The corpus run above uses the default backend; XMILE models (modules among them, whose
    oracle is PySD's run of a hand-expanded twin) are checked on each backend by name."""
    from simsys.compile.backends import unavailable_notice
    if unavailable_notice(backend):
        pytest.skip(unavailable_notice(backend))
    ds = simsys.load_model(path).run(backend=backend)
    assert ds.attrs["backend"] == backend
    compare(simsys.to_frame(ds), pd.read_csv(regenerate.oracle_path(path), index_col=0))
