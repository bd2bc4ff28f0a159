"""Read a Vensim or XMILE file through PySD's translators into a frozen :class:`Model`.

The pipeline: read the bytes (refusing what is not a model file), let PySD
parse them into its abstract model, then classify every element and record
where it is written. Any failure becomes a :class:`SimsysError` naming the
file, the line and the variable.
"""
from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import warnings
from pathlib import Path

import numpy as np

from ..errors import Location, ModelStructureError, SimsysError, UnsupportedFeature
from . import external
from .data import expand_data
from .fold import fold_orders, fold_static
from .locate import vensim_definitions, xmile_index
from .macros import blank_macros, expand_macros, macro_lines, macro_names
from .parse import MAX_MODEL_BYTES, VENSIM, macro_output_calls, parse, read_text
from .parse_cache import cached_parse
from .ranges import cell_map, element_dims, resolve_ranges
from .spec import Component, Control, Element, ElementKind, Lever, Model, name_key
from .xmile_modules import flatten

__all__ = ["load_model", "MAX_MODEL_BYTES", "OutOfRangeWarning"]

log = logging.getLogger(__name__)

_VENSIM = VENSIM
_CONTROL = {"initial_time", "final_time", "time_step", "saveper"}


def load_model(path: str | Path) -> Model:
    """Load a Vensim ``.mdl`` or XMILE model file.

    Parameters
    ----------
    path : str or Path
        The model file.

    Returns
    -------
    Model
        Frozen description: elements, subscript ranges, levers, control values.

    Raises
    ------
    ModelSyntaxError
        The file is missing, not text, or does not parse.
    ModelStructureError
        It parses but is not a valid model (undefined subscripts, bad control values...).
    UnsupportedFeature
        It uses a construct simsys does not implement.
    """
    path = Path(path)
    text = read_text(path)
    am = cached_parse(path, text, parse)
    try:
        return _build(path, text, am)
    except SimsysError:
        raise
    except Exception as err:  # a PySD structure we did not expect: still the user's file
        log.debug("unexpected error building %s", path, exc_info=True)
        raise ModelStructureError(f"cannot interpret the model: {type(err).__name__}: {err}",
                                  location=Location(str(path))) from None


def _build(path: Path, text: str, am) -> Model:
    is_vensim = path.suffix.lower() in _VENSIM
    if is_vensim:
        all_lines, groups, texts = vensim_definitions(blank_macros(text))
        lines = {k: v[0] for k, v in all_lines.items()}
    else:
        lines, groups, texts, all_lines = xmile_index(text), {}, {}, {}
        flat = flatten(path, text)
        if flat is not None:  # an instance's variables are written in its sub-model
            lines.update(flat.lines)
    sections = am.sections
    section = sections[0]
    main_elements, origin = section.elements, {}
    if len(sections) > 1:
        outs = {name_key(o): o.strip() for _, group in macro_output_calls(text)[0]
                for o in group.split(",")}
        main_elements, origin = expand_macros(sections, path=path, output_names=outs, text=text)
        heads = macro_lines(text)
        for key, macro in origin.items():
            lines.setdefault(key, heads.get(name_key(macro)))
    where = lambda key: Location(str(path), lines.get(key))  # noqa: E731
    ranges, parents, mappings = resolve_ranges(section.subscripts, path=path, where=where, texts=texts)
    for name, elems in ranges.items():
        if len(elems) > MAX_RANGE:
            raise ModelStructureError(f"subscript range has {len(elems)} elements; the limit is "
                                      f"{MAX_RANGE}", location=where(name_key(name)), variable=name)

    main_elements, read_files = expand_data(main_elements, ranges, path, where, all_lines)
    raw, control_raw = [], {}
    from pysd.translators.structures.abstract_model import AbstractControlElement
    for el in main_elements:
        key = name_key(el.name)
        if isinstance(el, AbstractControlElement) or key in _CONTROL:
            control_raw[key] = el
        else:
            raw.append(el)

    stock_flows: set[str] = set()
    elements: list[Element] = []
    data_files: list[Path] = list(read_files)
    seen: dict[str, str] = {}
    for el in raw:
        key = name_key(el.name)
        loc = where(key)
        if key in seen:
            raise ModelStructureError(f"defined twice (also as {seen[key]!r})", location=loc, variable=el.name)
        seen[key] = el.name
        comps = tuple(_component(c, ranges) for c in el.components)
        defs = all_lines.get(key, [])
        if len(defs) > len(comps) or (len(defs) > 1 and not any(c.subscripts for c in comps)):
            raise ModelStructureError("is defined more than once (first on line "
                                      f"{defs[0]})", location=Location(str(path), defs[1]), variable=el.name.strip())
        kind = _classify(comps, loc, el.name, texts.get(key, [""])[0])
        if kind is ElementKind.LOOKUP and texts.get(key):
            _check_lookup_text(texts[key][0], loc, el.name)
        if kind is ElementKind.STOCK:
            for c in stock_components(comps):
                stock_flows |= _top_refs(c.ast.flow)
        for c in comps:
            f = getattr(c.ast, "file", None)
            if isinstance(f, str):
                data_files.append((path.parent / f).resolve())
        dims = element_dims(comps, ranges, parents, location=loc, variable=el.name)
        limits = tuple(el.limits) + (None,) * (3 - len(tuple(el.limits)))
        elements.append(Element(
            name=el.name.strip(), key=key, kind=kind, components=comps, dims=dims,
            units=(el.units or "").strip(), limits=limits[:3], doc=(el.documentation or "").strip(),
            group=groups.get(key, ""), location=loc))
    elements = [
        Element(e.name, e.key, ElementKind.FLOW, e.components, e.dims, e.units, e.limits, e.doc,
                e.group, e.location)
        if e.kind is ElementKind.AUXILIARY and e.key in stock_flows else e
        for e in elements]

    if not elements:
        raise ModelStructureError("the model has no variables, only control settings",
                                  location=Location(str(path)))
    consts = {e.key: e for e in elements if e.kind is ElementKind.CONSTANT}
    values = {k: constant_value(e, ranges, path) for k, e in consts.items()}
    control = _control(control_raw, values, path, where)
    env = {k: v for k, v in values.items() if not isinstance(v, np.ndarray)}
    env.update(initial_time=control.initial_time, final_time=control.final_time,
               time_step=control.time_step, saveper=control.saveper)
    elements = [_fold_orders(e, env, control.time_step) for e in elements]
    levers = []
    for e in elements:
        lo, hi, step = e.limits
        if e.kind is not ElementKind.CONSTANT or lo is None or hi is None:
            continue
        val = values[e.key]
        if lo > hi:
            raise ModelStructureError(f"declared range [{lo:g}, {hi:g}] has its minimum above its "
                                      "maximum", location=e.location, variable=e.name)
        bad = np.atleast_1d(val)
        if np.any((bad < lo) | (bad > hi)):
            # Vensim treats a slider range as advisory; published models set values outside
            # their own ranges. A scenario setting a value outside is still refused.
            warnings.warn(f"{e.location}: '{e.name}': value {val!r} lies outside its own declared "
                          f"range [{lo:g}, {hi:g}]; loaded as written", OutOfRangeWarning, stacklevel=3)
        levers.append(Lever(name=e.name, key=e.key, dims=e.dims, default=val, min=float(lo),
                            max=float(hi), step=None if step is None else float(step),
                            units=e.units, doc=e.doc, group=e.group, location=e.location))

    h = hashlib.sha256(text.encode("utf-8"))
    for f in sorted(set(data_files)):
        if f.is_file():
            h.update(f.read_bytes())
    return Model(path=path.resolve(), digest=h.hexdigest(), ranges=ranges, parents=parents,
                 elements=tuple(elements), control=control, levers=tuple(levers),
                 data_files=tuple(sorted(set(data_files))), mappings=mappings)


def _component(c, ranges) -> Component:
    subs, excepts = c.subscripts
    kind = {"Lookup": "lookup", "Data": "data"}.get(c.type, "normal")
    return Component(subscripts=tuple(subs), excepts=tuple(tuple(e) for e in excepts),
                     ast=fold_static(c.ast, ranges), kind=kind)


_FUNC_RE = re.compile(r"\b(GET\s+(?:DIRECT|XLS|VDF|123|DATA)\s+\w+|ALLOCATE\s+(?:AVAILABLE|BY\s+PRIORITY)|"
                      r"VECTOR\s+\w+|INVERT\s+MATRIX|GAME|GET\s+TIME\s+VALUE|FIND\s+ZERO|\w+)\s*\(",
                      re.IGNORECASE)


def _source_function(text: str, default: str) -> str:
    for m in _FUNC_RE.finditer(text):
        name = re.sub(r"\s+", " ", m.group(1)).upper()
        if name.startswith(("GET ", "ALLOCATE", "VECTOR", "INVERT", "GAME", "FIND ZERO")):
            return name
    return default


class OutOfRangeWarning(UserWarning):
    """A model constant lies outside its own ``[min, max]`` slider range."""


def _fold_orders(e: Element, env, dt) -> Element:
    comps = tuple(dataclasses.replace(c, ast=fold_orders(c.ast, env, dt)) for c in e.components)
    if all(a.ast is b.ast for a, b in zip(comps, e.components)):
        return e
    return dataclasses.replace(e, components=comps)


def _check_lookup_text(text: str, loc, name):
    """PySD sorts a lookup's points silently; a table written out of order is a mistake."""
    body = text.split("~", 1)[0]
    pts = re.findall(r"\(\s*([-+0-9.eE]+)\s*,\s*([-+0-9.eE]+)\s*\)", body)
    head = re.search(r"\[\s*\(", body)
    if head:  # skip the [(xmin,ymin)-(xmax,ymax)] range
        pts = pts[2:]
    try:
        xs = [float(x) for x, _ in pts]
    except ValueError:
        return
    for i in range(1, len(xs)):
        if xs[i] <= xs[i - 1]:
            raise ModelStructureError(
                f"lookup x values must be strictly increasing; point {i + 1} has x = {xs[i]:g} "
                f"after x = {xs[i - 1]:g}", location=loc, variable=name.strip())


def _classify(comps, loc, name, text="") -> ElementKind:
    from pysd.translators.structures import abstract_expressions as ae
    kinds = set()
    for c in comps:
        a = c.ast
        if c.kind == "data" or isinstance(a, (ae.DataStructure, ae.GetDataStructure)):
            fn = _source_function(text, "GET DATA")
            raise UnsupportedFeature(f"data variables ({fn}) are not supported; "
                                     "use a lookup of time instead", location=loc, variable=name.strip())
        if c.kind == "lookup" or isinstance(a, (ae.LookupsStructure, ae.GetLookupsStructure)):
            kinds.add(ElementKind.LOOKUP)
        elif isinstance(a, ae.IntegStructure):
            kinds.add(ElementKind.STOCK)
        elif isinstance(a, (int, float, np.number, np.ndarray, ae.GetConstantsStructure)):
            kinds.add(ElementKind.CONSTANT)
        else:
            kinds.add(ElementKind.AUXILIARY)
    if len(kinds) > 1:
        if kinds <= {ElementKind.CONSTANT, ElementKind.AUXILIARY}:
            return ElementKind.AUXILIARY
        if ElementKind.LOOKUP not in kinds:
            # assembled per cell (x[a] = 1, x[b] = Time, x[c] = INTEG(...)): a stock whose
            # other cells are auxiliaries; the compiler gives each cell its own slot kind
            return ElementKind.STOCK
        raise ModelStructureError(
            "its definitions mix kinds (" + ", ".join(sorted(k.value for k in kinds)) + ")",
            location=loc, variable=name)
    return kinds.pop()


def stock_components(components):
    """The components of a stock element that are ``INTEG``: a stock may be assembled per
    cell from stock, auxiliary and constant definitions (see :func:`_classify`)."""
    from pysd.translators.structures import abstract_expressions as ae
    return [c for c in components if isinstance(c.ast, ae.IntegStructure)]


def _top_refs(ast) -> set[str]:
    from pysd.translators.structures import abstract_expressions as ae
    out: set[str] = set()
    if isinstance(ast, ae.ReferenceStructure):
        out.add(name_key(ast.reference))
    elif isinstance(ast, ae.ArithmeticStructure):
        for a in ast.arguments:
            out |= _top_refs(a)
    return out


MAX_RANGE = 1_000_000  # elements in one subscript range


def constant_value(e: Element, ranges, path: Path):
    """The numeric value of a constant element: a float, or an array shaped by its dims."""
    from pysd.translators.structures import abstract_expressions as ae
    cells = cell_map(e, ranges)
    blocks = {}
    for ci, c in enumerate(e.components):
        a = c.ast
        range_toks = [s for s in c.subscripts if s in ranges]
        if isinstance(a, ae.GetConstantsStructure):
            blocks[ci] = external.constants_block(path.parent / a.file, a.tab, a.cell,
                                                  tuple(len(ranges[s]) for s in range_toks),
                                                  where=e.location, variable=e.name)
        else:
            blocks[ci] = np.asarray(a, dtype=float)
            want = tuple(len(ranges[s]) for s in range_toks)
            if blocks[ci].ndim == 1 and len(want) > 1 and blocks[ci].size == int(np.prod(want)):
                blocks[ci] = blocks[ci].reshape(want)  # a tabbed array gives its rows flattened
            got = blocks[ci].shape
            if blocks[ci].ndim and got != want[-blocks[ci].ndim:]:
                desc = " x ".join(f"{len(ranges[s])} in range {s!r}" for s in range_toks)
                raise ModelStructureError(f"lists {blocks[ci].size} values but needs {desc}",
                                          location=e.location, variable=e.name)
    if not e.dims:
        return float(blocks[0].reshape(-1)[0]) if blocks[0].size == 1 else float(blocks[0])
    out = np.empty(tuple(len(ranges[d]) for d in e.dims))
    # element -> position, once per range: a list's .index per cell was O(n^2) in the range size
    index = {r: {x: i for i, x in enumerate(ranges[r])} for r in ranges}
    for cell, (ci, bind) in cells.items():
        block = blocks[ci]
        c = e.components[ci]
        pos = tuple(index[t][bind[t]] for t in c.subscripts if t in ranges)
        val = block if block.ndim == 0 else block[pos[-block.ndim:]] if block.ndim <= len(pos) else block
        out[tuple(index[d][x] for d, x in zip(e.dims, cell))] = float(val)
    return out


def _control(raw, values, path, where) -> Control:
    from pysd.translators.structures import abstract_expressions as ae
    cache: dict[str, float] = {}

    def ev(node, key):
        if isinstance(node, (int, float, np.number)):
            return float(node)
        if isinstance(node, ae.ReferenceStructure):
            ref = name_key(node.reference)
            if ref in raw:
                return get(ref)
            if ref in values and not isinstance(values[ref], np.ndarray):
                return float(values[ref])
            raise ModelStructureError(f"control value refers to {node.reference!r}, which is not a "
                                      "scalar constant or control variable", location=where(key),
                                      variable=key.upper().replace("_", " "))
        if isinstance(node, ae.ArithmeticStructure):
            args = [ev(a, key) for a in node.arguments]
            if node.operators == ["negative"]:
                return -args[0]
            acc = args[0]
            for op, b in zip(node.operators, args[1:]):
                acc = {"+": acc + b, "-": acc - b, "*": acc * b,
                       "/": acc / b if b else float("inf"), "^": acc ** b}[op]
            return acc
        raise UnsupportedFeature(f"control value must be a number or arithmetic, found "
                                 f"{type(node).__name__}", location=where(key),
                                 variable=key.upper().replace("_", " "))

    def get(key):
        if key in cache:
            return cache[key]
        if key not in raw:
            raise ModelStructureError(f"the model has no {key.upper().replace('_', ' ')}; every model "
                                      "needs INITIAL TIME, FINAL TIME and TIME STEP",
                                      location=Location(str(path)), variable=key.upper().replace("_", " "))
        cache[key] = None  # cycle guard
        comps = raw[key].components
        val = ev(comps[0].ast, key)
        cache[key] = val
        return val

    t0, t1, dt = get("initial_time"), get("final_time"), get("time_step")
    sp = get("saveper") if "saveper" in raw else dt
    if not (np.isfinite(dt) and dt > 0):
        raise ModelStructureError(f"TIME STEP must be a positive number, found {dt:g}",
                                  location=where("time_step"), variable="TIME STEP")
    if not (np.isfinite(t0) and np.isfinite(t1)) or t1 < t0:
        raise ModelStructureError(f"FINAL TIME ({t1:g}) must not be before INITIAL TIME ({t0:g})",
                                  location=where("final_time"), variable="FINAL TIME")
    if not (np.isfinite(sp) and sp > 0):
        raise ModelStructureError(f"SAVEPER must be a positive number, found {sp:g}",
                                  location=where("saveper"), variable="SAVEPER")
    return Control(initial_time=t0, final_time=t1, time_step=dt, saveper=sp)
