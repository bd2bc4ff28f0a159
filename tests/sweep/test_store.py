"""The Zarr store: refusal to overwrite, locks, resume checks, idempotent chunk writes."""
import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

from simsys.errors import StoreError
from simsys.manifest import results_digest
from simsys.sweep.run import run_sweep
from simsys.sweep.store import ZarrStore


def _dead_pid():
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _lock(store, pid, host=None):
    store.lock_path.write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(),
                                           "sweep_id": "other"}))


def test_existing_store_needs_resume(fake_model, make_sweep, tmp_path):
    path = make_sweep(n=20)
    run_sweep(path, tmp_path / "out.zarr")
    with pytest.raises(StoreError, match="already exists; use --resume"):
        run_sweep(path, tmp_path / "out.zarr")
    report = run_sweep(path, tmp_path / "out.zarr", resume=True)
    assert report.chunks_run == 0 and report.chunks_skipped == 2


def test_live_lock_refuses(fake_model, make_sweep, tmp_path):
    store = ZarrStore(tmp_path / "out.zarr")
    _lock(store, os.getppid())
    with pytest.raises(StoreError, match=f"in use by pid {os.getppid()}"):
        run_sweep(make_sweep(n=20), store.path)
    assert store.lock_path.exists()


def test_lock_from_other_host_refuses(fake_model, make_sweep, tmp_path):
    store = ZarrStore(tmp_path / "out.zarr")
    _lock(store, 1, host="elsewhere")
    with pytest.raises(StoreError, match="locked by pid 1 on elsewhere"):
        run_sweep(make_sweep(n=20), store.path, resume=True)


def test_stale_lock_is_reported_and_resume_takes_it_over(fake_model, make_sweep, tmp_path):
    store = ZarrStore(tmp_path / "out.zarr")
    pid = _dead_pid()
    _lock(store, pid)
    with pytest.raises(StoreError, match=f"stale lock from pid {pid}.*--resume"):
        run_sweep(make_sweep(n=20), store.path)
    report = run_sweep(make_sweep(n=20), store.path, resume=True)
    assert report.chunks_run == 2 and not store.lock_path.exists()


def test_resume_refuses_a_different_sweep(fake_model, make_sweep, tmp_path):
    run_sweep(make_sweep(n=20), tmp_path / "out.zarr")
    with pytest.raises(StoreError, match="written by a different sweep"):
        run_sweep(make_sweep(n=21), tmp_path / "out.zarr",
                  resume=True)


def test_resume_reruns_unflagged_chunks(fake_model, make_sweep, tmp_path):
    path = make_sweep(n=50)
    run_sweep(path, tmp_path / "a.zarr")
    full = results_digest(tmp_path / "a.zarr")
    import zarr
    group = zarr.open_group(tmp_path / "a.zarr", mode="r+")
    group["simsys_chunk_done"][1] = False
    group["simsys_chunk_done"][3] = False
    group["Stock:final"][16:32] = -1.0  # a half-written chunk: data there, flag not set
    report = run_sweep(path, tmp_path / "a.zarr", resume=True,
                       chunk_size=7)
    assert (report.chunks_run, report.chunks_skipped) == (2, 2)
    assert results_digest(tmp_path / "a.zarr") == full


def test_chunk_write_is_idempotent(fake_model, make_sweep, tmp_path):
    run_sweep(make_sweep(n=20), tmp_path / "a.zarr")
    before = results_digest(tmp_path / "a.zarr")
    store = ZarrStore(tmp_path / "a.zarr")
    part = store.open().isel(scenario=slice(0, 16)).load()
    store.write_chunk(0, 0, 16, part)
    store.write_chunk(0, 0, 16, part)
    assert results_digest(tmp_path / "a.zarr") == before


def test_not_a_store(tmp_path):
    with pytest.raises(StoreError, match="not a readable Zarr store"):
        ZarrStore(tmp_path / "nothing.zarr").attrs()
