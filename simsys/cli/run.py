"""simsys run: one scenario -> NetCDF, headline CSV, PNG plot, manifest."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import backend_notice, backend_option, method_option, seed_option, table


@click.command("run")
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: results/<scenario name>).")
@click.option("--plot/--no-plot", default=True, show_default=True, help="Write a PNG of the headline outputs.")
@click.option("--all", "every_variable", is_flag=True,
              help="Store every model variable, not only the scenario's [outputs].")
@click.option("--against", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Draw the plot against this scenario or results file (default: the "
                   "scenario this one extends).")
@click.option("--compare/--no-compare", default=True, show_default=True,
              help="Draw the parent scenario (or --against) dashed in the plot.")
@click.option("--final-time", type=float, default=None, help="Override FINAL TIME.")
@click.option("--time-step", type=float, default=None, help="Override TIME STEP.")
@click.option("--force", is_flag=True,
              help="Replace another run's results in the output folder (its old files are removed).")
@method_option
@seed_option
@backend_option
def command(scenario, out_dir, plot, every_variable, against, compare, final_time, time_step,
            method, seed, force, backend):
    """Run one scenario file and write its results.

    \b
    Writes into the output folder:
      <name>.nc             the variables listed in the scenario's [outputs] over time
                            (every variable with --all, or when there is no [outputs])
      <name>_headline.csv   the headline outputs, one column per region
      <name>.png            the headline outputs; a scenario that extends another is drawn
                            solid against its parent dashed (unless --no-plot/--no-compare),
                            and the scenario's [observed] statistics as points
      <name>.manifest.json  what made these numbers (simsys reproduce reads it)

    \b
    Examples:
      simsys run scenarios/baseline.toml
      simsys run scenarios/evaluation_reform.toml --out results/eval --final-time 2040
      simsys run scenarios/unified_market.toml --against scenarios/baseline.toml --all
    """
    from ..compare import check_scenario_file, parent_run
    from ..export import export_run, headline_summary
    from ..scenario import load_scenario, run_scenario
    check_scenario_file(scenario)
    backend_notice(backend)
    sc = load_scenario(scenario)
    out = Path(out_dir) if out_dir else Path("results") / sc.name
    settings = dict(final_time=final_time, time_step=time_step, method=method, seed=seed)
    ds = run_scenario(scenario, command=" ".join(["simsys"] + sys.argv[1:]),
                      every_variable=every_variable, backend=backend, **settings)
    ref = parent_run(scenario, against=against, **settings) if plot and compare else None
    paths = export_run(ds, out, sc.name, plot=plot, title=sc.question or sc.description or sc.name,
                       reference=(ref.label, ref.data) if ref else None, force=force,
                       observed=sc.observed)
    click.echo(table(headline_summary(ds), ["output", "units", "start", "end", "change"]))
    for kind, p in paths.items():
        click.echo(f"{kind:>9}: {p}")
