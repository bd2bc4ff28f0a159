"""Subscript mappings (``a: a1, a2 -> b``), read from the model text.

PySD keeps only the names of the ranges a range maps to, and merges the elements
listed in an element-by-element mapping (``-> (b: b3, b1, b2)``) into the range
itself, so the pairing is lost. Here the definition is parsed again with PySD's
own grammar and each mapping becomes explicit element pairs:

* ``a: a1, a2, a3 -> b``: the i-th element of ``a`` pairs with the i-th of ``b``;
* ``a: a1, a2, a3 -> (b: b3, b1, b2)``: the i-th element of ``a`` pairs with the
  i-th listed element;
* ``a: a1, a2 -> (b: b1, sub)``: a listed subrange of ``b`` pairs the element of
  ``a`` in its place with each of its elements (Vensim's mapping onto subranges).
"""
from __future__ import annotations

from ..errors import ModelStructureError
from .spec import name_key

__all__ = ["listed_mappings", "mapping_pairs"]

Listed = tuple[tuple[str, tuple[str, ...] | None], ...]


def listed_mappings(text: str) -> Listed:
    """The mappings written after ``->`` in one Vensim subscript range definition.

    Parameters
    ----------
    text : str
        The definition as written (``Source : s1, s2 -> (Target: t2, t1) ~ ... ~``).

    Returns
    -------
    tuple
        One ``(target range, listed names or None)`` per mapping, in order; ``None``
        when the whole range is mapped.
    """
    from pysd.translators.vensim import vensim_utils as vu
    tree = vu.Grammar.get("element_object").parse(text.split("~", 1)[0].strip())
    out = []
    for node in _find(tree, "subscript_mapping"):
        target = next(_find(node, "name_mapping")).text.strip()
        index = next(_find(node, "index_list"), None)
        listed = None if index is None else tuple(s.text.strip() for s in _find(index, "subscript"))
        out.append((target, listed))
    return tuple(out)


def _find(node, name):
    if node.expr_name == name:
        yield node
        return
    for child in node.children:
        yield from _find(child, name)


def mapping_pairs(source: tuple[str, ...], target: str, listed, ranges, *, location, variable
                  ) -> tuple[tuple[str, str], ...]:
    """The ``(source element, target element)`` pairs of one mapping.

    Raises
    ------
    ModelStructureError
        The target is not a range, a whole-range mapping joins ranges of different
        sizes, the list's length differs from the source's, or a listed name is
        neither an element nor a subrange of the target.
    """
    if target not in ranges:
        raise ModelStructureError(f"range {variable!r} maps to {target!r}, which is not a subscript "
                                  "range", location=location, variable=variable)
    own = ranges[target]
    if listed is None:
        if len(own) != len(source):
            raise ModelStructureError(f"range {variable!r} ({len(source)} elements) maps to {target!r}, "
                                      f"which is not a range of the same size ({len(own)})",
                                      location=location, variable=variable)
        return tuple(zip(source, own))
    if len(listed) != len(source):
        raise ModelStructureError(
            f"the mapping onto {target!r} lists {len(listed)} names ({', '.join(listed)}) but "
            f"{variable!r} has {len(source)} elements; list one element or subrange of {target!r} "
            "per element", location=location, variable=variable)
    by_key = {name_key(x): x for x in own}
    sub_key = {name_key(r): r for r in ranges}
    pairs = []
    for s, name in zip(source, listed):
        if name_key(name) in by_key:
            pairs.append((s, by_key[name_key(name)]))
            continue
        sub = sub_key.get(name_key(name))
        if sub is None or not set(ranges[sub]) <= set(own):
            raise ModelStructureError(
                f"the mapping onto {target!r} lists {name!r}, which is neither an element nor a "
                f"subrange of {target!r} (elements: {', '.join(own)})", location=location,
                variable=variable)
        pairs.extend((s, t) for t in ranges[sub])
    return tuple(pairs)
