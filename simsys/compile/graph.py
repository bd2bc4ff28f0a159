"""Evaluation order: auxiliaries within a step, and everything at initialisation."""
from __future__ import annotations

from ..errors import ModelStructureError
from .ir import refs
from .lower import Layout

__all__ = ["aux_order", "init_order"]


def _toposort(nodes, deps, label, what):
    """Depth-first order, dependencies first; a cycle raises naming its members."""
    order, state = [], {}
    for root in nodes:
        if state.get(root) == 2:
            continue
        stack = [(root, iter(sorted(deps(root))))]
        state[root] = 1
        path = [root]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[node] = 2
                order.append(node)
                continue
            s = state.get(nxt)
            if s == 2:
                continue
            if s == 1:
                cyc = path[path.index(nxt):] + [nxt]
                names = " -> ".join(label(n) for n in cyc)
                raise ModelStructureError(f"{what}: {names}", variable=label(nxt))
            state[nxt] = 1
            path.append(nxt)
            stack.append((nxt, iter(sorted(deps(nxt)))))
    return order


def aux_order(L: Layout, where=None) -> list[int]:
    """Auxiliaries in an order where each comes after everything it uses.

    Raises
    ------
    ModelStructureError
        Simultaneous equations (an algebraic loop with no stock in it).
    """
    deps = lambda i: refs(L.v_expr[i], "v", initial=False)  # noqa: E731
    try:
        return _toposort(range(len(L.v_label)), deps, lambda i: L.v_label[i],
                         "algebraic loop (simultaneous equations with no stock between them)")
    except ModelStructureError as err:
        raise _locate(err, where) from None


def init_order(L: Layout, where=None) -> list[tuple[str, int]]:
    """Nodes ("v"|"y"|"z", index) needed to initialise states, in a valid order.

    Raises
    ------
    ModelStructureError
        Initial values that depend on each other in a circle.
    """
    def deps(node):
        slot, i = node
        expr = {"v": L.v_expr, "y": L.y_init, "z": L.z_init}[slot][i]
        out = {d for d in refs(expr, None, initial=True) if d[0] in ("v", "y", "z")}
        if slot == "z" and L.z_kind[i] == "fixed":
            out |= {d for d in refs(L.z_delay[i], None, initial=True) if d[0] in ("v", "y", "z")}
        return out

    label = lambda n: {"v": L.v_label, "y": L.y_label, "z": L.z_label}[n[0]][n[1]]  # noqa: E731
    roots = [("y", i) for i in range(len(L.y_label))] + [("z", i) for i in range(len(L.z_label))]
    try:
        return _toposort(roots, deps, label, "initial values depend on each other in a loop")
    except ModelStructureError as err:
        raise _locate(err, where) from None


def _locate(err, where):
    if where is None:
        return err
    loc, name = where(err.variable)
    return ModelStructureError(err.message, location=loc, variable=name)
