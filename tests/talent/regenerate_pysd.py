"""Regenerate PySD's results for the shipped talent model (the oracle of test_pysd_agreement.py).

    python tests/talent/regenerate_pysd.py

PySD needs 5-7 minutes wall clock per run of the 31-province model, 2010-2050 at 1/16 year,
on this 2-core machine (about 2.5 minutes of CPU: 159 s for the baseline), so its results
are cached as CSV files beside this script, each with the model digest it was made from.
The model and models/data/ are copied to a temporary folder first (PySD writes a .py beside
the model). Run this whenever models/talent_ecosystem.mdl, a file in models/data/ or one of
the scenarios below changes; the test says so when the cache is stale.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "pysd"
SCENARIOS = ["baseline", "evaluation_reform", "regional_synergy"]


def pysd_params(params: dict, model) -> dict:
    """simsys parameter mapping -> PySD's params (subscripted levers as DataArrays)."""
    from simsys.model.spec import name_key
    out: dict = {}
    arrays: dict = {}
    for key, value in params.items():
        base, _, rest = key.partition("[")
        lever = model.lever(base)
        if lever.dims:
            if lever.name not in arrays:
                coords = {d: list(model.ranges[d]) for d in lever.dims}
                arrays[lever.name] = xr.DataArray(np.array(lever.default, dtype=float), coords, list(lever.dims))
            if rest:
                elems = rest.rstrip("]").split(",")
                arrays[lever.name].loc[dict(zip(lever.dims, elems))] = float(value)
            else:
                arrays[lever.name][...] = float(value)
        else:
            out[lever.name] = float(value)
    out.update(arrays)
    del name_key
    return out


def main(names=SCENARIOS):
    import pysd

    import simsys
    from simsys.scenario import load_scenario, scenario_params
    OUT.mkdir(exist_ok=True)
    model = simsys.load_model(ROOT / "models" / "talent_ecosystem.mdl")
    tmp = Path(tempfile.mkdtemp())
    try:
        shutil.copy(ROOT / "models" / "talent_ecosystem.mdl", tmp / "talent_ecosystem.mdl")
        shutil.copytree(ROOT / "models" / "data", tmp / "data")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pm = pysd.read_vensim(str(tmp / "talent_ecosystem.mdl"))
            for name in names:
                sc = load_scenario(ROOT / "scenarios" / f"{name}.toml")
                params = scenario_params(sc, model)
                pm.reload()
                t0 = time.perf_counter()
                frame = pm.run(params=pysd_params(params, model))
                took = time.perf_counter() - t0
                frame.to_csv(OUT / f"{name}.csv.gz", float_format="%.17g")
                (OUT / f"{name}.json").write_text(json.dumps(
                    {"model_digest": model.digest, "scenario": name, "pysd": pysd.__version__}, indent=1))
                print(f"wrote {name} (PySD run {took:.0f} s)", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:] or SCENARIOS)
