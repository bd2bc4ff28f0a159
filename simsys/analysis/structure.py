"""A model's stock-and-flow structure as plain data: which flows fill and drain which stocks."""
from __future__ import annotations

from ..model.load import stock_components
from ..model.spec import ElementKind, Model, name_key

__all__ = ["stock_flow_structure"]


def _signed_refs(ast, sign=1, out=None):
    """Top-level references of a net-flow expression with the sign they enter it."""
    from pysd.translators.structures import abstract_expressions as ae
    out = [] if out is None else out
    if isinstance(ast, ae.ReferenceStructure):
        out.append((name_key(ast.reference), sign))
    elif isinstance(ast, ae.ArithmeticStructure):
        ops = list(ast.operators)
        if ops == ["negative"]:
            _signed_refs(ast.arguments[0], -sign, out)
        elif set(ops) <= {"+", "-"}:
            for i, arg in enumerate(ast.arguments):
                s = sign if i == 0 or ops[i - 1] == "+" else -sign
                _signed_refs(arg, s, out)
    return out


def stock_flow_structure(model: Model) -> dict:
    """Stocks, flows (with the stock each drains and fills), auxiliaries, links and layers.

    The result is the ``graph`` argument of :func:`simsys.plot.stock_flow_diagram`.

    Parameters
    ----------
    model : Model

    Returns
    -------
    dict
        ``{"stocks", "flows": [(flow, from_stock | None, to_stock | None)], "auxiliaries",
        "links": [(cause, effect)], "groups": {name: layer}}``, by element name.

    Raises
    ------
    None
    """
    from .loops import element_graph
    by_key = {e.key: e for e in model.elements}
    ends: dict[str, list] = {}
    for e in model.stocks:
        for comp in stock_components(e.components):
            for key, sign in _signed_refs(comp.ast.flow):
                if key in by_key and by_key[key].kind is not ElementKind.STOCK:
                    pair = ends.setdefault(key, [None, None])
                    pair[1 if sign > 0 else 0] = e.name
    flows = [(by_key[k].name, src, dst) for k, (src, dst) in ends.items()]
    flow_keys = set(ends)
    graph, _ = element_graph(model)
    aux = [e.name for e in model.elements if e.kind in (ElementKind.AUXILIARY, ElementKind.FLOW)
           and e.key not in flow_keys]
    links = sorted({(by_key[a].name, by_key[b].name) for a, succ in graph.items() for b in succ
                    if a in by_key and b in by_key})
    drawn = {e.name for e in model.elements
             if e.kind in (ElementKind.STOCK, ElementKind.FLOW, ElementKind.AUXILIARY)}
    groups = {e.name: e.group for e in model.elements if e.group and e.name in drawn}
    return {"stocks": [e.name for e in model.stocks], "flows": flows, "auxiliaries": aux,
            "links": links, "groups": groups}
