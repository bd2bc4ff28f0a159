"""Result stores: a Zarr store written chunk by chunk, with a lock and completion flags.

The store is created up front with the full ``scenario`` dimension; each finished chunk
is written into its region, then its flag in ``simsys_chunk_done`` is set, so a chunk
counts as done only once its data are on disk. Before the flag, the chunk's digests
(one SHA-256 per variable over the values written) go into ``simsys_chunk_sha256``, so
``--resume`` and ``simsys reproduce`` can tell a chunk that was corrupted, truncated or
deleted afterwards from a good one (:meth:`ZarrStore.verify_chunks`). Writing a region
twice writes the same bytes, so a retried chunk duplicates nothing. A lock file beside
the store (``<store>.lock``: pid, host, sweep id) keeps two sweeps from writing one store.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import warnings
from datetime import datetime, timezone
from pathlib import Path

import dask.array as da
import numpy as np
import xarray as xr
import zarr

from ..errors import StoreError
from ..wording import count

__all__ = ["ZarrStore", "STORES", "DONE", "DIGESTS", "pid_alive", "check_complete",
           "values_digest"]

log = logging.getLogger(__name__)
DONE = "simsys_chunk_done"
DIGESTS = "simsys_chunk_sha256"
_STR = np.dtypes.StringDType()


def pid_alive(pid: int) -> bool:
    """True if a process with this id runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_complete(ds: xr.Dataset, path) -> None:
    """Refuse a sweep store whose chunks are not all flagged done.

    Raises
    ------
    StoreError
        If ``ds`` has chunk flags and some are unset (an interrupted or running sweep).
    """
    if DONE in ds.variables:
        flags = np.asarray(ds[DONE].values, dtype=bool)
        if not flags.all():
            raise StoreError(f"store is incomplete: {int(flags.sum())} of "
                             f"{count(flags.size, 'chunk')} done (the sweep was interrupted or is still running); finish it "
                             f"with simsys sweep <sweep file> --out {path} --resume",
                             location=path)


def values_digest(values: np.ndarray) -> str:
    """SHA-256 of an array's shape and values (strings by value, numbers by their bytes)."""
    h = hashlib.sha256(f"{values.shape}|".encode())
    if values.dtype.kind in "OUST":
        for v in values.reshape(-1).tolist():
            h.update((v.decode() if isinstance(v, bytes) else str(v)).encode("utf-8") + b"\x00")
    else:
        h.update(values.dtype.str.encode() + b"|")
        h.update(np.ascontiguousarray(values).tobytes())
    return h.hexdigest()


def _clean_attrs(attrs) -> dict:
    return {str(k): v for k, v in attrs.items()
            if isinstance(v, (str, int, float, bool)) and not isinstance(v, np.generic)}


class ZarrStore:
    """A sweep's results in a Zarr directory store, read and written through xarray.

    Parameters
    ----------
    path : str or Path
        The store directory (``*.zarr``).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self._locked = False
        self._handle = None
        self._scenario_arrays: dict = {}

    # -- lock -------------------------------------------------------------------------
    def read_lock(self) -> dict | None:
        """The lock's contents, or None if the store is not locked."""
        try:
            return json.loads(self.lock_path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, json.JSONDecodeError):
            return {"pid": None, "host": None, "sweep_id": None}

    def acquire(self, sweep_id: str, *, resume: bool = False) -> None:
        """Take the lock for this process.

        Parameters
        ----------
        sweep_id : str
            Identifies this sweep in the lock file.
        resume : bool
            Take over a stale lock (its process is dead).

        Raises
        ------
        StoreError
            If a live process holds the lock, the lock belongs to another host, or a
            stale lock is found without ``resume``.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                           "sweep_id": sweep_id,
                           "created": datetime.now(timezone.utc).isoformat(timespec="seconds")})
        for _ in range(2):
            try:
                fd = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                held = self.read_lock() or {}
                pid, host = held.get("pid"), held.get("host")
                who = f"pid {pid} on {host} (sweep {held.get('sweep_id')})"
                if host not in (None, socket.gethostname()):
                    raise StoreError(f"store is locked by {who}; if that sweep is no longer "
                                     f"running, delete {self.lock_path}",
                                     location=self.path) from None
                if isinstance(pid, int) and pid_alive(pid):
                    raise StoreError(f"store is in use by {who}; wait for it or use another "
                                     f"path", location=self.path) from None
                if not resume:
                    raise StoreError(f"store has a stale lock from {who}, which is no longer "
                                     f"running; use --resume to take it over",
                                     location=self.path) from None
                log.warning("taking over the stale lock of %s on %s", who, self.path)
                self.lock_path.unlink(missing_ok=True)
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(body)
            self._locked = True
            return
        raise StoreError("could not take the store's lock (another sweep raced for it)",
                         location=self.path)

    def release(self) -> None:
        """Remove the lock if this object holds it."""
        if self._locked:
            held = self.read_lock() or {}
            if held.get("pid") == os.getpid():
                self.lock_path.unlink(missing_ok=True)
            self._locked = False

    # -- layout -----------------------------------------------------------------------
    def exists(self) -> bool:
        """True if a Zarr group is at the path."""
        return (self.path / "zarr.json").exists()

    def create(self, template: xr.Dataset, *, n_scenarios: int, chunk_size: int,
               design: xr.DataArray, attrs: dict) -> None:
        """Write the store's metadata, coordinates, design and (unset) chunk flags.

        Parameters
        ----------
        template : xarray.Dataset
            One chunk's results (any number of scenarios): gives names, dims, dtypes,
            coordinates and attributes.
        n_scenarios : int
            Size of the full ``scenario`` dimension.
        chunk_size : int
            Scenarios per chunk (the Zarr chunk along ``scenario``).
        design : xarray.DataArray
            ``design`` (scenario, parameter), stored whole.
        attrs : dict
            Root attributes (JSON-able).

        Raises
        ------
        StoreError
            If the store cannot be written.
        """
        n_chunks = -(-n_scenarios // chunk_size)
        out = xr.Dataset(attrs={**_clean_attrs(template.attrs), **attrs})
        encoding = {}
        for name, var in template.variables.items():
            if "scenario" not in var.dims:
                out[name] = var
                continue
            if name == "scenario":
                continue
            shape = tuple(n_scenarios if d == "scenario" else s
                          for d, s in zip(var.dims, var.shape))
            chunks = tuple(chunk_size if d == "scenario" else s
                           for d, s in zip(var.dims, var.shape))
            if var.dtype.kind in "OUT":
                data = np.full(shape, "", dtype=_STR)
            else:
                fill = np.nan if var.dtype.kind == "f" else 0
                data = da.full(shape, fill, dtype=var.dtype, chunks=chunks)
            new = xr.Variable(var.dims, data, attrs=_clean_attrs(var.attrs))
            if name in template.coords:
                out.coords[name] = new
            else:
                out[name] = new
            encoding[name] = {"chunks": chunks}
        out.coords["scenario"] = np.arange(n_scenarios)
        out["design"] = design.reset_coords(drop=True).drop_vars("scenario", errors="ignore")
        out["design"] = out["design"].astype(float)
        out.coords["parameter"] = np.asarray(design["parameter"].values, dtype=str).astype(_STR)
        encoding["design"] = {"chunks": (chunk_size, design.shape[1])}
        out[DONE] = xr.Variable(("chunk",), np.zeros(n_chunks, dtype=bool))
        encoding[DONE] = {"chunks": (1,)}
        out[DIGESTS] = xr.Variable(("chunk",), np.full(n_chunks, "", dtype=_STR))
        encoding[DIGESTS] = {"chunks": (1,)}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.to_zarr(self.path, mode="w-", compute=False, consolidated=False,
                            encoding=encoding)
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot create the store ({exc})", location=self.path) from None

    def attrs(self) -> dict:
        """The root attributes.

        Raises
        ------
        StoreError
            If the path holds no readable Zarr group.
        """
        try:
            return dict(zarr.open_group(self.path, mode="r").attrs)
        except Exception as exc:  # zarr raises several types for a missing/broken group
            raise StoreError(f"not a readable Zarr store ({type(exc).__name__}: {exc})",
                             location=self.path) from None

    def set_attrs(self, **attrs) -> None:
        """Add root attributes (JSON-able values)."""
        zarr.open_group(self.path, mode="r+").attrs.update(attrs)

    def completed(self) -> np.ndarray:
        """Completion flag of each chunk.

        Raises
        ------
        StoreError
            If the store has no chunk flags (it was not written by a sweep).
        """
        try:
            return np.asarray(zarr.open_group(self.path, mode="r")[DONE][:], dtype=bool)
        except KeyError:
            raise StoreError(f"store has no '{DONE}' array; it was not written by a simsys "
                             f"sweep", location=self.path) from None

    def write_chunk(self, chunk_id: int, start: int, stop: int, ds: xr.Dataset) -> None:
        """Write one chunk's results into its region, then set its flag.

        Raises
        ------
        StoreError
            If the chunk does not fit the store (names, dims or sizes differ).
        """
        try:
            self._write_chunk(chunk_id, start, stop, ds)
        except OSError as exc:  # permission denied, disk full: the flag stays unset
            raise StoreError(f"cannot write chunk {chunk_id} (scenarios {start}-{stop - 1}): "
                             f"{exc.strerror or exc}; the chunks written so far are kept, "
                             f"--resume completes the store", location=self.path) from None

    def _write_chunk(self, chunk_id: int, start: int, stop: int, ds: xr.Dataset) -> None:
        # Straight to the Zarr arrays: xarray's region write re-validates the whole store
        # on every call, which costs more than the write itself for small chunks.
        group = self._group()
        digests: dict[str, str] = {}
        where = f"chunk {chunk_id} (scenarios {start}-{stop - 1}) does not fit the store"
        names = [n for n, v in ds.variables.items()
                 if "scenario" in v.dims and n not in ("scenario", "design")]
        missing = set(self._scenario_arrays) - set(names)
        if missing:
            raise StoreError(f"{where}: it lacks {sorted(missing)}", location=self.path)
        for name in names:
            if name not in self._scenario_arrays:
                raise StoreError(f"{where}: the store has no variable {name!r}",
                                 location=self.path)
            arr, dims = self._scenario_arrays[name]
            var = ds.variables[name]
            if set(var.dims) != set(dims):
                raise StoreError(f"{where}: {name!r} has dims {var.dims}, the store {dims}",
                                 location=self.path)
            values = np.asarray(var.transpose(*dims).values)
            if values.dtype.kind in "OU":
                values = values.astype(_STR)
            try:
                arr[start:stop] = values
            except (ValueError, TypeError, IndexError) as exc:
                raise StoreError(f"{where}: {name!r}: {exc}", location=self.path) from None
            digests[name] = values_digest(np.asarray(values, dtype=arr.dtype))
        if DIGESTS in group:
            group[DIGESTS][chunk_id] = json.dumps(digests, sort_keys=True)
        group[DONE][chunk_id] = True

    def verify_chunks(self, chunk_size: int, only=None) -> dict[int, list[str]]:
        """Check every chunk flagged done against the digests recorded when it was written.

        Parameters
        ----------
        chunk_size : int
            Scenarios per chunk.
        only : array of bool, optional
            Check only these chunks (default: those flagged done).

        Returns
        -------
        dict
            Chunk id -> names of the variables whose values differ from their digest
            (``"<no digest>"`` or ``"<unreadable: ...>"`` when that is the problem); empty
            when every chunk is intact.

        Raises
        ------
        StoreError
            If the store cannot be opened.
        """
        try:
            group = zarr.open_group(self.path, mode="r")
            done = np.asarray(group[DONE][:], dtype=bool) if only is None else np.asarray(only)
        except Exception as exc:
            raise StoreError(f"cannot read the store's chunk flags ({type(exc).__name__})",
                             location=self.path) from None
        arrays = {}
        for name, arr in group.arrays():
            dims = tuple(arr.metadata.dimension_names or ())
            if dims and dims[0] == "scenario" and name not in ("scenario", "design"):
                arrays[name] = arr
        try:
            recorded = group[DIGESTS][:] if DIGESTS in group else None
        except Exception:
            recorded = None
        n = int(arrays[next(iter(arrays))].shape[0]) if arrays else 0
        bad: dict[int, list[str]] = {}
        for c in np.flatnonzero(done):
            c = int(c)
            try:
                want = json.loads(str(recorded[c])) if recorded is not None else None
            except (ValueError, IndexError):
                want = None
            if not isinstance(want, dict) or not want:
                bad[c] = ["<no digest>"]
                continue
            start, stop = c * chunk_size, min(n, (c + 1) * chunk_size)
            damaged = sorted(set(want) - set(arrays))
            for name, arr in arrays.items():
                try:
                    got = values_digest(np.asarray(arr[start:stop], dtype=arr.dtype))
                except Exception as exc:  # a corrupt chunk fails to decompress
                    damaged.append(f"{name} <unreadable: {type(exc).__name__}>")
                    continue
                if want.get(name) != got:
                    damaged.append(name)
            if damaged:
                bad[c] = damaged
        return bad

    def _group(self):
        if self._handle is None:
            self._handle = zarr.open_group(self.path, mode="r+")
            self._scenario_arrays = {}
            for name, arr in self._handle.arrays():
                dims = tuple(arr.metadata.dimension_names or ())
                if "scenario" in dims and name not in ("scenario", "design", DIGESTS):
                    self._scenario_arrays[name] = (arr, dims)
        return self._handle

    def open(self) -> xr.Dataset:
        """The results as a lazily loaded Dataset.

        Raises
        ------
        StoreError
            If the store cannot be opened.
        """
        try:
            ds = xr.open_zarr(self.path, consolidated=False)
        except Exception as exc:
            raise StoreError(f"cannot open the store ({exc})", location=self.path) from None
        from ..names import decode_names
        return decode_names(ds)


STORES = {"zarr": ZarrStore}
