"""The numba backend: one compiled kernel per model, cached on disk, run chunk by chunk.

:func:`to_numba` wraps a numpy :class:`~.compiled.CompiledModel`. Euler runs with constant
parameters go through the generated kernel (:mod:`.numba_codegen`); everything else (RK4,
adaptive steps, time-varying policies) goes through the numpy code, which stays the
reference. Scenarios whose values stop being finite are only detected by the kernel and
re-run through numpy, whose results (with the variable and time named) replace them.

The kernel's module is written to the private cache directory ``$XDG_CACHE_HOME/simsys/numba``
(see :mod:`.cache`) under a name hashed from its source, the runtime helpers and numba's
version, so that numba's own ``cache=True`` keeps the machine code next to it: a second
load of the same model, in any process, compiles nothing. The text that runs is the one
checked in memory, never the file read back.
"""
from __future__ import annotations

import hashlib
import logging
import sys
import threading
import types
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ScenarioError
from ..solve.simulate import RawResult, simulate
from .cache import private_dir, write_private
from .codegen import check_source
from .compiled import CompiledModel, _as_mapping, _batch_size
from .numba_codegen import HEADER, is_big, kernel_source, unsupported_reason
from .runtime import scenario_keys

__all__ = ["NumbaModel", "to_numba", "cache_dir", "DEFAULT_CHUNK_BYTES"]

log = logging.getLogger(__name__)

#: default bound on the outputs one chunk writes (scenarios per chunk follow from it)
DEFAULT_CHUNK_BYTES = 256 * 2**20
_LOCK = threading.Lock()


def cache_dir() -> Path:
    """Where generated kernels live: ``$XDG_CACHE_HOME/simsys/numba``, private to the user.

    Raises
    ------
    CacheError
        The directory is not private (see :func:`.cache.private_dir`).
    """
    return private_dir("numba")


def _module_text(body: str) -> tuple[str, str]:
    """Full module text and its digest (source, runtime helpers and numba version)."""
    import numba
    runtime = (Path(__file__).parent / "numba_runtime.py").read_bytes()
    h = hashlib.sha256()
    for part in (HEADER.encode(), body.encode(), runtime, numba.__version__.encode(),
                 np.__version__.encode()):
        h.update(hashlib.sha256(part).digest())
    return HEADER + body, h.hexdigest()[:24]


def _load_kernel(body: str):
    """Check the kernel source and run exactly that text; returns its ``_run`` and file.

    The checked text is compiled from memory. The file of the same content in the private
    cache directory exists only so that numba's ``cache=True`` can find (and stamp) the
    machine code it keeps next to it; it is written when missing or different and never
    read back, so nothing between the check and the run can change what runs.
    """
    check_source(body)
    text, digest = _module_text(body)
    d = cache_dir()
    name = f"simsys_kernel_{digest}"
    path = d / f"{name}.py"
    data = text.encode("utf-8")
    try:
        same = path.is_file() and not path.is_symlink() and path.stat().st_size == len(data) \
            and path.read_bytes() == data
    except OSError:
        same = False
    if not same:
        write_private(path, data)  # atomic: a concurrent reader sees the old file or the new one
    mod = sys.modules.get(name)
    if mod is None:
        code = compile(text, str(path), "exec")  # our constant header + the body checked above
        mod = types.ModuleType(name)
        mod.__file__ = str(path)
        sys.modules[name] = mod
        try:
            exec(code, mod.__dict__)  # noqa: S102 - only the checked text reaches this
        except BaseException:
            sys.modules.pop(name, None)
            raise
    return mod._run, path


@dataclass(eq=False)
class NumbaModel(CompiledModel):
    """A :class:`CompiledModel` whose Euler runs go through a compiled numba kernel."""

    kernel_source: str = ""
    kernel_path: Path | None = None
    _kernel: object = field(default=None, repr=False)

    def __post_init__(self):
        super().__post_init__()
        L = self.layout
        if L.tables:
            self._tx = np.ascontiguousarray(np.concatenate([np.asarray(t[0], float) for t in L.tables]))
            self._ty = np.ascontiguousarray(np.concatenate([np.asarray(t[1], float) for t in L.tables]))
        else:
            self._tx = self._ty = np.zeros(1)

    def kernel(self):
        """The compiled ``_run`` (loaded from the disk cache, or compiled on first use)."""
        if self._kernel is None:
            with _LOCK:
                if self._kernel is None:
                    self._kernel, self.kernel_path = _load_kernel(self.kernel_source)
        return self._kernel

    def run_batch(self, params, *, final_time=None, time_step=None, saveper=None, method="euler",
                  seed=None, scenario_index=None, return_columns=None, rtol=1e-6, atol=1e-9,
                  chunk_size=None, _n=None):
        """Run many scenarios; see :meth:`CompiledModel.run_batch`.

        Parameters
        ----------
        chunk_size : int, optional
            Scenarios per kernel call (default: as many as keep one chunk's outputs under
            :data:`DEFAULT_CHUNK_BYTES`). Results do not depend on it.

        Raises
        ------
        ScenarioError, SolveError
        """
        kw = dict(final_time=final_time, time_step=time_step, saveper=saveper, method=method,
                  seed=seed, scenario_index=scenario_index, return_columns=return_columns,
                  rtol=rtol, atol=atol, _n=_n)
        if method != "euler":
            log.debug("method %r runs on the numpy backend", method)
            return super().run_batch(params, **kw)
        from ..results import to_dataset
        params = _as_mapping(params)
        n = _n or _batch_size(params, None if scenario_index is None else len(scenario_index))
        if scenario_index is None:
            scenario_index = np.arange(n)
        scenario_index = np.asarray(scenario_index, dtype=np.int64)
        if scenario_index.shape != (n,):
            raise ScenarioError(f"scenario_index has shape {scenario_index.shape}, expected ({n},)")
        P, policies = self.parameters(params, n)
        if policies:
            log.debug("time-varying policies run on the numpy backend")
            return super().run_batch(params, **kw)
        sched = self.schedule(final_time, time_step, saveper)
        self.set_controls(P, sched)
        sel, columns = self.selection(return_columns)
        keys = scenario_keys(0 if seed is None else int(seed), scenario_index)
        raw = self.simulate_euler(P, keys, sched, sel, chunk_size=chunk_size)
        return to_dataset(self, raw, columns, scenario_index,
                          settings=dict(method=method, seed=seed, final_time=sched.final_time,
                                        time_step=sched.time_step, saveper=sched.saveper))

    def simulate_euler(self, P, keys, schedule, sel, *, chunk_size=None) -> RawResult:
        """Euler run of a batch through the kernel; same contract as :func:`simulate`.

        Raises
        ------
        ScenarioError
            A chunk size below 1.
        """
        run = self.kernel()
        B = P.shape[1]
        grid = schedule.times()
        times = np.array([t for t, _ in grid], dtype=np.float64)
        saves = np.array([s for _, s in grid], dtype=np.bool_)
        n_save = int(saves.sum())
        sy, sv, sp = (np.ascontiguousarray(a, dtype=np.int64) for a in (sel.y, sel.v, sel.p))
        out_y = np.empty((B, n_save, sy.size))
        out_v = np.empty((B, n_save, sv.size))
        out_p = np.empty((B, n_save, sp.size))
        status = np.zeros(B, dtype=np.int8)
        fstep = np.full(B, -1, dtype=np.int64)
        PT = np.ascontiguousarray(P.T, dtype=np.float64)
        keys = np.ascontiguousarray(keys, dtype=np.uint64)
        if chunk_size is None:
            per = 8 * max(n_save, 1) * max(sy.size + sv.size + sp.size, 1)
            chunk_size = max(64, DEFAULT_CHUNK_BYTES // per)
        chunk_size = int(chunk_size)
        if chunk_size < 1:
            raise ScenarioError(f"chunk_size must be at least 1, found {chunk_size}", variable="chunk_size")
        dt = np.float64(schedule.time_step)
        for lo in range(0, B, chunk_size):
            hi = min(B, lo + chunk_size)
            run(PT[lo:hi], keys[lo:hi], self._tx, self._ty, times, saves, dt, times.size, hi - lo,
                sy, sv, sp, sy.size, sv.size, sp.size, out_y[lo:hi], out_v[lo:hi], out_p[lo:hi],
                status[lo:hi], fstep[lo:hi])
        fail_time = np.full(B, np.nan)
        fail_var = np.full(B, "", dtype=object)
        bad = np.flatnonzero(status)
        if bad.size:
            # the kernel only detects; numpy, the reference, reruns the few failed scenarios
            # and its results (NaN from the failure on, variable and time named) replace them
            ref = simulate(self, P[:, bad], keys[bad], schedule, sel)
            status[bad] = ref.status
            fail_time[bad] = ref.fail_time
            fail_var[bad] = ref.fail_variable
            for out, got in ((out_y, ref.y), (out_v, ref.v), (out_p, ref.p)):
                out[bad] = got.transpose(2, 0, 1)
        return RawResult(times=times[saves], y=out_y.transpose(1, 2, 0), v=out_v.transpose(1, 2, 0),
                         p=out_p.transpose(1, 2, 0), status=status, fail_time=fail_time,
                         fail_variable=fail_var)


def _cached(body: str) -> bool:
    """Whether this kernel's machine code is already in the disk cache."""
    _, digest = _module_text(body)
    name = f"simsys_kernel_{digest}"
    d = cache_dir()
    return (d / f"{name}.py").exists() and any((d / "__pycache__").glob(f"{name}._one-*.nbi"))


def to_numba(cm: CompiledModel, *, only_if_cheap: bool = False) -> CompiledModel:
    """The numba version of a numpy compiled model, or ``cm`` itself when numba cannot run it.

    The kernel is compiled (or loaded from the disk cache) on its first run.

    Parameters
    ----------
    cm : CompiledModel
        The numpy model.
    only_if_cheap : bool
        Keep numpy for a big model (over :data:`.numba_codegen.SCALAR_LIMIT` variables) whose
        kernel is not in the disk cache yet: its first compile takes minutes.
    """
    reason = unsupported_reason(cm.layout)
    if reason is not None:
        log.info("%s: the numba backend does not support %s; using numpy", cm.model.path, reason)
        return cm
    body = kernel_source(cm.layout, cm.aux_order, cm.init_nodes)
    if only_if_cheap and is_big(cm.layout) and not _cached(body):
        log.info("%s: big model, its numba kernel is not compiled yet; using numpy (compile it "
                 "once with backend='numba')", cm.model.path)
        return cm
    return NumbaModel(model=cm.model, layout=cm.layout, aux_order=cm.aux_order,
                      init_nodes=cm.init_nodes, source=cm.source, backend="numba", _ns=cm._ns,
                      kernel_source=body)
