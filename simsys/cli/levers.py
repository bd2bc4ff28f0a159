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
        shown = _default_text(default)
        name = lv.name + (f"[{','.join(lv.dims)}]" if lv.dims else "")
        rng = f"[{lv.min:g}, {lv.max:g}" + (f", {lv.step:g}]" if lv.step else "]")
        rows.append([name, lv.group or "-", rng, shown, lv.units or "-", lv.doc[:70]])
    click.echo(table(rows, ["lever", "layer", "range", "default", "units", "meaning"]))
    click.echo(f"\n{count(len(rows), 'lever')}")


def _default_text(default: np.ndarray) -> str:
    """One value, the value every element shares, the list of a few, or the range of many."""
    if default.ndim == 0:
        return f"{float(default):g}"
    flat = default.ravel()
    if np.all(flat == flat[0]):
        return f"{float(flat[0]):g} (each)"
    if flat.size <= 6:
        return "[" + ", ".join(f"{x:g}" for x in flat) + "]"
    # 31 provinces would make one column 31 numbers wide: show their range
    return f"{float(flat.min()):g} .. {float(flat.max()):g}"
