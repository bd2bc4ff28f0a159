"""Generate the batched numpy functions with one statement per group of like cells.

The lowering (:mod:`.lower`) gives every subscript cell its own scalar tree. Here the
cells whose trees have the same shape, differing only in the rows they read (and in
numeric literals), are grouped and written as one array statement::

    _w[_I[4]] = (Y[_I[5]] * P[_I[6]])

The index arrays live in the tuple ``_I`` and differing literals in ``_K`` (columns that
broadcast over the scenario axis), both passed in the namespace, so the source holds only
integers into them. A run of ``+`` / ``*`` over like operands (what SUM and PROD lower
to) or a nest of MIN / MAX (VMIN, VMAX) becomes one gather over a leading axis folded left
to right by ``_sum``/``_prod``/``_vmin``/``_vmax``: the same float operations in the same
order as the per-cell code, so results are bit-identical, and a large SUM is no longer a
deep expression that Python's compiler cannot take.

Order: a cell's *level* is one more than the highest level among the auxiliaries it
reads. Cells are grouped by (element, shape, level), and groups are written by level, so
every group comes after all it reads and no group reads itself. The step then merges the
groups of one level and one shape whatever element they belong to (:func:`_merged`: numpy
pays per statement, not per cell).

The step is three functions: ``_const`` computes what is fixed for a run (the auxiliaries
that read only parameters, and constant subexpressions of the others, :class:`_Hoist`) into
rows of a work buffer, ``_step`` computes the rest reading them, and ``_rhs`` does both with
a fresh buffer. The time loop calls ``_const`` once and ``_step`` at every evaluation when
the parameters stay fixed, ``_rhs`` when a time-varying lever changes them.
"""
from __future__ import annotations

import numpy as np

from .codegen import _OPS, ALLOCATE, _call, num, rand_args
from .lower import Layout

__all__ = ["generate", "vector_source", "VectorCode"]

_ARR = {"y": "Y", "p": "P", "z": "Z", "v": "_w"}
_CMP = {"=", "<>", "<", ">", "<=", ">="}
_FOLD_CHAIN = {"+": "_sum", "*": "_prod"}
_FOLD_CALL = {"min": "_vmin", "max": "_vmax"}
_LEAVES = {"num", "ref", "time", "dt"}
#: a run shorter than this is written out (a gather costs more than a few operators)
_MIN_FOLD = 4


class VectorCode:
    """Source of ``_init``/``_rhs`` plus the index arrays ``_I`` and literal columns ``_K``."""

    def __init__(self):
        self.src_lines: list[str] = []
        self.I: list[np.ndarray] = []
        self.K: list[np.ndarray] = []
        self.rows = 0  # rows of the step's work buffer (auxiliaries, then hoisted constants)
        self._imemo: dict = {}

    def index(self, idxs, shape) -> int:
        key = (tuple(idxs), shape)
        hit = self._imemo.get(key)
        if hit is None:
            hit = len(self.I)
            self.I.append(_as_index(np.asarray(idxs, dtype=np.intp).reshape(shape)))
            self._imemo[key] = hit
        return hit

    def column(self, vals, shape) -> int:
        self.K.append(np.asarray(vals, dtype=float).reshape(shape + (1,)))
        return len(self.K) - 1


def _as_index(rows: np.ndarray):
    """A 1-D run of rows with a constant positive step as a slice (a view, no gather: a
    numpy backend run of one scenario spends most of its time in gathers), else the array.
    The generated code never writes into what it reads, so a view gives the same values.
    """
    if rows.ndim == 1 and rows.size:
        step = int(rows[1] - rows[0]) if rows.size > 1 else 1
        if step > 0 and np.array_equal(rows, rows[0] + step * np.arange(rows.size)):
            return slice(int(rows[0]), int(rows[-1]) + 1, step)
    return rows


# -- shapes -----------------------------------------------------------------------------------
def _spine(n, name):
    """Operands of a left-nested MIN/MAX chain (``min(min(a, b), c)`` -> a, b, c)."""
    items = []
    while n[0] == "call" and n[1] == name and len(n[2]) == 2:
        items.append(n[2][1])
        n = n[2][0]
    items.append(n)
    return items[::-1]


def _is_bool(n, init, boolv) -> bool:
    """Whether the per-cell code gives a boolean array (kept boolean when read back)."""
    tag = n[0]
    if tag in ("not", "and", "or"):
        return True
    if tag == "chain":
        return any(op in _CMP for op in n[1])
    if tag == "ainit":
        return _is_bool(n[2] if init else n[1], init, boolv)
    if tag == "ref":
        return n[1] == "v" and n[2] in boolv
    return False


class _Shapes:
    """Shape signatures of IR trees for one phase (initialisation or a step)."""

    def __init__(self, init: bool, boolv: set):
        self.init = init
        self.boolv = boolv

    def __call__(self, n):
        tag = n[0]
        if tag == "num":
            return ("n",)
        if tag == "ref":
            return ("r", n[1], n[1] == "v" and n[2] in self.boolv)
        if tag in ("time", "dt"):
            return (tag,)
        if tag == "chain":
            return ("c", n[1], tuple(self(a) for a in n[2]))
        if tag in ("neg", "not"):
            return (tag, self(n[1]))
        if tag in ("and", "or"):
            return (tag, self(n[1]), self(n[2]))
        if tag == "ainit":
            return self(n[2] if self.init else n[1])
        if tag == "lookup":
            return ("l", int(n[1]), self(n[2]))
        if tag == "rand":
            return ("rand", int(n[2]))  # its own stream: never grouped
        if tag == "matinv":  # the position differs between lanes, like a literal
            return ("matinv", int(n[1]), tuple(self(a) for a in n[2]))
        if tag == "call":
            if n[1] in _FOLD_CALL:
                items = _spine(n, n[1])
                if len(items) > 2:
                    return ("fold", n[1], tuple(self(a) for a in items))
            return ("f", n[1], tuple(self(a) for a in n[2]))
        raise AssertionError(f"unknown IR node {tag}")


class _Emitter:
    """Source of one expression over lanes (corresponding nodes of the grouped cells)."""

    def __init__(self, code: VectorCode, shapes: _Shapes, hoist=None):
        self.code = code
        self.shapes = shapes
        self.init = shapes.init
        self.hoist = hoist

    def __call__(self, ns, shape) -> str:
        n0 = ns[0]
        tag = n0[0]
        if self.hoist is not None and tag not in _LEAVES:
            got = self.hoist(self, ns, shape)
            if got is not None:
                return got
        if tag == "num":
            vals = [float(n[1]) for n in ns]
            if len({repr(v) for v in vals}) == 1:
                return num(vals[0])
            return f"_K[{self.code.column(vals, shape)}]"
        if tag == "ref":
            slot = n0[1]
            idxs = [int(n[2]) for n in ns]
            if len(set(idxs)) == 1:
                base = f"{_ARR[slot]}[{idxs[0]}]"
            else:
                base = f"{_ARR[slot]}[_I[{self.code.index(idxs, shape)}]]"
            if slot == "v" and n0[2] in self.shapes.boolv:
                return f"({base} != 0)"
            return base
        if tag == "time":
            return "t"
        if tag == "dt":
            return "dt"
        if tag == "chain":
            ops = n0[1]
            args = list(zip(*(n[2] for n in ns)))  # per operand position, its lanes
            if len(ops) + 1 >= _MIN_FOLD and len(set(ops)) == 1 and ops[0] in _FOLD_CHAIN:
                folded = self.fold(_FOLD_CHAIN[ops[0]], args, shape)
                if folded is not None:
                    return folded
            parts = [self(list(a), shape) for a in args]
            out = parts[0]
            for op, p in zip(ops, parts[1:]):
                out += f" {_OPS[op]} {p}"
            return f"({out})"
        if tag == "neg":
            return f"(-{self([n[1] for n in ns], shape)})"
        if tag == "not":
            return f"_np.logical_not({self([n[1] for n in ns], shape)})"
        if tag in ("and", "or"):
            a = self([n[1] for n in ns], shape)
            b = self([n[2] for n in ns], shape)
            return f"_np.logical_{tag}({a}, {b})"
        if tag == "ainit":
            return self([n[2] if self.init else n[1] for n in ns], shape)
        if tag == "lookup":
            return f"_lookup({self([n[2] for n in ns], shape)}, _T[{int(n0[1])}])"
        if tag == "rand":
            assert len(ns) == 1, "random draws are never grouped"
            args = ", ".join(rand_args(n0, lambda a: self([a], shape)))
            return f"_{n0[1]}(S, k, {int(n0[2])}{', ' if args else ''}{args})"
        if tag == "matinv":
            # lanes of one matrix (its hidden rows share an owner): one inversion for all
            assert all(n[2] is n0[2] for n in ns), "lanes of one INVERT MATRIX share its entries"
            entries = ", ".join(self([a], shape) for a in n0[2])
            pos = [int(n[3]) for n in ns]
            at = str(pos[0]) if len(pos) == 1 else f"_I[{self.code.index(pos, shape)}]"
            return f"_matinv(({entries},), {int(n0[1])}, {at})"
        if tag == "call":
            name = n0[1]
            if name in _FOLD_CALL:
                spines = [_spine(n, name) for n in ns]
                if len(spines[0]) > 2:
                    args = list(zip(*spines))
                    if len(args) >= _MIN_FOLD - 1:
                        folded = self.fold(_FOLD_CALL[name], args, shape)
                        if folded is not None:
                            return folded
                    f = "_np.minimum" if name == "min" else "_np.maximum"
                    out = self(list(args[0]), shape)
                    for a in args[1:]:
                        out = f"{f}({out}, {self(list(a), shape)})"
                    return out
            if name in ALLOCATE:
                return self.allocation(ns, shape)
            return _call(name, [self(list(a), shape) for a in zip(*(n[2] for n in ns))])
        raise AssertionError(f"unknown IR node {tag}")

    def allocation(self, ns, shape):
        """An allocation call over lanes: the kernel runs once per distinct argument list
        (the cells of one vector share theirs and differ only in the cell ``k`` they read),
        and each lane reads its cell from its row: the same numbers as one call per lane."""
        name = ns[0][1]
        keys = [n[2][1:] for n in ns]
        uniq = list(dict.fromkeys(keys))
        if len(uniq) in (1, len(ns)):
            return _call(name, [self(list(a), shape) for a in zip(*(n[2] for n in ns))])
        row = {key: j for j, key in enumerate(uniq)}
        args = [self([n[2][0] for n in ns], shape)]
        args += [self(list(a), (len(uniq),)) for a in zip(*uniq)]
        rows = self.code.index([row[key] for key in keys], shape)
        return _call(name, args, f"_I[{rows}]")

    def fold(self, fn, args, shape):
        """``fn(stacked)`` when every operand has one shape; None otherwise."""
        s0 = self.shapes(args[0][0])
        if s0[0] == "rand" or any(self.shapes(a[0]) != s0 for a in args[1:]):
            return None
        if any(self.shapes(x) != s0 for a in args for x in a[1:]):
            return None
        lanes = [x for a in args for x in a]  # operand-major: shape (n_operands,) + shape
        inner = self(lanes, (len(args),) + shape)
        if "_I[" not in inner and "_K[" not in inner:
            return None  # no operand varies along the leading axis: write it out
        return f"{fn}({inner})"


class _Hoist:
    """Constant subexpressions of the step, computed once per run into extra work rows.

    A subtree that reads only literals, parameters and constant auxiliaries (``(1 + a * b)``
    with ``a``, ``b`` parameters) has the same value at every step: the first call
    computes it into rows of the work buffer after the last auxiliary and the step reads
    those rows. The same operations on the same values, so the same bits; one expression
    hoisted twice is computed once.
    """

    _SKIP = {"rand", "matinv"}

    def __init__(self, code: VectorCode, const: set, boolv: set, first_row: int):
        self.code = code
        self.const = const
        self.boolv = boolv
        self.rows = first_row
        self.lines: list[str] = []
        self._seen: dict = {}

    def __call__(self, emit: "_Emitter", ns, shape):
        n0 = ns[0]
        if len(shape) != 1 or n0[0] in self._SKIP or (n0[0] == "call" and n0[1] in ALLOCATE):
            return None
        if any(_is_bool(n, False, self.boolv) or not constant(n, self.const) for n in ns):
            return None
        same = all(n == n0 for n in ns[1:])
        key = (repr(n0), shape) if same else (repr(ns), shape)
        hit = self._seen.get(key)
        if hit is None:
            emit.hoist = None  # the hoisted text itself is written out in full
            try:
                text = emit(ns, shape)
            finally:
                emit.hoist = self
            if same:
                hit = f"_w[{self.rows}]"
                self.rows += 1
            else:
                rows = list(range(self.rows, self.rows + len(ns)))
                hit = f"_w[_I[{self.code.index(rows, (len(ns),))}]]"
                self.rows += len(ns)
            self.lines.append(f"    {hit} = {text}")
            self._seen[key] = hit
        return hit


# -- grouping ---------------------------------------------------------------------------------
def _groups(items, deps, owner, shape_of):
    """Items grouped by (owner, shape, level), in an order that respects ``deps``.

    ``items`` is a valid evaluation order; ``deps(i)`` the items ``i`` reads.
    """
    level = {}
    for i in items:
        level[i] = 1 + max((level[d] for d in deps(i) if d in level), default=-1)
    groups: dict = {}
    for i in items:
        groups.setdefault((level[i], owner(i), shape_of(i)), []).append(i)
    return sorted(groups.values(), key=lambda g: level[g[0]])


def _merged(groups, shapes: _Shapes):
    """``groups`` (target, rows, nodes) with the groups of one level and one tree shape made
    one, whatever variable they belong to (numpy pays per statement, not per cell: the
    31-province step has 159 groups of auxiliaries and 119 such merges). A group's level is
    one more than the highest level among the groups of the list it reads, so groups of one
    level never read each other. Draws, matrix inversions and allocations stay apart."""
    from .ir import refs
    group_of = {i: n for n, (_, rows, _) in enumerate(groups) for i in rows}
    level: dict = {}
    merged: dict = {}  # (level, target, shape or own position) -> (target, rows, nodes)
    for n, (target, rows, nodes) in enumerate(groups):
        deps = {group_of[i] for x in nodes for i in refs(x, "v", initial=False) if i in group_of}
        level[n] = 1 + max((level[d] for d in deps if d != n), default=-1)
        n0 = nodes[0]
        alone = n0[0] in ("rand", "matinv") or (n0[0] == "call" and n0[1] in ALLOCATE)
        got = merged.setdefault((level[n], target, n if alone else shapes(n0)), (target, [], []))
        got[1].extend(rows)
        got[2].extend(nodes)
    return [merged[key] for key in sorted(merged, key=lambda key: key[0])]  # stable: by level


def _assign(code, emit, target, rows, nodes, indent="    "):
    if len(rows) == 1:
        lhs = f"{target}[{int(rows[0])}]"
    else:
        lhs = f"{target}[_I[{code.index(rows, (len(rows),))}]]"
    return f"{indent}{lhs} = {emit(list(nodes), (len(rows),))}"


#: functions whose value depends on the time (never constant over a run)
_TIMED = {"step", "ramp", "xramp", "pulse", "pulse_train", "xpulse", "xpulse_train"}


def constant(node, const: set) -> bool:
    """Whether ``node`` reads only literals, parameters, ``TIME STEP`` and the auxiliaries
    in ``const`` (no state, time or draw): its value is fixed for a run."""
    from .ir import walk
    for n in walk(node):
        tag = n[0]
        if tag in ("time", "rand") or (tag == "ref" and (n[1] in ("y", "z") or
                                                        (n[1] == "v" and n[2] not in const))) \
                or (tag == "call" and n[1] in _TIMED):
            return False
    return True


def constant_rows(rows, const) -> bool:
    """Whether a group's auxiliary ``rows`` are all constant for a run (in ``const``)."""
    return all(i in const for i in rows)


def constant_aux(L: Layout, aux_order) -> set:
    """Auxiliaries that read only parameters and other such auxiliaries (no state, time or draw).

    They are computed once per run instead of at every step (the same operations, so the
    same bits); a run with time-varying policies recomputes them at every evaluation.
    """
    const: set = set()
    for i in aux_order:
        if constant(L.v_expr[i], const):
            const.add(i)
    return const


def _bools(L: Layout, order, init: bool) -> set:
    out = set()
    for i in order:
        if _is_bool(L.v_expr[i], init, out):
            out.add(i)
    return out


#: plans of the last few lowered models: the numpy generator, the C generator and every
#: save-row variant of a compiled model ask for the same plan (0.3 s each on 31 provinces)
_PLANS: dict = {}
_PLANS_KEPT = 4


def group_plan(L: Layout, aux_order, init_nodes) -> dict:
    """The grouped statements of both phases, shared by the numpy and C generators.

    Returns a dict with ``init_shapes``/``step_shapes`` (:class:`_Shapes` of each phase) and
    lists of ``(target, rows, nodes)``: ``init`` (target "v", "y" or "z", in an order that
    respects dependencies), ``fixed`` (DELAY FIXED delay times, target "F"), ``aux``,
    ``ddt`` and ``znext`` (the step), ``aux`` holding the auxiliaries the rates of change and
    stateful updates need and ``report`` the others, which only saved steps compute (after
    ``ddt``). The plan is read-only; it is built once per lowered model and ordering and
    then shared.
    """
    key = (id(L), tuple(aux_order), tuple(init_nodes))
    hit = _PLANS.get(key)
    if hit is not None and hit[0] is L:
        return hit[1]
    plan = _build_plan(L, aux_order, init_nodes)
    if len(_PLANS) >= _PLANS_KEPT:
        _PLANS.pop(next(iter(_PLANS)))
    _PLANS[key] = (L, plan)  # L kept alive with its plan, so its id cannot be reused meanwhile
    return plan


def _build_plan(L: Layout, aux_order, init_nodes) -> dict:
    from .ir import refs
    own_v = lambda i: L.v_owner[i][0] if L.v_owner[i] else ("v", i)  # noqa: E731
    out = {}
    init_v = [i for s, i in init_nodes if s == "v"]
    shapes = _Shapes(True, _bools(L, init_v, True))
    out["init_shapes"] = shapes
    table = {"v": L.v_expr, "y": L.y_init, "z": L.z_init}

    def init_deps(node):
        slot, i = node
        got = {d for d in refs(table[slot][i], None, initial=True) if d[0] in ("v", "y", "z")}
        if slot == "z" and L.z_kind[i] == "fixed":
            got |= {d for d in refs(L.z_delay[i], None, initial=True) if d[0] in ("v", "y", "z")}
        return got

    def init_owner(node):
        slot, i = node
        return (slot, own_v(i)) if slot == "v" else (slot,)

    out["init"] = [(g[0][0], [i for _, i in g], [table[g[0][0]][i] for _, i in g])
                   for g in _groups(list(init_nodes), init_deps, init_owner,
                                    lambda n: shapes(table[n[0]][n[1]]))]
    fixed = [j for j, kind in enumerate(L.z_kind) if kind == "fixed"]
    out["fixed"] = [("F", g, [L.z_delay[j] for j in g])
                    for g in _groups(fixed, lambda j: (), lambda j: 0, lambda j: shapes(L.z_delay[j]))]
    shapes = _Shapes(False, _bools(L, aux_order, False))
    out["step_shapes"] = shapes
    out["aux"] = [("v", g, [L.v_expr[i] for i in g])
                  for g in _groups(list(aux_order), lambda i: refs(L.v_expr[i], "v", initial=False),
                                   own_v, lambda i: shapes(L.v_expr[i]))]
    out["ddt"] = [("D", g, [L.y_ddt[i] for i in g])
                  for g in _groups(range(len(L.y_ddt)), lambda i: (), lambda i: 0,
                                   lambda i: shapes(L.y_ddt[i]))]
    out["znext"] = [("ZN", g, [L.z_next[j] for j in g])
                    for g in _groups(range(len(L.z_next)), lambda j: (), lambda j: 0,
                                     lambda j: shapes(L.z_next[j]))]
    # the auxiliaries no rate of change or stateful update reads only report: computed at
    # the steps that are saved (their values are the same; they feed nothing else)
    keep = needed_groups(out["aux"], [n for _, _, nodes in out["ddt"] + out["znext"] for n in nodes])
    out["report"] = [g for n, g in enumerate(out["aux"]) if n not in keep]
    out["aux"] = [g for n, g in enumerate(out["aux"]) if n in keep]
    out["const"] = frozenset(constant_aux(L, aux_order))
    return out


def needed_groups(groups, nodes=(), rows=()) -> set:
    """Positions in ``groups`` (target, rows, nodes) of the groups that ``nodes``, or the
    auxiliary ``rows``, need, directly or through other groups."""
    from .ir import refs
    group_of = {i: n for n, (_, grows, _) in enumerate(groups) for i in grows}
    stack = [i for n in nodes for i in refs(n, "v", initial=False)] + [int(r) for r in rows]
    need: set = set()
    while stack:
        g = group_of.get(stack.pop())
        if g is None or g in need:
            continue
        need.add(g)
        stack.extend(i for n in groups[g][2] for i in refs(n, "v", initial=False))
    return need


def vector_source(L: Layout, aux_order, init_nodes, save_rows=None) -> VectorCode:
    """Grouped source of ``_init`` and ``_rhs`` (same signatures as :func:`.codegen.numpy_source`).

    ``save_rows`` lists the auxiliaries ``_rhs`` writes into ``A`` (row j of ``A`` is
    auxiliary ``save_rows[j]``) when asked to save; None writes them all in order.
    """
    code = VectorCode()
    nv = len(L.v_label)
    plan = group_plan(L, aux_order, init_nodes)
    arr = {"v": "_w", "y": "Y", "z": "Z", "F": "F", "D": "D", "ZN": "ZN"}

    emit = _Emitter(code, plan["init_shapes"])
    lines = ["def _init(t, dt, k, P, S, Y, Z, F):", f"    _w = _buf({nv}, S)"]
    for target, rows, nodes in plan["init"] + plan["fixed"]:
        lines.append(_assign(code, emit, arr[target], rows, nodes))
    lines += ["    return None", ""]

    # the step: constant groups and constant subexpressions in ``_const`` (once per run),
    # the rest in ``_step``, which reads them from the work buffer it is given; ``_rhs`` does
    # both with a fresh buffer (for a caller whose parameters change between calls)
    const = plan["const"]
    shapes = plan["step_shapes"]
    hoist = _Hoist(code, const, shapes.boolv, nv)
    emit = _Emitter(code, shapes)
    const_lines = ["def _const(t, dt, k, P, S, _w):"]
    for target, grows, nodes in plan["aux"] + plan["report"]:
        if constant_rows(grows, const):
            const_lines.append(_assign(code, emit, arr[target], grows, nodes))
    emit = _Emitter(code, shapes, hoist)
    step = ["def _step(t, dt, k, P, S, Y, Z, D, A, ZN, save, _w):"]
    varying = [g for g in plan["aux"] if not constant_rows(g[1], const)]
    for target, grows, nodes in _merged(varying, shapes) + plan["ddt"]:
        step.append(_assign(code, emit, arr[target], grows, nodes))
    if L.z_next:
        step.append("    if ZN is not None:")
        for target, grows, nodes in plan["znext"]:
            step.append(_assign(code, emit, arr[target], grows, nodes, "        "))
    rows = list(range(nv)) if save_rows is None else [int(r) for r in save_rows]
    if rows:
        step.append("    if save:")
        report = plan["report"]
        needed = [report[n] for n in sorted(needed_groups(report, rows=rows))]
        for target, grows, nodes in _merged([g for g in needed if not constant_rows(g[1], const)], shapes):
            step.append(_assign(code, emit, arr[target], grows, nodes, "        "))
        if len(rows) == 1:
            step.append(f"        A[0] = _w[{rows[0]}]")
        else:
            dst = code.index(list(range(len(rows))), (len(rows),))
            src = code.index(rows, (len(rows),))
            step.append(f"        A[_I[{dst}]] = _w[_I[{src}]]")
    step.append("    return None")
    lines += const_lines + hoist.lines + ["    return None", ""] + step + [""]
    lines += ["def _rhs(t, dt, k, P, S, Y, Z, D, A, ZN, save):",
              f"    _w = _buf({hoist.rows}, S)",
              "    _const(t, dt, k, P, S, _w)",
              "    return _step(t, dt, k, P, S, Y, Z, D, A, ZN, save, _w)"]
    code.rows = hoist.rows
    code.src_lines = lines
    return code


def generate(L: Layout, aux_order, init_nodes, save_rows=None, grouped: bool = True):
    """Checked, compiled ``_init``/``_rhs``: (source, namespace).

    ``grouped`` False gives the per-cell generator of :mod:`.codegen` (one line per cell),
    kept as the reference the grouped code is compared against bit for bit.
    """
    from .codegen import build, numpy_source
    if not grouped:
        src = numpy_source(L, aux_order, init_nodes, save_rows=save_rows)
        return src, build(src, L.tables)
    code = vector_source(L, aux_order, init_nodes, save_rows=save_rows)
    src = "\n".join(code.src_lines) + "\n"
    ns = build(src, L.tables, code.I, code.K)
    ns["_rows"] = code.rows  # not part of the source: the size of ``_step``'s work buffer
    return src, ns
