"""simsys sweep: a store with the design, resume of a finished store, refusal of an existing one."""
import shutil
from pathlib import Path

import numpy as np
import xarray as xr

from simsys.cli import cli

MODEL = Path(__file__).resolve().parents[1] / "sweep" / "models" / "random_levers.mdl"
BASE = """\
# Question: how much does the gain matter?
[scenario]
name = "base"
model = "models/random_levers.mdl"
[run]
final_time = 5
seed = 5
"""
SWEEP = """\
# Question: which lever moves the final stock?
[sweep]
scenario = "base.toml"
sampler = "latin"
n = 40
seed = 3
[parameters]
gain = { range = [0.5, 1.5] }
[outputs]
summaries = ["final"]
keep_series = false
"""


def _files(tmp_path):
    (tmp_path / "models").mkdir()
    shutil.copy(MODEL, tmp_path / "models" / MODEL.name)
    (tmp_path / "base.toml").write_text(BASE)
    path = tmp_path / "sweep.toml"
    path.write_text(SWEEP)
    return path


def test_sweep_writes_a_store_with_its_design(runner, tmp_path):
    sweep = _files(tmp_path)
    store = tmp_path / "out.zarr"
    res = runner.invoke(cli, ["sweep", str(sweep), "--out", str(store), "--chunk-size", "16"])
    assert res.exit_code == 0, res.output
    assert "40 scenarios in 3 chunks" in res.output
    ds = xr.open_zarr(store, consolidated=False)
    assert ds.sizes["scenario"] == 40 and "design" in ds and ds.attrs["design"]
    finals = [v for v in ds.data_vars if v.endswith(":final")]
    assert finals and np.isfinite(ds[finals[0]].values).all()
    again = runner.invoke(cli, ["sweep", str(sweep), "--out", str(store)])
    assert again.exit_code == 1 and "--resume" in again.output
    resumed = runner.invoke(cli, ["sweep", str(sweep), "--out", str(store), "--resume"])
    assert resumed.exit_code == 0 and "0 run, 3 already done" in resumed.output


def test_sweep_processes_executor_equals_inprocess(runner, tmp_path):
    sweep = _files(tmp_path)
    a, b = tmp_path / "a.zarr", tmp_path / "b.zarr"
    assert runner.invoke(cli, ["sweep", str(sweep), "--out", str(a)]).exit_code == 0
    res = runner.invoke(cli, ["sweep", str(sweep), "--out", str(b), "--executor", "processes",
                              "--workers", "2", "--chunk-size", "7"])
    assert res.exit_code == 0, res.output
    da, db = xr.open_zarr(a, consolidated=False), xr.open_zarr(b, consolidated=False)
    results = [v for v in da.data_vars if "scenario" in da[v].dims]  # not the chunk bookkeeping
    assert results
    for v in results:
        np.testing.assert_array_equal(da[v].values, db[v].values)


def test_sweep_help_teaches_by_example(runner):
    res = runner.invoke(cli, ["sweep", "--help"])
    assert res.exit_code == 0 and "--resume" in res.output and "Examples:" in res.output


def test_sweep_backend_is_recorded_and_agrees(runner, tmp_path):
    import json
    sweep = _files(tmp_path)
    a, b = tmp_path / "a.zarr", tmp_path / "b.zarr"
    res = runner.invoke(cli, ["sweep", str(sweep), "--out", str(a), "--backend", "numpy"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(cli, ["sweep", str(sweep), "--out", str(b), "--backend", "auto"])
    assert res.exit_code == 0, res.output
    manifest = json.loads(a.with_suffix(".manifest.json").read_text())
    assert manifest["call"]["options"]["backend"] == "numpy"
    da, db = xr.open_zarr(a, consolidated=False), xr.open_zarr(b, consolidated=False)
    for v in [v for v in da.data_vars if v.endswith(":final")]:
        np.testing.assert_allclose(da[v].values, db[v].values, rtol=1e-12)


def test_a_dask_sweep_logs_one_line_per_stage(tmp_path):
    """Dask's scheduler, nanny and worker INFO lines (some 35 a sweep) stay out of -v's log."""
    import os
    import subprocess
    import sys
    sweep = _files(tmp_path)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    res = subprocess.run([sys.executable, "-m", "simsys.cli", "-v", "sweep", str(sweep), "--out",
                          str(tmp_path / "d.zarr"), "--executor", "dask", "--workers", "1",
                          "--chunk-size", "20"],
                         cwd=tmp_path, capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    log = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(log) == 3, res.stderr
    assert "40 scenarios in 2 chunks" in log[0]
    assert log[1] == "simsys: INFO: dask: local cluster of 1 worker process started"
    assert log[2] == "simsys: INFO: dask: local cluster closed"
    assert "40 scenarios in 2 chunks" in res.stdout


def test_a_sweep_store_and_manifest_follow_the_umask(runner, tmp_path):
    import os
    sweep = _files(tmp_path)
    store = tmp_path / "u.zarr"
    old = os.umask(0o027)
    try:
        assert runner.invoke(cli, ["sweep", str(sweep), "--out", str(store)]).exit_code == 0
    finally:
        os.umask(old)
    files = [p for p in store.rglob("*") if p.is_file()] + [tmp_path / "u.manifest.json"]
    assert len(files) > 3
    for f in files:
        assert f.stat().st_mode & 0o777 == 0o640, (f, oct(f.stat().st_mode))
