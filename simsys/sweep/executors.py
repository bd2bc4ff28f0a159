"""Executors: run a pure function over tasks and yield results as they finish.

All executors share one small interface: a context manager with
``imap_unordered(fn, tasks)`` that yields ``(task, result)`` pairs in completion
order. They keep only a few tasks in flight (twice the workers), so finished results
never pile up in memory while the caller writes them out.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable, Iterable, Iterator

from ..errors import SweepError
from ..wording import count

__all__ = ["Executor", "InProcessExecutor", "ProcessExecutor", "DaskExecutor", "EXECUTORS",
           "make_executor"]

log = logging.getLogger(__name__)


class Executor:
    """Base class and contract.

    1. ``__enter__`` starts whatever the executor needs; ``__exit__`` stops it.
    2. ``imap_unordered(fn, tasks)`` calls ``fn(task)`` for every task, possibly in other
       processes, and yields ``(task, fn(task))`` as each finishes.
    3. ``fn`` and the tasks are picklable; ``fn`` is pure, so running a task twice
       (a retry after a worker died) gives the same result.
    4. An exception raised by ``fn`` propagates out of ``imap_unordered``.
    """

    workers = 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def imap_unordered(self, fn: Callable, tasks: Iterable) -> Iterator:
        raise NotImplementedError


class InProcessExecutor(Executor):
    """Runs each task in this process, in order."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        pass

    def imap_unordered(self, fn, tasks):
        for task in tasks:
            yield task, fn(task)


class ProcessExecutor(Executor):
    """A :class:`concurrent.futures.ProcessPoolExecutor` of ``workers`` processes.

    Parameters
    ----------
    workers : int, optional
        Number of processes (default: the CPU count).
    context : str
        ``"spawn"`` or ``"forkserver"`` (never ``"fork"``: threads of the parent).
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None,
                 context: str = "spawn"):
        self.workers = workers or os.cpu_count() or 1
        self.context = context
        self._pool = None

    def __enter__(self):
        self._pool = ProcessPoolExecutor(max_workers=self.workers,
                                         mp_context=multiprocessing.get_context(self.context))
        return self

    def __exit__(self, *exc):
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None
        return False

    def imap_unordered(self, fn, tasks):
        tasks = iter(tasks)
        pending = {}
        limit = 2 * self.workers
        while True:
            while len(pending) < limit:
                task = next(tasks, None)
                if task is None:
                    break
                pending[self._pool.submit(fn, task)] = task
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield pending.pop(fut), fut.result()


#: Loggers of Dask's own bookkeeping (scheduler, nanny, worker, comms): at INFO they
#: print some 35 lines per sweep, so they are held at WARNING unless simsys logs DEBUG.
DASK_LOGGERS = ("distributed", "tornado", "bokeh")


class DaskExecutor(Executor):
    """Dask distributed: an existing scheduler, or a local cluster of processes.

    Dask's own INFO lines are held back (see :data:`DASK_LOGGERS`); simsys logs one
    INFO line per stage instead: cluster up, cluster closed.

    Parameters
    ----------
    workers : int, optional
        Workers of the local cluster (ignored with ``scheduler``; default: CPU count).
    scheduler : str, optional
        Address of a running scheduler (``"tcp://host:8786"``).
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        self.workers = workers or os.cpu_count() or 1
        self.scheduler = scheduler
        self._client = self._cluster = None
        self._levels: dict[str, int] = {}

    def _quiet_dask(self) -> None:
        if log.isEnabledFor(logging.DEBUG):
            return  # -vv: the user wants Dask's own account too
        for name in DASK_LOGGERS:
            logger = logging.getLogger(name)
            self._levels[name] = logger.level
            if logger.getEffectiveLevel() < logging.WARNING:
                logger.setLevel(logging.WARNING)

    def _restore_dask(self) -> None:
        for name, level in self._levels.items():
            logging.getLogger(name).setLevel(level)
        self._levels = {}

    def __enter__(self):
        from distributed import Client, LocalCluster
        self._quiet_dask()
        try:
            if self.scheduler:
                self._client = Client(self.scheduler)
                self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
                log.info("dask: connected to %s (%s)", self.scheduler, count(self.workers, "worker"))
            else:
                self._cluster = LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                             processes=True, dashboard_address=None,
                                             silence_logs=logging.WARNING)
                self._client = Client(self._cluster)
                log.info("dask: local cluster of %s started", count(self.workers, "worker process"))
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        try:
            if self._client is not None:
                self._client.close()
            if self._cluster is not None:
                self._cluster.close()
            if self._client is not None or self._cluster is not None:
                log.info("dask: %s closed", "local cluster" if self._cluster is not None
                         else "connection")
        finally:
            self._client = self._cluster = None
            self._restore_dask()
        return False

    def imap_unordered(self, fn, tasks):
        from distributed import as_completed
        tasks = iter(tasks)
        owner = {}

        def submit():
            task = next(tasks, None)
            if task is None:
                return None
            fut = self._client.submit(fn, task, pure=False)
            owner[fut.key] = task
            return fut

        first = [f for f in (submit() for _ in range(2 * self.workers)) if f is not None]
        if not first:
            return
        queue = as_completed(first)
        for fut in queue:
            result = fut.result()
            task = owner.pop(fut.key)
            fut.release()
            nxt = submit()
            if nxt is not None:
                queue.add(nxt)
            yield task, result


EXECUTORS: dict[str, type[Executor]] = {
    "inprocess": InProcessExecutor,
    "processes": ProcessExecutor,
    "dask": DaskExecutor,
}


def max_workers() -> int:
    """The most worker processes accepted on this machine: 8 per CPU core."""
    return 8 * (os.cpu_count() or 1)


def make_executor(name: str, *, workers: int | None = None,
                  scheduler: str | None = None) -> Executor:
    """An executor from the registry.

    Parameters
    ----------
    name : str
        A key of :data:`EXECUTORS`.
    workers : int, optional
        Worker processes.
    scheduler : str, optional
        Dask scheduler address.

    Returns
    -------
    Executor
        Not started: use it as a context manager.

    Raises
    ------
    SweepError
        If ``name`` is unknown (valid names listed) or ``workers`` is not positive.
    """
    if name not in EXECUTORS:
        raise SweepError(f"unknown executor {name!r}; valid: {', '.join(EXECUTORS)}",
                         variable="executor")
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise SweepError(f"workers must be a positive integer, found {workers!r}",
                         variable="workers")
    limit = max_workers()
    if workers is not None and workers > limit and name != "dask":
        raise SweepError(f"workers = {workers} is more than this machine can use ({limit}: "
                         f"8 per CPU core)", variable="workers")
    if scheduler is not None and name != "dask":
        raise SweepError(f"a scheduler address needs the dask executor, found {name!r}",
                         variable="scheduler")
    return EXECUTORS[name](workers=workers, scheduler=scheduler)
