"""Elementary cycles of a directed graph: Johnson's algorithm and a shortest-first search.

Written here so that networkx is not a dependency. Graphs are plain mappings
node -> successors; nodes must be sortable, which makes every output
deterministic.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Mapping, Sequence

__all__ = ["simple_cycles", "shortest_cycles"]


def _sccs(nodes: Sequence[str], succ: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Strongly connected components (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on, stack, out = set(), [], []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(succ.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on.add(nxt)
                    work.append((nxt, iter(succ.get(nxt, ()))))
                elif nxt in on:
                    low[v] = min(low[v], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(comp)
    return out


def simple_cycles(succ: Mapping[str, Sequence[str]]):
    """Yield every elementary cycle of a directed graph (Johnson, 1975).

    Parameters
    ----------
    succ : mapping
        Node -> successors. Nodes must be sortable (the order makes the output
        deterministic).

    Yields
    ------
    list
        The nodes of one cycle in edge order; the last node links back to the first.

    Raises
    ------
    None
        Successors that are not keys of ``succ`` are ignored.
    """
    order = {n: i for i, n in enumerate(sorted(succ))}
    graph = {n: [m for m in succ[n] if m in order] for n in sorted(succ)}
    for n in sorted(graph):
        if n in graph[n]:
            yield [n]
    graph = {n: [m for m in ms if m != n] for n, ms in graph.items()}
    comps = [c for c in _sccs(sorted(graph), graph) if len(c) > 1]
    while comps:
        comp = comps.pop()
        members = set(comp)
        start = min(comp, key=order.__getitem__)
        sub = {n: [m for m in graph[n] if m in members] for n in comp}
        path, blocked, closed = [start], {start}, set()
        B: dict[str, set[str]] = defaultdict(set)
        stack = [(start, list(reversed(sub[start])))]
        while stack:
            node, nbrs = stack[-1]
            if nbrs:
                nxt = nbrs.pop()
                if nxt == start:
                    yield list(path)
                    closed.update(path)
                elif nxt not in blocked:
                    path.append(nxt)
                    stack.append((nxt, list(reversed(sub[nxt]))))
                    closed.discard(nxt)
                    blocked.add(nxt)
                    continue
            if not nbrs:
                if node in closed:
                    todo = {node}
                    while todo:  # unblock, iteratively
                        w = todo.pop()
                        if w in blocked:
                            blocked.discard(w)
                            todo.update(B[w])
                            B[w].clear()
                else:
                    for m in sub[node]:
                        B[m].add(node)
                stack.pop()
                path.pop()
        rest = [n for n in comp if n != start]
        graph_rest = {n: [m for m in graph[n] if m in members and m != start] for n in rest}
        comps.extend(c for c in _sccs(sorted(rest, key=order.__getitem__), graph_rest) if len(c) > 1)


def shortest_cycles(succ: Mapping[str, Sequence[str]], limit: int, keep=None) -> list[list[str]]:
    """The ``limit`` shortest elementary cycles (ties broken by node order).

    Iterative deepening on the cycle length: every cycle is found from its
    smallest node, and a path is cut as soon as it cannot get back to its start
    within the bound (breadth-first distances to the start).

    Parameters
    ----------
    succ : mapping
        Node -> successors.
    limit : int
        How many cycles to return at most.
    keep : callable, optional
        ``keep(cycle) -> bool``; cycles it rejects are not counted.

    Returns
    -------
    list of list
        Cycles in order of length.

    Raises
    ------
    None
        Successors that are not keys of ``succ`` are ignored.
    """
    nodes = sorted(succ)
    order = {n: i for i, n in enumerate(nodes)}
    comp_of = {}
    for c in _sccs(nodes, succ):
        for n in c:
            comp_of[n] = id(c)
    pred: dict = defaultdict(list)
    for n in nodes:
        for m in succ[n]:
            if m in order and comp_of[m] == comp_of[n]:
                pred[m].append(n)
    dists = {}
    for start in nodes:  # distance from each node back to start, over nodes >= start
        d, frontier = {start: 0}, [start]
        while frontier:
            nxt = []
            for w in frontier:
                for p in pred[w]:
                    if order[p] > order[start] and p not in d:
                        d[p] = d[w] + 1
                        nxt.append(p)
            frontier = nxt
        dists[start] = d
    out: list[list[str]] = []
    longest = max((len(c) for c in _sccs(nodes, succ)), default=0)
    for bound in range(1, longest + 1):
        for start in nodes:
            d = dists[start]
            path = [start]
            stack = [iter(succ[start])]
            on = {start}
            while stack:
                nxt = next(stack[-1], None)
                if nxt is None:
                    stack.pop()
                    on.discard(path.pop())
                    continue
                if nxt == start:
                    if len(path) == bound and (keep is None or keep(path)):
                        out.append(list(path))
                        if len(out) >= limit:
                            return out
                    continue
                if nxt in on or nxt not in d or len(path) + d[nxt] > bound:
                    continue
                path.append(nxt)
                on.add(nxt)
                stack.append(iter(succ[nxt]))
    return out
