"""Feedback loops: the element graph, its cycles through stocks, and their polarity.

Structure. An edge ``u -> v`` links element ``u`` to every element ``v`` whose
equation uses ``u`` while the model runs: a stock's net flow (not its initial
value), the active arguments of SMOOTH/DELAY/TREND/FORECAST/SAMPLE IF TRUE (not
their initial values), the active side of ACTIVE INITIAL; an INITIAL(...) and
a lookup's table create no edge. Constants cannot be on a cycle and are left
out. Subscripts are collapsed: ``Births[Beijing]`` and ``Births[Hebei]`` are one node.
A feedback loop is an elementary cycle of this graph that passes through at
least one stock or one element holding state (a SMOOTH or DELAY, which is a
stock in disguise). Cycles are found by ``networkx.simple_cycles`` (Johnson's
algorithm, and its length-bounded variant); past ``max_loops`` the shortest
loops are kept.

Polarity. The sign of a link ``u -> v`` is the sign of the partial derivative of
``v``'s equation with respect to ``u``, holding every other input fixed; for a
stock ``v`` the equation is its net flow, so an inflow link is ``+`` and an
outflow link ``-``. A link through the hidden state of a SMOOTH or DELAY takes
the product of the signs along it. The derivatives are **central finite
differences of the compiled model's own equations, evaluated at several points
of a baseline run** (the operating points). A link whose sign differs between
points or cells (regions) is ambiguous. With subscripts, a link is judged on
the pairs of cells with the same subscripts (``Talent[Beijing] -> Attrition[Beijing]``:
the loop within one region) when there are any, else on every pair of cells
that are linked (a scalar feeding every region, or a SUM over regions); a link whose derivative is zero at every
point (e.g. clipped by a MAX) is inactive there. A loop is reinforcing ("R")
when the product of its link signs is positive, balancing ("B") when negative,
and "?" when any link is ambiguous or inactive. The verdict is local to the
operating points: a nonlinear model can switch loop polarity elsewhere.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import networkx as nx
import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from ..errors import AnalysisError
from ..model.spec import ElementKind, Model, name_key

__all__ = ["Loop", "OperatingPoints", "element_graph", "find_loops", "loop_polarity",
           "link_sign", "operating_points", "simple_cycles", "shortest_cycles"]

log = logging.getLogger(__name__)


def _digraph(succ: Mapping[str, Sequence[str]]) -> nx.DiGraph:
    # nodes and edges inserted in sorted order, so that networkx's output order is fixed
    g = nx.DiGraph()
    g.add_nodes_from(sorted(set(succ) | {v for vs in succ.values() for v in vs}))
    g.add_edges_from((u, v) for u in sorted(succ) for v in sorted(succ[u]))
    return g


def _rotated(cycle: list[str]) -> list[str]:
    i = cycle.index(min(cycle))
    return cycle[i:] + cycle[:i]


def simple_cycles(succ: Mapping[str, Sequence[str]]):
    """Every elementary cycle of ``node -> successors`` (``networkx.simple_cycles``),
    each starting at its smallest node."""
    return (_rotated(c) for c in nx.simple_cycles(_digraph(succ)))


def shortest_cycles(succ: Mapping[str, Sequence[str]], limit: int, keep=None) -> list[list[str]]:
    """The ``limit`` shortest elementary cycles (that pass ``keep``), by length then nodes.

    Raises the length bound of ``networkx.simple_cycles`` one step at a time, so
    a graph with millions of long cycles is never enumerated in full.
    """
    g = _digraph(succ)
    found: list[list[str]] = []
    for bound in range(1, g.number_of_nodes() + 1):
        found = [_rotated(c) for c in nx.simple_cycles(g, length_bound=bound)
                 if keep is None or keep(c)]
        if len(found) >= limit:
            break
    return sorted(found, key=lambda c: (len(c), c))[:limit]

# stateful structures: which of their fields act while the model runs
_STATEFUL = {
    ae.SmoothStructure: ("input", "smooth_time"),
    ae.SmoothNStructure: ("input", "smooth_time"),
    ae.DelayStructure: ("input", "delay_time"),
    ae.DelayNStructure: ("input", "delay_time"),
    ae.DelayFixedStructure: ("input",),
    ae.TrendStructure: ("input", "average_time"),
    ae.ForecastStructure: ("input", "average_time", "horizon"),
    ae.SampleIfTrueStructure: ("condition", "input"),
}


@dataclass(frozen=True, slots=True)
class Loop:
    """One feedback loop.

    Attributes
    ----------
    name : str
        ``"R1"``, ``"B2"``... (``"U1"`` for an undetermined polarity), numbered by
        length within each polarity.
    variables : tuple of str
        Element names in causal order, starting at a stock; the last feeds the first.
    length : int
        Number of links (= number of variables).
    polarity : {"R", "B", "?"}
    links : tuple of str
        Sign of each link ``variables[i] -> variables[i+1]`` (the last closes the
        loop): ``"+"``, ``"-"``, ``"?"`` (ambiguous) or ``"0"`` (inactive).
    """

    name: str
    variables: tuple[str, ...]
    length: int
    polarity: str
    links: tuple[str, ...] = ()

    def __str__(self) -> str:
        arrows = "".join(f"{v} -({s})-> " for v, s in zip(self.variables, self.links or
                                                            ("",) * self.length))
        return f"{self.name}: {arrows}{self.variables[0]}"


# -- structure ----------------------------------------------------------------------------
def _dynamic_refs(node, out: set[str], lookups: set[str]) -> None:
    """Element keys ``node`` uses while the model runs (initial values left out)."""
    if node is None or isinstance(node, (bool, int, float, np.number, np.ndarray, str)):
        return
    if isinstance(node, ae.ReferenceStructure):
        out.add(name_key(node.reference))
        return
    if isinstance(node, ae.IntegStructure):
        _dynamic_refs(node.flow, out, lookups)
        return
    if isinstance(node, ae.InitialStructure):
        return  # frozen after the first step
    fields = _STATEFUL.get(type(node))
    if fields is not None:
        for f in fields:
            _dynamic_refs(getattr(node, f, None), out, lookups)
        return
    if isinstance(node, ae.CallStructure):
        fname = name_key(node.function.reference)
        args = list(node.arguments)
        if fname == "active_initial":
            args = args[:1]
        elif fname in ("lookup_extrapolate", "lookup_forward", "lookup_backward"):
            args = args[1:]
        for a in args:
            _dynamic_refs(a, out, lookups)
        return
    if isinstance(node, ae.InlineLookupsStructure):
        _dynamic_refs(node.argument, out, lookups)
        return
    if isinstance(node, (ae.ArithmeticStructure, ae.LogicStructure)):
        for a in node.arguments:
            _dynamic_refs(a, out, lookups)
        return
    # lookups definitions, external data: no references


def _has_state(node) -> bool:
    if isinstance(node, ae.IntegStructure) or type(node) in _STATEFUL:
        return True
    if isinstance(node, ae.CallStructure):
        return any(_has_state(a) for a in node.arguments)
    if isinstance(node, (ae.ArithmeticStructure, ae.LogicStructure)):
        return any(_has_state(a) for a in node.arguments)
    if isinstance(node, ae.InlineLookupsStructure):
        return _has_state(node.argument)
    return False


def element_graph(model: Model) -> tuple[dict[str, list[str]], set[str]]:
    """The element-level dependency graph of the running model.

    Parameters
    ----------
    model : Model

    Returns
    -------
    graph : dict
        Element key -> sorted keys of the elements whose equations use it (edges
        point from cause to effect). Constants, lookups and data are left out.
    stateful : set of str
        Keys of stocks and of elements whose equation holds a SMOOTH/DELAY-like state.

    Raises
    ------
    None
        Every loaded model has a graph (possibly without edges).
    """
    dynamic = {e.key: e for e in model.elements
               if e.kind in (ElementKind.STOCK, ElementKind.FLOW, ElementKind.AUXILIARY)}
    lookups = {e.key for e in model.elements if e.kind is ElementKind.LOOKUP}
    succ: dict[str, set[str]] = {k: set() for k in dynamic}
    stateful = set()
    for key, e in dynamic.items():
        used: set[str] = set()
        for c in e.components:
            _dynamic_refs(c.ast, used, lookups)
            if _has_state(c.ast):
                stateful.add(key)
        for u in used:
            if u in dynamic:
                succ[u].add(key)
    return {k: sorted(v) for k, v in succ.items()}, stateful


# -- polarity -----------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class OperatingPoints:
    """States and auxiliaries of a baseline run at a few times (columns are points).

    Built by :func:`operating_points`; pass it as ``run=`` to reuse it for many loops.
    """

    cm: Any
    times: np.ndarray
    Y: np.ndarray   # [n_states (hidden included), n_points]
    A: np.ndarray   # [n_auxiliaries, n_points]
    P: np.ndarray   # [n_params, n_points]
    Z: np.ndarray   # [n_discrete, n_points]
    keys: np.ndarray
    dt: float


def operating_points(model: Model, params: Mapping | None = None, *, n_points: int = 8,
                     seed: int | None = None) -> OperatingPoints:
    """Run the model once and keep its full state at ``n_points`` evenly spaced times.

    Parameters
    ----------
    model : Model
    params : mapping, optional
        Lever settings of the baseline run (as ``Model.run`` takes them).
    n_points : int, default 8
        Number of saved times used (spread from the first to the last).
    seed : int, optional
        Root seed for RANDOM functions.

    Returns
    -------
    OperatingPoints

    Raises
    ------
    ScenarioError, SolveError
        As ``Model.run`` does for bad settings.
    AnalysisError
        If ``n_points`` is not a positive integer.
    """
    from ..compile.runtime import scenario_keys
    from ..solve.simulate import Selection, simulate
    if not isinstance(n_points, (int, np.integer)) or n_points < 1:
        raise AnalysisError(f"n_points must be a positive integer, found {n_points!r}")
    cm = model.compile()
    L = cm.layout
    P, policies = cm.parameters(dict(params or {}), 1)
    keys = scenario_keys(0 if seed is None else int(seed), np.arange(1))
    sched = cm.schedule()
    sel = Selection(np.arange(len(L.y_label)), np.arange(len(L.v_label)), np.arange(len(L.p_label)))
    raw = simulate(cm, P, keys, sched, sel, method="euler", policies=policies)
    good = np.isfinite(raw.y[:, :, 0]).all(axis=1) & np.isfinite(raw.v[:, :, 0]).all(axis=1)
    idx = np.flatnonzero(good)
    if idx.size == 0:
        raise AnalysisError("the baseline run has no time at which every value is finite")
    pick = np.unique(idx[np.linspace(0, idx.size - 1, min(n_points, idx.size)).round().astype(int)])
    _, Z, _ = cm.initial(raw.times[0], sched.time_step, P, keys)
    n = pick.size
    return OperatingPoints(cm=cm, times=raw.times[pick], Y=raw.y[pick, :, 0].T.copy(),
                           A=raw.v[pick, :, 0].T.copy(), P=raw.p[pick, :, 0].T.copy(),
                           Z=np.repeat(Z, n, axis=1), keys=np.repeat(keys, n),
                           dt=float(sched.time_step))


class _Derivatives:
    """Finite-difference signs of single equations of a compiled model."""

    def __init__(self, pts: OperatingPoints):
        self.pts = pts
        self.L = pts.cm.layout
        self._fns: dict = {}

    def _fn(self, slot: str, i: int):
        key = (slot, i)
        fn = self._fns.get(key)
        if fn is None:
            from ..compile.codegen import build, expr
            from ..compile.ir import refs
            node = self.L.v_expr[i] if slot == "v" else self.L.y_ddt[i]
            used = refs(node, None, initial=False)
            lines = ["def _f(t, dt, k, P, S, Y, Z, A):"]
            lines += [f"    {s}{j} = {dict(y='Y', p='P', z='Z', v='A')[s]}[{j}]"
                      for s, j in sorted(used)]
            lines.append(f"    return {expr(node)}")
            fn = build("\n".join(lines) + "\n", self.L.tables)["_f"]
            self._fns[key] = fn
        return fn

    def partial(self, slot: str, i: int, wrt: tuple[str, int]) -> np.ndarray:
        """Sign (-1, 0, +1) at each point of d(equation)/d(wrt)."""
        p = self.pts
        n = p.times.size
        base = {"y": p.Y, "v": p.A}
        x = base[wrt[0]][wrt[1]]
        h = 1e-6 * np.maximum(np.abs(x), 1e-3)
        arrays = {"y": np.tile(p.Y, 3), "v": np.tile(p.A, 3)}
        arrays[wrt[0]][wrt[1], n:2 * n] = x + h
        arrays[wrt[0]][wrt[1], 2 * n:] = x - h
        t = np.tile(p.times, 3)
        with np.errstate(all="ignore"):
            f = np.broadcast_to(np.asarray(self._fn(slot, i)(
                t, p.dt, 0, np.tile(p.P, 3), np.tile(p.keys, 3), arrays["y"], np.tile(p.Z, 3),
                arrays["v"]), dtype=float), (3 * n,))
        f0, fp, fm = f[:n], f[n:2 * n], f[2 * n:]
        diff = fp - fm
        tol = 1e-9 * np.maximum(np.abs(f0), 1e-12) + 1e-300
        sign = np.where(np.abs(diff) > tol, np.sign(diff), 0.0)
        return np.where(np.isfinite(diff), sign, np.nan)

    def reaches(self, slot: str, i: int, wrt: tuple[str, int]) -> bool:
        """True if the equation uses ``wrt``, directly or through hidden rows (states, or
        the auxiliaries holding an inverted matrix)."""
        from ..compile.ir import refs
        seen, todo = set(), [(slot, i)]
        while todo:
            s, j = todo.pop()
            node = self.L.v_expr[j] if s == "v" else self.L.y_ddt[j]
            for r in refs(node, None, initial=False):
                if r == wrt:
                    return True
                if self.L.hidden(*r) and r not in seen:
                    seen.add(r)
                    todo.append(r)
        return False

    def total(self, slot: str, i: int, wrt: tuple[str, int], path: frozenset = frozenset()) -> np.ndarray:
        """Sign of the effect of ``wrt`` on an equation, through hidden states too.

        A hidden state's dependence on itself (the decay of a SMOOTH stage) is not a
        path from ``wrt``; states already on the path are skipped.
        """
        from ..compile.ir import refs
        node = self.L.v_expr[i] if slot == "v" else self.L.y_ddt[i]
        used = refs(node, None, initial=False)
        path = path | {(slot, i)}
        signs = []
        if wrt in used:
            signs.append(self.partial(slot, i, wrt))
        for s, j in sorted(used):
            r = (s, j)
            if self.L.hidden(s, j) and r != wrt and r not in path and self.reaches(s, j, wrt):
                inner = self.total(s, j, wrt, path)
                signs.append(self.partial(slot, i, r) * inner)
        if not signs:
            return np.zeros(self.pts.times.size)
        out = signs[0]
        for s in signs[1:]:  # two paths of opposite sign make the link ambiguous
            out = np.where(out == 0, s, np.where((s == 0) | (s == out), out, np.nan))
        return out


def _combine(signs: np.ndarray) -> str:
    s = np.asarray(signs, dtype=float).ravel()
    if s.size == 0 or np.isnan(s).any():
        return "?"
    nz = s[s != 0]
    if nz.size == 0:
        return "0"
    if (nz > 0).all():
        return "+"
    if (nz < 0).all():
        return "-"
    return "?"


def link_sign(model: Model, cause: str, effect: str, *, run: Any = None) -> str:
    """Sign of the link ``cause -> effect`` at the operating points of a baseline run.

    Parameters
    ----------
    model : Model
    cause, effect : str
        Element names; ``effect``'s equation must use ``cause``.
    run : OperatingPoints or mapping, optional
        Operating points, or lever settings for the baseline run (default: the
        model's own values).

    Returns
    -------
    {"+", "-", "?", "0"}
        ``"?"`` when the sign differs between points or regions, ``"0"`` when the
        derivative vanishes at every point.

    Raises
    ------
    AnalysisError
        Unknown names, or ``effect`` does not use ``cause``.
    """
    pts = run if isinstance(run, OperatingPoints) else operating_points(model, run)
    return _link_sign(model, pts, _Derivatives(pts), cause, effect)


def _link_sign(model, pts, der, cause, effect) -> str:
    L = pts.cm.layout
    try:
        u, v = model.element(cause), model.element(effect)
    except KeyError as err:
        raise AnalysisError(f"the model has no variable {err.args[0]!r}") from None
    ucells = L.cells.get(u.key, {})
    vcells = L.cells.get(v.key, {})
    pairs = [(vslot, vi, (uslot, ui), vcell == ucell)
             for vcell, (vslot, vi) in vcells.items() for ucell, (uslot, ui) in ucells.items()
             if uslot in ("y", "v") and vslot in ("y", "v") and der.reaches(vslot, vi, (uslot, ui))]
    if any(same for *_, same in pairs):  # within one region: the loop's own cells
        pairs = [p for p in pairs if p[3]]
    signs = [der.total(vslot, vi, wrt) for vslot, vi, wrt, _ in pairs]
    if not signs:
        raise AnalysisError(f"{v.name!r} does not use {u.name!r} while the model runs",
                            variable=v.name)
    return _combine(np.concatenate(signs))


def loop_polarity(model: Model, loop: Loop | Sequence[str], *, run: Any = None) -> str:
    """Polarity of a loop from the signs of its links.

    Parameters
    ----------
    model : Model
    loop : Loop or sequence of str
        A loop from :func:`find_loops`, or element names in causal order (the last
        feeds the first).
    run : OperatingPoints or mapping, optional
        Where to evaluate the derivatives: operating points from
        :func:`operating_points`, or lever settings for a baseline run (default:
        the model's own values). Finite differences of the compiled equations at
        points of that run; see the module docstring.

    Returns
    -------
    {"R", "B", "?"}
        "?" when a link is ambiguous (changes sign across points or regions) or
        inactive (zero derivative at every point).

    Raises
    ------
    AnalysisError
        Unknown names or a pair of consecutive names that is not a link.
    """
    return _polarity(_link_signs(model, loop, run))


def _link_signs(model, loop, run, pts=None, der=None) -> tuple[str, ...]:
    names = loop.variables if isinstance(loop, Loop) else tuple(loop)
    if not names:
        raise AnalysisError("a loop needs at least one variable")
    if pts is None:
        pts = run if isinstance(run, OperatingPoints) else operating_points(model, run)
    der = der or _Derivatives(pts)
    return tuple(_link_sign(model, pts, der, a, b)
                 for a, b in zip(names, names[1:] + names[:1]))


def _polarity(signs: Sequence[str]) -> str:
    if any(s not in "+-" for s in signs):
        return "?"
    return "R" if sum(s == "-" for s in signs) % 2 == 0 else "B"


def find_loops(model: Model, *, max_loops: int = 200, run: Any = None) -> list[Loop]:
    """The feedback loops of a model with their polarities.

    Parameters
    ----------
    model : Model
    max_loops : int, default 200
        At most this many loops (a large model can have millions). When the model
        has more, the ``max_loops`` shortest are kept (found by iterative
        deepening on the loop length) and a warning is logged.
    run : OperatingPoints or mapping, optional
        Where link signs are evaluated (see :func:`loop_polarity`).

    Returns
    -------
    list of Loop
        Sorted by length, then by variable names; named R1, R2... B1... U1...
        (U for an undetermined polarity).

    Raises
    ------
    AnalysisError
        If ``max_loops`` is not a positive integer.
    ModelStructureError, UnsupportedFeature
        If the model does not compile.
    """
    if not isinstance(max_loops, (int, np.integer)) or max_loops < 1:
        raise AnalysisError(f"max_loops must be a positive integer, found {max_loops!r}")
    graph, stateful = element_graph(model)
    order = {e.key: i for i, e in enumerate(model.elements)}
    kinds = {e.key: e.kind for e in model.elements}
    cycles = []
    for cyc in simple_cycles(graph):
        if not any(k in stateful for k in cyc):
            continue
        cycles.append(cyc)
        if len(cycles) > max_loops:
            log.warning("the model has more than %d loops (max_loops); keeping the %d shortest",
                        max_loops, max_loops)
            cycles = shortest_cycles(graph, max_loops,
                                     keep=lambda c: any(k in stateful for k in c))
            break
    if not cycles:
        return []
    pts = run if isinstance(run, OperatingPoints) else operating_points(model, run)
    der = _Derivatives(pts)
    names = {e.key: e.name for e in model.elements}
    found = []
    for cyc in cycles:
        stocks = [k for k in cyc if kinds[k] is ElementKind.STOCK] or \
            [k for k in cyc if k in stateful]
        first = min(stocks, key=order.__getitem__)
        i = cyc.index(first)
        cyc = cyc[i:] + cyc[:i]
        variables = tuple(names[k] for k in cyc)
        signs = _link_signs(model, variables, None, pts, der)
        found.append((variables, signs))
    found.sort(key=lambda f: (len(f[0]), [order[name_key(v)] for v in f[0]]))
    counts: dict[str, int] = defaultdict(int)
    loops = []
    for variables, signs in found:
        pol = _polarity(signs)
        letter = {"R": "R", "B": "B", "?": "U"}[pol]
        counts[letter] += 1
        loops.append(Loop(name=f"{letter}{counts[letter]}", variables=variables,
                          length=len(variables), polarity=pol, links=signs))
    return loops
