"""Sweeps: a parameter space over a base scenario, sampled, run in chunks, stored in Zarr.

Read in order: :mod:`.spec` (sweep file -> SweepSpec -> Design), :mod:`.samplers`,
:mod:`.run` (the pure ``run_chunk`` and ``run_sweep``), :mod:`.executors` (in-process,
processes, Dask) and :mod:`.store` (the resumable Zarr store).
"""
from .executors import EXECUTORS, make_executor
from .run import ChunkTask, SweepReport, run_chunk, run_sweep
from .samplers import SAMPLERS
from .spec import Design, SweepSpec, build_design, load_sweep, validate_sweep
from .store import STORES, ZarrStore

__all__ = ["run_sweep", "SweepReport", "load_sweep", "validate_sweep", "build_design",
           "SweepSpec", "Design", "run_chunk", "ChunkTask", "SAMPLERS", "EXECUTORS",
           "STORES", "ZarrStore", "make_executor"]
