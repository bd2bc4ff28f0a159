"""Write a run's results the way a researcher reads them: NetCDF, a headline CSV, a PNG, a manifest."""
from __future__ import annotations

import json
import logging
import os
import socket
import tempfile
from contextlib import contextmanager
from pathlib import Path

import xarray as xr

from .errors import SimsysError, escape
from .manifest import file_digest
from .names import encode_names, user_variables
from .safeio import file_mode, read_bounded, safe_stem

__all__ = ["headline_variables", "headline_summary", "export_run", "run_lock"]

log = logging.getLogger(__name__)
_MAX_HEADLINE = 6


def headline_variables(ds: xr.Dataset) -> list[str]:
    """The outputs worth showing first.

    Variables of a model group whose name contains "output" (the talent model's
    ``Outputs`` view), else the model's stocks; at most six.
    """
    user = [(n, ds[n]) for n in user_variables(ds)]
    names = [n for n, v in user if "output" in str(v.attrs.get("group", "")).lower()
             and v.attrs.get("kind") != "constant"]
    if not names:
        names = [n for n, v in user if v.attrs.get("kind") == "stock"]
    if not names:
        names = [n for n, v in user if v.attrs.get("kind") != "constant"]
    return names[:_MAX_HEADLINE]


def headline_summary(ds: xr.Dataset) -> list[list[str]]:
    """Rows (output, units, start, end, change) for the terminal; subscripted outputs are summed
    or averaged over their regions by :func:`simsys.headline.aggregation` (an index is averaged)."""
    from .headline import aggregate, percent
    rows = []
    for name in headline_variables(ds):
        da, suffix = aggregate(ds[name])
        label = name + suffix
        v0, v1 = float(da.isel(time=0)), float(da.isel(time=-1))
        change = percent(v1, v0)
        rows.append([label, da.attrs.get("units", "") or ds[name].attrs.get("units", "") or "-",
                     f"{v0:.4g}", f"{v1:.4g}", change])
    return rows


def export_run(ds: xr.Dataset, out_dir, name: str, *, plot: bool = True, title: str | None = None,
               reference: tuple[str, xr.Dataset] | None = None, force: bool = False,
               observed=None) -> dict:
    """Write ``<name>.nc``, ``<name>_headline.csv``, ``<name>.png`` and ``<name>.manifest.json``.

    Every file is written to a temporary file in ``out_dir`` and renamed into place (a
    symlink in the way is replaced, never written through), the manifest last, with the
    digest of each file it vouches for. A lock (``.simsys-run.lock``) refuses a second
    run into the folder while one is writing. A folder holding another run's results
    (another scenario's manifest, or files simsys did not write) is refused unless
    ``force``, which removes the old run's files so none is left beside the new ones
    (files simsys did not write are kept).
    A plot that fails is a warning: the results are kept.

    Parameters
    ----------
    ds : xarray.Dataset
        A single run (as returned by :func:`simsys.scenario.run_scenario`).
    out_dir : str or Path
    name : str
        Base name of the files (a safe file stem).
    plot : bool
        Also draw the headline outputs.
    title : str, optional
        The plot's title.
    reference : (str, xarray.Dataset), optional
        Label and run drawn dashed behind this one (the parent scenario).
    force : bool
        Replace another run's results in ``out_dir``.
    observed : mapping, optional
        Variable -> observed series drawn as points on the plot (a scenario's ``[observed]``).

    Returns
    -------
    dict
        kind -> Path of each file written.

    Raises
    ------
    SimsysError
        The name is not a safe file stem, the folder cannot be created or written, is
        locked by a running run, or holds another run's results (without ``force``).
    """
    name = safe_stem(name, key="name")
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise SimsysError("the output path exists and is not a folder (give another --out)",
                          location=out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SimsysError(f"cannot create the output folder: {err.strerror}", location=out) from None
    if not os.access(out, os.W_OK):
        raise SimsysError("the output folder is not writable", location=out)
    with run_lock(out):
        stale = _check_folder(out, name, force)
        return _export(ds, out, name, plot=plot, title=title, stale=stale, reference=reference,
                       observed=observed)


def _export(ds, out: Path, name: str, *, plot, title, stale, reference=None, observed=None) -> dict:
    paths = {}
    manifest = ds.attrs.get("simsys_manifest")
    clean = encode_names(ds.copy())
    clean.attrs = {k: v for k, v in ds.attrs.items() if k != "simsys_manifest"}
    for v in clean.variables.values():
        v.attrs = {k: a for k, a in v.attrs.items() if isinstance(a, (str, int, float))}
    if "simsys_fail_variable" in clean.coords:
        clean = clean.assign_coords(simsys_fail_variable=clean["simsys_fail_variable"].astype(str))
    mf = out / f"{name}.manifest.json"
    # Every file is staged under a temporary name in the folder; only when all are written
    # are they renamed into place (a symlink in the way is replaced, never followed), the
    # manifest last. A failed write (disk full, permission) leaves the earlier results of
    # this name whole and no temporary file; a plot that fails to draw is only a warning.
    staged: list[tuple[Path, Path]] = []

    def stage(path: Path, write) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        os.close(fd)
        staged.append((Path(tmp), path))
        write(Path(tmp))
        os.chmod(tmp, file_mode())  # mkstemp makes 0600; results follow the umask like any file

    try:
        nc = out / f"{name}.nc"
        stage(nc, lambda p: clean.to_netcdf(p, engine="netcdf4"))
        paths["results"] = nc
        csv = out / f"{name}_headline.csv"
        from .results import to_frame
        heads = headline_variables(ds)
        frame = to_frame(ds[heads]) if heads else to_frame(ds)
        stage(csv, lambda p: frame.to_csv(p, float_format="%.10g"))
        paths["headline"] = csv
        # an observed series the headline does not show gets a panel of its own
        drawn = heads + [v for v in observed or {} if v in ds.data_vars and v not in heads]
        if plot and drawn:
            png = out / f"{name}.png"
            try:
                stage(png, lambda p: _plot(ds, drawn, p, title, reference, name, observed))
                paths["plot"] = png
            except OSError:
                raise
            except Exception as err:  # bad TeX, a missing font: the results are kept
                tmp, _ = staged.pop()
                tmp.unlink(missing_ok=True)
                log.warning("the plot was not drawn (%s: %s); the results are written",
                            type(err).__name__, str(err).splitlines()[0] if str(err) else "")
        digests = {final.name: file_digest(tmp) for tmp, final in staged}
        if manifest:
            from .manifest import finish_manifest
            data = json.loads(manifest)
            data.setdefault("call", {})["results"] = str(nc.resolve())
            body = json.dumps(finish_manifest(data, out, digests), indent=2, sort_keys=True)
            stage(mf, lambda p: p.write_text(body + "\n", encoding="utf-8"))
            paths["manifest"] = mf
        if mf.exists() or mf.is_symlink():
            mf.unlink()  # an earlier manifest must not vouch for the new files
        for old in stale:
            if old.name not in digests and old != mf:
                old.unlink(missing_ok=True)
        for tmp, final in staged:
            os.replace(tmp, final)
    except BaseException as err:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise SimsysError(f"cannot write results: {err.strerror or err}",
                              location=out) from None
        raise
    return paths


_RUN_FILES = (".nc", "_headline.csv", ".png", ".manifest.json")
_LOCK = ".simsys-run.lock"


def _check_folder(out: Path, name: str, force: bool) -> list[Path]:
    """The files of an earlier run in ``out`` to remove; refuses another run's without force."""
    ours = {f"{name}{s}" for s in _RUN_FILES}
    other_runs, foreign, stale = [], [], []
    for entry in out.iterdir():
        if entry.name == _LOCK or entry.name.startswith("."):
            continue
        if entry.name.endswith(".manifest.json"):
            stem = entry.name[:-len(".manifest.json")]
            if stem != name:
                other_runs.append(stem)
            stale.append(entry)
            stale.extend(out / f"{stem}{s}" for s in _RUN_FILES[:-1])
        elif entry.name in ours:
            stale.append(entry)
        else:
            foreign.append(entry)
    claimed = {p.name for p in stale}
    foreign = [f for f in foreign if f.name not in claimed]
    if (other_runs or foreign) and not force:
        what = (f"the results of run {escape(repr(other_runs[0]))}" if other_runs else
                f"files simsys did not write ({escape(foreign[0].name)}"
                + (f" and {len(foreign) - 1} more" if len(foreign) > 1 else "") + ")")
        raise SimsysError(f"the output folder holds {what}; refusing to overwrite them: give "
                          f"another --out, or --force to replace that run", location=out)
    if foreign and force:
        log.warning("keeping %d file(s) simsys did not write in %s", len(foreign), out)
    return [p for p in dict.fromkeys(stale) if p.is_file() or p.is_symlink()]


@contextmanager
def run_lock(folder: Path):
    """Hold ``folder/.simsys-run.lock`` while writing; a live holder makes this refuse.

    Raises
    ------
    SimsysError
        If another live process holds the lock.
    """
    from .sweep.store import pid_alive
    lock = folder / _LOCK
    body = json.dumps({"pid": os.getpid(), "host": socket.gethostname()})
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0),
                         0o644)
        except FileExistsError:
            try:
                held = json.loads(read_bounded(lock, 4096).decode())
            except (SimsysError, ValueError):
                held = {}
            pid = held.get("pid") if isinstance(held, dict) else None
            host = held.get("host") if isinstance(held, dict) else None
            if isinstance(pid, int) and host in (None, socket.gethostname()) and pid_alive(pid):
                raise SimsysError(f"another run (pid {pid}) is writing into this folder; wait "
                                  f"for it or give another --out", location=folder) from None
            if host not in (None, socket.gethostname()):
                raise SimsysError(f"the folder is locked by a run on {escape(host)}; if it is "
                                  f"no longer running, delete {lock}", location=folder) from None
            log.warning("removing the stale lock of pid %s in %s", pid, folder)
            lock.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(body)
        break
    else:
        raise SimsysError("could not take the folder's lock (another run raced for it)",
                          location=folder)
    try:
        yield lock
    finally:
        lock.unlink(missing_ok=True)


def _plot(ds, heads, path: Path, title, reference=None, name=None, observed=None):
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .plot import trajectories
    kwargs = {}
    if reference is not None:
        ref_label, ref_ds = reference
        heads = [h for h in heads if h in ref_ds.data_vars]
        kwargs = {"reference": ref_ds, "reference_label": ref_label, "label": name}
    dims = {d for h in heads for d in ds[h].dims if d != "time"}
    if len(dims) == 1:  # any model's one subscript, not only the talent model's Region
        kwargs["dim"] = dims.pop()
    fig = trajectories(ds, list(heads), title=title, observed=observed, **kwargs)
    if not hasattr(fig, "savefig"):
        fig = fig.figure
    fig.savefig(path, dpi=110, bbox_inches="tight", format="png")
    plt.close(fig)
