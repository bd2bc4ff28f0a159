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


def table(rows, headers) -> str:
    """A plain fixed-width table."""
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)
