"""Run manifests: what was run, on which inputs and software, and a digest of the results.

A manifest is a JSON-able dict, and data only: it records the library call that made the
results (``{"kind": "run" | "sweep", "scenario": path, "options": {...}}``) with options from
a fixed list, never a function or module to call. Paths are stored relative to the folder
the manifest is written in, so a tree moved or cloned elsewhere still reproduces. It holds
a digest of every result file (``files``) and of itself (``manifest_sha256``), so a
truncated or edited result, or an edited manifest, is found before anything is re-run
(:func:`simsys.reproduce.reproduce`).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import sys
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import xarray as xr

from .errors import Location, ReproduceError, escape
from .safeio import atomic_write, read_bounded

__all__ = ["build_manifest", "write_manifest", "read_manifest", "results_digest",
           "file_digest", "seal_manifest", "manifest_digest", "finish_manifest",
           "reproduce", "ReproduceReport", "verify_on_disk", "MANIFEST_VERSION",
           "MAX_MANIFEST_BYTES", "check_call"]

log = logging.getLogger(__name__)
MANIFEST_VERSION = 2
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_PACKAGES = ("simsys", "numpy", "scipy", "pysd", "xarray", "zarr",
             "netCDF4", "dask", "pandas")
# what a run reports about how it computed (the backend and any compiler), copied as found
_BACKEND_KEYS = ("backend", "simsys_backend", "compiler", "simsys_compiler")
# bookkeeping variables of a sweep store that are not results
_NOT_RESULTS = frozenset({"simsys_chunk_done", "simsys_chunk_sha256"})
_SLAB = 4096  # scenarios hashed at a time when reading a store


def file_digest(path: str | Path) -> str:
    """SHA-256 hex digest of a file's bytes.

    Raises
    ------
    ReproduceError
        If the file cannot be read.
    """
    import stat
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise ReproduceError("not a regular file", location=path)
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


def _backend(results) -> dict:
    attrs = results.attrs if isinstance(results, xr.Dataset) else {}
    if not isinstance(results, xr.Dataset):
        try:
            import zarr
            attrs = dict(zarr.open_group(results, mode="r").attrs)
        except Exception:
            attrs = {}
    out = {k: attrs[k] for k in _BACKEND_KEYS if isinstance(attrs.get(k), (str, int, float))}
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
                   call: dict | None = None, data_paths: Iterable = (),
                   levers: dict | None = None) -> dict:
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
    levers : dict, optional
        The scenario's lever settings as text (name -> text), so a later difference can
        name the lever that changed.

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
    return seal_manifest({
        "simsys_manifest": MANIFEST_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "call": call,
        "seed": seed,
        "inputs": inputs,
        "versions": _versions(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "backend": _backend(results),
        "levers": dict(levers or {}),
        "results": results_digest(results),
        "extra": dict(extra or {}),
    })


def _relative(path: str, base: Path) -> str:
    p = Path(path)
    if not p.is_absolute():
        return path
    return Path(os.path.relpath(p, base.resolve())).as_posix()


def finish_manifest(manifest: dict, base_dir: str | Path, files: dict | None = None) -> dict:
    """The manifest as written in ``base_dir``: relative paths, result-file digests, sealed.

    Parameters
    ----------
    manifest : dict
        From :func:`build_manifest`.
    base_dir : str or Path
        The folder the manifest is written in; every path becomes relative to it.
    files : dict, optional
        Result file name (relative to ``base_dir``) -> SHA-256 of its bytes.

    Returns
    -------
    dict
        A new manifest with ``manifest_sha256`` set (see :func:`seal_manifest`).
    """
    base = Path(base_dir)
    out = json.loads(json.dumps(manifest))
    out["simsys_manifest"] = MANIFEST_VERSION
    out["inputs"] = {group: {_relative(p, base): d for p, d in paths.items()}
                     for group, paths in out.get("inputs", {}).items()}
    call = out.get("call") or {}
    for key in ("scenario", "results"):
        if isinstance(call.get(key), str):
            call[key] = _relative(call[key], base)
    if files is not None:
        out["files"] = dict(files)
    return seal_manifest(out)


def manifest_digest(manifest: dict) -> str:
    """SHA-256 of the manifest's canonical JSON without its ``manifest_sha256`` key."""
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=True).encode()).hexdigest()


def seal_manifest(manifest: dict) -> dict:
    """A copy of ``manifest`` with ``manifest_sha256`` = :func:`manifest_digest`."""
    out = dict(manifest)
    out["manifest_sha256"] = manifest_digest(out)
    return out


def write_manifest(path: str | Path, manifest: dict) -> Path:
    """Write ``manifest`` as indented JSON (atomically; a symlink is replaced); returns the path.

    Raises
    ------
    ReproduceError
        If the file cannot be written.
    """
    path = Path(path)
    atomic_write(path, json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                 error=ReproduceError)
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
            if not isinstance(text, str) or len(text) > MAX_MANIFEST_BYTES:
                raise ReproduceError("the store's 'simsys_manifest' attribute is not a "
                                     "manifest text", location=path)
        else:
            text = read_bounded(path, MAX_MANIFEST_BYTES, error=ReproduceError,
                                what="manifest").decode("utf-8")
        data = json.loads(text)
    except UnicodeDecodeError as exc:
        raise ReproduceError(f"not a readable JSON manifest: not UTF-8 text (byte "
                             f"0x{exc.object[exc.start]:02x} at offset {exc.start})",
                             location=path) from None
    except RecursionError:
        raise ReproduceError("not a readable JSON manifest (nested too deeply)",
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
    if version >= 2 and data.get("manifest_sha256") != manifest_digest(data):
        raise ReproduceError("the manifest was edited after it was written: its recorded "
                             "digest (manifest_sha256) does not match its content",
                             location=path, variable="manifest_sha256")
    results = data["results"]
    if not isinstance(results, dict) or not isinstance(results.get("variables"), dict):
        raise ReproduceError(f"expected 'results' to be {{\"sha256\": ..., \"variables\": "
                             f"{{name: digest}}}}, found {results!r}"[:300], location=path,
                             variable="results")
    return data


# what each recorded call may pass on (keyword arguments of run_scenario / run_sweep): data
# only. Nothing here names code; a key that would ("loader", "module", ...) is refused.
_OPTIONS = {"run": {"final_time", "time_step", "saveper", "method", "seed",
                    "every_variable", "backend"},
            "sweep": {"chunk_size", "resume", "executor", "workers", "scheduler",
                      "progress", "backend"}}
_OPTION_TYPES = {"final_time": (int, float), "time_step": (int, float),
                 "saveper": (int, float), "method": (str,), "seed": (int,),
                 "chunk_size": (int,), "resume": (bool,), "executor": (str,),
                 "workers": (int,), "scheduler": (str,), "progress": (bool,),
                 "every_variable": (bool,), "backend": (str,)}
_CODE_KEYS = ("loader", "load", "module", "function", "callable", "import", "plugin", "entry")


def check_call(call, path) -> dict:
    """The manifest's ``call``, checked to be plain data naming no code.

    Raises
    ------
    ReproduceError
        If the call is missing, malformed, or has an option that is not on the fixed list
        (an option naming code, such as ``loader``, is refused as such).
    """
    return _check_call(call, path)


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
    code = sorted(k for k in set(options) | set(call)
                  if any(w in str(k).lower() for w in _CODE_KEYS))
    if code:
        raise ReproduceError(f"the manifest names code to run ({', '.join(map(repr, code))}); "
                             f"simsys never runs code named in a file, so this manifest is "
                             f"refused", location=path, variable="call.options")
    unknown = sorted(set(options) - _OPTIONS[kind])
    if unknown:
        raise ReproduceError(f"unknown option(s) {', '.join(map(repr, unknown))} for a {kind}; "
                             f"allowed: {', '.join(sorted(_OPTIONS[kind]))}", location=path,
                             variable="call.options")
    for key, value in options.items():
        if value is not None and (not isinstance(value, _OPTION_TYPES[key])
                                  or (isinstance(value, bool) and bool not in _OPTION_TYPES[key])):
            raise ReproduceError(f"expected call.options.{key} to be "
                                 f"{'/'.join(t.__name__ for t in _OPTION_TYPES[key])}, found "
                                 f"{escape(repr(value))[:80]}", location=path,
                                 variable=f"call.options.{key}")
    return call


from .reproduce import ReproduceReport, reproduce, verify_on_disk  # noqa: E402  (re-exported)
