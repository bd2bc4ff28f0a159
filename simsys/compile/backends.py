"""Backend registry: which engine runs the generated equations."""
from __future__ import annotations

from ..errors import SimsysError

__all__ = ["BACKENDS", "resolve_backend"]


def _numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def _numba(cm):
    from .numba_backend import to_numba
    return to_numba(cm)


#: backend name -> function turning a numpy CompiledModel into that backend's model
BACKENDS = {"numpy": None, "numba": _numba}


def resolve_backend(name: str) -> str:
    """Validate a backend name; "auto" becomes the best available one.

    Raises
    ------
    SimsysError
        Unknown name, or numba asked for but not installed.
    """
    if name == "auto":
        return "numpy"
    if name not in BACKENDS:
        raise SimsysError(f"unknown backend {name!r}; choose one of auto, {', '.join(BACKENDS)}")
    if name == "numba" and not _numba_available():
        raise SimsysError("backend 'numba' needs numba: pip install 'simsys[fast]'")
    return name
