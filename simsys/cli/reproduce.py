"""simsys reproduce: re-run what a manifest records and compare."""
from __future__ import annotations

import click


@click.command("reproduce")
@click.argument("manifest", type=click.Path())
@click.option("--root", type=click.Path(file_okay=False, exists=True), default=None,
              help="Folder the manifest's relative paths start from (default: the manifest's "
                   "folder); for a manifest moved away from its inputs.")
def command(manifest, root):
    """Re-run the run or sweep recorded in MANIFEST (a manifest file or a sweep store) and compare.

    First checks the result files on disk against the digests in the manifest
    (a truncated .nc, an edited value, a corrupt or deleted Zarr chunk are named),
    then runs again. Exit code 0 when identical, 1 when anything differs (the first
    differing variable, scenario, element and time with the size of the difference,
    any input file whose hash changed and any lever whose value changed).
    The manifest names no code: nothing in it is ever run.

    \b
    Example:
      simsys reproduce results/baseline/baseline.manifest.json
      simsys reproduce runs/levers.zarr
    """
    from ..manifest import reproduce
    report = reproduce(manifest, root=root)
    click.echo(report.summary())
    if not report.identical:
        raise click.exceptions.Exit(1)
