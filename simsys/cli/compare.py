"""simsys compare: runs against a reference, as a table of differences and a figure."""
from __future__ import annotations

import click

from .options import method_option, table


@click.command("compare")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--against", type=click.Path(exists=True), default=None,
              help="Reference scenario or results file (default: the parent of a single "
                   "scenario that extends another, else the first file).")
@click.option("--var", "variables", multiple=True, metavar="NAME",
              help="Output to compare (repeatable; default: the headline outputs).")
@click.option("--time", "time", type=float, default=None,
              help="Time of the table's values (default: the last saved time).")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              help="Figure file (default: results/compare.png; '-' for none).")
@click.option("--final-time", type=float, default=None, help="Override FINAL TIME.")
@method_option
def command(files, against, variables, time, plot, final_time, method):
    """Compare scenarios (or results files) with a reference run.

    Prints each headline output at the final time for the reference and every run,
    with the difference and the relative difference, and draws levels (reference
    dashed) and differences over time.

    \b
    Examples:
      simsys compare scenarios/unified_market.toml              # against its parent
      simsys compare scenarios/ip_protection.toml scenarios/unified_market.toml \\
          --against scenarios/baseline.toml --plot results/compare.png
      simsys compare results/a/a.nc results/b/b.nc --var "Total vitality"
    """
    from ..compare import compare_files
    result = compare_files(files, against=against, variables=variables or None, time=time,
                           plot=None if plot == "-" else (plot or "results/compare.png"),
                           final_time=final_time, method=method)
    click.echo(table(result.rows, result.headers))
    if result.plot:
        click.echo(f"plot: {result.plot}")
