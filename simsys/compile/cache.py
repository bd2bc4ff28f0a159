"""The per-user directory that holds compiled kernels: ``$XDG_CACHE_HOME/simsys``.

Code loaded from this directory runs with the user's rights, so it must be writable by
the user alone. :func:`private_dir` creates each directory with mode 0700 and, before
every use, checks it is a real directory (not a symlink) owned by the current user with
no group or other access. A directory the user owns with group/other *read* bits only
(``~/.cache/simsys`` made by an older simsys with the default umask) holds nothing anyone
else could have written, so it is tightened to 0700; one that others could write to, or
that another user owns, is refused.

Entries are named by a content hash of what they hold; code is never re-read from here
between being checked and being run (see :mod:`.c_backend`).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import SimsysError

__all__ = ["CacheError", "cache_root", "private_dir", "read_private", "write_private"]


class CacheError(SimsysError):
    """The kernel cache directory is not private to the current user."""


def cache_root() -> Path:
    """``$XDG_CACHE_HOME/simsys``, or ``~/.cache/simsys`` (a relative XDG path is ignored)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "simsys"


def _ensure(path: Path) -> None:
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise CacheError(f"cannot create the kernel cache directory: {exc.strerror}",
                         location=path) from None
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
        raise CacheError("the kernel cache must be a real directory, found a symlink or a file; "
                         "remove it or set XDG_CACHE_HOME", location=path)
    if st.st_uid != os.geteuid():
        raise CacheError(f"the kernel cache is owned by uid {st.st_uid}, not by you "
                         f"(uid {os.geteuid()}); set XDG_CACHE_HOME to a directory of yours",
                         location=path)
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o022:
        raise CacheError(f"the kernel cache is writable by others (mode {mode:04o}); "
                         f"remove it or run chmod 700 on it", location=path)
    if mode & 0o077 or mode & 0o700 != 0o700:
        os.chmod(path, 0o700, follow_symlinks=False)


def private_dir(*parts: str) -> Path:
    """The cache directory ``cache_root()/parts...``, each level created and checked private.

    The parents of the root (``~/.cache``) are created if missing but not checked: they
    are the user's own.

    Raises
    ------
    CacheError
        A level is a symlink or not a directory, is owned by someone else, or is writable
        by group or others.
    """
    root = cache_root()
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CacheError(f"cannot create {root.parent}: {exc.strerror}", location=root) from None
    path = root
    _ensure(path)
    for part in parts:
        if not part or part in (".", "..") or "/" in part or "\\" in part:
            raise CacheError(f"bad cache subdirectory name {part!r}")
        path = path / part
        _ensure(path)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a fresh 0600 file renamed over it).

    The temporary file is created with ``O_EXCL | O_NOFOLLOW``, so it cannot be a link
    someone prepared.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read_private(path: Path, max_bytes: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file of the user's, not a symlink, at most
    ``max_bytes`` long; None if it is missing or is not such a file.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        return None
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_size > max_bytes:
            return None
        return fh.read()
