"""Find where each equation is written, since PySD's abstract model keeps no line numbers."""
from __future__ import annotations

import re

from .spec import name_key

__all__ = ["vensim_index", "xmile_index", "line_of"]

_NAME_END = re.compile(r"(\[|:=|=|\(|<->|:)")


def vensim_index(text: str) -> tuple[dict[str, int], dict[str, str]]:
    """See :func:`vensim_definitions`; this keeps only the first line and the group."""
    lines, groups, _ = vensim_definitions(text)
    return {k: v[0] for k, v in lines.items()}, groups


def vensim_definitions(text: str):
    """Map each defined name's key to the lines its definitions start on, its group and texts.

    A Vensim file is a list of equations each closed by ``|``; a group header is
    an equation whose text starts with ``*`` and names the group on a ``.Name`` line.
    """
    lines: dict[str, list[int]] = {}
    groups: dict[str, str] = {}
    texts: dict[str, list[str]] = {}
    group = ""
    pos = 0
    line = 1
    text = text.split("\\\\\\---///", 1)[0]  # sketch information follows this marker
    for chunk in text.split("|"):
        stripped = chunk.lstrip()
        lead = chunk[: len(chunk) - len(stripped)]
        start_line = line + lead.count("\n")
        line += chunk.count("\n")
        pos += len(chunk) + 1
        if not stripped:
            continue
        if stripped.startswith("{UTF-8}"):
            stripped = stripped[len("{UTF-8}"):]
            rest = stripped.lstrip()
            start_line += stripped[: len(stripped) - len(rest)].count("\n")
            stripped = rest
        if stripped.startswith("*"):
            for gl in stripped.splitlines():
                gl = gl.strip()
                if gl.startswith("."):
                    group = gl[1:].strip()
                    break
            continue
        # skip a leading Vensim comment block {...}
        while stripped.startswith("{"):
            end = stripped.find("}")
            if end < 0:
                break
            start_line += stripped[:end].count("\n")
            stripped = stripped[end + 1:]
            rest = stripped.lstrip()
            start_line += stripped[: len(stripped) - len(rest)].count("\n")
            stripped = rest
        if stripped.startswith(":MACRO:") or stripped.startswith(":END OF MACRO:"):
            continue
        head = stripped.split("~", 1)[0]
        m = _NAME_END.search(head)
        name = head[: m.start()] if m else head
        key = name_key(name)
        if key:
            lines.setdefault(key, []).append(start_line)
            texts.setdefault(key, []).append(stripped)
            groups.setdefault(key, group)
    return lines, groups, texts


def xmile_index(text: str) -> dict[str, int]:
    """Map each ``name="..."`` attribute's key to its line in an XMILE file."""
    lines: dict[str, int] = {}
    for i, row in enumerate(text.splitlines(), start=1):
        for m in re.finditer(r'name\s*=\s*"([^"]*)"', row):
            lines.setdefault(name_key(m.group(1).replace("\\n", " ")), i)
    return lines


def line_of(text: str, needle: str) -> int | None:
    """First line (1-based) containing ``needle``, or None."""
    for i, row in enumerate(text.splitlines(), start=1):
        if needle in row:
            return i
    return None
