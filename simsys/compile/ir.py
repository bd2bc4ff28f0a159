"""The lowered expression form: small tuples the code generators read.

A node is one of::

    ("num", value)                     a float literal
    ("ref", slot, index)               slot "y" state, "p" parameter, "v" auxiliary, "z" discrete state
    ("time",) / ("dt",)                current time / time step
    ("chain", operators, args)         a run of binary operators, as PySD writes it
    ("neg", a) / ("not", a)            unary minus / :NOT:
    ("and", a, b) / ("or", a, b)
    ("call", name, args)               a function of the runtime library (see codegen)
    ("lookup", table, x)               table index into the compiled lookup tables
    ("rand", kind, site, args)         a seeded draw; site makes each occurrence its own stream
    ("ainit", active, initial)         ACTIVE INITIAL: ``initial`` while initialising
"""
from __future__ import annotations

__all__ = ["refs", "walk"]


def walk(node):
    """Yield every node of the tree, parents first."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        tag = n[0]
        if tag == "chain":
            stack.extend(n[2])
        elif tag in ("neg", "not"):
            stack.append(n[1])
        elif tag in ("and", "or"):
            stack.extend((n[1], n[2]))
        elif tag == "call":
            stack.extend(n[2])
        elif tag == "lookup":
            stack.append(n[2])
        elif tag == "rand":
            stack.extend(n[3])
        elif tag == "ainit":
            stack.extend((n[1], n[2]))


def refs(node, slot: str | None = None, *, initial: bool | None = None) -> set[int] | set[tuple[str, int]]:
    """References in ``node``; of one slot (indices) or all (slot, index) pairs.

    ``initial`` picks one side of ACTIVE INITIAL: True the initial expression, False the
    active one, None both.
    """
    out = set()
    stack = [node]
    while stack:
        n = stack.pop()
        tag = n[0]
        if tag == "ref":
            if slot is None:
                out.add((n[1], n[2]))
            elif n[1] == slot:
                out.add(n[2])
        elif tag == "ainit":
            if initial is None:
                stack.extend((n[1], n[2]))
            else:
                stack.append(n[2] if initial else n[1])
        elif tag == "chain":
            stack.extend(n[2])
        elif tag in ("neg", "not"):
            stack.append(n[1])
        elif tag in ("and", "or"):
            stack.extend((n[1], n[2]))
        elif tag == "call":
            stack.extend(n[2])
        elif tag == "lookup":
            stack.append(n[2])
        elif tag == "rand":
            stack.extend(n[3])
    return out
