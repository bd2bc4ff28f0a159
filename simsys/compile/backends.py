"""Backend registry: which engine runs the generated equations."""
from __future__ import annotations

import logging

from ..errors import SimsysError

__all__ = ["BACKENDS", "resolve_backend", "unavailable_notice"]

log = logging.getLogger(__name__)


def _numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _numba(cm):
    from .numba_backend import to_numba
    return to_numba(cm)


def _c_available() -> bool:
    from .c_backend import compiler
    return compiler() is not None


def _c(cm):
    from .c_backend import to_c
    return to_c(cm)


#: backend name -> function turning a numpy CompiledModel into that backend's model
#: ("auto" resolves to "c" or "numpy" before this is used; numba is an explicit opt-in)
BACKENDS = {"numpy": None, "c": _c, "numba": _numba, "auto": None}


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
    if name == "numba" and not _numba_available():
        return ("backend 'numba' is not available (numba is not installed: pip install "
                "'simsys[fast]'); using numpy")
    if name == "c" and not _c_available():
        return "backend 'c' is not available (no working C compiler: install gcc); using numpy"
    return None


def resolve_backend(name: str) -> str:
    """Validate a backend name; "auto" becomes the best available one.

    "auto" is "c" when a working C compiler is present (probed once per process) and
    "numpy" otherwise; it never picks numba, so installing numba (the test extras) does not
    change which backend runs. A requested backend that cannot run falls back to numpy with
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
