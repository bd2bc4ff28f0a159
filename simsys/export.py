"""Write a run's results the way a researcher reads them: NetCDF, a headline CSV, a PNG, a manifest."""
from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

import xarray as xr

from .errors import SimsysError

__all__ = ["headline_variables", "headline_summary", "export_run"]

log = logging.getLogger(__name__)
_MAX_HEADLINE = 6


def headline_variables(ds: xr.Dataset) -> list[str]:
    """The outputs worth showing first.

    Variables of a model group whose name contains "output" (the talent model's
    ``Outputs`` view), else the model's stocks; at most six.
    """
    names = [n for n, v in ds.data_vars.items() if "output" in str(v.attrs.get("group", "")).lower()
             and v.attrs.get("kind") != "constant"]
    if not names:
        names = [n for n, v in ds.data_vars.items() if v.attrs.get("kind") == "stock"]
    if not names:
        names = [n for n, v in ds.data_vars.items() if v.attrs.get("kind") != "constant"]
    return names[:_MAX_HEADLINE]


def headline_summary(ds: xr.Dataset) -> list[list[str]]:
    """Rows (output, units, start, end, change) for the terminal.

    Subscripted outputs are summed over their regions, or averaged when intensive
    (per capita, shares, rates, indices; see :func:`simsys.headline.aggregation`).
    """
    from .headline import aggregate, percent
    rows = []
    for name in headline_variables(ds):
        da, suffix = aggregate(ds[name])
        v0, v1 = float(da.isel(time=0)), float(da.isel(time=-1))
        rows.append([f"{name}{suffix}", ds[name].attrs.get("units", "") or "-",
                     f"{v0:.4g}", f"{v1:.4g}", percent(v1, v0)])
    return rows


def export_run(ds: xr.Dataset, out_dir, name: str, *, plot: bool = True, title: str | None = None,
               reference: tuple[str, xr.Dataset] | None = None) -> dict:
    """Write ``<name>.nc``, ``<name>_headline.csv``, ``<name>.png`` and ``<name>.manifest.json``.

    Parameters
    ----------
    ds : xarray.Dataset
        A single run (as returned by :func:`simsys.scenario.run_scenario`).
    out_dir : str or Path
    name : str
        Base name of the files.
    plot : bool
        Also draw the headline outputs.
    title : str, optional
        Figure title.
    reference : (str, xarray.Dataset), optional
        Label and run drawn dashed behind this one (the parent scenario).

    Returns
    -------
    dict
        kind -> Path of each file written.

    Raises
    ------
    SimsysError
        The folder cannot be created or written.
    """
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SimsysError(f"cannot create the output folder: {err.strerror}", location=out) from None
    if not os.access(out, os.W_OK):
        raise SimsysError("the output folder is not writable", location=out)
    paths = {}
    manifest = ds.attrs.get("simsys_manifest")
    clean = ds.copy()
    clean.attrs = {k: v for k, v in ds.attrs.items() if k != "simsys_manifest"}
    for v in clean.variables.values():
        v.attrs = {k: a for k, a in v.attrs.items() if isinstance(a, (str, int, float))}
    if "simsys_fail_variable" in clean.coords:
        clean = clean.assign_coords(simsys_fail_variable=clean["simsys_fail_variable"].astype(str))
    # Every file is written to a temporary name first; only when all of them are written are
    # they renamed into place, the manifest last. A failure (disk full, permission, a plot
    # error) leaves the earlier results of this name untouched and no half-written file.
    staged: list[tuple[Path, Path]] = []

    def stage(path: Path, write) -> None:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        staged.append((Path(tmp), path))
        write(Path(tmp))
        os.chmod(tmp, _file_mode())  # mkstemp makes 0600; results follow the umask like any file

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
        if plot and heads:
            png = out / f"{name}.png"
            stage(png, lambda p: _plot(ds, heads, p, title, reference, name))
            paths["plot"] = png
        mf = out / f"{name}.manifest.json"
        if manifest:
            data = json.loads(manifest)
            data.setdefault("call", {})["results"] = str(nc.resolve())
            stage(mf, lambda p: p.write_text(json.dumps(data, indent=2, sort_keys=True)))
            paths["manifest"] = mf
        mf.unlink(missing_ok=True)  # an earlier manifest must not vouch for the new files
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


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _plot(ds, heads, path: Path, title, reference=None, name=None):
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
    fig = trajectories(ds, list(heads), title=title, **kwargs)
    if not hasattr(fig, "savefig"):
        fig = fig.figure
    fig.savefig(path, dpi=110, bbox_inches="tight", format="png")
    plt.close(fig)
