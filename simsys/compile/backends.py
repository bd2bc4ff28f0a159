"""Backend registry: which engine runs the generated equations."""
from __future__ import annotations

import logging

from ..errors import SimsysError

__all__ = ["BACKENDS", "resolve_backend", "unavailable_notice"]

log = logging.getLogger(__name__)


def _c_available() -> bool:
    from .c_backend import compiler
    return compiler() is not None


def _c(cm, hashes=None, kernel="batch"):
    from .c_backend import to_c
    return to_c(cm, hashes, kernel)


#: backend name -> function turning a numpy CompiledModel into that backend's model
#: ("auto" resolves to "c" or "numpy" before this is used)
BACKENDS = {"numpy": None, "c": _c, "auto": None}


def unavailable_notice(name: str) -> str | None:
    """One line saying that backend ``name`` cannot run here and what runs instead (None if it can).

    Raises
    ------
    SimsysError
        Unknown backend name (the message lists the valid ones).
    """
    if name not in BACKENDS:
        raise SimsysError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}",
                          variable="backend")
    if name == "c" and not _c_available():
        return "backend 'c' is not available (no working C compiler: install gcc); using numpy"
    return None


def resolve_backend(name: str) -> str:
    """Validate a backend name; "auto" becomes the best available one.

    "auto" is "c" when a working C compiler is present (probed once per process) and
    "numpy" otherwise, so installing the test extras does not change which backend runs.
    A requested backend that cannot run falls back to numpy with
    a logged warning (:func:`unavailable_notice` gives the CLI's one-line notice).

    Raises
    ------
    SimsysError
        Unknown name.
    """
    if name == "auto":
        return "c" if _c_available() else "numpy"
    notice = unavailable_notice(name)
    if notice is not None:
        log.warning(notice)
        return "numpy"
    return name
