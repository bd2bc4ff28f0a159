"""simsys describe: what a model contains."""
from __future__ import annotations

from collections import Counter

import click

from ..wording import count
from .options import table, wrap


@click.command("describe")
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--all", "show_all", is_flag=True, help="List every variable, not only stocks and levers.")
def command(model, show_all):
    """Summarise MODEL: subscripts, stocks, flows, auxiliaries, levers, counts.

    \b
    Examples:
      simsys describe models/talent_ecosystem.mdl
      simsys describe tests/models/stock_teacup.mdl --all
    """
    from ..model.load import load_model
    m = load_model(model)
    c = m.control
    click.echo(f"{m.path}\n  time {c.initial_time:g} to {c.final_time:g}, step {c.time_step:g}, "
               f"saved every {c.saveper:g}")
    import shutil
    width = shutil.get_terminal_size((100, 24)).columns
    for name, els in m.ranges.items():
        head = f"  subscript {name}: "
        lines = wrap(", ".join(els), max(20, width - len(head)))
        click.echo(head + f"\n{' ' * len(head)}".join(lines))
    counts = Counter(e.kind.value for e in m.elements)
    click.echo("  " + ", ".join(count(n, k) for k, n in sorted(counts.items())) + f", {count(len(m.levers), 'lever')}")
    cells = m.compile("numpy").layout
    click.echo(f"  {count(len(cells.y_label), 'state value')} per scenario "
               f"({sum(1 for o in cells.y_owner if o is None)} hidden, from delays and smooths)")
    kinds = None if show_all else {"stock"}
    rows = [[e.name + (f"[{','.join(e.dims)}]" if e.dims else ""), e.kind.value, e.group or "-",
             e.units or "-", e.doc[:60]]
            for e in m.elements if kinds is None or e.kind.value in kinds]
    if rows:
        click.echo("")
        click.echo(table(rows, ["variable", "kind", "group", "units", "documentation"]))
