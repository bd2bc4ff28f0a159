"""Options and helpers shared by several commands."""
from __future__ import annotations

import sys

import click

from ..solve.integrators import METHODS

method_option = click.option(
    "--method", type=click.Choice(sorted(METHODS) + ["adaptive"]), default=None,
    help="Integration method (default: the scenario's, else euler).")
# the same range a scenario file's [run] seed takes (a TOML integer that is not negative)
SEED_MAX = 2**63 - 1
seed_option = click.option("--seed", type=click.IntRange(0, SEED_MAX), default=None,
                           help="Root seed for RANDOM functions (0 to 2**63-1, as in a scenario file).")


def progress_enabled(quiet: bool = False) -> bool:
    """Progress bars only on a terminal."""
    return (not quiet) and sys.stderr.isatty()


def table(rows, headers, width: int | None = None) -> str:
    """A plain fixed-width table, wrapped to ``width`` (default: the terminal's width).

    When the natural width is too wide, the widest columns are narrowed (down to 12
    characters) and their cells wrapped onto continuation lines.
    """
    import shutil
    import textwrap
    width = width or shutil.get_terminal_size((100, 24)).columns
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    while sum(widths) + 2 * (len(widths) - 1) > width:
        i = max(range(len(widths)), key=widths.__getitem__)
        if widths[i] <= 12:
            break
        widths[i] -= 1

    def lines(cells):
        parts = [textwrap.wrap(c, w, break_on_hyphens=False) or [""] for c, w in zip(cells, widths)]
        depth = max(len(p) for p in parts)
        return ["  ".join((p[k] if k < len(p) else "").ljust(w) for p, w in zip(parts, widths)).rstrip()
                for k in range(depth)]

    out = lines(list(headers)) + ["  ".join("-" * w for w in widths)]
    for r in rows:
        out += lines(r)
    return "\n".join(out)
