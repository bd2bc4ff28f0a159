"""Subscript ranges: resolve copies and subranges, infer an element's dimensions,
and say which definition of an element covers which of its cells."""
from __future__ import annotations

import itertools
from pathlib import Path

from ..errors import Location, ModelStructureError
from .mapping import listed_mappings, mapping_pairs
from .spec import name_key

__all__ = ["resolve_ranges", "element_dims", "cell_map", "elements_of"]


def resolve_ranges(subscripts, *, path: Path, where, texts=None):
    """Turn PySD's subscript ranges into ``{name: elements}``, ``{subrange: parent}`` and mappings.

    Copies (``B <-> A``) get A's elements; a range whose elements all belong to a
    larger range is that range's subrange (PySD keeps no such link). ``texts`` (name key
    -> definitions as written, Vensim only) lets a mapping be read element by element
    (:mod:`.mapping`); the mappings come back as ``{source: {target: ((s, t), ...)}}``.
    """
    texts = texts or {}
    raw, listed = {}, {}
    for r in subscripts:
        d, maps = r.subscripts, tuple((t, None) for t in (getattr(r, "mapping", None) or ()))
        if maps and texts.get(name_key(r.name)):
            maps = listed_mappings(texts[name_key(r.name)][0])
            tail = [x for _, names in maps for x in names or ()]
            if tail:  # PySD appended the listed names to the range: take them off again
                if isinstance(d, (str, dict)) or list(d)[-len(tail):] != tail:
                    raise ModelStructureError(
                        "cannot read this subscript mapping (PySD read the range as "
                        f"{d!r}); write the range's elements before '->'",
                        location=where(name_key(r.name)), variable=r.name)
                d = list(d)[:-len(tail)]
        raw[r.name], listed[r.name] = d, maps
    ranges: dict[str, tuple[str, ...]] = {}

    def get(name, seen=()):
        if name in ranges:
            return ranges[name]
        if name in seen:
            raise ModelStructureError("subscript range is defined in terms of itself",
                                      location=where(name_key(name)), variable=name)
        if name not in raw:
            raise ModelStructureError(f"unknown subscript range {name!r}", location=where(name_key(name)),
                                      variable=name)
        d = raw[name]
        if isinstance(d, str):
            out = get(d, seen + (name,))
        elif isinstance(d, dict):
            out = _read_subscript(d, path=path, where=where(name_key(name)), variable=name)
        else:
            out = []
            for tok in d:
                out.extend(get(tok, seen + (name,)) if tok in raw else [tok])
            out = tuple(out)
        if len(set(out)) != len(out):
            raise ModelStructureError(f"subscript range lists an element twice: {list(out)}",
                                      location=where(name_key(name)), variable=name)
        ranges[name] = tuple(out)
        return ranges[name]

    for name in raw:
        get(name)
    parents: dict[str, str] = {}
    mappings: dict[str, dict[str, tuple[tuple[str, str], ...]]] = {}
    for name, maps in listed.items():
        for target, names in maps:
            mappings.setdefault(name, {})[target] = mapping_pairs(
                ranges[name], target, names, ranges, location=where(name_key(name)), variable=name)
    for name, elems in ranges.items():
        best = None
        for other, oel in ranges.items():
            if other != name and set(elems) < set(oel):
                if best is None or len(oel) > len(ranges[best]):
                    best = other
        if best is not None:
            parents[name] = best
    return ranges, parents, mappings


def _read_subscript(d, *, path: Path, where, variable) -> tuple[str, ...]:
    """GET DIRECT/XLS SUBSCRIPT: element names from ``firstcell`` to ``lastcell`` (a row or a
    column; an empty ``lastcell`` reads on until the first empty cell), or every cell of the
    named range ``firstcell``, each with ``prefix``."""
    from . import external, named_ranges
    file = Path(path).parent / d["file"]
    first, last = d["firstcell"].strip(), (d.get("lastcell") or "").strip()
    if external.is_cell(first):
        rows = external.read_table(file, d["tab"], where=where, variable=variable)
        r0, c0, _ = external._cell(first, where=where, variable=variable)
        span = f"{first}:{last}"
        if last:
            r1, c1, _ = external._cell(last, where=where, variable=variable)
        else:
            r1, c1 = r0, c0
            while r1 + 1 < len(rows) and c0 < len(rows[r1 + 1]) and rows[r1 + 1][c0].strip():
                r1 += 1
    else:  # a named range: its rectangle, row by row (the last cell is not read, as in PySD)
        area = named_ranges.resolve(file, d["tab"], first, where=where, variable=variable)
        rows = external.read_table(file, area.sheet, where=where, variable=variable)
        r0, c0, r1, c1 = area.top, area.left, area.bottom, area.right
        span = f"of the named range {first!r} ({area.describe()})"
    cells = [(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
    try:
        names = [rows[r][c].strip() for r, c in cells]
    except IndexError:
        raise ModelStructureError(f"{file.name} has no cells {span}",
                                  location=where, variable=variable) from None
    if not all(names):
        raise ModelStructureError(f"{file.name} has an empty cell among the subscript names "
                                  f"{span}", location=where, variable=variable)
    return tuple(f"{d.get('prefix') or ''}{n}" for n in names)


def elements_of(token: str, ranges) -> tuple[str, ...]:
    """The elements a subscript token stands for (a range's, or the element itself)."""
    return ranges[token] if token in ranges else (token,)


def _find_range(names: set[str], ranges, parents, position_tokens) -> str | None:
    # the range written on the left-hand side whose elements are exactly these wins,
    # then a top-level range with exactly these elements, then any such range
    for tok in position_tokens:
        if tok in ranges and set(ranges[tok]) == names:
            return tok
    exact = [r for r, el in ranges.items() if set(el) == names]
    exact_top = [r for r in exact if r not in parents]
    if exact_top or exact:
        return (exact_top or exact)[0]
    candidates = [r for r, el in ranges.items() if names <= set(el)]
    if not candidates:
        return None
    tops = [r for r in candidates if r not in parents]
    return min(tops or candidates, key=lambda r: len(ranges[r]))


def element_dims(components, ranges, parents, *, location: Location, variable: str) -> tuple[str, ...]:
    """The dimensions of an element, inferred from the subscripts of its definitions."""
    if not components:
        return ()
    n = {len(c.subscripts) for c in components}
    if len(n) != 1:
        raise ModelStructureError("its definitions have different numbers of subscripts",
                                  location=location, variable=variable)
    ndim = n.pop()
    dims = []
    for k in range(ndim):
        toks = [c.subscripts[k] for c in components]
        names: set[str] = set()
        for tok in toks:
            if tok not in ranges and not any(tok in el for el in ranges.values()):
                raise ModelStructureError(f"unknown subscript {tok!r}", location=location,
                                          variable=variable)
            names |= set(elements_of(tok, ranges))
        r = _find_range(names, ranges, parents, toks)
        if r is None:
            raise ModelStructureError(f"subscripts {sorted(names)} do not belong to one range",
                                      location=location, variable=variable)
        dims.append(r)
    if len(set(dims)) != len(dims):
        # x[A, A] is legal only through a copy range; keep order but warn by error
        raise ModelStructureError(f"the same range {dims} is used twice; use a copy range "
                                  "(B <-> A) for the second dimension", location=location,
                                  variable=variable)
    return tuple(dims)


def cell_map(element, ranges):
    """Which definition covers each cell of ``element``.

    Returns
    -------
    dict
        cell (tuple of element names, one per dim) -> (component index, bindings),
        where bindings maps each range token of the definition to the cell's element.

    Raises
    ------
    ModelStructureError
        A cell defined twice or not at all.
    """
    dims = element.dims
    out: dict[tuple[str, ...], tuple[int, dict[str, str]]] = {}
    for ci, comp in enumerate(element.components):
        axes = [elements_of(tok, ranges) for tok in comp.subscripts]
        for cell in itertools.product(*axes):
            if any(_excepted(cell, exc, ranges) for exc in comp.excepts):
                continue
            if cell in out:
                raise ModelStructureError(
                    f"cell [{', '.join(cell)}] is defined more than once",
                    location=element.location, variable=element.name)
            bind = {tok: el for tok, el in zip(comp.subscripts, cell) if tok in ranges}
            out[cell] = (ci, bind)
    for cell in itertools.product(*(ranges[d] for d in dims)):
        if cell not in out:
            raise ModelStructureError(f"cell [{', '.join(cell)}] has no definition",
                                      location=element.location, variable=element.name)
    return out


def _excepted(cell, exc, ranges) -> bool:
    if len(exc) == len(cell):
        return all(c in elements_of(t, ranges) for c, t in zip(cell, exc))
    return any(c in elements_of(t, ranges) for t in exc for c in cell)
