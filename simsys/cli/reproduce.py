"""simsys reproduce: re-run what a manifest records and compare."""
from __future__ import annotations

import click


@click.command("reproduce")
@click.argument("manifest", type=click.Path())
def command(manifest):
    """Re-run the run or sweep recorded in MANIFEST (a manifest file or a sweep store) and compare.

    Exit code 0 when identical, 1 when anything differs (the first differing
    variable, scenario and time are named, and any input file whose hash changed).

    \b
    Example:
      simsys reproduce results/baseline/baseline.manifest.json
      simsys reproduce runs/levers.zarr
    """
    from ..manifest import reproduce
    report = reproduce(manifest)
    click.echo(report.summary())
    if not report.identical:
        raise click.exceptions.Exit(1)
