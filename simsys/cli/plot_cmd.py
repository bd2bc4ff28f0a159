"""simsys plot: draw one figure from a results file (NetCDF or Zarr)."""
from __future__ import annotations

import click

__all__ = ["commands"]

_KINDS = ("trajectories", "fan", "heatmap", "coupling")


@click.command("plot")
@click.argument("results", type=click.Path(exists=True))
@click.option("--kind", type=click.Choice(_KINDS), default="trajectories", show_default=True,
              help="trajectories/heatmap/coupling: one run; fan: a sweep's percentile bands.")
@click.option("--var", "var", required=True, metavar="VAR", help="Variable to plot.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Figure file (PNG, SVG, PDF).")
@click.option("--scenario", type=int, default=None,
              help="Scenario to draw from a sweep (trajectories, heatmap, coupling).")
@click.option("--region", default=None, help="Element of the region dimension (fan chart).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of labels (zh needs a CJK font).")
def plot(results, kind, var, out, scenario, region, lang):
    """Plot VAR from RESULTS (a .nc file from simsys run, or a .zarr run or sweep store).

    \b
    Examples:
      simsys plot results/baseline/baseline.nc --kind trajectories --var "Value added" --out va.png
      simsys plot results/baseline/baseline.nc --kind heatmap --var "Talent innovation vitality" --out heat.png
      simsys plot results/baseline/baseline.nc --kind coupling --var "Coupling coordination D" --out d.png
      simsys plot runs/levers.zarr --kind fan --var "Total vitality" --out fan.png
      simsys plot runs/levers.zarr --kind trajectories --var "Value added" --scenario 12 --out s12.png
    """
    import matplotlib
    matplotlib.use("Agg")
    import xarray as xr

    from .. import plot as plots
    from ..errors import PlotError
    try:
        ds = xr.open_zarr(results, consolidated=False) if str(results).rstrip("/").endswith(".zarr") \
            else xr.open_dataset(results)
    except Exception as exc:  # xarray raises several types for an unreadable file
        raise PlotError(f"cannot read {results!r} as NetCDF or Zarr ({exc})") from None
    from ..sweep.store import check_complete
    check_complete(ds, results)
    if kind != "fan" and "scenario" in ds.dims:
        if scenario is None and ds.sizes["scenario"] != 1:
            raise PlotError(f"{results!r} holds {ds.sizes['scenario']} scenarios; choose one with "
                            "--scenario N, or use --kind fan")
        ds = ds.isel(scenario=scenario or 0) if scenario is None else ds.sel(scenario=scenario)
    if var in ds.data_vars:
        ds = ds[[var]].load()
    draw = {"trajectories": lambda: plots.trajectories(ds, var, lang=lang),
            "fan": lambda: plots.fan_chart(ds, var, region=region, lang=lang),
            "heatmap": lambda: plots.heatmap(ds, var, lang=lang),
            "coupling": lambda: plots.coupling_chart(ds, variable=var, lang=lang)}[kind]
    ax = draw()
    fig = getattr(ax, "figure", ax)
    fig.savefig(out, dpi=150, bbox_inches="tight")
    click.echo(f"plot: {out}")


commands = [plot]
