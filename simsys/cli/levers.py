"""simsys levers: the policy levers of a model, with ranges and meaning."""
from __future__ import annotations

import click
import numpy as np

from ..wording import count
from .options import table


@click.command("levers")
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--group", default=None, help="Only levers of this group (layer), e.g. 'Institution layer'.")
def command(model, group):
    """List the levers (constants with a [min,max,step] range) of MODEL.

    \b
    Examples:
      simsys levers models/talent_ecosystem.mdl
      simsys levers models/talent_ecosystem.mdl --group "Institution layer"
    """
    from ..model.load import load_model
    m = load_model(model)
    rows = []
    for lv in m.levers:
        if group and lv.group.lower() != group.lower():
            continue
        default = np.asarray(lv.default)
        shown = f"{float(default):g}" if default.ndim == 0 else "[" + ", ".join(f"{x:g}" for x in default.ravel()) + "]"
        name = lv.name + (f"[{','.join(lv.dims)}]" if lv.dims else "")
        rng = f"[{lv.min:g}, {lv.max:g}" + (f", {lv.step:g}]" if lv.step else "]")
        rows.append([name, lv.group or "-", rng, shown, lv.units or "-", lv.doc[:70]])
    click.echo(table(rows, ["lever", "layer", "range", "default", "units", "meaning"]))
    click.echo(f"\n{count(len(rows), 'lever')}")
