"""Regenerate PySD's results for the shipped talent model (the oracle of test_pysd_agreement.py).

    python tests/talent/regenerate_pysd.py

PySD needs about 2.5 minutes per run of this model on 2 cores, so its results are
cached as CSV files beside this script, each with the model digest it was made from.
Run this whenever models/talent_ecosystem.mdl, models/region_data.csv or one of the
scenarios below changes; the test says so when the cache is stale.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
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
        for f in (ROOT / "models").iterdir():
            if f.suffix in (".mdl", ".csv"):
                shutil.copy(f, tmp / f.name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pm = pysd.read_vensim(str(tmp / "talent_ecosystem.mdl"))
            for name in names:
                sc = load_scenario(ROOT / "scenarios" / f"{name}.toml")
                params = scenario_params(sc, model)
                pm.reload()
                frame = pm.run(params=pysd_params(params, model))
                frame.to_csv(OUT / f"{name}.csv.gz", float_format="%.17g")
                (OUT / f"{name}.json").write_text(json.dumps(
                    {"model_digest": model.digest, "scenario": name, "pysd": pysd.__version__}, indent=1))
                print(f"wrote {name}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:] or SCENARIOS)
