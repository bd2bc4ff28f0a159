"""Faults during a sweep: SIGKILL at random points, a Dask worker killed mid-chunk, stale locks.

The sweep runs the tiny model tests/sweep/models/random_levers.mdl on the real engine. Each
fault is followed by ``--resume``; the finished store must equal, value for value, a sweep
that was never interrupted, and every chunk must be written exactly once after its flag was
last unset (none re-run after being flagged, none lost).
"""
from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import zarr
from click.testing import CliRunner

from simsys.cli import cli
from simsys.errors import StoreError
from simsys.manifest import results_digest
from simsys.sweep.run import run_sweep

MODEL = Path(__file__).resolve().parents[1] / "sweep" / "models" / "random_levers.mdl"
N_KILLS = 20
CHUNK = 50

BASE = """\
[scenario]
name = "base"
model = "models/random_levers.mdl"
[run]
seed = 5
[levers]
"noise scale" = 0.5
"""
SWEEP = """\
[sweep]
scenario = "base.toml"
sampler = "montecarlo"
n = {n}
seed = 3
chunk_size = {chunk}
[parameters]
gain = {{ range = [0.5, 1.5] }}
"noise scale" = {{ levels = [0.0, 0.5, 1.0] }}
"regional cooperation[east]" = {{ normal = [0.5, 0.1] }}
[outputs]
summaries = ["final", "max", "time_of_max", {{ mean = [2, 5] }}]
"""

# The CLI with chunk writes logged (before the write, with the pid) so the test can count them,
# and a kill plan "mode:k": the child SIGKILLs itself at a chosen point, so every kill lands
# where the test means it to whatever the machine's load (no sleep decides anything).
#   load    while loading the model (nothing written yet)
#   create  right after the store's metadata is created, before any chunk
#   before  at the k-th chunk write of this process, before anything of it is written
#   mid     inside the k-th chunk write: its first array written, its digest and flag not
#   after   right after the k-th chunk is written and flagged
#   none    run to the end
DRIVER = """
import os, signal, sys
import simsys.scenario
import simsys.sweep.store as st
log, plan = sys.argv[1], sys.argv[2]
mode, k = plan.split(":")
k = int(k)
def die():
    os.kill(os.getpid(), signal.SIGKILL)
if mode == "load":
    simsys.scenario.load_model_file = lambda path: die()
if mode == "create":
    real_create = st.ZarrStore.create
    def create(self, *a, **kw):
        real_create(self, *a, **kw)
        die()
    st.ZarrStore.create = create
real = st.ZarrStore.write_chunk
count = [0]
def logged(self, chunk_id, start, stop, ds):
    with open(log, "a") as fh:
        fh.write(f"{os.getpid()} {chunk_id}\\n")
    count[0] += 1
    if count[0] == k and mode == "before":
        die()
    if count[0] == k and mode == "mid":
        st.values_digest = lambda values: die()
    real(self, chunk_id, start, stop, ds)
    if count[0] == k and mode == "after":
        die()
st.ZarrStore.write_chunk = logged
from simsys.cli import main
main(sys.argv[3:])
"""


def _plans(rng: random.Random, n_chunks: int) -> list[str]:
    """N_KILLS kill plans that never let the sweep finish (each makes at most k chunks)."""
    plans = ["load:0", "create:0"]
    progress = 0
    while len(plans) < N_KILLS:
        mode, k = rng.choice(["before", "mid", "after"]), rng.randint(1, 2)
        gain = k if mode == "after" else k - 1
        if progress + gain >= n_chunks:
            mode, k, gain = "before", 1, 0
        progress += gain
        plans.append(f"{mode}:{k}")
    return plans


def _write_sweep(folder: Path, n: int = 2000, chunk: int = CHUNK) -> Path:
    (folder / "models").mkdir(parents=True, exist_ok=True)
    shutil.copy(MODEL, folder / "models" / MODEL.name)
    (folder / "base.toml").write_text(BASE)
    path = folder / "sweep.toml"
    path.write_text(SWEEP.format(n=n, chunk=chunk))
    return path


def _flags(store: Path):
    try:
        return np.asarray(zarr.open_group(store, mode="r")["simsys_chunk_done"][:], dtype=bool)
    except Exception:  # not created yet, or being created
        return None


def _assert_same_values(a: Path, b: Path) -> None:
    with xr.open_zarr(a, consolidated=False) as da, xr.open_zarr(b, consolidated=False) as db:
        assert sorted(da.variables) == sorted(db.variables)
        for name in da.variables:
            x, y = np.asarray(da[name].values), np.asarray(db[name].values)
            if x.dtype.kind == "f":
                assert np.array_equal(x, y, equal_nan=True), name
            else:
                assert x.tolist() == y.tolist(), name
    assert results_digest(a) == results_digest(b)


@pytest.mark.slow
def test_sigkill_twenty_times_then_resume_equals_uninterrupted(tmp_path):
    rng = random.Random(20261129)
    path = _write_sweep(tmp_path)
    store = tmp_path / "killed.zarr"
    log = tmp_path / "writes.log"
    env = dict(os.environ, MPLBACKEND="Agg")

    def cmd(plan):
        return [sys.executable, "-c", DRIVER, str(log), plan, "sweep", str(path), "--out",
                str(store), "--resume"]
    history = []                       # (cycle, pid, flags before, flags after)
    kills = mid_chunk = 0
    modes = Counter()
    for cycle, plan in enumerate(_plans(rng, 2000 // CHUNK)):
        start = _flags(store)
        proc = subprocess.Popen(cmd(plan), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == -signal.SIGKILL, \
            f"cycle {cycle} ({plan}): exit {proc.returncode}: {err.decode()}"
        kills += 1
        modes[plan.split(":")[0]] += 1
        after = _flags(store)
        if after is not None and 0 < after.sum() < after.size:
            mid_chunk += 1
        history.append((cycle, proc.pid, start, after))
        if after is not None and start is not None:
            assert not (start & ~after).any(), "a flagged chunk was unflagged"
            gained = int(after.sum() - start.sum())
            mode, k = plan.split(":")
            assert gained == (int(k) if mode == "after" else int(k) - 1), (plan, gained)
    assert kills == N_KILLS and modes["mid"] > 0 and modes["after"] > 0
    assert mid_chunk >= N_KILLS // 2, "the kills should land while the sweep is part done"

    # finish with --resume through the CLI, then compare with an uninterrupted sweep
    before_last = _flags(store)
    last = subprocess.Popen(cmd("none:0"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    out, err = last.communicate(timeout=300)
    assert last.returncode == 0, err
    history.append((N_KILLS, last.pid, before_last, _flags(store)))
    assert not store.with_name(store.name + ".lock").exists()
    final = _flags(store)
    assert final.all()
    whole = tmp_path / "whole.zarr"
    run_sweep(path, whole)
    _assert_same_values(store, whole)

    # chunks: none re-run after it was flagged, none lost, a repeat only after a killed write
    by_pid = {pid: (start, after) for _, pid, start, after in history}
    writes = [tuple(map(int, ln.split())) for ln in log.read_text().splitlines()]
    for pid, chunk in writes:
        start, _ = by_pid[pid]
        assert start is None or not start[chunk], f"chunk {chunk} re-run after it was flagged"
    counts = Counter(chunk for _, chunk in writes)
    assert set(counts) == set(range(final.size)), "a chunk was never written"
    seen = Counter()
    for pid, chunk in writes:
        seen[chunk] += 1
        if seen[chunk] < counts[chunk]:  # rewritten later: this write must have been cut off
            _, after = by_pid[pid]
            assert after is None or not after[chunk], f"chunk {chunk} written twice"
    print(f"{kills} kills, {mid_chunk} with the store part done, {final.size} chunks, "
          f"{sum(counts.values()) - final.size} chunk writes cut off and redone")


def test_stale_lock_is_refused_without_resume_and_taken_over_with_it(tmp_path):
    path = _write_sweep(tmp_path, n=60, chunk=10)
    store = tmp_path / "s.zarr"
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    lock = store.with_name("s.zarr.lock")
    lock.write_text(json.dumps({"pid": proc.pid, "host": socket.gethostname(),
                                "sweep_id": "killed"}))
    res = CliRunner().invoke(cli, ["sweep", str(path), "--out", str(store)])
    assert res.exit_code == 1, res.output
    assert res.output.startswith("simsys: error:") and "stale lock" in res.output
    assert f"pid {proc.pid}" in res.output and "--resume" in res.output
    assert not store.exists(), "nothing written without --resume"
    res = CliRunner().invoke(cli, ["sweep", str(path), "--out", str(store), "--resume"])
    assert res.exit_code == 0, res.output
    assert not lock.exists()
    run_sweep(path, tmp_path / "whole.zarr")
    _assert_same_values(store, tmp_path / "whole.zarr")


def test_killed_store_is_never_mixed_with_a_new_sweep(tmp_path):
    """A store half written by one sweep refuses another sweep, with or without --resume."""
    from simsys.sweep import store as store_mod
    path = _write_sweep(tmp_path, n=60, chunk=10)
    store = tmp_path / "s.zarr"
    real = store_mod.ZarrStore.write_chunk
    calls = {"n": 0}

    def die(self, *a):  # the process "dies" after three chunks
        calls["n"] += 1
        if calls["n"] > 3:
            raise KeyboardInterrupt
        return real(self, *a)
    store_mod.ZarrStore.write_chunk = die
    try:
        with pytest.raises(KeyboardInterrupt):
            run_sweep(path, store)
    finally:
        store_mod.ZarrStore.write_chunk = real
    flags = _flags(store)
    assert flags.sum() == 3 and not flags.all()
    other = _write_sweep(tmp_path / "other", n=61, chunk=10)
    with pytest.raises(StoreError, match="already exists"):
        run_sweep(other, store)
    with pytest.raises(StoreError, match="different sweep"):
        run_sweep(other, store, resume=True)
    assert _flags(store).sum() == 3, "the refused sweep wrote nothing"
    report = run_sweep(path, store, resume=True)
    assert report.chunks_skipped == 3 and report.chunks_run == flags.size - 3
    run_sweep(path, tmp_path / "whole.zarr")
    _assert_same_values(store, tmp_path / "whole.zarr")


SLOW_MODEL = '''
import os, time
from pathlib import Path
import simsys

MARKS = Path(os.environ["SIMSYS_TEST_MARKS"])


class Slow:
    """The real model; each batch announces itself (pid, first scenario) then takes a while."""

    def __init__(self, model):
        self._model = model

    def __getattr__(self, name):
        return getattr(self._model, name)

    def run_batch(self, params, **kw):
        index = kw.get("scenario_index")
        first = int(index[0]) if index is not None and len(index) else -1
        (MARKS / f"{os.getpid()}-{first}").write_text("")
        time.sleep(0.25)
        return self._model.run_batch(params, **kw)


def load(path):
    return Slow(simsys.load_model(path))
'''


@pytest.mark.slow
def test_dask_worker_killed_mid_chunk_is_retried_without_duplicates(tmp_path, monkeypatch):
    """Extends tests/sweep/test_interrupted.py::test_dask_worker_killed_mid_sweep: the real
    engine, the kill lands while the worker is inside a chunk, and every chunk is written once."""
    from distributed import Client, LocalCluster

    from simsys.sweep import store as store_mod
    (tmp_path / "slowmodel.py").write_text(SLOW_MODEL)
    marks = tmp_path / "marks"
    marks.mkdir()
    monkeypatch.setenv("SIMSYS_TEST_MARKS", str(marks))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.syspath_prepend(str(tmp_path))
    import slowmodel
    monkeypatch.setattr("simsys.scenario.load_model_file", slowmodel.load)
    path = _write_sweep(tmp_path / "sw", n=200, chunk=10)
    store = tmp_path / "dask.zarr"
    written = Counter()
    real = store_mod.ZarrStore.write_chunk

    def counted(self, chunk_id, *a):
        written[chunk_id] += 1
        return real(self, chunk_id, *a)
    monkeypatch.setattr(store_mod.ZarrStore, "write_chunk", counted)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        result = {}

        def sweep():
            try:
                result["report"] = run_sweep(path, store, executor="dask",
                                             scheduler=cluster.scheduler_address)
            except BaseException as exc:  # pragma: no cover - surfaced below
                result["error"] = exc

        thread = threading.Thread(target=sweep)
        thread.start()
        workers = set(client.run(os.getpid).values())
        victim, deadline = None, time.monotonic() + 120
        while victim is None and time.monotonic() < deadline:
            for m in marks.iterdir():
                pid, first = map(int, m.name.split("-"))
                if pid in workers and first >= 20:  # a worker is inside a chunk now
                    victim = pid
                    break
            time.sleep(0.01)
        assert victim is not None, "no worker ever started a chunk"
        os.kill(victim, signal.SIGKILL)
        assert thread.is_alive(), "the worker must die mid-sweep"
        thread.join(timeout=300)
    assert "error" not in result, result.get("error")
    report = result["report"]
    assert report.chunks_run == report.n_chunks == 20
    assert sorted(written) == list(range(20)) and set(written.values()) == {1}, written
    monkeypatch.setattr(store_mod.ZarrStore, "write_chunk", real)
    run_sweep(path, tmp_path / "whole.zarr")
    _assert_same_values(store, tmp_path / "whole.zarr")


def test_reproduce_and_resume_find_every_damaged_chunk_and_file(tmp_path):
    """Corrupt, truncate and delete chunks of several variables and the files beside the
    store: reproduce names every damaged chunk and the edited manifest, --resume recomputes
    exactly the damaged chunks and says how many, and the store then equals an undamaged one."""
    import shutil as _sh
    path = _write_sweep(tmp_path, n=100, chunk=10)
    store = tmp_path / "s.zarr"
    res = CliRunner().invoke(cli, ["sweep", str(path), "--out", str(store)])
    assert res.exit_code == 0, res.output
    clean = tmp_path / "clean.zarr"
    _sh.copytree(store, clean)
    damage = {"Stock:final": {1: "corrupt", 4: "truncate"}, "Stock:max": {7: "delete"},
              "Rate:time_of_max": {4: "delete"}}
    for var, chunks in damage.items():
        files = sorted(p for p in (store / var / "c").rglob("*") if p.is_file())
        for c, how in chunks.items():
            f = files[c]
            if how == "delete":
                f.unlink()
            elif how == "truncate":
                f.write_bytes(f.read_bytes()[:5])
            else:
                data = bytearray(f.read_bytes())
                data[len(data) // 2] ^= 0xFF
                f.write_bytes(bytes(data))
    res = CliRunner().invoke(cli, ["reproduce", str(store)])
    assert res.exit_code == 1, res.output
    assert "results on disk differ from the manifest" in res.output
    for c in (1, 4, 7):
        assert f"chunk {c} " in res.output, (c, res.output)
    for c in (0, 2, 3, 5, 6, 8, 9):
        assert f"chunk {c} " not in res.output
    assert "identical" not in res.output
    # the manifest beside the store, edited: refused before anything runs
    mf = tmp_path / "s.manifest.json"
    good = mf.read_text()
    mf.write_text(good.replace('"seed": 3', '"seed": 4'))
    res = CliRunner().invoke(cli, ["reproduce", str(mf)])
    assert res.exit_code == 1 and "edited after it was written" in res.output, res.output
    mf.write_text(good)
    res = CliRunner().invoke(cli, ["sweep", str(path), "--out", str(store), "--resume"])
    assert res.exit_code == 0, res.output
    assert "3 chunks were damaged" in res.output and "(3 run, 7 already done)" in res.output
    _assert_same_values(store, clean)
    res = CliRunner().invoke(cli, ["reproduce", str(store)])
    assert res.exit_code == 0 and "identical" in res.output, res.output
