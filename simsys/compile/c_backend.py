"""The C backend: one generated C kernel per model, built with the system compiler, cached.

:func:`to_c` wraps a numpy :class:`~.compiled.CompiledModel`. Euler and RK4 runs, with
time-varying policies, RANDOM functions, DELAY FIXED and SAMPLE IF TRUE, go through the
kernel (:mod:`.c_codegen`, :mod:`.c_runtime`); the adaptive method goes through numpy.
Scenarios run in column blocks on ``threads`` threads (ctypes releases the GIL during the
call); each scenario's numbers depend only on its own column, so results are the same bits
whatever the block size or thread count.

The kernel text is checked by :func:`.vet.check_c_source` and exactly that text is piped to
the compiler (``cc -x c -``): a big kernel as several translation units cut from it
(:func:`.c_codegen.units`), compiled in parallel on the cores this process may use and linked;
the shared library lands in the private cache directory
``$XDG_CACHE_HOME/simsys/c`` (see :mod:`.cache`) under a hash of the text, the compiler's
version, the flags and (with ``-march=native``) the CPU, so a second load of the same model, in
any process, compiles nothing.
"""
from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ScenarioError, SimsysError
from ..solve.schedule import Schedule
from ..solve.simulate import RawResult, Selection, _flag
from .cache import private_dir
from .c_codegen import VARIANTS, c_source, units
from .compiled import CompiledModel, _as_mapping, _batch_size
from .runtime import scenario_keys
from .vet import check_c_source

__all__ = ["CModel", "to_c", "compiler", "FLAGS", "CompileError"]

log = logging.getLogger(__name__)

#: flags that keep IEEE semantics: no fast-math, no FMA contraction.
#: -fno-math-errno only stops libm calls from setting errno (results are the same).
FLAGS = ("-O3", "-fno-fast-math", "-ffp-contract=off", "-fno-math-errno", "-fPIC", "-shared",
         "-std=gnu99")
#: added when the compiler accepts them: the host's vector width for the loops over scenarios.
#: With no FMA contraction and no fast-math every operation still rounds as IEEE 754 says, at
#: any width, so the bits do not change; the kernel is cached per CPU (:func:`_cpu_id`).
#: Without AVX-512: gcc 12.2 (Debian 12) miscompiles a copy of 7 numbers from a constant table
#: (``for (i = 0; i < 7; i++) Y[i] = f0[i];`` with f0 = {0.5 x 6, 0}: two overlapping 4-wide
#: stores of 0.5, so Y[6] = 0.5) at -O2 and -O3 whenever AVX-512 is enabled, which the one-scenario
#: kernel of tests/models/invert_matrix_dynamic.mdl hit; AVX2 builds it right, 3x faster, and the
#: batch kernel runs 4% slower per scenario with it on this machine's AMD EPYC.
HOST_FLAGS = ("-march=native", "-mno-avx512f")
_LOCK = threading.Lock()
_PROBE: dict = {}
#: bytes of scratch one block aims at (measured on the 31-province model: 32 scenarios per
#: block, 8 MB of scratch of which a step touches a few MB, ran 1.5x faster than 8)
BLOCK_BYTES = 8 << 20
#: the widest block: a fold's accumulators (a few arrays of this many doubles) live on the stack
MAX_BLOCK = 4096


class CompileError(SimsysError):
    """The C compiler failed on a generated kernel (a simsys bug or a broken compiler)."""


def compiler() -> tuple[str, str] | None:
    """(path, version line) of a working C compiler, or None; probed once per process."""
    with _LOCK:
        if "cc" in _PROBE:
            return _PROBE["cc"]
        found = None
        for name in (os.environ.get("CC", ""), "cc", "gcc", "clang"):
            path = shutil.which(name) if name else None
            if not path:
                continue
            try:
                ver = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30)
                host = True
                probe = _probe(path, HOST_FLAGS)
                if probe.returncode != 0:
                    host, probe = False, _probe(path, ())
            except (OSError, subprocess.SubprocessError):
                continue
            if ver.returncode == 0 and probe.returncode == 0:
                found = (path, (ver.stdout.splitlines() or [name])[0].strip())
                _PROBE["host"] = HOST_FLAGS if host else ()
                _PROBE["cpu"] = _cpu_id() if host else ""
                break
        _PROBE["cc"] = found
        return found


def _probe(path: str, flags) -> subprocess.CompletedProcess:
    return subprocess.run([path, *flags, "-x", "c", "-fsyntax-only", "-"], input="int sim_x;\n",
                          capture_output=True, text=True, timeout=30)


def _flags() -> tuple:
    """The flags a kernel is built with on this machine (call after :func:`compiler`)."""
    return FLAGS + _PROBE.get("host", ())


def _cpu_id() -> str:
    """What a kernel built for this host depends on: the CPU's model and instruction sets."""
    import platform
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            keep = [ln for ln in f.read().split("\n\n")[0].splitlines()
                    if ln.split(":")[0].strip() in ("vendor_id", "model name", "flags", "Features",
                                                    "CPU implementer", "CPU part")]
    except OSError:
        keep = []
    return "\n".join([platform.machine(), platform.processor(), *keep])


def _so_path(text_hash: bytes, version: str) -> Path:
    """Where the kernel of a C text with this sha256 lives, for this compiler, flags and CPU."""
    h = hashlib.sha256()
    for part in (text_hash, hashlib.sha256(version.encode()).digest(),
                 hashlib.sha256(" ".join(_flags()).encode()).digest(),
                 hashlib.sha256(_PROBE.get("cpu", "").encode()).digest()):
        h.update(part)
    return private_dir("c") / f"simsys_{h.hexdigest()[:32]}.so"


def _usable(so: Path) -> bool:
    return so.is_file() and not so.is_symlink() and so.stat().st_uid == os.geteuid()


def _load_built(text_hash: str) -> tuple[ctypes.CDLL, Path, str] | None:
    """The kernel of a C text (by its sha256, hex) if it is already built, else None.

    A kernel is only ever built from text that passed :func:`.vet.check_c_source`, so one
    found under the hash of its text needs no second check.
    """
    cc = compiler()
    if cc is None or not text_hash:
        return None
    so = _so_path(bytes.fromhex(text_hash), cc[1])
    if not _usable(so):
        return None
    return ctypes.CDLL(str(so)), so, cc[1]


def _build(text: str, names: frozenset) -> tuple[ctypes.CDLL, Path, str]:
    """Check ``text``, compile exactly it (or find it in the cache) and load it."""
    check_c_source(text, names)
    cc = compiler()
    if cc is None:
        raise CompileError("no working C compiler found (install gcc, or use backend='numpy')",
                           variable="backend")
    path, version = cc
    so = _so_path(hashlib.sha256(text.encode()).digest(), version)
    d = so.parent
    if not _usable(so):
        tmp = d / f".{so.stem}.{os.getpid()}.{os.urandom(6).hex()}"
        try:
            _compile(path, text, tmp, _flags())
            os.chmod(tmp / "k.so", 0o700)
            os.replace(tmp / "k.so", so)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    lib = ctypes.CDLL(str(so))
    return lib, so, version


def _compile(path: str, text: str, tmp: Path, flags: tuple) -> None:
    """Build ``text`` into ``tmp/k.so``: one compiler call for a one-unit text, else each unit
    (the shared head plus its body) to an object file, as many at a time as this process has
    cores, then one link. The functions of the step units are hidden (not exported); the
    run-once unit (initial values) is built at -O1: 4.8 s of gcc at -O3 on the 31-province
    model for code that runs once per run."""
    tmp.mkdir(mode=0o700)
    head, parts = units(text)
    if len(parts) == 1:
        _cc([path, *flags, "-x", "c", "-", "-o", str(tmp / "k.so"), "-lm"], text)
        return
    base = [f for f in flags if f != "-shared"]
    jobs = []
    for n, (kind, body) in enumerate(parts):
        unit = ["-O1" if f == "-O3" and kind == "once" else f for f in base]
        if kind != "main":
            unit.append("-fvisibility=hidden")
        jobs.append(([path, *unit, "-c", "-x", "c", "-", "-o", str(tmp / f"u{n}.o")], head + body))
    # the biggest units first, so no core is left with a big one at the end
    jobs.sort(key=lambda j: -len(j[1]))
    with ThreadPoolExecutor(max_workers=_cores()) as pool:
        for f in [pool.submit(_cc, *j) for j in jobs]:
            f.result()
    _cc([path, "-shared", "-o", str(tmp / "k.so"), *(str(tmp / f"u{n}.o") for n in range(len(parts))),
         "-lm"], "")


def _cc(cmd: list, text: str) -> None:
    res = subprocess.run(cmd, input=text, capture_output=True, text=True)
    if res.returncode != 0:
        err = (res.stderr or res.stdout).strip().splitlines()
        raise CompileError("the C compiler failed on a generated kernel (a simsys bug): "
                           + (err[0] if err else f"exit {res.returncode}"), variable="backend")


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


_L, _P = ctypes.c_long, ctypes.c_void_p
_RUN_ARGS = [_L, _L, _L, _P, _P, ctypes.c_double, _L, _P, _P, _L, _P, _P, _L, _L, _P, _L, _P, _L, _P,
             _P, _P, _P, _P, _P, _P, _P, _P, _P, _L, _P, _P]


@dataclass
class _Kernel:
    """One kernel of a model (a variant of :data:`.c_codegen.VARIANTS`): its text and names
    (generated on first need), the text's sha256 (known before the text when cached) and the
    loaded library."""
    text: str = ""
    names: frozenset = frozenset()
    hash: str = ""
    path: Path | None = None
    lib: object = None


@dataclass(eq=False)
class CModel(CompiledModel):
    """A :class:`CompiledModel` whose Euler and RK4 runs go through a generated C kernel:
    blocks of scenarios through the "batch" kernel, a block of one through the "one" kernel
    (built on first need), with the same bits."""

    compiler: str = ""
    _kernels: dict = field(default_factory=dict, repr=False)  # variant -> _Kernel

    def __post_init__(self):
        super().__post_init__()
        for v in VARIANTS:
            self._kernels.setdefault(v, _Kernel())

    def _c(self, variant: str = "batch") -> _Kernel:
        k = self._kernels[variant]
        if not k.text:
            with _LOCK_KERNEL:
                if not k.text:
                    text, k.names = c_source(self.layout, self.aux_order, self.init_nodes, variant)
                    k.hash = hashlib.sha256(text.encode()).hexdigest()
                    k.text = text
        return k

    @property
    def c_text(self) -> str:
        """The generated C kernel of blocks of scenarios (see :mod:`.c_codegen`)."""
        return self._c().text

    @property
    def c_names(self) -> frozenset:
        """The identifiers the kernel text may use beyond the vet checker's vocabulary."""
        return self._c().names

    @property
    def c_hashes(self) -> dict:
        """variant -> sha256 (hex) of its kernel text, for the variants whose text is known."""
        return {v: k.hash for v, k in self._kernels.items() if k.hash}

    @property
    def c_hash(self) -> str:
        return self._kernels["batch"].hash

    @property
    def kernel_path(self) -> Path | None:
        return self._kernels["batch"].path

    def kernel(self, variant: str = "batch"):
        """The loaded library of a variant (built, or found in the disk cache, on first use)."""
        k = self._kernels[variant]
        if k.lib is None:
            if not k.text:
                found = _load_built(k.hash)
                if found is not None:
                    with _LOCK_KERNEL:
                        if k.lib is None:
                            self._set_kernel(k, found)
                    return k.lib
            self._c(variant)
            with _LOCK_KERNEL:
                if k.lib is None:
                    self._set_kernel(k, _build(k.text, k.names))
        return k.lib

    def _set_kernel(self, k: _Kernel, found):
        lib, k.path, self.compiler = found
        lib.sim_run.argtypes = _RUN_ARGS
        lib.sim_run.restype = ctypes.c_int
        lib.sim_scratch.argtypes = [_L]
        lib.sim_scratch.restype = _L
        k.lib = lib

    def run_batch(self, params, *, final_time=None, time_step=None, saveper=None, method="euler",
                  seed=None, scenario_index=None, return_columns=None, rtol=1e-6, atol=1e-9,
                  block_size=None, threads=None, _n=None):
        """Run many scenarios; see :meth:`CompiledModel.run_batch`.

        Parameters
        ----------
        block_size : int, optional
            Scenarios per kernel call (default: a block whose scratch fits
            :data:`BLOCK_BYTES`; at most :data:`MAX_BLOCK`). Results do not depend on it.
        threads : int, optional
            Threads running blocks (default 2, at most the machine's cores). Results do not
            depend on it.

        Raises
        ------
        ScenarioError, SolveError
        """
        if method not in ("euler", "rk4"):
            return super().run_batch(params, final_time=final_time, time_step=time_step,
                                     saveper=saveper, method=method, seed=seed,
                                     scenario_index=scenario_index, return_columns=return_columns,
                                     rtol=rtol, atol=atol, _n=_n)
        from ..results import to_dataset
        params = _as_mapping(params)
        n = _n or _batch_size(params, None if scenario_index is None else len(scenario_index))
        if scenario_index is None:
            scenario_index = np.arange(n)
        scenario_index = np.asarray(scenario_index, dtype=np.int64)
        if scenario_index.shape != (n,):
            raise ScenarioError(f"scenario_index has shape {scenario_index.shape}, expected ({n},)")
        P, policies = self.parameters(params, n)
        sched = self.schedule(final_time, time_step, saveper)
        self.set_controls(P, sched)
        sel, columns = self.selection(return_columns)
        keys = scenario_keys(0 if seed is None else int(seed), scenario_index)
        raw = self.simulate_c(P, keys, sched, sel, method=method, policies=policies,
                              block_size=block_size, threads=threads)
        return to_dataset(self, raw, columns, scenario_index,
                          settings=dict(method=method, seed=seed, final_time=sched.final_time,
                                        time_step=sched.time_step, saveper=sched.saveper))

    def simulate_c(self, P, keys, schedule: Schedule, sel: Selection, *, method="euler",
                   policies=(), block_size=None, threads=None) -> RawResult:
        """A batch through the kernel; same contract and results as :func:`.simulate.simulate`.

        Raises
        ------
        ScenarioError
            A block size or thread count below 1.
        """
        from ..solve.simulate import simulate
        if method not in ("euler", "rk4"):
            return simulate(self, P, keys, schedule, sel, method=method, policies=policies)
        L = self.layout
        B = P.shape[1]
        # one scenario per block: the one-scenario kernel (the same bits, faster at nb = 1)
        lib = self.kernel("one" if B == 1 or block_size == 1 else "batch")
        P = np.ascontiguousarray(P, dtype=np.float64).copy()
        dt = np.float64(schedule.time_step)
        grid = [(np.float64(t), s) for t, s in schedule.times()]
        nt = len(grid)
        tg = np.array([t for t, _ in grid], dtype=np.float64)
        svf = np.array([s for _, s in grid], dtype=np.int8)
        n_save = int(svf.sum())
        nst = 1 if method == "euler" else 3
        npol = len(policies)
        prow = np.array([row for row, _ in policies] or [0], dtype=np.int64)
        pv = np.zeros((nt, nst, max(npol, 1), B))
        with np.errstate(all="ignore"):
            for i, (t, _) in enumerate(grid if npol else ()):
                for st, c in enumerate((0.0, 0.5, 1.0)[:nst]):
                    ts = t if st == 0 else t + c * dt
                    for q, (_, ev) in enumerate(policies):
                        pv[i, st, q] = ev(ts, dt)
        ny, nz = len(L.y_label), len(L.z_label)
        fixed = [j for j, kind in enumerate(L.z_kind) if kind == "fixed"]
        cap = 1
        if fixed and B:
            # ring length: the longest delay in the batch (the numpy rings use the same)
            P0 = P.copy()
            for q, (row, _) in enumerate(policies):
                P0[row] = pv[0, 0, q]
            with np.errstate(all="ignore"):
                _, _, F = self.initial(tg[0], dt, P0, keys)
                order = np.maximum(np.round(F[fixed] / dt + 1e-6), 1)
            order = order[np.isfinite(order)]
            cap = int(order.max()) if order.size else 1
        sy, sv, sp = (np.ascontiguousarray(a, dtype=np.int64) for a in (sel.y, sel.v, sel.p))
        out_y = np.empty((n_save, sy.size, B))
        out_v = np.empty((n_save, sv.size, B))
        out_p = np.empty((n_save, sp.size, B))
        status = np.zeros(B, dtype=np.int8)
        fstep = np.full(B, -1, dtype=np.int64)
        fkind = np.zeros(B, dtype=np.int8)
        fy = np.full((max(ny, 1), B), np.nan)
        fz = np.full((max(nz, 1), B), np.nan)
        fn = np.full((max(ny, 1), B), np.nan)
        keys = np.ascontiguousarray(keys, dtype=np.uint64)
        cols = int(lib.sim_scratch(cap))
        if block_size is None:
            block_size = max(8, min(512, BLOCK_BYTES // (8 * max(cols, 1)) // 8 * 8))
        block_size = int(block_size)
        if threads is None:
            threads = min(2, os.cpu_count() or 1)
        threads = int(threads)
        if block_size < 1 or threads < 1:
            raise ScenarioError(f"block_size and threads must be at least 1, found {block_size} and "
                                f"{threads}", variable="block_size")
        if B <= block_size * threads and threads > 1 and B > 8:
            block_size = -(-B // threads)  # each thread one block (same bits: columns are independent)
        # a fold keeps one accumulator per scenario of the block on the stack (c_codegen)
        block_size = min(block_size, MAX_BLOCK)
        blocks = [(lo, min(B, lo + block_size)) for lo in range(0, B, block_size)]
        width = max(hi - lo for lo, hi in blocks) if blocks else 1
        meth = 0 if method == "euler" else 1
        base = lambda a: a.ctypes.data  # noqa: E731

        def one(block, wk, iw):
            lo, hi = block
            c8 = 8 * lo
            lib.sim_run(hi - lo, B, nt, base(tg), base(svf), float(dt), meth,
                        base(P) + c8, base(keys) + c8, npol, base(prow), base(pv) + c8, nst,
                        sy.size, base(sy), sv.size, base(sv), sp.size, base(sp),
                        base(out_y) + c8, base(out_v) + c8, base(out_p) + c8, base(status) + lo,
                        base(fstep) + c8, base(fkind) + lo, base(fy) + c8, base(fz) + c8,
                        base(fn) + c8, cap, base(wk), base(iw))

        def worker(mine):
            wk = np.empty(cols * width + 1)
            iw = np.empty(2 * max(len(fixed), 1) * width, dtype=np.int64)
            for block in mine:
                one(block, wk, iw)

        if B:
            nthr = min(threads, len(blocks))
            parts = [blocks[i::nthr] for i in range(nthr)]
            if nthr == 1:
                worker(parts[0])
            else:
                with ThreadPoolExecutor(nthr) as ex:
                    list(ex.map(worker, parts))
        fail_time = np.full(B, np.nan)
        fail_var = np.full(B, "", dtype=object)
        bad = np.flatnonzero(status)
        if bad.size:
            self._name_failures(bad, fstep, fkind, fy, fz, fn, P, pv, prow, npol, keys, tg, dt,
                                status, fail_time, fail_var)
        return RawResult(times=tg[svf.astype(bool)], y=out_y, v=out_v, p=out_p, status=status,
                         fail_time=fail_time, fail_variable=fail_var)

    def _name_failures(self, bad, fstep, fkind, fy, fz, fn, P, pv, prow, npol, keys, tg, dt,
                       status, fail_time, fail_var):
        """Name the first non-finite variable with the numpy right-hand side (``_flag``)."""
        L = self.layout
        ny, nz = len(L.y_label), len(L.z_label)
        for step, kind in sorted({(int(fstep[c]), int(fkind[c])) for c in bad}):
            cols = bad[(fstep[bad] == step) & (fkind[bad] == kind)]
            Ps = P[:, cols].copy()
            for q in range(npol):
                Ps[prow[q]] = pv[step, 0, q, cols]
            st = np.zeros(cols.size, dtype=np.int8)
            ft = np.full(cols.size, np.nan)
            fv = np.full(cols.size, "", dtype=object)
            Y = np.ascontiguousarray(fy[:ny, cols])
            Z = np.ascontiguousarray(fz[:nz, cols])
            with np.errstate(all="ignore"):
                _flag(self, np.ones(cols.size, bool), tg[step], dt, step, Ps, keys[cols], Y, Z,
                      st, ft, fv, initial=kind == 0,
                      Ynew=np.ascontiguousarray(fn[:ny, cols]) if kind == 2 else None)
            status[cols] = st
            fail_time[cols] = ft
            fail_var[cols] = fv


_LOCK_KERNEL = threading.Lock()


def to_c(cm: CompiledModel, hashes: dict | None = None, kernel: str = "batch") -> CModel:
    """The C version of a numpy compiled model, its ``kernel`` variant ("batch" or "one")
    built (or loaded from the cache); the other is built on its first run.

    ``hashes`` (variant -> sha256 of its kernel text) come from an earlier compile of the same
    lowered model (see :mod:`.ir_cache`): a kernel in the cache is loaded without its text.
    Without them both texts are generated now, so the cache entry can name both.

    Raises
    ------
    CompileError
        No working C compiler, or the compiler failed.
    GeneratedCodeError
        The generated text is outside the vet checker's vocabulary (a simsys bug).
    """
    if compiler() is None:
        raise CompileError("no working C compiler found (install gcc, or use backend='numpy')",
                           variable="backend")
    out = CModel(model=cm.model, layout=cm.layout, aux_order=cm.aux_order,
                 init_nodes=cm.init_nodes, backend="c", _source=cm._source, _ns=cm._ns,
                 grouped=cm.grouped, compiler=compiler()[1],
                 _kernels={v: _Kernel(hash=h) for v, h in (hashes or {}).items() if v in VARIANTS})
    if kernel not in VARIANTS:
        raise CompileError(f"unknown kernel {kernel!r}; choose one of {', '.join(VARIANTS)}",
                           variable="kernel")
    out.kernel(kernel)  # build (or load from the cache) now, so a failure shows at compile time
    for v in VARIANTS:
        if not out._kernels[v].hash:
            out._c(v)  # its hash, for the cache entry
    return out
