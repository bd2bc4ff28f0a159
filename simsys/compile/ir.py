"""The lowered expression form: small tuples the code generators read.

A node is one of::

    ("num", value)                     a float literal
    ("ref", slot, index)               slot "y" state, "p" parameter, "v" auxiliary, "z" discrete state
    ("time",) / ("dt",)                current time / time step
    ("chain", operators, args)         a run of binary operators, as PySD writes it
    ("neg", a) / ("not", a)            unary minus / :NOT:
    ("and", a, b) / ("or", a, b)
    ("call", name, args)               a function of the runtime library (see codegen); the
                                       allocation calls' args are (k, vectors..., scalars...),
                                       k the cell they give (codegen.split_allocation)
    ("lookup", table, x)               table index into the compiled lookup tables
    ("rand", kind, site, args)         a seeded draw; site makes each occurrence its own stream
                                       (RANDOM LOOKUP: args[0] is ("num", table index))
    ("ainit", active, initial)         ACTIVE INITIAL: ``initial`` while initialising
    ("matinv", n, entries, pos)        entry ``pos`` (row-major) of the inverse of the n x n
                                       matrix ``entries`` (n*n nodes, row-major); only ever the
                                       whole expression of a hidden auxiliary (see lower.py)
"""
from __future__ import annotations

__all__ = ["refs", "walk"]


def _children(n, initial=None):
    """The child nodes of ``n``; ``initial`` picks one side of ACTIVE INITIAL (None: both)."""
    tag = n[0]
    if tag == "chain":
        return n[2]
    if tag in ("neg", "not", "lookup"):
        return (n[-1],) if tag == "lookup" else (n[1],)
    if tag in ("and", "or"):
        return (n[1], n[2])
    if tag == "call":
        return n[2]
    if tag == "rand":
        return n[3]
    if tag == "matinv":
        return n[2]
    if tag == "ainit":
        return (n[1], n[2]) if initial is None else ((n[2],) if initial else (n[1],))
    return ()


def walk(node):
    """Yield every node of the tree, parents first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(_children(n))


def refs(node, slot: str | None = None, *, initial: bool | None = None) -> set[int] | set[tuple[str, int]]:
    """References in ``node``; of one slot (indices) or all (slot, index) pairs.

    ``initial`` picks one side of ACTIVE INITIAL: True the initial expression, False the
    active one, None both.
    """
    out = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n[0] == "ref":
            if slot is None:
                out.add((n[1], n[2]))
            elif n[1] == slot:
                out.add(n[2])
        else:
            stack.extend(_children(n, initial))
    return out
