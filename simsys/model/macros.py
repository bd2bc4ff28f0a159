"""Expand Vensim macros (``:MACRO: ... :END OF MACRO:``) into ordinary model elements.

PySD's parser gives each macro as its own section (name, parameters, elements).
Every call of a macro in the main model becomes one *instance*: a copy of each of
the macro's elements under its own namespace, ``"<MACRO>.<n>.<element>"`` (``n``
counts the calls of that macro from 1 in file order), with the macro's parameters
replaced by the call's argument expressions. The call itself becomes a reference
to the instance's output (the macro element named like the macro). Stocks inside a
macro become stocks of the instance; a macro that calls a macro gets an instance
of the inner one inside its own. A call inside a subscripted equation makes the
instance subscripted over the same ranges, so each cell has its own state.

The result is plain PySD abstract structures; nothing downstream knows macros existed.
"""
from __future__ import annotations

import dataclasses
import re
from collections import defaultdict

import numpy as np

from ..errors import Location, ModelStructureError, UnsupportedFeature
from ..wording import count
from .spec import name_key

__all__ = ["expand_macros", "macro_names", "macro_lines", "blank_macros"]

#: how deep macros may call macros before we call it a cycle
MAX_DEPTH = 32

_HEADER = re.compile(r":MACRO:\s*(.+?)\s*\(", re.IGNORECASE | re.DOTALL)
_REGION = re.compile(r":MACRO:.*?:END OF MACRO:", re.IGNORECASE | re.DOTALL)


def macro_names(text: str) -> list[str]:
    """Every macro's full name as written in the file, in file order."""
    return [re.sub(r"\s+", " ", m.group(1)) for m in _HEADER.finditer(text)]


def macro_lines(text: str) -> dict[str, int]:
    """Macro key -> the line its ``:MACRO:`` header is on."""
    return {name_key(m.group(1)): text.count("\n", 0, m.start()) + 1 for m in _HEADER.finditer(text)}


def blank_macros(text: str) -> str:
    """The text with every macro definition blanked out, keeping line numbers."""
    return _REGION.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def expand_macros(sections, *, path, output_names=None, text: str = "") -> tuple[list, dict[str, str]]:
    """Expand every macro call of the main section.

    Parameters
    ----------
    sections : list of AbstractSection
        PySD's sections: the main model first, then one per macro.
    path : Path
        The model file, for error messages.
    output_names : dict, optional
        Name key -> name as written, for variables a call defines as a macro's extra
        outputs (``M(a : out)``, which the parser has rewritten ``M(a, out)``).

    Returns
    -------
    elements : list of AbstractElement
        The main section's elements with macro calls replaced by references, followed
        by every instance's elements.
    origin : dict
        Instance element key -> the macro name it came from (for messages).

    Raises
    ------
    UnsupportedFeature
        A call inside an ``:EXCEPT:`` definition, a subscripted parameter, a macro
        calling itself.
    ModelStructureError
        A call with the wrong number of arguments, a macro without its output element.
    """
    from pysd.translators.structures.abstract_model import AbstractControlElement

    main, macros = sections[0], {name_key(s.name): s for s in sections[1:]}
    ex = _Expander(macros, path, output_names or {})
    ex.names, ex.lines = macro_names(text), macro_lines(text)
    out = []
    for el in main.elements:
        if isinstance(el, AbstractControlElement) or not ex.calls_any(el):
            out.append(el)
            continue
        comps = []
        for c in el.components:
            subs, excepts = c.subscripts
            ranges = [t for t in subs if t in ex.range_names(main)]
            if excepts and any(excepts) and ex.has_call(c.ast):
                raise UnsupportedFeature(
                    "a macro call in a definition with :EXCEPT: is not supported; "
                    "define the cells separately", location=Location(str(path)), variable=el.name)
            comps.append(dataclasses.replace(c, ast=ex.rewrite(c.ast, {}, ranges, (), el.name)))
        out.append(dataclasses.replace(el, components=comps))
    return out + ex.created, ex.origin


class _Expander:
    def __init__(self, macros, path, output_names):
        self.macros = macros
        self.path = path
        self.output_names = output_names
        self.names: list[str] = []
        self.lines: dict[str, int] = {}
        self.count: dict[str, int] = defaultdict(int)
        self.created: list = []
        self.origin: dict[str, str] = {}
        self._ranges = None

    def range_names(self, main) -> set[str]:
        if self._ranges is None:
            self._ranges = {r.name for r in main.subscripts}
        return self._ranges

    def calls_any(self, el) -> bool:
        return any(self.has_call(c.ast) for c in el.components)

    def has_call(self, ast) -> bool:
        from pysd.translators.structures import abstract_expressions as ae
        if isinstance(ast, ae.CallStructure) and name_key(ast.function.reference) in self.macros:
            return True
        return any(self.has_call(ch) for ch in _children(ast))

    def rewrite(self, ast, params, ranges, stack, owner):
        """Copy ``ast`` with parameters substituted and macro calls expanded.

        ``params`` maps a parameter key to its argument expression; ``ranges`` are the
        caller's range subscripts; ``stack`` the macros being expanded (cycle guard).
        """
        from pysd.translators.structures import abstract_expressions as ae
        if isinstance(ast, ae.ReferenceStructure) and params:
            key = name_key(ast.reference)
            if key in params:
                if ast.subscripts is not None:
                    raise UnsupportedFeature("a subscripted macro parameter is not supported",
                                             location=Location(str(self.path)), variable=owner)
                return params[key]
            if key in params.get("__locals__", {}):
                return ae.ReferenceStructure(params["__locals__"][key], _subs(ranges))
            return ast
        if isinstance(ast, ae.CallStructure):
            key = name_key(ast.function.reference)
            if key in self.macros:
                args = tuple(self.rewrite(a, params, ranges, stack, owner) for a in ast.arguments)
                return self.instance(key, args, ranges, stack, owner)
        return _rebuild(ast, lambda ch: self.rewrite(ch, params, ranges, stack, owner))

    def instance(self, key, args, ranges, stack, owner):
        from pysd.translators.structures import abstract_expressions as ae
        macro = self.macros[key]
        where = Location(str(self.path))
        if key in stack or len(stack) >= MAX_DEPTH:
            chain = " -> ".join(_display(self.macros[k]) for k in stack + (key,))
            shown = ", ".join(repr(n) for n in self.names)
            raise UnsupportedFeature(f"macro calls itself ({chain}); recursive macros are not supported; "
                                     f"the file defines macros {shown}",
                                     location=Location(str(self.path), self.lines.get(key)),
                                     variable=_display(macro))
        outputs = ()
        if macro.returns and len(args) == len(macro.params) + len(macro.returns):
            args, outputs = args[:len(macro.params)], args[len(macro.params):]
        if len(args) != len(macro.params):
            raise ModelStructureError(
                f"macro {macro.name!r} takes {count(len(macro.params), 'argument')} "
                f"({', '.join(macro.params)}), {len(args)} given", location=where, variable=owner)
        self.count[key] += 1
        n = self.count[key]
        prefix = f"{_display(macro)}.{n}."
        local = {name_key(e.name): f"{prefix}{e.name.strip()}" for e in macro.elements}
        if key not in local:
            raise ModelStructureError(f"macro {macro.name!r} has no element named {macro.name!r} "
                                      "to return", location=where, variable=owner)
        params = {name_key(p): a for p, a in zip(macro.params, args)}
        params["__locals__"] = local
        for e in macro.elements:
            comps = []
            for c in e.components:
                subs, excepts = c.subscripts
                if subs:
                    raise UnsupportedFeature(f"subscripted equations inside macro {macro.name!r} are "
                                             "not supported", location=where, variable=e.name)
                ast = self.rewrite(c.ast, params, ranges, stack + (key,), owner)
                comps.append(dataclasses.replace(c, subscripts=(list(ranges), []), ast=ast))
            new = dataclasses.replace(e, name=local[name_key(e.name)], components=comps)
            self.created.append(new)
            self.origin[name_key(new.name)] = macro.name
        for ret, out in zip(macro.returns, outputs):
            self._output(macro, ret, out, local, ranges, owner)
        return ae.ReferenceStructure(local[key], _subs(ranges))

    def _output(self, macro, ret, out, local, ranges, owner):
        """A main-model variable defined by a call as one of the macro's extra outputs."""
        from pysd.translators.structures import abstract_expressions as ae
        from pysd.translators.structures.abstract_model import AbstractComponent, AbstractElement
        where = Location(str(self.path))
        if not isinstance(out, ae.ReferenceStructure) or name_key(ret) not in local:
            raise ModelStructureError(f"macro {macro.name!r} output {ret!r} must be given a variable "
                                      "name", location=where, variable=owner)
        key = name_key(out.reference)
        name = self.output_names.get(key, out.reference.replace("_", " "))
        comp = AbstractComponent(subscripts=(list(ranges), []),
                                 ast=ae.ReferenceStructure(local[name_key(ret)], _subs(ranges)))
        self.created.append(AbstractElement(
            name=name, components=[comp], units="", limits=(None, None),
            documentation=f"output {ret} of macro {_display(macro)}"))


def _display(macro) -> str:
    return macro.name.upper().replace("_", " ")


def _subs(ranges):
    from pysd.translators.structures import abstract_expressions as ae
    return ae.SubscriptsReferenceStructure(tuple(ranges)) if ranges else None


def _children(ast):
    if dataclasses.is_dataclass(ast) and not isinstance(ast, type):
        for f in dataclasses.fields(ast):
            v = getattr(ast, f.name)
            if isinstance(v, (list, tuple)):
                yield from (x for x in v if dataclasses.is_dataclass(x))
            elif dataclasses.is_dataclass(v):
                yield v


def _rebuild(ast, fn):
    """``ast`` with ``fn`` applied to every child expression (leaves returned as they are)."""
    if isinstance(ast, (int, float, np.number, np.ndarray, str)) or ast is None:
        return ast
    if not dataclasses.is_dataclass(ast):
        return ast
    changes = {}
    for f in dataclasses.fields(ast):
        v = getattr(ast, f.name)
        if isinstance(v, tuple) and any(dataclasses.is_dataclass(x) for x in v):
            changes[f.name] = tuple(fn(x) if dataclasses.is_dataclass(x) else x for x in v)
        elif isinstance(v, list) and any(dataclasses.is_dataclass(x) for x in v):
            changes[f.name] = [fn(x) if dataclasses.is_dataclass(x) else x for x in v]
        elif dataclasses.is_dataclass(v):
            changes[f.name] = fn(v)
    return dataclasses.replace(ast, **changes) if changes else ast
