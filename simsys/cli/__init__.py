"""The ``simsys`` command line: a click group and one thin module per command.

Every error a user can cause ends here as one message and exit code 1; usage
errors are click's (exit 2). No traceback reaches the terminal.
"""
from __future__ import annotations

import logging
import sys

import click

from ..errors import SimsysError, escape

__all__ = ["cli", "main"]


class _EscapingFormatter(logging.Formatter):
    """Log lines with control characters from names and keys shown as escapes."""

    def format(self, record):
        return escape(super().format(record), newlines=False)


class _Group(click.Group):
    """Turns library errors into one clear message and a non-zero exit."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except SimsysError as err:
            click.echo(f"simsys: error: {err}", err=True)
            ctx.exit(1)
        except OSError as err:
            where = f" {err.filename!r}" if getattr(err, "filename", None) else ""
            click.echo(escape(f"simsys: error:{where} {err.strerror or err}"), err=True)
            ctx.exit(1)
        except MemoryError:
            click.echo("simsys: error: out of memory; use fewer scenarios per chunk (--chunk-size)",
                       err=True)
            ctx.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, KeyboardInterrupt):
            raise
        except Exception as err:  # a bug in simsys, not the user's input: say so, no traceback
            logging.getLogger("simsys").debug("internal error", exc_info=True)
            click.echo(escape(f"simsys: internal error: {type(err).__name__}: {err} (this is a bug "
                              "in simsys; run with -vv to see where, and please report it)"),
                       err=True)
            ctx.exit(3)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="More log output (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.version_option(package_name="simsys")
def cli(verbose, quiet):
    """Simulate talent innovation ecosystems (and any Vensim/XMILE model).

    \b
    Start here:
      simsys run scenarios/baseline.toml          run a scenario, write results and a plot
      simsys compare scenarios/unified_market.toml  the scenario against its parent (baseline)
      simsys levers models/talent_ecosystem.mdl   the policy levers a scenario may set
      simsys sweep scenarios/sweep_levers.toml --out sweep.zarr
    """
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    logging.basicConfig(level=level, format="simsys: %(levelname)s: %(message)s", stream=sys.stderr)
    for handler in logging.getLogger().handlers:
        if not isinstance(handler.formatter, _EscapingFormatter):
            handler.setFormatter(_EscapingFormatter(handler.formatter._fmt if handler.formatter
                                                    else "simsys: %(levelname)s: %(message)s"))


def _register():
    from . import check, compare, describe, diagram, levers, reproduce, run, sweep
    for mod in (run, compare, sweep, reproduce, levers, check, describe, diagram):
        cli.add_command(mod.command)
    for name in ("analysis", "plot_cmd", "spatial", "discover", "report"):
        try:
            mod = __import__(f"{__name__}.{name}", fromlist=["commands"])
        except ImportError:
            continue
        for c in mod.commands:
            cli.add_command(c)


_register()


def main(argv=None):
    """Console-script entry point."""
    try:
        cli.main(args=argv, prog_name="simsys", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("simsys: interrupted", err=True)
        sys.exit(130)
