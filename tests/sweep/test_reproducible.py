"""Results are byte-identical whatever the executor, chunk size or worker count."""
import numpy as np
import pytest
import xarray as xr

from simsys.manifest import results_digest
from simsys.sweep.run import run_sweep

N = 2000


@pytest.mark.slow
def test_identical_across_executors_and_chunk_sizes(make_sweep, tmp_path, loader,
                                                   python_path):
    path = make_sweep(n=N, chunk_size=500)
    runs = {
        "inprocess-500": dict(executor="inprocess"),
        "inprocess-64": dict(executor="inprocess", chunk_size=64),
        "processes-2x64": dict(executor="processes", workers=2, chunk_size=64),
        "dask-2x500": dict(executor="dask", workers=2),
    }
    digests = {}
    for name, kw in runs.items():
        report = run_sweep(path, tmp_path / f"{name}.zarr", **kw)
        assert report.n_scenarios == N
        digests[name] = results_digest(tmp_path / f"{name}.zarr")
    first = digests["inprocess-500"]
    for name, d in digests.items():
        assert d == first, name
    ds = xr.open_zarr(tmp_path / "inprocess-500.zarr", consolidated=False)
    # the RANDOM draws really differ between scenarios and over time
    noisy = ds["Rate"].values[ds["design"].values[:, 1] > 0]
    assert np.unique(noisy[:, 1]).size > 100 and np.unique(noisy[0]).size > 5
