"""simsys check: validate a model, scenario or sweep file without running it."""
from __future__ import annotations

from pathlib import Path

import click


@click.command("check")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--units", is_flag=True, help="Also check the units of a model's equations.")
def command(file, units):
    """Check FILE (a .mdl/.xmile model, a scenario or a sweep .toml) and report problems.

    \b
    Examples:
      simsys check models/talent_ecosystem.mdl
      simsys check --units models/talent_ecosystem.mdl
      simsys check scenarios/evaluation_reform.toml
    """
    from ..checks import check_file
    report = check_file(Path(file), units=units)
    for line in report.lines:
        click.echo(line)
    if not report.ok:
        raise click.exceptions.Exit(1)
