"""simsys spatial and simsys coupling: the study's spatial and coordination measures from a run."""
from __future__ import annotations

import click

from .options import table


@click.command("spatial")
@click.argument("results", type=click.Path(exists=True))
@click.option("--var", "var", required=True, metavar="VAR", help="A variable over the regions (e.g. Province) and time.")
@click.option("--model", type=click.Path(dir_okay=False), default=None,
              help="Model holding the weight matrix (default: the one that made RESULTS).")
@click.option("--weights", default="W", show_default=True, help="The model's weight-matrix variable.")
@click.option("--time", "time", type=float, default=None, help="Year of the local (LISA) statistics (default: last).")
@click.option("--permutations", type=click.IntRange(0, 100_000), default=999, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the permutations.")
@click.option("--every", type=float, default=5.0, show_default=True, help="Print every N years.")
@click.option("--dim", default=None, metavar="RANGE",
              help="Dimension of the regions (default: VAR's one besides time, e.g. Province).")
def spatial(results, var, model, weights, time, permutations, seed, every, dim):
    """Moran's I of VAR over time (permutation p-value), Theil and Gini, and local Moran (LISA).

    \b
    Examples:
      simsys spatial results/baseline/baseline.nc --var "Talent innovation vitality"
      simsys spatial results/baseline/baseline.nc --var "Vitality per capita" --time 2035 --seed 7
    """
    from ..analysis.reports import spatial_report
    from ..analysis.spatial import QUADRANT_KEY
    r = spatial_report(results, var, model=model, weights=weights, permutations=permutations,
                       seed=seed, time=time, dim=dim)
    t = r["time"].values
    keep = [i for i, x in enumerate(t) if (x - t[0]) % every < 1e-9 or i == len(t) - 1]
    rows = [[f"{t[i]:g}", f"{r['I'].values[i]:.4f}", f"{r['z_rand'].values[i]:.3f}",
             f"{r['p_sim'].values[i]:.3f}", f"{r['theil'].values[i]:.4f}", f"{r['gini'].values[i]:.4f}"]
            for i in keep]
    click.echo(f"{var}: global Moran's I (E[I] = {float(r['EI'].values[0]):.3f}), inequality")
    click.echo(table(rows, ["year", "I", "z (rand.)", "p (perm.)", "Theil", "Gini"]))
    dim = [d for d in r["Ii"].dims][0]
    rows = [[str(g), f"{a:.4f}", q, f"{p:.3f}"] for g, a, q, p in
            zip(r[dim].values, r["Ii"].values, r["quadrant"].values, r["p_local"].values)]
    click.echo(f"\nlocal Moran's I in {r.attrs['local_time']:g}")
    click.echo(table(rows, [dim, "Ii", "quadrant", "p (perm.)"]))
    click.echo("quadrant key (own value, then the neighbours' average, against the mean):")
    for q in (q for q in QUADRANT_KEY if q in set(r["quadrant"].values)):
        click.echo(f"  {q}  {QUADRANT_KEY[q]}")


@click.command("coupling")
@click.argument("results", type=click.Path(exists=True))
@click.option("--indices", default="U talent,U innovation,U industry,U capital", show_default=True,
              help="Chain index variables, comma-separated.")
@click.option("--corrected", is_flag=True, help="Corrected C of Wang Shujia et al. (2021).")
@click.option("--rescale", is_flag=True, help="Map indices from [0,1] to [0.01,0.99] first.")
@click.option("--time", "time", type=float, default=None, help="Year to report (default: last).")
@click.option("--plot", "plot", type=click.Path(dir_okay=False), default=None,
              help="Write D over time with its bands shaded (PNG).")
def coupling(results, indices, corrected, rescale, time, plot):
    """Four-chain coupling coordination degree (C, T, D and its band) per region.

    \b
    Examples:
      simsys coupling results/baseline/baseline.nc
      simsys coupling results/baseline/baseline.nc --corrected --time 2035 --plot d.png
    """
    from ..analysis.reports import coupling_report
    r = coupling_report(results, [s.strip() for s in indices.split(",") if s.strip()],
                        corrected=corrected, rescale=rescale)
    at = r.sel(time=r["time"].values[-1] if time is None else time, method="nearest")
    dim = [d for d in r["D"].dims if d != "time"][0]
    rows = [[str(g), f"{c:.4f}", f"{t:.4f}", f"{d:.4f}", f"{en} ({zh})"] for g, c, t, d, en, zh in
            zip(at[dim].values, at["C"].values, at["T"].values, at["D"].values,
                at["band_en"].values, at["band_zh"].values)]
    click.echo(f"coupling coordination in {float(at['time']):g}" + (" (corrected C)" if corrected else ""))
    click.echo(table(rows, [dim, "C", "T", "D", "band"]))
    if plot:
        import matplotlib
        matplotlib.use("Agg")
        from ..plot import coupling_chart
        ax = coupling_chart(r["D"])
        ax.figure.savefig(plot, dpi=150, bbox_inches="tight")
        click.echo(f"plot: {plot}")


commands = [spatial, coupling]
