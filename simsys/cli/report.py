"""simsys report: one self-contained HTML page on a scenario."""
from __future__ import annotations

import click


@click.command("report")
@click.argument("scenario", type=click.Path(exists=True, dir_okay=False))
@click.option("--against", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Comparison scenario (default: the one SCENARIO extends).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for the page, the run and its manifest.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the permutation tests.")
def report(scenario, against, out_dir, seed):
    """Write one HTML page on SCENARIO (figures embedded) that a researcher can send.

    \b
    Examples:
      simsys report scenarios/evaluation_reform.toml --out report/
      simsys report scenarios/did_staggered_pilot.toml --against scenarios/baseline.toml --out r/
    """
    from ..report import build_report
    path = build_report(scenario, out_dir, against=against, seed=seed)
    click.echo(f"report: {path}")


commands = [report]
