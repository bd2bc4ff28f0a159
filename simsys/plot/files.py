"""Draw one figure straight from a results file (what ``simsys plot`` does)."""
from __future__ import annotations

from pathlib import Path

from ..errors import PlotError

__all__ = ["KINDS", "open_results", "plot_file"]

KINDS = ("trajectories", "fan", "heatmap", "coupling")


def open_results(path):
    """Open a run's NetCDF file or a Zarr run/sweep store, refusing an incomplete sweep.

    Raises
    ------
    PlotError
        The file cannot be read as NetCDF or Zarr.
    StoreError
        A sweep store whose chunks are not all written.
    """
    import xarray as xr

    from ..sweep.store import check_complete
    path = str(path)
    try:
        ds = xr.open_zarr(path, consolidated=False) if path.rstrip("/").endswith(".zarr") \
            else xr.open_dataset(path)
    except Exception as exc:  # xarray raises several types for an unreadable file
        raise PlotError(f"cannot read {path!r} as NetCDF or Zarr ({exc})") from None
    check_complete(ds, path)
    from ..names import decode_names
    return decode_names(ds)


def plot_file(results, kind: str, var: str, out, *, scenario=None, region=None, lang="en") -> Path:
    """Plot ``var`` from a results file into ``out`` (PNG, SVG or PDF).

    Parameters
    ----------
    results : str or Path
        A ``.nc`` file from ``simsys run``, or a ``.zarr`` run or sweep store.
    kind : {"trajectories", "fan", "heatmap", "coupling"}
    var : str
        The variable to draw.
    out : str or Path
    scenario : int, optional
        Which scenario of a sweep to draw (not for ``fan``).
    region : str, optional
        Element of the region dimension, for a fan chart.

    Returns
    -------
    Path

    Raises
    ------
    PlotError
        Unreadable file, unknown kind or variable, a sweep without ``scenario``.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import coupling_chart, fan_chart, heatmap, trajectories
    if kind not in KINDS:
        raise PlotError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    ds = open_results(results)
    if kind != "fan" and "scenario" in ds.dims:
        if scenario is None and ds.sizes["scenario"] != 1:
            raise PlotError(f"{str(results)!r} holds {ds.sizes['scenario']} scenarios; choose one with "
                            "--scenario N, or use --kind fan")
        ds = ds.isel(scenario=0) if scenario is None else ds.sel(scenario=scenario)
    if var in ds.data_vars:
        ds = ds[[var]].load()
    draw = {"trajectories": lambda: trajectories(ds, var, lang=lang),
            "fan": lambda: fan_chart(ds, var, region=region, lang=lang),
            "heatmap": lambda: heatmap(ds, var, lang=lang),
            "coupling": lambda: coupling_chart(ds, variable=var, lang=lang)}[kind]
    ax = draw()
    fig = getattr(ax, "figure", ax)
    out = Path(out)
    fig.savefig(out, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return out
