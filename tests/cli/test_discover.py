"""simsys discover: PRIM and CART boxes from a sweep store."""
import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import simsys
from simsys.analysis.sensitivity import sample_design
from simsys.cli import cli
from simsys.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
TEST_MODEL = ROOT / "tests" / "analysis" / "models" / "regions.mdl"


def test_discover_on_a_test_model_sweep(runner, tmp_path):
    """A sweep of a small test model: Output in the last year rises with the reform."""
    names = ["Reform[east]", "reform effect"]
    X, design = sample_design("latin", names, [[0.0, 1.0], [0.0, 0.05]], 120, seed=3)
    model = simsys.load_model(TEST_MODEL)
    ds = model.run_batch({names[0]: X[:, 0], names[1]: X[:, 1]}, saveper=1.0,
                         return_columns=["Output"])
    ds = ds.drop_vars(["simsys_fail_variable"], errors="ignore")
    ds["design"] = xr.DataArray(X, dims=("scenario", "parameter"), coords={"parameter": names},
                                attrs={"design": json.dumps(design)})
    ds.attrs = {"design": json.dumps(design)}
    store = tmp_path / "small.zarr"
    ds.to_zarr(store, mode="w", consolidated=False)
    assert "east" in ds["Output"].coords[ds["Output"].dims[-1]].values.tolist()
    output = "Output[east]"
    png = tmp_path / "peel.png"
    res = runner.invoke(cli, ["discover", str(store), "--output", output, "--threshold", "p75",
                              "--plot", str(png)])
    assert res.exit_code == 0, res.output
    assert "PRIM box" in res.output and "coverage" in res.output and "CART boxes" in res.output
    assert png.stat().st_size > 5000
    bad = runner.invoke(cli, ["discover", str(store), "--output", output, "--threshold", "lots"])
    assert bad.exit_code == 1 and "Traceback" not in bad.output


def _vitality(model):
    from simsys.model.spec import ElementKind
    names = [e for e in model.elements if "vitality" in e.name.lower()
             and e.kind in (ElementKind.AUXILIARY, ElementKind.STOCK)
             and "gap" not in e.name.lower() and "weight" not in e.name.lower()]
    scalar = [e for e in names if not e.dims]
    e = (scalar or names)[0]
    if not e.dims:
        return e.name
    return f"{e.name}[{','.join(model.ranges[d][0] for d in e.dims)}]"


@pytest.mark.slow
def test_shipped_model_sweep_finds_a_high_vitality_box(runner, tmp_path):
    """The issue's case: vitality in 2035 above the sweep's 75th percentile around the baseline."""
    base = ROOT / "scenarios" / "baseline.toml"
    model = simsys.load_model(load_scenario(base).model_path)
    levers = [lv for lv in model.levers if not lv.dims and lv.min is not None
              and lv.max is not None and lv.max > lv.min][:8]
    assert len(levers) >= 2
    output = _vitality(model)
    params = "\n".join(f'"{lv.name}" = {{ range = [{lv.min!r}, {lv.max!r}] }}' for lv in levers)
    sweep = tmp_path / "sweep.toml"
    sweep.write_text(f'[sweep]\nscenario = "{base.as_posix()}"\nsampler = "latin"\nn = 160\n'
                     f'seed = 11\nchunk_size = 80\n\n[parameters]\n{params}\n\n[outputs]\n'
                     f'variables = ["{output.partition("[")[0]}"]\nsaveper = 1.0\n'
                     'summaries = ["final"]\nkeep_series = true\n')
    store = tmp_path / "sweep.zarr"
    res = runner.invoke(cli, ["sweep", str(sweep), "--out", str(store)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["discover", str(store), "--output", output, "--time", "2035",
                              "--threshold", "p75"])
    assert res.exit_code == 0, res.output
    print(res.output)
    assert "40 of 160 scenarios" in res.output
    from simsys.analysis.discover import discover
    d = discover(store, output, "p75", time=2035)
    stored = set(xr.open_zarr(store, consolidated=False)["parameter"].values.tolist())
    assert d.prim.limits and set(d.prim.limits) <= stored
    for name, (lo, hi) in d.prim.limits.items():
        assert name in res.output and f"{lo:.4g} .. {hi:.4g}" in res.output
    assert d.prim.density > 0.5 > 0.25  # far denser in high vitality than the sweep's 25%
