"""Reproducing a manifest: check what is on disk, run the recorded call again, compare.

The order matters to a reviewer who received the files from someone else:

1. the manifest is read (bounded, JSON only, its own digest checked) and its call is
   checked to be plain data naming no code;
2. the result files beside it are checked against the digests it records (a truncated
   ``.nc``, a value edited in place, a corrupt or deleted Zarr chunk are named with the
   file, chunk and variable);
3. the call is run again and each variable compared; a difference is reported with its
   size (absolute and relative), where it is (variable, scenario, element, time) and the
   inputs that changed (a file, or a lever with its old and new value).
"""
from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from .errors import ReproduceError, escape
from .manifest import check_call, file_digest, read_manifest, results_digest
from .wording import count

__all__ = ["ReproduceReport", "reproduce", "verify_on_disk", "lever_texts"]

log = logging.getLogger(__name__)
_SLAB = 4096


@dataclass(frozen=True, slots=True)
class ReproduceReport:
    """Outcome of :func:`reproduce`.

    ``identical`` is True when the results on disk match the manifest and every re-run
    variable's digest matches. ``on_disk`` lists problems with the files beside the
    manifest (checked first). ``differing`` lists re-run variables whose digests
    differ; ``first_difference`` gives the first differing value when the original
    results could be read: ``{"variable", "scenario", "time", "element", "old", "new",
    "abs", "rel", "max_abs", "max_rel"}``. ``inputs_changed`` names input files whose
    hash is not the recorded one; ``levers_changed`` gives ``(lever, old, new)``.
    """

    identical: bool
    differing: tuple[str, ...] = ()
    first_difference: dict | None = None
    inputs_changed: tuple[str, ...] = ()
    on_disk: tuple[str, ...] = ()
    levers_changed: tuple[tuple[str, str, str], ...] = ()

    @property
    def status(self) -> str:
        """``"identical"``, ``"different"``, or ``"different (inputs changed)"``."""
        if self.identical:
            return "identical"
        return "different (inputs changed)" if self.inputs_changed else "different"

    def summary(self) -> str:
        """One line describing the outcome (control characters escaped)."""
        parts = []
        if self.on_disk:
            parts.append("results on disk differ from the manifest: " + "; ".join(self.on_disk))
        if self.identical:
            parts.append("identical")
        elif self.first_difference:
            fd = self.first_difference
            where = ", ".join(f"{k} {fd[k]}" for k in ("scenario", "element", "time")
                              if fd.get(k) is not None)
            text = f"results differ: first in '{fd['variable']}'" + (f" at {where}" if where
                                                                     else "")
            if fd.get("abs") is not None:
                text += (f" ({fd['old']!r} -> {fd['new']!r}: abs {fd['abs']:.3g}, "
                         f"rel {fd['rel']:.3g}; largest in the variable abs "
                         f"{fd['max_abs']:.3g}, rel {fd['max_rel']:.3g})")
            parts.append(text)
        elif self.differing:
            parts.append(f"re-run results differ in {', '.join(repr(v) for v in self.differing)}")
        if self.levers_changed:
            parts.append("levers changed: " + ", ".join(f"'{n}' {o} -> {w}"
                                                        for n, o, w in self.levers_changed))
        if self.inputs_changed:
            parts.append(f"inputs changed: {', '.join(self.inputs_changed)}")
        return escape("; ".join(parts))


def lever_texts(scenario) -> dict[str, str]:
    """A scenario's lever settings as text (name -> text), as a manifest records them."""
    out = {}
    for name, value in scenario.levers.items():
        if isinstance(value, dict):
            for elem, v in value.items():
                out[f"{name}[{elem}]"] = repr(v)
        else:
            out[name] = repr(value)
    for k, v in scenario.run.as_kwargs().items():
        out[f"[run] {k}"] = repr(v)
    return out


def _resolve(path: str, root: Path) -> Path:
    p = Path(path)
    return p if p.is_absolute() else (root / p)


def _changed_inputs(manifest: dict, root: Path) -> tuple[str, ...]:
    changed = []
    for group in manifest.get("inputs", {}).values():
        for path, digest in group.items():
            p = _resolve(path, root)
            try:
                now = file_digest(p)
            except ReproduceError:
                now = None
            if now != digest:
                changed.append(str(p.resolve()) + ("" if now else " (missing)"))
    return tuple(changed)


def _variables_on_disk(path: Path, manifest: dict) -> list[str]:
    """Which recorded variables of a results file differ (or why the file cannot be read)."""
    try:
        with _open_results(path) as ds:
            now = results_digest(ds)["variables"]
    except Exception as exc:  # truncated or corrupt: netCDF/HDF5/zarr raise many types
        return [f"{path.name} cannot be read ({type(exc).__name__}: truncated or corrupt)"]
    old = manifest["results"]["variables"]
    names = sorted(n for n in set(old) | set(now) if old.get(n) != now.get(n))
    if not names:
        return [f"{path.name}: file bytes differ (values unchanged)"]
    return [f"{path.name}: variable {', '.join(repr(n) for n in names[:5])}"
            + (f" and {len(names) - 5} more" if len(names) > 5 else "") + " changed"]


def verify_on_disk(manifest: dict, root: str | Path, *, store: str | Path | None = None
                   ) -> list[str]:
    """Check the result files a manifest describes against its digests.

    Parameters
    ----------
    manifest : dict
        A manifest read with :func:`simsys.manifest.read_manifest`.
    root : str or Path
        The folder its relative paths start from.
    store : str or Path, optional
        A sweep store to check chunk by chunk (default: the call's ``results`` when it is
        a store).

    Returns
    -------
    list of str
        One line per problem (file or chunk and variable); empty when all is intact.
    """
    from .sweep.store import ZarrStore
    root = Path(root)
    problems = []
    for name, digest in (manifest.get("files") or {}).items():
        p = _resolve(name, root)
        if Path(name).is_absolute() or ".." in Path(name).parts:
            problems.append(f"{escape(name)}: not a file beside the manifest (refused)")
            continue
        if not p.exists() and not p.is_symlink():
            problems.append(f"{escape(name)} is missing")
            continue
        try:
            now = file_digest(p)
        except ReproduceError as exc:
            problems.append(f"{escape(name)}: {exc.message}")
            continue
        if now != digest:
            if p.suffix in (".nc", ".nc4", ".netcdf"):
                problems.extend(_variables_on_disk(p, manifest))
            else:
                problems.append(f"{escape(name)} changed since it was written")
    call = manifest.get("call") or {}
    if store is None and call.get("kind") == "sweep" and isinstance(call.get("results"), str):
        store = _resolve(call["results"], root)
    if store is not None:
        store = Path(store)
        if not store.is_dir():
            return problems + [f"the results store {escape(store.name)} is missing"]
        zs = ZarrStore(store)
        try:
            chunk = int(zs.attrs().get("simsys_chunk_size", 0))
            bad = zs.verify_chunks(chunk) if chunk > 0 else {}
        except Exception as exc:
            return problems + [f"{escape(store.name)} cannot be read ({type(exc).__name__})"]
        for c, names in sorted(bad.items()):
            problems.append(f"{escape(store.name)} chunk {c} (scenarios {c * chunk}-"
                            f"{(c + 1) * chunk - 1}): {', '.join(map(escape, names))}")
        try:
            now = results_digest(store)["variables"]
            old = manifest["results"]["variables"]
            diff = sorted(n for n in set(old) | set(now) if old.get(n) != now.get(n))
        except Exception as exc:
            diff = [f"<unreadable: {type(exc).__name__}>"]
        if diff and not bad:
            problems.append(f"{escape(store.name)}: variable "
                            f"{', '.join(escape(repr(n)) for n in diff[:5])} changed")
    return problems


def _diff_mask(av: np.ndarray, bv: np.ndarray) -> np.ndarray:
    if av.dtype.kind in "fc" and bv.dtype.kind in "fc":
        return ~((av == bv) | (np.isnan(av) & np.isnan(bv)))
    return np.asarray(av.astype(str) != bv.astype(str))


def _item(coord):
    return coord.item() if hasattr(coord, "item") else coord


def _first_difference(old: xr.Dataset, new: xr.Dataset, names) -> dict | None:
    for name in names:
        out = {"variable": name, "scenario": None, "time": None}
        if name not in old.variables or name not in new.variables:
            return out
        a, b = old[name], new[name]
        if set(a.dims) != set(b.dims):
            return out
        b = b.transpose(*a.dims)
        if a.shape != b.shape:
            return out
        numeric = a.dtype.kind in "fiuc" and b.dtype.kind in "fiuc"
        max_abs = max_rel = 0.0
        step = _SLAB if a.ndim and a.shape[0] > _SLAB else max(a.shape[:1] or (1,))
        for start in range(0, a.shape[0] if a.ndim else 1, step):
            sa = np.asarray((a[start:start + step] if a.ndim else a).values)
            sb = np.asarray((b[start:start + step] if b.ndim else b).values)
            mask = np.atleast_1d(_diff_mask(sa, sb))
            if not mask.any():
                continue
            if numeric:
                fa, fb = np.atleast_1d(sa.astype(float)), np.atleast_1d(sb.astype(float))
                with np.errstate(all="ignore"):
                    d = np.abs(fa - fb)[mask]
                    r = d / np.maximum(np.abs(fa), np.abs(fb))[mask]
                max_abs = max(max_abs, float(np.nanmax(d)) if np.isfinite(d).any() else np.inf)
                max_rel = max(max_rel, float(np.nanmax(r)) if np.isfinite(r).any() else np.inf)
            if out.get("old") is not None or "abs" in out:
                continue
            idx = np.argwhere(mask)[0]
            first = dict(zip(a.dims, idx))
            if a.ndim:
                first[a.dims[0]] += start
            element = []
            for dim, i in first.items():
                coord = a[dim].values[i] if dim in a.coords else i
                if dim in ("scenario", "time"):
                    out[dim] = _item(coord)
                else:
                    element.append(f"{dim}={_item(coord)}")
            if element:
                out["element"] = ", ".join(element)
            if numeric:
                va = float(np.atleast_1d(sa)[tuple(idx)])
                vb = float(np.atleast_1d(sb)[tuple(idx)])
                out.update(old=va, new=vb, abs=abs(va - vb),
                           rel=abs(va - vb) / max(abs(va), abs(vb)) if max(abs(va), abs(vb))
                           else 0.0)
            else:
                out["abs"] = None
        if "abs" in out or out.get("scenario") is not None or out.get("time") is not None:
            if numeric and out.get("abs") is not None:
                out.update(max_abs=max_abs, max_rel=max_rel)
            return out
    return None


def _open_results(path) -> xr.Dataset:
    if str(path).endswith((".nc", ".nc4", ".netcdf")):
        return xr.open_dataset(path)
    return xr.open_zarr(path, consolidated=False)


def _levers_changed(manifest: dict, scenario_path: Path, kind: str) -> tuple:
    old = manifest.get("levers") or {}
    if not old:
        return ()
    try:
        if kind == "sweep":
            from .sweep.spec import load_sweep
            now = lever_texts(load_sweep(scenario_path).scenario)
        else:
            from .scenario import load_scenario
            now = lever_texts(load_scenario(scenario_path))
    except Exception:  # the run itself will report the scenario's problem
        return ()
    return tuple((n, old.get(n, "(unset)"), now.get(n, "(unset)"))
                 for n in sorted(set(old) | set(now)) if old.get(n) != now.get(n))


def reproduce(manifest_path: str | Path, *, executor: str = "inprocess",
              workers: int | None = None, root: str | Path | None = None) -> ReproduceReport:
    """Check a manifest's results on disk, run its recorded call again and compare.

    Parameters
    ----------
    manifest_path : str or Path
        A manifest written by :func:`simsys.manifest.write_manifest` (or a sweep store
        holding one).
    executor : str
        For a sweep: where to run its chunks again (results do not depend on it).
    workers : int, optional
        For a sweep: worker processes.
    root : str or Path, optional
        The folder the manifest's relative paths start from (default: the manifest's
        folder); for a manifest moved away from its inputs.

    Returns
    -------
    ReproduceReport

    Raises
    ------
    ReproduceError
        If the manifest is unreadable, edited, names code, records no call, or its
        scenario file is gone.
    """
    manifest_path = Path(manifest_path)
    manifest = read_manifest(manifest_path)
    call = check_call(manifest.get("call"), manifest_path)
    kind = call["kind"]
    base = Path(root) if root is not None else manifest_path.resolve().parent
    scenario_path = _resolve(call["scenario"], base)
    if not scenario_path.is_file():
        hint = "" if root is not None else " (give --root DIR if the tree was moved)"
        raise ReproduceError(f"the recorded scenario file is gone: {scenario_path}{hint}",
                             location=manifest_path)
    store = manifest_path if manifest_path.is_dir() else None
    on_disk = tuple(verify_on_disk(manifest, base, store=store))
    changed = _changed_inputs(manifest, base)
    levers = _levers_changed(manifest, scenario_path, kind)
    options = dict(call.get("options", {}))
    results_path = _resolve(call["results"], base) if isinstance(call.get("results"), str) \
        else None
    with tempfile.TemporaryDirectory(prefix="simsys-reproduce-") as tmp:
        if kind == "run":
            from .scenario import run_scenario
            new = run_scenario(scenario_path, **options)
        else:
            from .sweep.run import run_sweep
            for key in ("resume", "executor", "workers", "scheduler", "progress"):
                options.pop(key, None)
            out = Path(tmp) / "results.zarr"
            run_sweep(scenario_path, out, executor=executor, workers=workers, **options)
            new = xr.open_zarr(out, consolidated=False)
        digest = results_digest(new)
        old_vars = manifest["results"]["variables"]
        names = sorted(set(old_vars) | set(digest["variables"]))
        differing = tuple(n for n in names if old_vars.get(n) != digest["variables"].get(n))
        first = None
        if differing and results_path is not None and results_path.exists():
            try:
                with _open_results(results_path) as old:
                    first = _first_difference(old, new, differing)
            except Exception as exc:  # damaged results were reported by verify_on_disk
                log.debug("cannot compare with %s: %s", results_path, exc)
        new.close()
    log.info("reproduced %s: %s differ, %s on disk", manifest_path,
             count(len(differing), "variable"), count(len(on_disk), "problem"))
    return ReproduceReport(identical=not differing and not on_disk, differing=differing,
                           first_difference=first, inputs_changed=changed, on_disk=on_disk,
                           levers_changed=levers)

