"""simsys run: one scenario -> NetCDF, headline CSV, PNG plot, manifest."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import method_option, seed_option, table


@click.command("run")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: results/<scenario name>).")
@click.option("--plot/--no-plot", default=True, show_default=True, help="Write a PNG of the headline outputs.")
@click.option("--final-time", type=float, default=None, help="Override FINAL TIME.")
@click.option("--time-step", type=float, default=None, help="Override TIME STEP.")
@click.option("--force", is_flag=True,
              help="Replace another run's results in the output folder (its old files are removed).")
@method_option
@seed_option
def command(scenario, out_dir, plot, final_time, time_step, method, seed, force):
    """Run one scenario file and write its results.

    \b
    Writes into the output folder:
      <name>.nc             every variable over time (NetCDF, open with xarray)
      <name>_headline.csv   the headline outputs, one column per region
      <name>.png            a plot of the headline outputs (unless --no-plot)
      <name>.manifest.json  what made these numbers (simsys reproduce reads it)

    \b
    Examples:
      simsys run scenarios/baseline.toml
      simsys run scenarios/evaluation_reform.toml --out results/eval --final-time 2040
    """
    from ..export import export_run, headline_summary
    from ..scenario import load_scenario, run_scenario
    sc = load_scenario(scenario)
    out = Path(out_dir) if out_dir else Path("results") / sc.name
    ds = run_scenario(scenario, command=" ".join(["simsys"] + sys.argv[1:]), final_time=final_time,
                      time_step=time_step, method=method, seed=seed)
    paths = export_run(ds, out, sc.name, plot=plot, title=sc.question or sc.description or sc.name,
                       force=force)
    click.echo(table(headline_summary(ds), ["output", "units", "start", "end", "change"]))
    for kind, p in paths.items():
        click.echo(f"{kind:>9}: {p}")
