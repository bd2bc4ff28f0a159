"""simsys plot: draw one figure from a results file (NetCDF or Zarr)."""
from __future__ import annotations

import click

__all__ = ["commands"]

from ..plot.files import KINDS as _KINDS


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
    from ..plot.files import plot_file
    path = plot_file(results, kind, var, out, scenario=scenario, region=region, lang=lang)
    click.echo(f"plot: {path}")


commands = [plot]
