"""Interrupted sweeps: a killed process is resumed; a killed Dask worker is retried."""
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import zarr

from simsys.manifest import results_digest
from simsys.sweep.run import run_sweep

SCRIPT = """
import sys
import simsys.scenario
from simsys.sweep.run import run_sweep
if sys.argv[3] == "fake":  # the test injects the stand-in model in the child it starts
    import fakemodel
    simsys.scenario.load_model_file = fakemodel.load
run_sweep(sys.argv[1], sys.argv[2], chunk_size=20)
"""


def _flags(store):
    try:
        return np.asarray(zarr.open_group(store, mode="r")["simsys_chunk_done"][:])
    except Exception:
        return None


def _wait_for(store, done_at_least, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        flags = _flags(store)
        if flags is not None and flags.sum() >= done_at_least:
            return flags
        time.sleep(0.02)
    raise AssertionError("the sweep never flagged enough chunks")


@pytest.mark.slow
def test_sigkill_then_resume_equals_uninterrupted(make_sweep, tmp_path, loader, python_path):
    path = make_sweep(n=300, final_time=300)
    store = tmp_path / "killed.zarr"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(path), str(store), loader],
                            env=os.environ.copy())
    try:
        _wait_for(store, 3)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    flags = _flags(store)
    assert 3 <= flags.sum() < flags.size, "kill the sweep mid-way"
    assert store.with_name(store.name + ".lock").exists()  # stale lock left behind
    report = run_sweep(path, store, resume=True)
    assert report.chunks_skipped == int(flags.sum())
    run_sweep(path, tmp_path / "whole.zarr", chunk_size=20)
    assert results_digest(store) == results_digest(tmp_path / "whole.zarr")


@pytest.mark.slow
def test_dask_worker_killed_mid_sweep(fake_model, make_sweep, tmp_path, python_path):
    from distributed import Client, LocalCluster
    path = make_sweep(n=300, final_time=300)
    store = tmp_path / "dask.zarr"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        result = {}

        def sweep():
            try:
                result["report"] = run_sweep(path, store, executor="dask",
                                             scheduler=cluster.scheduler_address,
                                             chunk_size=20)
            except BaseException as exc:  # pragma: no cover - surfaced below
                result["error"] = exc

        thread = threading.Thread(target=sweep)
        thread.start()
        _wait_for(store, 2)
        pids = client.run(os.getpid)
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        assert thread.is_alive(), "the worker must die mid-sweep"
        thread.join(timeout=300)
    assert "error" not in result, result.get("error")
    assert result["report"].chunks_run == 15
    run_sweep(path, tmp_path / "whole.zarr", chunk_size=20)
    assert results_digest(store) == results_digest(tmp_path / "whole.zarr")
