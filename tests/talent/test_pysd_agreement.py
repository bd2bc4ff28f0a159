"""simsys and PySD agree on the whole shipped 31-province model (Euler, same dt, relative 1e-9).

Three scenarios, each 2010-2050 at the model's 1/16-year step: the baseline, evaluation
reform (a lever that switches on at each province's reform start year) and regional synergy
(cooperation with pooled funds and the unified market, which move researchers and money
between provinces). Every variable PySD reports is compared, every saved year.

PySD's runs are cached: one takes 5-7 minutes wall clock on this 2-core machine (2.5-3 minutes
of CPU), simsys about a second. Regenerate with ``python tests/talent/regenerate_pysd.py``
after changing the model, its data in models/data/ or these scenarios; the test says so
when the cache is stale (the model digest covers the data files).
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import simsys
from simsys.scenario import load_scenario, scenario_params

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(__file__).resolve().parent / "pysd"
SCENARIOS = ["baseline", "evaluation_reform", "regional_synergy"]


@pytest.fixture(scope="module")
def model():
    return simsys.load_model(ROOT / "models" / "talent_ecosystem.mdl")


@pytest.mark.parametrize("name", SCENARIOS)
def test_whole_model_matches_pysd(model, name):
    meta = json.loads((CACHE / f"{name}.json").read_text())
    assert meta["model_digest"] == model.digest, (
        "the cached PySD run is of an older model; run python tests/talent/regenerate_pysd.py")
    ref = pd.read_csv(CACHE / f"{name}.csv.gz", index_col=0)
    sc = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    ds = model.run(scenario_params(sc, model), **sc.run.as_kwargs())
    got = simsys.to_frame(ds)
    skip = {"FINAL TIME", "INITIAL TIME", "SAVEPER", "TIME STEP", "Time"}
    cols = [c for c in ref.columns if c not in skip]
    missing = [c for c in cols if c not in got.columns]
    assert not missing, missing[:10]
    assert len(cols) > 500
    np.testing.assert_allclose(got.index.to_numpy(), ref.index.to_numpy(dtype=float), atol=1e-9)
    for c in cols:
        np.testing.assert_allclose(got[c].to_numpy(), ref[c].to_numpy(dtype=float), rtol=1e-9,
                                   atol=1e-12, err_msg=c)
