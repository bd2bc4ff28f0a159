"""Reading a model file and parsing it with PySD, with errors that say where.

PySD's own parse errors name no line of the file, so a failure is diagnosed
again equation by equation to find the line, the variable and a hint
(unbalanced parentheses, a missing '|', ...).
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

from ..errors import Location, ModelStructureError, ModelSyntaxError, SimsysError, UnsupportedFeature
from .locate import line_of, vensim_definitions
from .xmile_modules import flatten

__all__ = ["read_text", "parse", "MAX_MODEL_BYTES", "VENSIM", "XMILE"]

MAX_MODEL_BYTES = 20 * 1024 * 1024
VENSIM = {".mdl"}
XMILE = {".xmile", ".xml", ".stmx", ".itmx"}
_VENSIM, _XMILE = VENSIM, XMILE


def read_text(path: Path) -> str:
    """The model file's text, refusing what is not a text model file."""
    if not path.exists():
        raise ModelSyntaxError(f"model file {str(path)!r} does not exist", location=Location(str(path)))
    if not path.is_file():
        raise ModelSyntaxError(f"{str(path)!r} is not a file", location=Location(str(path)))
    suffix = path.suffix.lower()
    if suffix not in _VENSIM | _XMILE:
        raise ModelSyntaxError(
            f"unknown model file type {suffix or '(none)'!r}; expected .mdl (Vensim) or "
            ".xmile/.xml/.stmx (XMILE)", location=Location(str(path)))
    size = path.stat().st_size
    if size > MAX_MODEL_BYTES:
        raise ModelSyntaxError(f"model file is {size} bytes; the limit is {MAX_MODEL_BYTES}",
                               location=Location(str(path)))
    data = path.read_bytes()
    if not data.strip():
        raise ModelSyntaxError("model file is empty", location=Location(str(path), 1))
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ModelSyntaxError("model file is binary (it contains NUL bytes), not UTF-8 text",
                               location=Location(str(path), line))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        declared = _declared_encoding(data) if suffix in _VENSIM else None
        if declared and declared.replace("-", "").lower() != "utf8":
            import codecs
            try:
                codecs.lookup(declared)
                # as PySD reads it: the encoding named on the first line, e.g. {windows-1252}
                return data.decode(declared)
            except LookupError:
                raise ModelSyntaxError(f"model file declares encoding {{{declared}}}, which is not "
                                       "a known text encoding; save it as UTF-8",
                                       location=Location(str(path), 1)) from None
            except UnicodeDecodeError as err2:
                err = err2
        line = data[: err.start].count(b"\n") + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        named = f"{declared} as declared" if declared else "UTF-8"
        raise ModelSyntaxError(
            f"model file is not {named} text (byte 0x{data[err.start]:02x}); save it as UTF-8",
            location=Location(str(path), line, col)) from None


def _declared_encoding(data: bytes) -> str | None:
    """The encoding a Vensim file names on its first line (``{UTF-8}``, ``{windows-1252}``)."""
    first = data.split(b"\n", 1)[0].decode("ascii", "replace")
    m = re.match(r"\s*\{([A-Za-z0-9_.:-]+)\}", first)
    return m.group(1) if m else None


def _precheck_vensim(path: Path, text: str):
    """Catch what PySD's grammar reports badly: a definition without ``~`` fields or ``|``."""
    lines, _, texts = vensim_definitions(text)
    for key, defs in texts.items():
        for line, body in zip(lines[key], defs):
            if body.lstrip().startswith(("{", ":")):
                continue
            name = re.split(r"[\[=(:<]", body, maxsplit=1)[0].strip()
            if "~" not in body:
                raise ModelSyntaxError("syntax error: the definition has no '~ units ~ documentation' "
                                       "fields before its closing '|'", location=Location(str(path), line),
                                       variable=name or None, source_line=body.splitlines()[0])
            if body.count("~") > 2 and re.search(r"\n\s*[^~\n]+=", body.split("~", 2)[2]):
                raise ModelSyntaxError("syntax error: the definition is not closed with '|' before the "
                                       "next one starts", location=Location(str(path), line),
                                       variable=name or None, source_line=body.splitlines()[0])


def macro_output_calls(text: str) -> tuple[list[tuple[str, str]], str]:
    """Calls that take a macro's extra outputs, ``M(a, b : out1, out2)``.

    PySD's grammar cannot parse them; they are rewritten ``M(a, b, out1, out2)`` and the
    expansion (:mod:`simsys.model.macros`) turns the trailing arguments into the outputs.
    Returns the (macro name, output list as written) pairs and the rewritten text.
    """
    from .macros import macro_names
    found: list[tuple[str, str]] = []
    for name in macro_names(text):
        pat = re.escape(name).replace(r"\ ", r"[\s_]+")
        rx = re.compile(rf"(?<!:MACRO:)(?<![\w])(\s*)({pat})(\s*)\(([^()|~]*?)\s*:\s*([^()|~:]*)\)",
                        re.IGNORECASE)

        def sub(m):
            if re.search(r":MACRO:\s*$", text[: m.start(2)], re.IGNORECASE):
                return m.group(0)  # the header, not a call
            found.append((name, m.group(5)))
            return f"{m.group(1)}{m.group(2)}{m.group(3)}({m.group(4)}, {m.group(5)})"
        text = rx.sub(sub, text)
    return found, text


def _precheck_xmile(path: Path, text: str):
    import xml.etree.ElementTree as ET
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        line, col = err.position
        raise ModelSyntaxError(f"malformed XML: {err}", location=Location(str(path), line, col + 1)) from None
    if not any(el.tag.rsplit("}", 1)[-1] == "sim_specs" for el in root.iter()):
        raise ModelStructureError("the XMILE file has no <sim_specs> (start, stop, dt)",
                                  location=Location(str(path)))
    for i, row in enumerate(text.splitlines(), start=1):
        m = re.search(r"<eqn>(.*?)</eqn>", row)
        if m and m.group(1).count("(") != m.group(1).count(")"):
            owner = None
            for j in range(i - 1, 0, -1):
                n = re.search(r'name\s*=\s*"([^"]*)"', text.splitlines()[j - 1])
                if n:
                    owner = n.group(1)
                    break
            raise ModelSyntaxError("syntax error: unbalanced parentheses in the equation",
                                   location=Location(str(path), i), variable=owner, source_line=row.strip())


def _hint(eq: str) -> str:
    body = eq.split("~", 1)[0]
    if body.count("(") != body.count(")"):
        return "unbalanced parentheses"
    if body.count("[") != body.count("]"):
        return "a subscript list is missing its closing ']'"
    if "=" not in body and "(" not in body.split("\n", 1)[0]:
        return "no '=' between the name and its equation"
    return "the equation does not follow Vensim's grammar"


def parse(path: Path, text: str):
    """PySD's abstract model of the file, or a located SimsysError."""
    suffix = path.suffix.lower()
    if suffix in _VENSIM:
        _precheck_vensim(path, text)
    else:
        _precheck_xmile(path, text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if suffix in _VENSIM:
                from pysd.translators.vensim.vensim_file import VensimFile
                vf = VensimFile(path)
                if ":MACRO:" in vf.model_text.upper():
                    vf.model_text = macro_output_calls(vf.model_text)[1]
                vf.parse()
                return vf.get_abstract_model()
            from pysd.translators.xmile.xmile_file import XmileFile
            flat = flatten(path, text)
            xf = XmileFile(path)
            if flat is not None:  # PySD reads the expanded document, not the file's modules
                xf.xmile_root = flat.root
            xf.parse()
            return xf.get_abstract_model()
        except SimsysError:
            raise
        except RecursionError:
            raise ModelSyntaxError("an expression is nested too deeply to parse",
                                   location=Location(str(path))) from None
        except Exception as err:
            raise _diagnose(path, text, err) from None


def _diagnose(path: Path, text: str, err: Exception) -> SimsysError:
    """Find which equation PySD choked on; PySD's own messages name no line of the file."""
    if path.suffix.lower() in _VENSIM:
        try:
            from pysd.translators.vensim.vensim_file import VensimFile
            vf = VensimFile(path)
            vf.parse(parse_all=False)
            for section in vf.sections:
                section.parse(parse_all=False)
                for el in section.elements:
                    try:
                        comp = el.parse()
                        if hasattr(comp, "parse"):
                            comp.parse()
                    except Exception as inner:  # noqa: BLE001 - we are locating the culprit
                        eq = el.equation.strip()
                        first = eq.splitlines()[0] if eq else ""
                        line = None
                        for n in (len(first), 40, 20, 10):
                            if first[:n].strip():
                                line = line_of(text, first[:n].strip())
                                if line:
                                    break
                        var = eq.split("=", 1)[0].split("[", 1)[0].split("(", 1)[0].strip()
                        col = getattr(inner, "column", None)
                        col = col() if callable(col) else None
                        if "IntegStructure" in str(inner) and "initial" in str(inner):
                            return ModelStructureError(
                                "INTEG needs two arguments: INTEG(net flow, initial value)",
                                location=Location(str(path), line), variable=var or None,
                                source_line=first or None)
                        return ModelSyntaxError(
                            f"syntax error: {_hint(eq)} ({_short(inner)})",
                            location=Location(str(path), line, col if col and line else None),
                            variable=var or None, source_line=first or None)
        except Exception as inner:  # noqa: BLE001
            line = getattr(inner, "line", None)
            line = line() if callable(line) else None
            return ModelSyntaxError(f"cannot parse the file ({_short(inner)})",
                                    location=Location(str(path), line))
    line = getattr(err, "line", None)
    line = line() if callable(line) else (line if isinstance(line, int) else None)
    return ModelSyntaxError(f"cannot parse the file ({_short(err)})",
                            location=Location(str(path), line))


def _short(err: Exception) -> str:
    msg = str(err).strip().splitlines()
    return f"{type(err).__name__}: {msg[0][:200] if msg else ''}"
