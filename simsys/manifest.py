"""Run manifests: what was run, on which inputs and software, and a digest of the results.

A manifest is a JSON-able dict. It records the library call that made the results
(``{"kind": "run" | "sweep", "scenario": path, "options": {...}}``), so
:func:`reproduce` can run it again and say whether the results are identical, and if
not, where they first differ and which input files changed.
"""
from __future__ import annotations

import hashlib
import json
import logging
import platform
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import xarray as xr

from .errors import Location, ReproduceError

__all__ = ["build_manifest", "write_manifest", "read_manifest", "results_digest",
           "file_digest", "reproduce", "ReproduceReport", "MANIFEST_VERSION"]

log = logging.getLogger(__name__)
MANIFEST_VERSION = 1
_PACKAGES = ("simsys", "numpy", "scipy", "pysd", "xarray", "zarr", "dask", "pandas")
# bookkeeping variables of a sweep store that are not results
_NOT_RESULTS = frozenset({"simsys_chunk_done"})
_SLAB = 4096  # scenarios hashed at a time when reading a store


def file_digest(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes.

    Raises
    ------
    ReproduceError
        If the file cannot be read.
    """
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except OSError as exc:
        raise ReproduceError(f"cannot read input file ({exc.strerror})", location=path) from None
    return h.hexdigest()


def _versions() -> dict[str, str | None]:
    out = {}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _update(h, block: np.ndarray) -> None:
    if block.dtype.kind in "OUST":
        # strings hash by value, so a fixed width chosen per chunk cannot change the digest
        for s in block.reshape(-1).tolist():
            h.update((s.decode() if isinstance(s, bytes) else str(s)).encode("utf-8"))
            h.update(b"\x00")
    else:
        h.update(np.ascontiguousarray(block).tobytes())


def _variable_digest(var: xr.Variable) -> str:
    h = hashlib.sha256()
    kind = "str" if var.dtype.kind in "OUST" else var.dtype.str
    h.update(f"{kind}|{','.join(var.dims)}|{var.shape}|".encode())
    if var.ndim == 0 or var.shape[0] <= _SLAB:
        _update(h, np.asarray(var.values))
    else:
        # slabs along the first dim, in order: the bytes fed equal those of the whole array
        for start in range(0, var.shape[0], _SLAB):
            _update(h, np.asarray(var[start:start + _SLAB].values))
    return h.hexdigest()


def results_digest(results) -> dict[str, Any]:
    """Digest of results: one SHA-256 per variable and one over all of them.

    Parameters
    ----------
    results : xarray.Dataset or str or Path
        A Dataset, or the path of a Zarr store (read slab by slab, never whole).

    Returns
    -------
    dict
        ``{"sha256": hex, "variables": {name: hex}}``; variables (data and coordinates)
        are taken in sorted name order, each hashed as dtype, dims, shape and bytes.

    Raises
    ------
    ReproduceError
        If a store path cannot be opened.
    """
    if not isinstance(results, xr.Dataset):
        try:
            results = xr.open_zarr(results, consolidated=False)
        except (OSError, ValueError, KeyError) as exc:
            raise ReproduceError(f"cannot open results store ({exc})", location=results) from None
    per = {name: _variable_digest(results.variables[name])
           for name in sorted(map(str, results.variables)) if name not in _NOT_RESULTS}
    total = hashlib.sha256("".join(f"{k}\t{v}\n" for k, v in per.items()).encode())
    return {"sha256": total.hexdigest(), "variables": per}


def build_manifest(*, model_path, scenario_paths: Iterable, command: str | None,
                   seed: int | None, results, extra: dict | None = None,
                   call: dict | None = None, data_paths: Iterable = ()) -> dict:
    """Describe a run: inputs (hashed), software, command, seed and a results digest.

    Parameters
    ----------
    model_path : str or Path
        The model file.
    scenario_paths : iterable of str or Path
        Scenario (and sweep) files used, including the files they extend.
    command : str or None
        The command line as typed, for people.
    seed : int or None
        The root seed.
    results : xarray.Dataset or str or Path
        The results, or the path of the Zarr store holding them.
    extra : dict, optional
        Merged into the manifest under ``"extra"``.
    call : dict, optional
        The library call that made the results, for :func:`reproduce`:
        ``{"kind": "run" | "sweep", "scenario": path, "options": {...}}`` (and
        ``"results"``: where they were written).
    data_paths : iterable of str or Path
        Data files the model reads (CSV tables), hashed with the other inputs.

    Returns
    -------
    dict
        JSON-serialisable.

    Raises
    ------
    ReproduceError
        If an input file cannot be read.
    """
    inputs = {"model": {str(Path(model_path).resolve()): file_digest(model_path)},
              "scenarios": {str(Path(p).resolve()): file_digest(p) for p in scenario_paths},
              "data": {str(Path(p).resolve()): file_digest(p) for p in data_paths}}
    return {
        "simsys_manifest": MANIFEST_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "call": call,
        "seed": seed,
        "inputs": inputs,
        "versions": _versions(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "results": results_digest(results),
        "extra": dict(extra or {}),
    }


def write_manifest(path: str | Path, manifest: dict) -> Path:
    """Write ``manifest`` as indented JSON; returns the path.

    Raises
    ------
    ReproduceError
        If the file cannot be written.
    """
    path = Path(path)
    try:
        path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ReproduceError(f"cannot write manifest ({exc.strerror})", location=path) from None
    return path


def read_manifest(path: str | Path) -> dict:
    """Read a manifest written by :func:`write_manifest`, or the one a sweep store holds.

    Parameters
    ----------
    path : str or Path
        A manifest JSON file, or a sweep's Zarr store (its ``simsys_manifest`` attribute).

    Raises
    ------
    ReproduceError
        If the file is missing, not JSON, not a simsys manifest, of an unknown version,
        or its ``results`` have no per-variable digests.
    """
    try:
        if Path(path).is_dir():
            import zarr
            try:
                text = zarr.open_group(path, mode="r").attrs["simsys_manifest"]
            except Exception:
                raise ReproduceError("not a sweep store with a manifest (no 'simsys_manifest' "
                                     "attribute)", location=path) from None
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        raise ReproduceError("manifest not found", location=path) from None
    except UnicodeDecodeError as exc:
        raise ReproduceError(f"not a readable JSON manifest: not UTF-8 text (byte "
                             f"0x{exc.object[exc.start]:02x} at offset {exc.start})",
                             location=path) from None
    except json.JSONDecodeError as exc:
        raise ReproduceError(f"not a readable JSON manifest ({exc.msg})",
                             location=Location(str(path), exc.lineno, exc.colno)) from None
    except OSError as exc:
        raise ReproduceError(f"not a readable JSON manifest ({exc})", location=path) from None
    if not isinstance(data, dict) or "simsys_manifest" not in data or "results" not in data:
        raise ReproduceError("not a simsys manifest (no 'simsys_manifest'/'results' keys)",
                             location=path)
    version = data["simsys_manifest"]
    if (isinstance(version, bool) or not isinstance(version, int)
            or not 1 <= version <= MANIFEST_VERSION):
        raise ReproduceError(f"unknown manifest version {version!r}; this simsys reads version "
                             f"{MANIFEST_VERSION}", location=path, variable="simsys_manifest")
    results = data["results"]
    if not isinstance(results, dict) or not isinstance(results.get("variables"), dict):
        raise ReproduceError(f"expected 'results' to be {{\"sha256\": ..., \"variables\": "
                             f"{{name: digest}}}}, found {results!r}"[:300], location=path,
                             variable="results")
    return data


# what each recorded call may pass on (the keyword arguments of run_scenario / run_sweep)
_OPTIONS = {"run": {"final_time", "time_step", "saveper", "method", "seed", "loader",
                    "every_variable"},
            "sweep": {"chunk_size", "loader", "resume", "executor", "workers", "scheduler",
                      "progress"}}


def _check_call(call, path) -> dict:
    if call is None:
        call = {}
    if not isinstance(call, dict):
        raise ReproduceError(f"expected 'call' to be {{\"kind\": ..., \"scenario\": ...}}, "
                             f"found {call!r}", location=path, variable="call")
    kind = call.get("kind")
    if kind not in _OPTIONS or "scenario" not in call:
        raise ReproduceError("the manifest records no reproducible call "
                             "({'kind': 'run' | 'sweep', 'scenario': path}); found kind "
                             f"{kind!r}", location=path, variable="call")
    if not isinstance(call["scenario"], str):
        raise ReproduceError(f"expected call.scenario to be a file path, found "
                             f"{call['scenario']!r}", location=path, variable="call.scenario")
    options = call.get("options", {})
    if not isinstance(options, dict):
        raise ReproduceError(f"expected call.options to be a table, found {options!r}",
                             location=path, variable="call.options")
    unknown = sorted(set(options) - _OPTIONS[kind])
    if unknown:
        raise ReproduceError(f"unknown option(s) {', '.join(map(repr, unknown))} for a {kind}; "
                             f"allowed: {', '.join(sorted(_OPTIONS[kind]))}", location=path,
                             variable="call.options")
    return call


@dataclass(frozen=True, slots=True)
class ReproduceReport:
    """Outcome of :func:`reproduce`.

    ``identical`` is True when every variable's digest matches. Otherwise
    ``differing`` lists the variables whose digests differ and, when the original
    results are still on disk, ``first_difference`` gives the first
    ``{"variable", "scenario", "time"}`` that differs. ``inputs_changed`` names the
    input files whose hash is not the recorded one.
    """

    identical: bool
    differing: tuple[str, ...] = ()
    first_difference: dict | None = None
    inputs_changed: tuple[str, ...] = ()

    @property
    def status(self) -> str:
        """``"identical"``, ``"different"``, or ``"different (inputs changed)"``."""
        if self.identical:
            return "identical"
        return "different (inputs changed)" if self.inputs_changed else "different"

    def summary(self) -> str:
        """One line describing the outcome."""
        if self.identical:
            text = "identical"
        elif self.first_difference:
            fd = self.first_difference
            where = ", ".join(f"{k} {fd[k]}" for k in ("scenario", "time") if fd.get(k) is not None)
            text = f"results differ: first in '{fd['variable']}'" + (f" at {where}" if where else "")
        else:
            text = f"results differ in {', '.join(repr(v) for v in self.differing)}"
        if self.inputs_changed:
            text += f"; inputs changed: {', '.join(self.inputs_changed)}"
        return text


def _changed_inputs(manifest: dict) -> tuple[str, ...]:
    changed = []
    for group in manifest.get("inputs", {}).values():
        for path, digest in group.items():
            try:
                now = file_digest(path)
            except ReproduceError:
                now = None
            if now != digest:
                changed.append(path)
    return tuple(changed)


def _diff_mask(av: np.ndarray, bv: np.ndarray) -> np.ndarray:
    if av.dtype.kind in "fc" and bv.dtype.kind in "fc":
        return ~((av == bv) | (np.isnan(av) & np.isnan(bv)))
    return np.asarray(av.astype(str) != bv.astype(str))


def _first_difference(old: xr.Dataset, new: xr.Dataset, names) -> dict | None:
    for name in names:
        out = {"variable": name, "scenario": None, "time": None}
        if name not in old.variables or name not in new.variables:
            return out
        a, b = old[name], new[name].transpose(*old[name].dims)
        if a.shape != b.shape:
            return out
        # slab by slab along the first dim, so a large store is never loaded whole
        step = _SLAB if a.ndim and a.shape[0] > _SLAB else max(a.shape[:1] or (1,))
        for start in range(0, a.shape[0] if a.ndim else 1, step):
            sa = a[start:start + step] if a.ndim else a
            sb = b[start:start + step] if b.ndim else b
            idx = np.argwhere(np.atleast_1d(_diff_mask(np.asarray(sa.values),
                                                       np.asarray(sb.values))))
            if idx.size == 0:
                continue
            first = dict(zip(a.dims, idx[0]))
            if a.ndim:
                first[a.dims[0]] += start
            for dim in ("scenario", "time"):
                if dim in first:
                    coord = a[dim].values[first[dim]] if dim in a.coords else first[dim]
                    out[dim] = coord.item() if hasattr(coord, "item") else coord
            return out
    return None


def _open_results(path: str) -> xr.Dataset:
    if str(path).endswith((".nc", ".nc4", ".netcdf")):
        return xr.open_dataset(path)
    return xr.open_zarr(path, consolidated=False)


def reproduce(manifest_path: str | Path, *, executor: str = "inprocess",
              workers: int | None = None) -> ReproduceReport:
    """Run a manifest's recorded call again and compare the results.

    Parameters
    ----------
    manifest_path : str or Path
        A manifest written by :func:`write_manifest` (or a sweep store holding one).
    executor : str
        For a sweep: where to run its chunks again (results do not depend on it).
    workers : int, optional
        For a sweep: worker processes.

    Returns
    -------
    ReproduceReport

    Raises
    ------
    ReproduceError
        If the manifest is unreadable, records no call, or its scenario file is gone.
    """
    manifest = read_manifest(manifest_path)
    call = _check_call(manifest.get("call"), manifest_path)
    kind = call["kind"]
    if not Path(call["scenario"]).is_file():
        raise ReproduceError(f"the recorded scenario file is gone: {call['scenario']}",
                             location=manifest_path)
    changed = _changed_inputs(manifest)
    options = dict(call.get("options", {}))
    with tempfile.TemporaryDirectory(prefix="simsys-reproduce-") as tmp:
        if kind == "run":
            from .scenario import run_scenario
            new = run_scenario(call["scenario"], **options)
        else:
            from .sweep.run import run_sweep
            for key in ("resume", "executor", "workers", "scheduler", "progress"):
                options.pop(key, None)
            store = Path(tmp) / "results.zarr"
            run_sweep(call["scenario"], store, executor=executor, workers=workers, **options)
            new = xr.open_zarr(store, consolidated=False)
        digest = results_digest(new)
        old_vars = manifest["results"]["variables"]
        names = sorted(set(old_vars) | set(digest["variables"]))
        differing = tuple(n for n in names if old_vars.get(n) != digest["variables"].get(n))
        first = None
        if differing and call.get("results") and Path(call["results"]).exists():
            with _open_results(call["results"]) as old:
                first = _first_difference(old, new, differing)
        new.close()
    log.info("reproduced %s: %d variables differ", manifest_path, len(differing))
    return ReproduceReport(identical=not differing, differing=differing,
                           first_difference=first, inputs_changed=changed)
