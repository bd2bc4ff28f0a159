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


def _auto(cm):
    # numba where it pays on the first run: small kernels compile in seconds; a big model's
    # kernel (minutes to compile) only once it is in the disk cache (backend="numba" puts it there)
    from .numba_backend import to_numba
    return to_numba(cm, only_if_cheap=True)


#: backend name -> function turning a numpy CompiledModel into that backend's model
BACKENDS = {"numpy": None, "numba": _numba, "auto": _auto}


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
    return None


def resolve_backend(name: str) -> str:
    """Validate a backend name; "auto" becomes the best available one.

    Without numba "auto" is "numpy". With numba it stays "auto" and, per model,
    :func:`.numba_backend.to_numba` gives the numba model when its kernel is small (compiles
    in seconds) or already in the disk cache, and the numpy model otherwise or when the
    kernel does not cover the model (RANDOM NORMAL). Numba models run RK4, adaptive steps
    and time-varying policies through numpy. A requested backend that is not installed
    falls back to numpy with a logged warning (:func:`unavailable_notice` gives the CLI's
    one-line notice).

    Raises
    ------
    SimsysError
        Unknown name.
    """
    if name == "auto":
        # "auto" stays "auto" when numba imports: _auto picks per model (see to_numba)
        return "auto" if _numba_available() else "numpy"
    notice = unavailable_notice(name)
    if notice is not None:
        log.warning(notice)
        return "numpy"
    return name
