"""simsys discover: PRIM and CART boxes of the lever settings that lead to an outcome."""
from __future__ import annotations

import click

from ..wording import count
from .options import table


@click.command("discover")
@click.argument("store", type=click.Path(exists=True, file_okay=False))
@click.option("--output", required=True, metavar="VAR",
              help='A stored output, e.g. "Total vitality:final", or a series cell with --time.')
@click.option("--threshold", required=True, metavar="X|pNN",
              help="A number, or pNN for the NN-th percentile of the output over the sweep.")
@click.option("--below", is_flag=True, help="Scenarios of interest lie below the threshold.")
@click.option("--time", "time", type=float, default=None, help="Year of a series output.")
@click.option("--density", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.8, show_default=True, help="PRIM's density threshold.")
@click.option("--mass-min", type=click.FloatRange(0, 1, min_open=True, max_open=True),
              default=0.05, show_default=True, help="Smallest box mass.")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              help="Write the peeling trajectory (PNG).")
def discover(store, output, threshold, below, time, density, mass_min, plot):
    """Which lever ranges lead to OUTPUT above (or below) a threshold (PRIM and CART boxes).

    \b
    Examples:
      simsys discover sweep.zarr --output "Total vitality:final" --threshold p75
      simsys discover sweep.zarr --output "Total vitality" --time 2035 --threshold p75 \\
          --plot peel.png
    """
    from ..analysis.discover import discover as run
    d = run(store, output, threshold, time=time, below=below, density=density, mass_min=mass_min)
    side = "below" if below else "above"
    click.echo(f"{d.n_of_interest} of {count(d.n_scenarios, 'scenario')} "
               f"{'has' if d.n_of_interest == 1 else 'have'} {output} {side} "
               f"{d.threshold:.6g}")
    for title, boxes in (("PRIM box", [d.prim]), ("CART boxes", list(d.cart))):
        click.echo(f"\n{title}:")
        if not boxes:
            click.echo(f"  none with density >= {density:g}")
        for j, b in enumerate(boxes, 1):
            click.echo(f"  box {j}: coverage {b.coverage:.3f}  density {b.density:.3f}  "
                       f"mass {b.mass:.3f}  ({count(b.n, 'scenario')})")
            rows = [[name, f"{lo:.4g} .. {hi:.4g}",
                     "{:.4g} .. {:.4g}".format(*d.bounds.get(name, (float("nan"),) * 2))]
                    for name, (lo, hi) in b.limits.items()]
            click.echo(table(rows, ["lever", "box", "sweep range"]) if rows
                       else "  (no lever restricted)")
    if plot:
        import matplotlib
        matplotlib.use("Agg")
        from ..plot.discovery import peeling_plot
        peeling_plot(d).figure.savefig(plot, dpi=150, bbox_inches="tight")
        click.echo(f"plot: {plot}")


commands = [discover]
