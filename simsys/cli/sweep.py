"""simsys sweep: many scenarios, chunked, on any executor, into a resumable Zarr store."""
from __future__ import annotations

import sys

import click

from ..wording import count
from .options import backend_notice, backend_option, progress_enabled


@click.command("sweep")
@click.argument("sweep_file", type=click.Path(dir_okay=False))
@click.option("--out", "store", required=True, type=click.Path(), help="Zarr store to write (a folder).")
@click.option("--executor", type=click.Choice(["inprocess", "processes", "dask"]), default="inprocess",
              show_default=True, help="Where chunks run.")
@click.option("--workers", type=click.IntRange(1, 1024), default=None, help="Worker processes (default: CPU count).")
@click.option("--chunk-size", type=click.IntRange(1, 10_000_000), default=None,
              help="Scenarios per chunk (default: the sweep file's, else 500).")
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://host:8786 (default: a local cluster).")
@click.option("--resume", is_flag=True, help="Continue an interrupted sweep in the same store.")
@backend_option
def command(sweep_file, store, executor, workers, chunk_size, scheduler, resume, backend):
    """Run the sweep described by SWEEP_FILE and write results to a Zarr store.

    Results are identical whatever the executor, worker count or chunk size.
    An interrupted sweep continues with --resume: finished chunks are kept.

    \b
    Examples:
      simsys sweep scenarios/sweep_levers.toml --out runs/levers.zarr
      simsys sweep scenarios/sweep_levers.toml --out runs/levers.zarr --executor processes --workers 2
      simsys sweep scenarios/sweep_levers.toml --out runs/levers.zarr --executor dask --scheduler tcp://10.0.0.5:8786
      simsys sweep scenarios/sweep_levers.toml --out runs/levers.zarr --resume
    """
    from ..sweep.run import run_sweep
    backend_notice(backend)
    report = run_sweep(sweep_file, store, executor=executor, workers=workers, chunk_size=chunk_size,
                       resume=resume, scheduler=scheduler, progress=progress_enabled(), backend=backend,
                       command=" ".join(["simsys"] + sys.argv[1:]))
    click.echo(f"{count(report.n_scenarios, 'scenario')} in {count(report.n_chunks, 'chunk')} "
               f"({report.chunks_run} run, {report.chunks_skipped} already done) in {report.seconds:.1f} s")
    if report.chunks_repaired:
        were = "was" if report.chunks_repaired == 1 else "were"
        click.echo(f"{count(report.chunks_repaired, 'chunk')} {were} damaged on disk (they did not "
                   f"match the digests recorded when written) and {were} recomputed")
    if report.n_failed:
        click.echo(f"{count(report.n_failed, 'scenario')} became non-finite; see simsys_status in the store")
    click.echo(f"    store: {report.store}")
