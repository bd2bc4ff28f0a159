"""run_sweep / run_chunk: what lands in the store."""
import json
import pickle

import numpy as np
import pytest
import xarray as xr

from simsys.errors import SweepError
from simsys.sweep.run import run_chunk, run_sweep
from simsys.sweep.spec import load_sweep


def test_sweep_store_contents(make_sweep, tmp_path, loader):
    report = run_sweep(make_sweep(n=50), tmp_path / "out.zarr")
    assert (report.n_scenarios, report.n_chunks, report.chunks_run) == (50, 4, 4)
    assert report.n_failed == 0 and report.manifest["call"]["kind"] == "sweep"
    ds = xr.open_zarr(tmp_path / "out.zarr", consolidated=False)
    assert ds.sizes["scenario"] == 50 and ds["simsys_chunk_done"].values.all()
    assert ds["Stock"].dims == ("scenario", "time")
    assert ds["Coop"].dims[:2] == ("scenario", "time")
    np.testing.assert_array_equal(ds["Stock:final"], ds["Stock"].isel(time=-1))
    np.testing.assert_array_equal(ds["Stock:max"], ds["Stock"].max("time"))
    np.testing.assert_array_equal(ds["Rate:min"], ds["Rate"].min("time"))
    np.testing.assert_array_equal(ds["Stock:mean_2_5"],
                                  ds["Stock"].sel(time=slice(2, 5)).mean("time"))
    np.testing.assert_array_equal(ds["Stock:time_of_max"], ds["Stock"].idxmax("time"))
    # the design drives the runs: with no noise the rate is exactly the gain
    design = ds["design"].values
    quiet = design[:, 1] == 0
    np.testing.assert_allclose(ds["Rate"].values[quiet, 0], design[quiet, 0])
    assert json.loads(ds.attrs["design"])["names"][0] == "gain"
    assert ds.attrs["simsys_spec_digest"] == report.spec_digest
    assert "simsys_manifest" in ds.attrs


def test_summaries_only(make_sweep, tmp_path, loader):
    run_sweep(make_sweep(n=20, keep_series="false"), tmp_path / "out.zarr")
    ds = xr.open_zarr(tmp_path / "out.zarr", consolidated=False)
    assert "Stock" not in ds and "time" not in ds.dims
    assert ds["Coop:final"].dims[0] == "scenario"


def test_output_times_and_variables(make_sweep, tmp_path, loader):
    path = make_sweep(n=10)
    path.write_text(path.read_text().replace(
        "[outputs]", '[outputs]\nvariables = ["Stock"]\ntimes = [0, 5, 10]'))
    run_sweep(path, tmp_path / "out.zarr")
    ds = xr.open_zarr(tmp_path / "out.zarr", consolidated=False)
    assert list(ds["time"].values) == [0, 5, 10]
    assert "Rate" not in ds and "Stock:final" in ds


def test_time_off_grid(fake_model, make_sweep, tmp_path):
    path = make_sweep(n=10)
    path.write_text(path.read_text().replace("[outputs]", "[outputs]\ntimes = [2.5]"))
    with pytest.raises(SweepError, match="not on the saving grid"):
        run_sweep(path, tmp_path / "out.zarr")


def test_chunk_task_is_picklable_and_pure(fake_model, make_sweep, tmp_path):
    from simsys.sweep.run import _task
    from simsys.sweep.spec import build_design, validate_sweep
    from simsys.scenario import scenario_params
    import fakemodel
    spec = load_sweep(make_sweep(n=10))
    model = fakemodel.load(spec.scenario.model_path)
    spec = validate_sweep(spec, model)
    task = _task(spec, model, scenario_params(spec.scenario, model), build_design(spec),
                 0, 3, 7, fakemodel.load)
    again = pickle.loads(pickle.dumps(task))
    a, b = run_chunk(task), run_chunk(again)
    xr.testing.assert_identical(a, b)
    assert list(a["scenario"].values) == [3, 4, 5, 6]


def test_unknown_executor(make_sweep, tmp_path):
    with pytest.raises(SweepError, match="valid: inprocess, processes, dask"):
        run_sweep(make_sweep(), tmp_path / "o.zarr", executor="threads")


def test_progress_counts_scenarios(fake_model, make_sweep, tmp_path):
    class Bar:
        total = None
        n = 0

        def update(self, k):
            self.n += k

    bar = Bar()
    run_sweep(make_sweep(n=50), tmp_path / "o.zarr", progress=bar)
    assert bar.total == 50 and bar.n == 50


def test_reproduce_sweep(make_sweep, tmp_path, loader):
    from simsys.manifest import reproduce
    path = make_sweep(n=40)
    report = run_sweep(path, tmp_path / "o.zarr", command="simsys sweep")
    assert report.manifest_path == tmp_path / "o.manifest.json"
    assert reproduce(report.manifest_path).identical
    assert reproduce(tmp_path / "o.zarr").identical  # the store carries its manifest too
    base = tmp_path / "base.toml"
    base.write_text(base.read_text().replace('hub = 0.9', 'hub = 0.7'))
    again = reproduce(report.manifest_path)
    assert not again.identical and again.inputs_changed == (str(base.resolve()),)
    fd = again.first_difference
    assert fd["scenario"] is not None and fd["variable"] in again.differing
