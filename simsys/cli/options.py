"""Options and helpers shared by several commands."""
from __future__ import annotations

import sys

import click

from ..compile.backends import BACKENDS
from ..solve.integrators import METHODS

method_option = click.option(
    "--method", type=click.Choice(sorted(METHODS) + ["adaptive"]), default=None,
    help="Integration method (default: the scenario's, else euler).")
backend_option = click.option(
    "--backend", type=click.Choice(list(BACKENDS)), default="auto", show_default=True,
    help="Engine that runs the equations; 'auto' picks the fastest one installed.")
seed_option = click.option("--seed", type=int, default=None, help="Root seed for RANDOM functions.")


def backend_notice(backend: str) -> None:
    """Print one line on stderr when the requested backend cannot run here."""
    from ..compile.backends import unavailable_notice
    notice = unavailable_notice(backend)
    if notice:
        click.echo(f"notice: {notice}", err=True)


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
