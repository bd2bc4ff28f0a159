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
# the same range a scenario file's [run] seed takes (a TOML integer that is not negative)
SEED_MAX = 2**63 - 1
seed_option = click.option("--seed", type=click.IntRange(0, SEED_MAX), default=None,
                           help="Root seed for RANDOM functions (0 to 2**63-1, as in a scenario file).")


def backend_notice(backend: str) -> None:
    """Print one line on stderr when the requested backend cannot run here."""
    from ..compile.backends import unavailable_notice
    notice = unavailable_notice(backend)
    if notice:
        click.echo(f"notice: {notice}", err=True)


def progress_enabled(quiet: bool = False) -> bool:
    """Progress bars only on a terminal."""
    return (not quiet) and sys.stderr.isatty()


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: CJK and other wide characters take two."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else
               0 if unicodedata.combining(ch) else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns.

    Breaks at spaces; a word wider than a line (a long name, or Chinese text, which has
    no spaces) is broken between characters.
    """
    lines, cur = [], ""
    for word in text.split():
        sep = " " if cur else ""
        if display_width(cur + sep + word) <= width:
            cur += sep + word
            continue
        if cur:
            lines.append(cur)
            cur = ""
        while display_width(word) > width:
            cut, used = 0, 0
            while cut < len(word) and used + display_width(word[cut]) <= width:
                used += display_width(word[cut])
                cut += 1
            cut = max(cut, 1)
            lines.append(word[:cut])
            word = word[cut:]
        cur = word
    if cur:
        lines.append(cur)
    return lines or [""]


def table(rows, headers, width: int | None = None) -> str:
    """A plain fixed-width table, wrapped to ``width`` (default: the terminal's width).

    When the natural width is too wide, the widest columns are narrowed (down to 12
    characters) and their cells wrapped onto continuation lines. Widths count terminal
    columns, so Chinese text (two columns a character) lines up and fits too.
    """
    import shutil
    width = width or shutil.get_terminal_size((100, 24)).columns
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(display_width(h), *(display_width(r[i]) for r in rows)) if rows
              else display_width(h) for i, h in enumerate(headers)]
    while sum(widths) + 2 * (len(widths) - 1) > width:
        i = max(range(len(widths)), key=widths.__getitem__)
        if widths[i] <= 12:
            break
        widths[i] -= 1

    def pad(text, w):
        return text + " " * (w - display_width(text))

    def lines(cells):
        parts = [wrap(c, w) for c, w in zip(cells, widths)]
        depth = max(len(p) for p in parts)
        return ["  ".join(pad(p[k] if k < len(p) else "", w) for p, w in zip(parts, widths)).rstrip()
                for k in range(depth)]

    out = lines(list(headers)) + ["  ".join("-" * w for w in widths)]
    for r in rows:
        out += lines(r)
    return "\n".join(out)
