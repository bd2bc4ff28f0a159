"""Stock-and-flow diagrams drawn by Graphviz from plain data."""
from __future__ import annotations

import difflib
import logging
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._common import GraphvizNotFoundError, PlotError

if TYPE_CHECKING:
    import graphviz

__all__ = ["stock_flow_diagram", "FORMATS"]

log = logging.getLogger(__name__)

#: File suffix -> Graphviz output format; ".dot"/".gv" write the source only.
FORMATS: dict[str, str | None] = {".svg": "svg", ".png": "png", ".pdf": "pdf",
                                  ".dot": None, ".gv": None}

_KEYS = ("stocks", "flows", "auxiliaries", "links", "groups")
# Pale fills, one per layer, in order of first appearance (or of ``layers``).
_LAYER_FILLS = ("#cfe2f3", "#fce5cd", "#d9ead3", "#ead1dc", "#fff2cc", "#d0e0e3",
                "#f4cccc", "#d9d2e9", "#e6e6e6")
_UNGROUPED = ""
_INSTALL_HINT = ("install Graphviz to render it: 'apt-get install graphviz' (Debian/Ubuntu), "
                 "'brew install graphviz' (macOS) or 'conda install graphviz'; or render "
                 "the source yourself with 'dot -Tsvg {dot} -o {out}'")


def stock_flow_diagram(graph: Mapping[str, Any], path: str | Path, *,
                       layers: Sequence[str] | None = None, title: str | None = None) -> Path:
    """Draw a stock-and-flow diagram and write it to ``path``.

    Stocks are boxes, each flow is a thick arrow through a small valve node
    (from a source cloud or to a sink cloud when an end is None), auxiliaries
    are ellipses, and information links are thin arrows. Nodes are filled with
    the colour of their layer and each layer is a labelled cluster.

    Parameters
    ----------
    graph : mapping
        ``{"stocks": [name, ...], "flows": [(name, from_stock | None, to_stock | None), ...],
        "auxiliaries": [name, ...], "links": [(src, dst), ...], "groups": {name: layer}}``.
        Links may start or end at stocks, flows or auxiliaries. Every key but
        ``stocks`` may be left out.
    path : str or pathlib.Path
        Output file; the suffix picks the format: ``.svg``, ``.png``, ``.pdf``,
        or ``.dot``/``.gv`` for the Graphviz source alone (no Graphviz needed).
    layers : sequence of str, optional
        Layers to draw, in the order of their colours. Nodes of other layers
        (and ungrouped nodes) are left out; flows into them end in clouds.
        All layers are drawn when None.
    title : str, optional
        Title above the diagram.

    Returns
    -------
    pathlib.Path
        The file written.

    Raises
    ------
    PlotError
        Malformed ``graph`` (unknown keys, names used twice, links or flows to
        unknown names; close matches are suggested), an unknown layer, or an
        unsupported file suffix.
    GraphvizNotFoundError
        The ``dot`` program is not installed; the ``.dot`` source has been
        written next to ``path`` and the message says how to install Graphviz.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise PlotError(f"unsupported diagram file type {path.suffix!r}; use one of "
                        f"{', '.join(FORMATS)}", location=path)
    dot = build_diagram(graph, layers=layers, title=title)
    import graphviz  # build_diagram has checked it is installed

    fmt = FORMATS[suffix]
    if fmt is None:
        path.write_text(dot.source, encoding="utf-8")
        return path
    source_path = path.with_suffix(".dot")
    if _dot_executable() is None:
        source_path.write_text(dot.source, encoding="utf-8")
        raise GraphvizNotFoundError(
            f"the Graphviz 'dot' program is not installed; wrote the diagram source to "
            f"{source_path}; " + _INSTALL_HINT.format(dot=source_path, out=path), location=path)
    try:
        data = dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        source_path.write_text(dot.source, encoding="utf-8")
        raise GraphvizNotFoundError(
            f"the Graphviz 'dot' program could not be run; wrote the diagram source to "
            f"{source_path}; " + _INSTALL_HINT.format(dot=source_path, out=path),
            location=path) from None
    except graphviz.CalledProcessError as exc:  # a bug in the generated source, not user input
        raise RuntimeError(f"Graphviz failed on the generated diagram: {exc.stderr!r}") from exc
    path.write_bytes(data)
    return path


def _dot_executable() -> str | None:
    """Path of the ``dot`` program, or None (patched in tests)."""
    return shutil.which("dot")


def build_diagram(graph: Mapping[str, Any], *, layers: Sequence[str] | None = None,
                  title: str | None = None) -> graphviz.Digraph:
    """Return the Graphviz source of a stock-and-flow diagram (see ``stock_flow_diagram``).

    Raises
    ------
    PlotError
        Malformed ``graph`` or unknown layer.
    """
    try:
        import graphviz
    except ImportError:
        raise GraphvizNotFoundError("the 'graphviz' Python package is needed to build "
                                    "diagrams: pip install graphviz") from None
    stocks, flows, auxes, links, groups = _check_graph(graph)
    all_layers = list(dict.fromkeys(groups.get(n, _UNGROUPED)
                                    for n in [*stocks, *(f[0] for f in flows), *auxes]))
    if layers is None:
        shown = all_layers
    else:
        shown = [str(layer) for layer in layers]
        unknown = [layer for layer in shown if layer not in all_layers]
        if unknown:
            raise PlotError(f"unknown layer(s) {unknown}; the graph's layers are "
                            f"{[layer for layer in all_layers if layer != _UNGROUPED]}")
    fills = {layer: ("#eeeeee" if layer == _UNGROUPED else
                     _LAYER_FILLS[i % len(_LAYER_FILLS)])
             for i, layer in enumerate(x for x in shown)}

    def layer_of(name: str) -> str:
        return groups.get(name, _UNGROUPED)

    def visible(name: str) -> bool:
        return layer_of(name) in fills

    dot = graphviz.Digraph("stock_flow", engine="dot")
    dot.attr(rankdir="LR", newrank="true", nodesep="0.35", ranksep="0.6", compound="true",
             fontname="Helvetica,Arial,sans-serif", fontsize="12")
    if title:
        dot.attr(label=title, labelloc="t", fontsize="16")
    dot.attr("node", fontname="Helvetica,Arial,sans-serif", fontsize="11")
    dot.attr("edge", fontname="Helvetica,Arial,sans-serif", fontsize="9")

    clusters = {layer: graphviz.Digraph(f"cluster_{i}") for i, layer in enumerate(fills)}
    for layer, sub in clusters.items():
        if layer == _UNGROUPED:
            sub.attr(label="", style="invis")
        else:
            sub.attr(label=layer, style="rounded,dashed", color="#999999", fontcolor="#555555")

    # Plain ids: a ':' in an edge end would be read as a Graphviz port.
    ids: dict[tuple[str, str], str] = {}

    def node_id(kind: str, name: str) -> str:
        return ids.setdefault((kind, name), f"{kind}{len(ids)}")

    for name in stocks:
        if visible(name):
            clusters[layer_of(name)].node(node_id("stock", name), label=name, shape="box",
                                          style="filled", fillcolor=fills[layer_of(name)],
                                          penwidth="1.6", height="0.55")
    for name in auxes:
        if visible(name):
            clusters[layer_of(name)].node(node_id("aux", name), label=name, shape="ellipse",
                                          style="filled", fillcolor=fills[layer_of(name)],
                                          color="#666666")
    clouds = 0
    pipes: list[tuple[str, str, str]] = []
    for name, src, dst in flows:
        if not visible(name):
            continue
        valve = node_id("flow", name)
        # A valve with its name beside it, the usual stock-and-flow notation.
        clusters[layer_of(name)].node(valve, label="", xlabel=name, shape="circle",
                                      width="0.16", height="0.16", fixedsize="true",
                                      style="filled", fillcolor=fills[layer_of(name)],
                                      penwidth="1.4")
        ends = []
        for end in (src, dst):
            if end is not None and visible(end):
                ends.append(node_id("stock", end))
            else:
                clouds += 1
                cloud = f"cloud{clouds}"
                clusters[layer_of(name)].node(cloud, label="", shape="ellipse", style="dashed",
                                              width="0.3", height="0.2", color="#888888")
                ends.append(cloud)
        pipes.append((ends[0], valve, ends[1]))
    # Clusters go in before any edge so their nodes are first declared inside them.
    for sub in clusters.values():
        dot.subgraph(sub)
    for start, valve, end in pipes:
        dot.edge(start, valve, arrowhead="none", penwidth="3", color="#4a4a4a")
        dot.edge(valve, end, penwidth="3", color="#4a4a4a", arrowsize="0.8")

    kinds = {**{n: "stock" for n in stocks}, **{f[0]: "flow" for f in flows},
             **{n: "aux" for n in auxes}}
    for src, dst in links:
        if visible(src) and visible(dst):
            dot.edge(node_id(kinds[src], src), node_id(kinds[dst], dst), color="#3d6fb4",
                     penwidth="0.9", arrowsize="0.6", style="solid", constraint="false")
    return dot


def _check_graph(graph: Mapping[str, Any]):
    if not isinstance(graph, Mapping):
        raise PlotError(f"graph must be a mapping with keys {_KEYS}, found {type(graph).__name__}")
    extra = [k for k in graph if k not in _KEYS]
    if extra:
        raise PlotError(f"graph has unknown key(s) {extra}; valid keys: {list(_KEYS)}")
    stocks = [str(s) for s in graph.get("stocks", ())]
    auxes = [str(a) for a in graph.get("auxiliaries", ())]
    flows = []
    for item in graph.get("flows", ()):
        if isinstance(item, (str, bytes)) or len(item) != 3:
            raise PlotError(f"a flow must be (name, from_stock_or_None, to_stock_or_None), "
                            f"found {item!r}")
        name, src, dst = item
        flows.append((str(name), None if src is None else str(src),
                      None if dst is None else str(dst)))
    names = [*stocks, *(f[0] for f in flows), *auxes]
    seen: set[str] = set()
    dupes = sorted({n for n in names if n in seen or seen.add(n)})
    if dupes:
        raise PlotError(f"name(s) used more than once among stocks, flows and auxiliaries: "
                        f"{dupes}")
    stock_set = set(stocks)
    for name, src, dst in flows:
        for end in (src, dst):
            if end is not None and end not in stock_set:
                raise PlotError(f"flow {name!r} connects to {end!r}, which is not a stock"
                                f"{_suggest(end, stocks)}; stocks: {stocks}", variable=name)
    links = []
    for item in graph.get("links", ()):
        if isinstance(item, (str, bytes)) or len(item) != 2:
            raise PlotError(f"a link must be (source, target), found {item!r}")
        src, dst = str(item[0]), str(item[1])
        for end in (src, dst):
            if end not in seen:
                raise PlotError(f"link ({src!r} -> {dst!r}) names {end!r}, which is not a "
                                f"stock, flow or auxiliary{_suggest(end, names)}")
        links.append((src, dst))
    groups = {str(k): str(v) for k, v in dict(graph.get("groups", {})).items()}
    unknown = [k for k in groups if k not in seen]
    if unknown:
        log.warning("groups name(s) not in the graph, ignored: %s", unknown)
    return stocks, flows, auxes, links, groups


def _suggest(name: str, names: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(names), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
