"""Safe file I/O shared by every reader and writer: bounded regular-file reads, atomic writes, safe stems.

* :func:`read_bounded` opens without blocking, refuses anything that is not a regular file
  (FIFOs, devices, directories: ``st_size`` says nothing about them) and stops reading at
  a byte cap, so a huge or endless file never fills memory.
* :func:`atomic_write` writes to a temporary file created in the target folder and renames
  it over the target. A symlink at the target is replaced, never written through, and a
  reader never sees a half-written file.
* :func:`safe_stem` checks that a name from a file may become a file name: no separators,
  no ``..``, no NUL or control characters, not empty.
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Callable

from .errors import Location, SimsysError, escape

__all__ = ["read_bounded", "atomic_write", "safe_stem", "is_safe_stem", "MAX_STEM"]

MAX_STEM = 200  # bytes of a file name left for suffixes such as "_headline.csv"


def read_bounded(path: str | Path, limit: int, *, error=SimsysError, what: str = "file") -> bytes:
    """The bytes of a regular file, refusing it if it holds more than ``limit`` bytes.

    Parameters
    ----------
    path : str or Path
        The file.
    limit : int
        Most bytes accepted; the read stops at ``limit + 1``.
    error : type
        The :class:`SimsysError` subclass raised.
    what : str
        What the file is, for messages ("scenario file", "manifest").

    Returns
    -------
    bytes

    Raises
    ------
    SimsysError
        (``error``) If the file is missing, not a regular file, unreadable or too large.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise error(f"{what} not found", location=path) from None
    except IsADirectoryError:
        raise error(f"not a regular file (a directory); expected a {what}",
                    location=path) from None
    except OSError as exc:
        raise error(f"cannot read {what} ({exc.strerror})", location=path) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                    else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                    else "a socket" if stat.S_ISSOCK(mode) else "special")
            raise error(f"not a regular file ({kind}); expected a {what}", location=path)
        chunks, total = [], 0
        while total <= limit:
            block = os.read(fd, min(1 << 20, limit + 1 - total))
            if not block:
                break
            chunks.append(block)
            total += len(block)
        if total > limit:
            raise error(f"{what} is larger than the limit of {limit} bytes", location=path)
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"cannot read {what} ({exc.strerror})", location=path) from None
    finally:
        os.close(fd)


def atomic_write(path: str | Path, data: bytes | str | Callable[[Path], None], *,
                 error=SimsysError) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    Parameters
    ----------
    path : str or Path
        The target. Its folder must exist; a symlink at ``path`` is replaced, not followed.
    data : bytes or str or callable
        The content, or a function writing the content to the temporary path it is given.
    error : type
        The :class:`SimsysError` subclass raised.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    SimsysError
        (``error``) If the folder is missing or not writable, or the target is a directory.
    """
    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        raise error("a folder is in the way of the file to write", location=path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:60]}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise error(f"cannot write into the folder ({exc.strerror})", location=path) from None
    tmp = Path(tmp)
    try:
        if callable(data):
            os.close(fd)
            fd = -1
            data(tmp)
        else:
            raw = data.encode("utf-8") if isinstance(data, str) else data
            with os.fdopen(fd, "wb") as fh:
                fd = -1
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, file_mode())  # mkstemp makes 0600; results follow the umask like any file
        os.replace(tmp, path)
    except BaseException as exc:
        if fd >= 0:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise error(f"cannot write file ({exc.strerror or exc})", location=path) from None
        raise
    return path


def file_mode() -> int:
    """The mode a new file gets under the current umask (0666 & ~umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def is_safe_stem(name: object) -> bool:
    """True if ``name`` can be used as a file stem as it is."""
    return (isinstance(name, str) and name.strip() != "" and name not in (".", "..")
            and ".." not in name and not any(c in name for c in "/\\\x00")
            and not any(ord(c) < 32 or ord(c) == 127 for c in name)
            and len(name.encode("utf-8")) <= MAX_STEM)


def safe_stem(name: object, *, key: str = "name", location: Location | str | Path | None = None,
              error=SimsysError) -> str:
    """``name`` if it may be a file stem, else a one-line error naming the key and line.

    Raises
    ------
    SimsysError
        (``error``) If ``name`` is empty, holds ``/``, ``\\``, ``..``, NUL or a control
        character, or is longer than ``MAX_STEM`` bytes.
    """
    if is_safe_stem(name):
        return name
    if not isinstance(name, str) or name.strip() == "":
        why = "it is empty"
    elif any(c in name for c in "/\\"):
        why = "it holds a path separator"
    elif ".." in name or name == ".":
        why = "it holds '..'"
    elif len(name.encode("utf-8")) > MAX_STEM:
        why = f"it is longer than {MAX_STEM} bytes"
    else:
        why = "it holds a NUL or control character"
    raise error(f"expected a plain file name (letters, digits, spaces, - _ .), found "
                f"{escape(repr(name))}: {why}", location=location, variable=key)
