"""Running a sweep: design -> chunks -> executor -> store.

:func:`run_chunk` is the pure, picklable unit of work: it loads the model (once per
process), runs a block of scenarios with ``run_batch`` and reduces them to what the
sweep keeps. Seeds of RANDOM functions come from (root seed, scenario index) inside
the engine, so results do not depend on the executor, chunk size or worker count.
"""
from __future__ import annotations

import json
import logging
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import xarray as xr

from ..errors import StoreError, SweepError
from .. import scenario as _scenario
from ..scenario import RunSettings, scenario_params
from ..wording import count
from .executors import make_executor
from .spec import (Design, OutputSpec, SweepSpec, build_design, load_sweep, spec_digest,
                   validate_sweep)
from .store import ZarrStore

__all__ = ["ChunkTask", "run_chunk", "run_sweep", "SweepReport", "summarise"]

log = logging.getLogger(__name__)
_MODELS: dict[tuple, Any] = {}
_BYTES_ATTR = "simsys_bytes_per_scenario"


def available_memory() -> int | None:
    """Bytes of physical memory free now (None where the platform does not say)."""
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(bytes_per_scenario: int, chunk_size: int, in_flight: int) -> None:
    """Refuse a sweep whose chunks in flight would not fit in free memory.

    Raises
    ------
    SweepError
        With the estimate (scenarios x saved times x outputs, as measured on one
        scenario) and the limit.
    """
    need = bytes_per_scenario * chunk_size * in_flight * 2  # the series and their summaries
    free = available_memory()
    if free is not None and need > free:
        raise SweepError(f"a chunk of {count(chunk_size, 'scenario')} needs about {need / 2**20:.0f} MiB "
                         f"({in_flight} in flight, {bytes_per_scenario} bytes per scenario), "
                         f"more than the {free / 2**20:.0f} MiB free; use a smaller "
                         f"--chunk-size or fewer --workers", variable="chunk_size")


@dataclass(frozen=True)
class ChunkTask:
    """Everything one chunk needs; plain data, so any executor can ship it.

    ``rows`` are the design values of scenarios ``start`` .. ``stop - 1`` (one column
    per ``targets`` key); ``base_params`` are the base scenario's lever settings.
    ``load`` is the function (never a name from a file) that loads the model in a worker:
    :func:`simsys.scenario.load_model_file` as it was when the sweep started.
    """

    model_path: str
    model_digest: str
    base_params: Mapping[str, Any]
    targets: tuple[str, ...]
    rows: np.ndarray
    start: int
    stop: int
    chunk_id: int
    run: RunSettings
    outputs: OutputSpec
    root_seed: int
    load: Callable | None = None
    backend: str = "auto"


def _load_model(load: Callable | None, path: str, digest: str):
    load = load or _scenario.load_model_file
    key = (getattr(load, "__module__", ""), getattr(load, "__qualname__", ""), path, digest)
    model = _MODELS.get(key)
    if model is None:
        model = load(path)
        if model.digest != digest:
            raise SweepError(f"the model changed while the sweep ran (digest "
                             f"{model.digest[:12]} instead of {digest[:12]})",
                             location=path)
        _MODELS[key] = model
    return model


def _time_of_max(da: xr.DataArray) -> xr.DataArray:
    values = da.values
    axis = da.get_axis_num("time")
    nan = np.isnan(values)
    idx = np.argmax(np.where(nan, -np.inf, values), axis=axis)
    out = np.asarray(da["time"].values, dtype=float)[idx]
    out = np.where(nan.all(axis=axis), np.nan, out)
    return xr.DataArray(out, dims=[d for d in da.dims if d != "time"])


def summarise(ds: xr.Dataset, outputs: OutputSpec) -> xr.Dataset:
    """Reduce a batch's series to the sweep's summaries and kept series.

    Parameters
    ----------
    ds : xarray.Dataset
        ``run_batch`` output (dims scenario, time, ...).
    outputs : OutputSpec
        Which summaries and series to keep.

    Returns
    -------
    xarray.Dataset
        ``"<variable>:<summary>"`` variables (time reduced away), and the series
        themselves (at ``outputs.times`` if set) when ``keep_series``.

    Raises
    ------
    SweepError
        If a requested time is not on the saving grid.
    """
    series = [n for n, v in ds.data_vars.items() if "time" in v.dims]
    out = ds.copy()
    for name in series:
        da = ds[name]
        for s in outputs.summaries:
            if s.kind == "final":
                val = da.isel(time=-1, drop=True)
            elif s.kind == "max":
                val = da.max("time")
            elif s.kind == "min":
                val = da.min("time")
            elif s.kind == "time_of_max":
                val = _time_of_max(da)
            else:
                val = da.sel(time=slice(s.t1, s.t2)).mean("time")
            out[f"{name}:{s.label}"] = val.assign_attrs(
                {k: v for k, v in da.attrs.items() if k == "units"})
    if not outputs.keep_series:
        out = out.drop_vars(series + ["time"], errors="ignore")
    elif outputs.times is not None:
        grid = np.asarray(ds["time"].values, dtype=float)
        pos = []
        for t in outputs.times:
            hit = np.flatnonzero(np.isclose(grid, t, rtol=0, atol=1e-9 * max(1.0, abs(t))))
            if hit.size == 0:
                raise SweepError(f"output time {t:g} is not on the saving grid "
                                 f"({grid[0]:g} to {grid[-1]:g} every "
                                 f"{(grid[1] - grid[0]) if grid.size > 1 else 0:g})",
                                 variable="times")
            pos.append(int(hit[0]))
        out = out.isel(time=pos)
    return out


def run_chunk(task: ChunkTask) -> xr.Dataset:
    """Run one chunk of scenarios and reduce it to what the sweep keeps.

    Parameters
    ----------
    task : ChunkTask
        The chunk (model path and digest, base parameters, design rows, settings).

    Returns
    -------
    xarray.Dataset
        Dims ``("scenario", ...)`` with ``scenario`` = ``start .. stop - 1``.

    Raises
    ------
    SweepError
        If the model file changed since the sweep started.
    SimsysError
        Whatever the engine raises for invalid parameters.
    """
    model = _load_model(task.load, task.model_path, task.model_digest)
    params = dict(task.base_params)
    for j, target in enumerate(task.targets):
        params[target] = np.ascontiguousarray(task.rows[:, j])
    index = np.arange(task.start, task.stop)
    # a custom loader's model may not take a backend: pass one only when it was asked for
    extra = {} if task.backend == "auto" else {"backend": task.backend}
    ds = model.run_batch(params, seed=task.root_seed, scenario_index=index, **extra,
                         return_columns=list(task.outputs.variables)
                         if task.outputs.variables else None,
                         **task.run.as_kwargs())
    ds = ds.assign_coords(scenario=index)
    from ..names import encode_names
    out = encode_names(summarise(ds, task.outputs))
    out.attrs[_BYTES_ATTR] = int(ds.nbytes // max(1, len(index)))
    return out


@dataclass(frozen=True)
class SweepReport:
    """What :func:`run_sweep` did."""

    store: Path
    sweep_id: str
    spec_digest: str
    n_scenarios: int
    n_chunks: int
    chunks_run: int
    chunks_skipped: int
    n_failed: int
    seconds: float
    manifest: dict = field(repr=False, default_factory=dict)
    manifest_path: Path | None = None
    chunks_repaired: int = 0


def _progress(progress):
    if progress is None or progress is False:
        return None
    if progress is True:
        from tqdm.auto import tqdm
        return tqdm(unit="scenario", disable=None, desc="sweep")
    return progress


def run_sweep(spec_or_path: SweepSpec | str | Path, store_path: str | Path, *,
              executor: str = "inprocess", workers: int | None = None,
              chunk_size: int | None = None, resume: bool = False,
              scheduler: str | None = None, progress=False,
              command: str | None = None, backend: str = "auto") -> SweepReport:
    """Run every scenario of a sweep and write the results to a Zarr store.

    Parameters
    ----------
    spec_or_path : SweepSpec or str or Path
        A sweep spec or the sweep TOML file.
    store_path : str or Path
        The Zarr store to create (or, with ``resume``, to complete).
    executor : str
        ``"inprocess"``, ``"processes"`` or ``"dask"`` (see ``EXECUTORS``).
    workers : int, optional
        Worker processes (default: the CPU count).
    chunk_size : int, optional
        Scenarios per chunk (default: the sweep file's, else 500). A resumed store
        keeps the chunk size it was created with.
    resume : bool
        Complete an interrupted store: chunks already flagged are skipped.
    scheduler : str, optional
        Dask scheduler address (with ``executor="dask"``).
    progress : bool or tqdm-like, optional
        True for a tqdm bar (hidden when not a TTY), or an object with ``update(n)``
        (and ``total``), counting scenarios.
    command : str, optional
        The command line, recorded in the manifest.
    backend : {"auto", "numpy", "c"}
        The engine every chunk uses (recorded in the manifest's call options).

    Returns
    -------
    SweepReport
        Counts, timing and the manifest, which is also stored in the store's attrs
        (``simsys_manifest``) and written beside it as ``<store stem>.manifest.json``.

    Raises
    ------
    ScenarioError
        If the sweep file or its base scenario is invalid.
    SweepError
        If the executor is unknown or a chunk fails.
    StoreError
        If the store exists (without ``resume``), is locked by a live sweep, or was
        written by a different sweep.
    """
    t0 = time.perf_counter()
    spec = spec_or_path if isinstance(spec_or_path, SweepSpec) else load_sweep(spec_or_path)
    if chunk_size is not None and (isinstance(chunk_size, bool) or chunk_size < 1):
        raise SweepError(f"chunk_size must be a positive integer, found {chunk_size!r}",
                         variable="chunk_size")
    pool = make_executor(executor, workers=workers, scheduler=scheduler)
    model_path = str(spec.scenario.model_path)
    loader = _scenario.load_model_file
    model = loader(model_path)
    _MODELS[(getattr(loader, "__module__", ""), getattr(loader, "__qualname__", ""),
             model_path, model.digest)] = model
    spec = validate_sweep(spec, model)
    digest = spec_digest(spec, model.digest)
    design = build_design(spec)
    base = scenario_params(spec.scenario, model)
    n = len(design.values)
    store = ZarrStore(store_path)
    _refuse_run_folder(store.path)
    if store.path.exists() and not store.path.is_dir():
        raise StoreError("the path exists and is a file, not a directory; a store is a folder "
                         "(give a new path)", location=store.path)
    if store.exists() and not resume:
        raise StoreError("store already exists; use --resume to complete it or give "
                         "another path", location=store.path)
    sweep_id = uuid.uuid4().hex[:12]
    store.acquire(sweep_id, resume=resume)
    try:
        if store.exists():
            attrs = store.attrs()
            if "simsys_spec_digest" not in attrs:
                raise StoreError("store is incomplete or not a simsys sweep store (no spec "
                                 "digest); delete it and start again", location=store.path)
            if attrs["simsys_spec_digest"] != digest:
                raise StoreError("store was written by a different sweep (spec, base "
                                 "scenario or model changed); use another path",
                                 location=store.path)
            stored = int(attrs["simsys_chunk_size"])
            if chunk_size is not None and chunk_size != stored:
                log.warning("resuming with the store's chunk size %d, not %d", stored,
                            chunk_size)
            chunk_size = stored
            done = store.completed()
            damaged = store.verify_chunks(chunk_size)
            if damaged:
                log.warning("%d chunk(s) flagged done do not match their digests (%s); "
                            "recomputing them", len(damaged),
                            ", ".join(f"{c}: {', '.join(v)}" for c, v in
                                      sorted(damaged.items())[:5]))
                done = done.copy()
                done[list(damaged)] = False
        else:
            chunk_size = chunk_size or spec.chunk_size
            task0 = _task(spec, model, base, design, 0, 0, min(1, n), loader, backend)
            template = run_chunk(task0)
            check_memory(int(template.attrs.pop(_BYTES_ATTR, 0)), chunk_size,
                         1 if executor == "inprocess" else 2 * (pool.workers or 1))
            store.create(template, n_scenarios=n, chunk_size=chunk_size,
                         design=design.to_dataarray(), attrs={
                             "simsys_spec_digest": digest,
                             "simsys_chunk_size": chunk_size,
                             "simsys_sweep_id": sweep_id,
                             "simsys_sweep": json.dumps({"file": str(spec.path),
                                                         "sampler": spec.sampler,
                                                         "n": spec.n, "seed": spec.seed,
                                                         "root_seed": spec.root_seed}),
                             "design": json.dumps(design.attrs()),
                         })
            done = store.completed()
            damaged = {}
        todo = [c for c in range(len(done)) if not done[c]]
        log.info("sweep %s: %s in %s, %d to run", sweep_id, count(n, "scenario"),
                 count(len(done), "chunk"), len(todo))
        bar = _progress(progress)
        if bar is not None and getattr(bar, "total", None) in (None, 0):
            bar.total = n
        if bar is not None:
            bar.update(n - sum(min(chunk_size, n - c * chunk_size) for c in todo))
        failed = 0
        tasks = (_task(spec, model, base, design, c, c * chunk_size,
                       min(n, (c + 1) * chunk_size), loader, backend) for c in todo)
        try:
            with pool:
                for task, ds in pool.imap_unordered(run_chunk, tasks):
                    store.write_chunk(task.chunk_id, task.start, task.stop, ds)
                    if "simsys_status" in ds.variables:
                        failed += int((np.asarray(ds["simsys_status"].values) != 0).sum())
                    if bar is not None:
                        bar.update(task.stop - task.start)
        finally:
            if bar is not None and progress is True:
                bar.close()
        from ..manifest import build_manifest, finish_manifest, write_manifest
        from ..reproduce import lever_texts
        manifest = build_manifest(
            model_path=model_path,
            scenario_paths=(spec.path, spec.scenario.path, *spec.scenario.chain),
            command=command, seed=spec.seed, results=store.path,
            data_paths=tuple(getattr(model, "data_files", ()) or ()),
            call={"kind": "sweep", "scenario": str(spec.path),
                  "options": {"chunk_size": chunk_size, "backend": backend},
                  "results": str(store.path.resolve())},
            extra={"sweep_id": sweep_id, "spec_digest": digest, "n_scenarios": n},
            levers=lever_texts(spec.scenario))
        manifest = finish_manifest(manifest, store.path.parent)
        store.set_attrs(simsys_manifest=json.dumps(manifest, sort_keys=True))
        manifest_path = write_manifest(store.path.with_suffix(".manifest.json"), manifest)
    finally:
        store.release()
    return SweepReport(store=store.path, sweep_id=sweep_id, spec_digest=digest,
                       n_scenarios=n, n_chunks=len(done), chunks_run=len(todo),
                       chunks_skipped=len(done) - len(todo), n_failed=failed,
                       chunks_repaired=len(damaged),
                       seconds=time.perf_counter() - t0, manifest=manifest,
                       manifest_path=manifest_path)


def _refuse_run_folder(path: Path) -> None:
    """A store may not go inside a ``simsys run`` folder, nor over a run's manifest."""
    here = path.resolve() if path.exists() else path.parent.resolve() / path.name
    manifest = here.with_suffix(".manifest.json")
    if manifest.exists() and not here.exists():
        try:
            kind = json.loads(manifest.read_text(encoding="utf-8")).get("call", {}).get("kind")
        except (OSError, ValueError, AttributeError):
            kind = None
        if kind != "sweep":
            raise StoreError(f"{manifest.name} beside the store belongs to another run; give "
                             f"another --out", location=path)
    for folder in (here.parent, *here.parent.parents):
        if (folder / ".simsys-run.lock").exists() or any(folder.glob("*.manifest.json")) and \
                any(folder.glob("*_headline.csv")):
            raise StoreError(f"the store would be inside the results folder of a run "
                             f"({folder}); give a path outside it", location=path)


def _task(spec: SweepSpec, model, base, design: Design, chunk_id: int, start: int, stop: int,
          loader: Callable, backend: str = "auto") -> ChunkTask:
    outputs = spec.outputs
    run = RunSettings(**{**{k: v for k, v in spec.scenario.run.as_kwargs().items()
                            if k != "seed"},
                         **({"saveper": outputs.saveper} if outputs.saveper else {})})
    return ChunkTask(model_path=str(spec.scenario.model_path), model_digest=model.digest,
                     base_params=base, targets=tuple(p.target or p.name
                                                     for p in spec.parameters),
                     rows=design.values[start:stop], start=start, stop=stop,
                     chunk_id=chunk_id, run=run, outputs=outputs,
                     root_seed=spec.root_seed, load=loader, backend=backend)
