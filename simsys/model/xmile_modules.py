"""XMILE modules: sub-models placed with ``<module>``, expanded into one flat model at load.

An XMILE file may hold several ``<model>`` elements: the main one (no ``name``) and named
sub-models. ``<module name="m" model="sub">`` (or ``<module name="sub">``: the model named
after the module) places an instance of ``sub`` in the enclosing model;
``<connect to="m.x" from="y"/>`` gives the instance's input ``x`` (a variable marked
``access="input"``) the enclosing model's ``y`` (``from=".y"``: the main model's ``y``).
Equations read an instance's outputs (``access="output"``) as ``m.out``, ``"m".out`` or
``"m.out"``. An input left unconnected keeps its own equation as a default.

Each instance's variables are named ``<instance>.<variable>`` as Stella shows them
(``Tank A.level``; nested, ``plant.line 1.wip``), so instances of one sub-model are
independent and a run has one column per instance variable.

The expansion works on the parsed XML and gives PySD's XMILE translator one flat
``<model>``, which it then reads like any other file. It has to happen before PySD: PySD reads
the variables of every ``<model>`` into one namespace (two instances would collide) and
its equation grammar has no dotted names. Equations are only re-tokenised to put the
quoted flat names built here in place of the names as written; nothing in the file becomes
code.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Location, ModelStructureError, ModelSyntaxError, UnsupportedFeature
from .spec import name_key

__all__ = ["Flat", "flatten", "may_have_modules", "MAX_FLAT_VARIABLES", "MAX_DEPTH"]

#: variables after expansion; a few modules nested in each other multiply quickly
MAX_FLAT_VARIABLES = 200_000
#: modules inside modules (each level is a distinct model: cycles are refused)
MAX_DEPTH = 100

_VARIABLE_TAGS = {"aux", "flow", "stock", "gf"}
_EQUATION_TAGS = {"eqn", "inflow", "outflow"}
_KEYWORDS = {"if", "then", "else", "and", "or", "not", "mod"}
#: names an equation may use without defining them (XMILE's and the ones simsys knows)
_BUILTINS = {"time", "dt", "starttime", "stoptime", "pi", "inf", "nan",
             "time_step", "initial_time", "final_time", "saveper"}
_TOKEN = re.compile(r'(?P<q>"(?:\\.|[^"\\])*")|(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)'
                    r"|(?P<id>[^\W\d][\w'$]*)|(?P<dot>\.)|(?P<ws>\s+)|(?P<x>.)", re.S)
_SEGMENT = re.compile(r'"(?:\\.|[^"\\])*"|[^."]+')
_DOTTED = re.compile(rf"\s*(?:{_SEGMENT.pattern})(?:\.(?:{_SEGMENT.pattern}))*\s*")
_PREFILTER = re.compile(r"<(?:[\w.-]+:)?(?:module|model)[\s/>]")


@dataclass(frozen=True, slots=True)
class Flat:
    """The flat XMILE document and the source line of each flat variable (by name key)."""

    root: object  # lxml.etree._Element
    lines: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Var:
    name: str
    key: str
    node: object
    access: str
    line: int | None


@dataclass(frozen=True, slots=True)
class _Module:
    name: str
    key: str
    model: str
    line: int | None
    connects: tuple[tuple[str, str, int | None], ...]  # (to, from, line)


@dataclass(frozen=True, slots=True)
class _Model:
    name: str
    key: str
    line: int | None
    variables: dict[str, _Var]
    modules: dict[str, _Module]


@dataclass(slots=True)
class _Instance:
    model: _Model
    prefix: str                      # "" (main), "Tank A.", "plant.line 1."
    module: _Module | None = None
    children: dict[str, "_Instance"] = field(default_factory=dict)
    inputs: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # key -> (eqn, line)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _display(name: str) -> str:
    return name.replace("\\n", " ").strip()


def _quote(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] == '"':
        return token[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return token


def may_have_modules(text: str) -> bool:
    """Cheap test: does the text hold a ``<module`` or more than one ``<model``?"""
    tags = [m.group(0) for m in _PREFILTER.finditer(text)]
    return any("module" in t for t in tags) or len(tags) > 1


def flatten(path: Path, text: str) -> Flat | None:
    """The file's modules expanded into one flat ``<model>``; None when it has no modules.

    Parameters
    ----------
    path : Path
        The model file (for error locations).
    text : str
        Its text.

    Returns
    -------
    Flat or None
        The flat document (an lxml element tree PySD's translator reads) and the line of
        each flat variable; None for a file with a single ``<model>`` and no modules.

    Raises
    ------
    ModelStructureError
        A module names a model the file does not define, models contain each other, an
        input is connected twice, to a variable that is not an input, or not at all and
        has no default equation, an equation reads a variable of a module that is not an
        output, or a sub-model uses a name it does not define.
    UnsupportedFeature
        A module's model lives in another file (``resource=``).
    """
    if not may_have_modules(text):
        return None
    from lxml import etree
    parser = etree.XMLParser(encoding="utf-8", resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as err:
        raise ModelSyntaxError(f"malformed XML: {err.msg}",
                               location=Location(str(path), err.lineno)) from None
    return _Expander(path, root).run()


class _Expander:
    def __init__(self, path: Path, root):
        self.path = path
        self.root = root
        self.count = 0
        self.dims = {name_key(d.get("name", "")) for d in root.iter()
                     if _local(d.tag) == "dim" and _local(d.getparent().tag) == "dimensions"}

    def fail(self, message, line, variable=None, kind=ModelStructureError):
        raise kind(message, location=Location(str(self.path), line), variable=variable)

    # reading ----------------------------------------------------------------------------
    def run(self) -> Flat | None:
        nodes = [c for c in self.root if _local(c.tag) == "model"]
        models = [self._read_model(n) for n in nodes]
        main = [m for m in models if not m.key]
        if not models or (len(models) == 1 and not models[0].modules):
            return None
        if not main:
            self.fail("the file has several <model> elements but no main model (one without "
                      "a name)", models[0].line if models else None)
        if len(main) > 1:
            self.fail(f"the file has {len(main)} main models (<model> without a name); "
                      f"the second is on line {main[1].line}", main[1].line)
        self.models: dict[str, _Model] = {}
        for m in models:
            if m.key and m.key in self.models:
                self.fail(f"model {m.name!r} is defined twice (also on line "
                          f"{self.models[m.key].line})", m.line, m.name)
            self.models.setdefault(m.key, m)
        self.top = self._instance(main[0], "", None, ())
        self._wire(self.top)
        self.flat_lines: dict[str, int | None] = {}
        variables = []
        self._emit(self.top, variables)
        return Flat(self._document(variables), dict(self.flat_lines))

    def _read_model(self, node) -> _Model:
        name = _display(node.get("name") or "")
        variables, modules, lines = {}, {}, {}
        for block in node:
            if _local(block.tag) != "variables":
                continue
            for el in block:
                tag = _local(el.tag)
                if tag not in _VARIABLE_TAGS and tag != "module":
                    continue
                vname = _display(el.get("name") or "")
                key = name_key(vname)
                if not key:
                    self.fail(f"a <{tag}> without a name", el.sourceline, name or None)
                if key in lines:
                    self.fail(f"defined twice in model {name or '(main)'!r} (also on line "
                              f"{lines[key]})", el.sourceline, vname)
                lines[key] = el.sourceline
                if tag == "module":
                    modules[key] = self._read_module(el, vname, key)
                else:
                    variables[key] = _Var(vname, key, el, (el.get("access") or "").strip().lower(),
                                          el.sourceline)
        return _Model(name, name_key(name), node.sourceline, variables, modules)

    def _read_module(self, el, name, key) -> _Module:
        if el.get("resource"):
            self.fail(f"module {name!r} takes its model from another file "
                      f"(resource={el.get('resource')!r}); put the model in this file",
                      el.sourceline, name, UnsupportedFeature)
        connects = []
        for c in el:
            if _local(c.tag) == "connect":
                to, frm = (c.get("to") or "").strip(), (c.get("from") or "").strip()
                if not to or not frm:
                    self.fail(f"a <connect> of module {name!r} needs both to= and from=",
                              c.sourceline, name)
                connects.append((to, frm, c.sourceline))
        model = _display(el.get("model") or "") or name
        return _Module(name, key, model, el.sourceline, tuple(connects))

    # the tree of instances ----------------------------------------------------------------
    def _instance(self, model: _Model, prefix: str, module, chain) -> _Instance:
        inst = _Instance(model, prefix, module)
        self.count += len(model.variables)
        if self.count > MAX_FLAT_VARIABLES:
            self.fail(f"the modules expand to more than {MAX_FLAT_VARIABLES} variables",
                      module.line if module else None, prefix[:-1] or None)
        chain = chain + (model.key,)
        if len(chain) > MAX_DEPTH:
            self.fail(f"modules are nested more than {MAX_DEPTH} deep", module.line, prefix[:-1])
        for mod in model.modules.values():
            sub = self.models.get(name_key(mod.model))
            where = prefix + mod.name
            if sub is None or not sub.key:
                known = ", ".join(repr(m.name) for m in self.models.values() if m.key) or "none"
                self.fail(f"module {where!r} uses model {mod.model!r}, which this file does not "
                          f"define (models: {known})", mod.line, where)
            if sub.key in chain:
                names = [self.models[k].name or "(main)" for k in chain[chain.index(sub.key):]]
                self.fail("models contain each other: " + " -> ".join(repr(n) for n in names)
                          + f" -> {sub.name!r} (through module {where!r})", mod.line, where)
            inst.children[mod.key] = self._instance(sub, where + ".", mod, chain)
        return inst

    def _wire(self, inst: _Instance):
        # after the whole tree is built: a connection may name a sibling's output or, with a
        # leading period, a variable of the main model
        for child in inst.children.values():
            self._connect(inst, child)
            self._wire(child)

    def _connect(self, parent: _Instance, child: _Instance):
        mod, where = child.module, child.prefix[:-1]
        for to, frm, line in mod.connects:
            parts = self._parts(to, line, where)
            if len(parts) == 2 and name_key(parts[0]) == mod.key:
                parts = parts[1:]
            if len(parts) != 1:
                self.fail(f"<connect to={to!r}> must name an input of module {where!r} "
                          f"({mod.name}.<input>)", line, where)
            var = child.model.variables.get(name_key(parts[0]))
            if var is None:
                self.fail(f"<connect to={to!r}>: model {child.model.name!r} of module {where!r} "
                          f"has no variable {parts[0]!r}{self._listing(child.model, 'input')}",
                          line, where)
            if var.access != "input":
                self.fail(f"<connect to={to!r}>: {var.name!r} of model {child.model.name!r} "
                          f"(line {var.line}) is not an input; mark it access=\"input\"", line, where)
            if _local(var.node.tag) == "gf":
                self.fail(f"<connect to={to!r}>: {var.name!r} of model {child.model.name!r} is a "
                          "graphical function, which is called, not given a value; connect an "
                          "input variable instead", line, where)
            if var.key in child.inputs:
                self.fail(f"input {var.name!r} of module {where!r} is connected twice (also on "
                          f"line {child.inputs[var.key][1]})", line, where)
            scope = self.top if frm.startswith(".") else parent
            source = self._parts(frm[1:] if frm.startswith(".") else frm, line, where)
            flat = self._resolve(scope, source, line, where, strict=True)
            child.inputs[var.key] = (_quote(flat), line)

    def _parts(self, text, line, where) -> list[str]:
        # an attribute, not an equation: names may hold spaces ("Tank B.inflow rate")
        if not _DOTTED.fullmatch(text):
            self.fail(f"{text!r} in a <connect> of module {where!r} is not a variable name",
                      line, where)
        return [_display(_unquote(m.group().strip())) for m in _SEGMENT.finditer(text)]

    # names ------------------------------------------------------------------------------
    def _resolve(self, inst: _Instance, parts, line, variable, *, strict=False, call=False):
        """The flat name ``parts`` (as written in ``inst``'s model) stands for, or None to
        leave the text as written (a function, a builtin, or any name of the main model)."""
        keys = [name_key(p) for p in parts]
        if len(parts) == 1 and "." in parts[0] and keys[0] not in inst.model.variables:
            head = parts[0].split(".")
            if name_key(head[0]) in inst.children:
                parts, keys = head, [name_key(p) for p in head]
        if len(parts) == 1:
            var = inst.model.variables.get(keys[0])
            if var is not None:
                return inst.prefix + var.name
            if strict:
                self.fail(f"{parts[0]!r} is not a variable of model {inst.model.name or '(main)'!r}",
                          line, variable)
            if (not inst.prefix or call or keys[0] in _KEYWORDS or keys[0] in _BUILTINS
                    or keys[0] in self.dims):
                return None
            self.fail(f"uses {parts[0]!r}, which model {inst.model.name!r} does not define; a "
                      "module sees only its own variables (give it an input, access=\"input\", "
                      "and a <connect>)", line, variable)
        target = inst
        for i, key in enumerate(keys[:-1]):
            child = target.children.get(key)
            if child is None:
                if i == 0 and call and not strict:
                    return None  # a qualified function name (std.MIN(...)): PySD's to judge
                where = f"module {target.prefix[:-1]!r}" if target.prefix else "the main model"
                self.fail(f"reads {'.'.join(parts)!r}, but {parts[i]!r} is not a module in "
                          f"{where}", line, variable)
            target = child
        where = target.prefix[:-1]
        var = target.model.variables.get(keys[-1])
        if var is None:
            self.fail(f"reads {'.'.join(parts)!r}, but module {where!r} (model "
                      f"{target.model.name!r}) has no variable {parts[-1]!r}"
                      f"{self._listing(target.model, 'output')}", line, variable)
        if var.access != "output":
            self.fail(f"reads {'.'.join(parts)!r}, but {var.name!r} is not an output of module "
                      f"{where!r}: mark it access=\"output\" in model {target.model.name!r} "
                      f"(line {var.line})", line, variable)
        return target.prefix + var.name

    @staticmethod
    def _listing(model: _Model, access: str) -> str:
        names = [v.name for v in model.variables.values() if v.access == access]
        return f" (its {access}s: {', '.join(names)})" if names else f" (it has no {access}s)"

    def _rewrite(self, text: str, inst: _Instance, line, variable) -> str:
        toks = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(text)]
        out, depth, i = [], 0, 0
        while i < len(toks):
            kind, tok = toks[i]
            depth += (tok == "[") - (tok == "]") if kind == "x" else 0
            if depth > 0 or kind not in ("q", "id"):
                out.append(tok)
                i += 1
                continue
            parts, j = [tok], i + 1
            while j + 1 < len(toks) and toks[j][0] == "dot" and toks[j + 1][0] in ("q", "id"):
                parts.append(toks[j + 1][1])
                j += 2
            after = next((t for k, t in toks[j:] if k != "ws"), "")
            names = [_display(_unquote(p)) for p in parts]
            flat = self._resolve(inst, names, line, variable, call=after == "(")
            if flat is None or (not inst.prefix and len(parts) == 1 and "." not in names[0]):
                out.extend(t for _, t in toks[i:j])
            else:
                out.append(_quote(flat))
            i = j
        return "".join(out)

    # writing ----------------------------------------------------------------------------
    def _emit(self, inst: _Instance, out: list):
        for var in inst.model.variables.values():
            flat = inst.prefix + var.name
            key = name_key(flat)
            if key in self.flat_lines:
                self.fail(f"two variables are both called {flat!r} once the modules are expanded "
                          f"(the other on line {self.flat_lines[key]})", var.line, flat)
            if var.key in inst.inputs:
                eqn, line = inst.inputs[var.key]
                out.append(self._input_node(var, flat, eqn))
            else:
                line = var.line
                eqn = "".join(var.node.xpath(".//*[local-name()='eqn']/text()"))
                if inst.prefix and var.access == "input" and not eqn.strip() \
                        and _local(var.node.tag) != "gf":
                    where = inst.prefix[:-1]
                    self.fail(f"input {var.name!r} of module {where!r} (model {inst.model.name!r}, "
                              f"line {var.line}) is not connected and has no default equation; add "
                              f"<connect to=\"{inst.module.name}.{var.name}\" from=\"...\"/>",
                              inst.module.line, where)
                out.append(self._copy(var, flat, inst))
            self.flat_lines[key] = line
        for child in inst.children.values():
            self._emit(child, out)

    def _copy(self, var: _Var, flat: str, inst: _Instance):
        node = copy.deepcopy(var.node)
        node.set("name", flat)
        node.attrib.pop("access", None)
        for el in node.iter():
            if _local(el.tag) in _EQUATION_TAGS and el.text:
                el.text = self._rewrite(el.text, inst, var.line, flat)
        return node

    def _input_node(self, var: _Var, flat: str, eqn: str):
        from lxml import etree
        ns = var.node.tag[: -len(_local(var.node.tag))]
        node = etree.Element(f"{ns}aux", name=flat)
        etree.SubElement(node, f"{ns}eqn").text = eqn
        for el in var.node:
            if _local(el.tag) in ("dimensions", "units", "doc"):
                node.append(copy.deepcopy(el))
        return node

    def _document(self, variables):
        from lxml import etree
        root = etree.Element(self.root.tag, dict(self.root.attrib), nsmap=self.root.nsmap)
        model = None
        for child in self.root:
            if _local(child.tag) != "model":
                root.append(copy.deepcopy(child))
            elif model is None:
                model = etree.SubElement(root, child.tag)
                block = etree.SubElement(model, child.tag[: -len("model")] + "variables")
                block.extend(variables)
        return root
