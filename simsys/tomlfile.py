"""Reading the TOML files simsys takes (scenarios, sweeps, calibrations) with located errors.

The text is refused when it is not a small UTF-8 file; a TOML syntax error keeps
tomllib's line and column; :func:`key_location` finds the line a key is written on,
so every later complaint about a value can point at it.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Mapping

from .errors import Location, ScenarioError

__all__ = ["MAX_TOML_BYTES", "MAX_TOML_KEYS", "key_location", "read_text", "read_toml", "question", "number",
           "check_keys"]

# a scenario or sweep file is a page of text; anything this big is the wrong file
MAX_TOML_BYTES = 10 * 1024 * 1024
MAX_TOML_KEYS = 200_000  # '=' and '[' counted before parsing: a bound on the work tomllib does
_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def key_location(path: str | Path, key: str, table: str | None = None) -> Location:
    """Location of ``key`` in a TOML file, found by scanning its text.

    Parameters
    ----------
    path : str or Path
        The TOML file.
    key : str
        The key as written (bare or quoted).
    table : str, optional
        Only look after the ``[table]`` header.

    Returns
    -------
    Location
        With the 1-based line, or no line if the key is not found.
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return Location(str(path))
    start = 0
    if table is not None:
        header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]")
        start = next((i for i, ln in enumerate(lines) if header.match(ln)), 0)
    name = rf"""(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')"""
    # also a table header naming the key: [key], [[key]], [table.key], [[table.key]]
    dotted = rf"(?:{re.escape(table)}\s*\.\s*)?" if table else ""
    pat = re.compile(rf"^\s*(?:{name}\s*=|\[\[?\s*{dotted}{name}\s*\]\]?)")
    for i in range(start, len(lines)):
        if pat.match(lines[i]):
            return Location(str(path), i + 1)
    return Location(str(path))


def read_text(path: Path) -> str:
    """The file's text; a missing, huge, binary or non-UTF-8 file is a ScenarioError."""
    from .safeio import read_bounded
    data = read_bounded(path, MAX_TOML_BYTES, error=ScenarioError,
                        what="scenario or sweep file")
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ScenarioError("file is binary (it contains NUL bytes), not UTF-8 TOML text",
                            location=Location(str(path), line))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise ScenarioError(f"file is not UTF-8 text (byte 0x{data[err.start]:02x}); save it "
                            "as UTF-8", location=Location(str(path), line, col)) from None


def read_toml(path: Path) -> tuple[dict, str]:
    """The parsed TOML and its text; a syntax error keeps tomllib's line and column."""
    text = read_text(path)
    keys = text.count("=") + text.count("[")
    if keys > MAX_TOML_KEYS:
        raise ScenarioError(f"file has about {keys} keys and tables; the limit is "
                            f"{MAX_TOML_KEYS}", location=path)
    try:
        return tomllib.loads(text), text
    except RecursionError:
        raise ScenarioError("invalid TOML: nested too deeply", location=path) from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        if m is None:
            raise ScenarioError(f"invalid TOML: {msg}", location=path) from None
        line, col = int(m.group(1)), int(m.group(2))
        lines = text.splitlines()
        src = lines[line - 1] if 0 < line <= len(lines) else None
        raise ScenarioError(f"invalid TOML: {_TOML_POS.sub('', msg).strip()}",
                            location=Location(str(path), line, col), source_line=src) from None


def question(text: str) -> str:
    """The ``# Question:`` comment a file opens with, or an empty string."""
    m = re.search(r"^\s*#\s*Question:\s*(.*)$", text, flags=re.MULTILINE)
    return m.group(1).strip() if m else ""


def number(value, path: Path, key: str, table: str, what: str = "a number") -> float:
    """``value`` as a float, or a ScenarioError at the key's line (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(f"expected {what}, found {value!r}",
                            location=key_location(path, key, table), variable=key)
    return float(value)


def check_keys(data: Mapping, allowed, path: Path, table: str | None) -> None:
    """Refuse a key that is not one of ``allowed``, naming the allowed ones."""
    for key in data:
        if key not in allowed:
            where = f"[{table}]" if table else "the top level"
            raise ScenarioError(
                f"unknown key in {where}; allowed: {', '.join(sorted(allowed))}",
                location=key_location(path, key, table), variable=key)
