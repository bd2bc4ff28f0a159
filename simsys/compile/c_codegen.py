"""Generate the C kernel of a model from the lowered model and the grouping of :mod:`.vectorize`.

Every group of like cells becomes one loop over its cells, with the scenario batch as the
innermost, contiguous loop so the compiler can use SIMD across scenarios::

    for (i = 0; i < 6; i++) {
      for (b = 0; b < nb; b++) {
        w[g4[i] * nb + b] = (Y[g5[i] * nb + b] * P[g6[i] * nb + b]);
      }
    }

Rows that differ between the cells of a group are read through ``static const int`` tables
(``g4``), literals that differ through ``static const double`` tables (``f2``), unless the rows
are affine in the cell: ``(279 + i)`` for a run with a constant step, and for a group whose
rows are affine in two indices (a Region x Region2 equation: ``w[g12[i]]`` holding
``248 + i / 31``) two nested cell loops ``i0``, ``i1`` and ``(248 + i0)`` (see :func:`_lanes`),
so the compiler reads consecutive or repeated rows instead of gathering; arrays are
variables-major ``[n][nb]`` like the numpy backend's. The code grows with the number of
equations, not cells. The text holds only identifiers made here, the fixed runtime of
:mod:`.c_runtime` and numeric literals printed exactly (``repr`` of a float round-trips);
:func:`.vet.check_c_source` proves it before it is compiled.

A SUM/PROD/VMIN/VMAX over a dimension is a loop over its operands. In a block of at least
:data:`VECTOR_FOLD_MIN` scenarios it keeps one accumulator per scenario, so the batch is the
innermost loop there too (``s1[b] = s1[b] + Y[g12[j1 * 31 + i] * nb + b]``); a smaller block
(one scenario) takes the per-scenario form. Each scenario adds its operands in the same order
either way.

Every operation is the one numpy performs, in the same order: C evaluates ``a + b + c`` left
to right as Python does, comparisons give 0/1, ``np.minimum``/``np.maximum`` are
``ss_min``/``ss_max`` (NaN propagates, unlike ``fmin``), IF THEN ELSE evaluates its condition
as numpy's ``where`` does (NaN is true), and ``x ** 2`` on an array is ``x * x`` as numpy's
scalar-power shortcut computes it.

A big kernel is cut into translation units at comment lines (:data:`UNIT_MARK`,
:func:`units`) that :mod:`.c_backend` compiles in parallel and links; the whole text is one
valid translation unit as well, and is what the vet checker reads and the cache hashes.
"""
from __future__ import annotations

import math
import re

import numpy as np

from .c_runtime import RUNTIME, TEMPLATE, TEMPLATE_NAMES
from .codegen import ALLOCATE, split_allocation
from .lower import Layout
from .runtime import RAW_MATCH
from .vectorize import _FOLD_CALL, _FOLD_CHAIN, _MIN_FOLD, _spine, constant_rows, group_plan

#: lookup mode -> the code ss_lookup switches on (c_runtime)
_TABLE_MODE = {"interpolate": 0, "extrapolate": 1, "hold_backward": 2, "look_forward": 3, "raw": 4,
               "between_forward": 5, "between_backward": 6, "between_interpolate": 7}

__all__ = ["c_source", "CCode"]

_ARR = {"y": "Y", "p": "P", "z": "Z", "v": "w"}
#: RANDOM function -> (its C kernel in c_runtime / c_distributions, arguments before the seed)
_RAND_C = {"random_exponential": ("ss_exponential", 4), "random_triangular": ("ss_triangular", 5),
           "random_weibull": ("ss_weibull", 5), "random_gamma": ("ss_gamma", 5),
           "random_beta": ("ss_beta", 6), "random_poisson": ("ss_poisson", 5),
           "random_binomial": ("ss_binomial", 6), "random_negative_binomial": ("ss_nbinomial", 6)}
_CMP = {"=": "==", "<>": "!=", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_PREC = {"^": 3, "*": 2, "/": 2, "+": 1, "-": 1}
_C1 = {"abs": "fabs", "exp": "exp", "ln": "log", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
       "tan": "tan", "arcsin": "asin", "arccos": "acos", "arctan": "atan", "sinh": "sinh",
       "cosh": "cosh", "tanh": "tanh", "integer": "trunc"}
#: numpy computes ``array ** c`` for these exponents without pow (fast_scalar_power)
_FAST_POW = {2.0: "({0} * {0})", 0.5: "sqrt({0})", 1.0: "({0})", -1.0: "(1.0 / {0})", 0.0: "1.0"}
_FOLD_STEP = {"_sum": "{s} = {s} + {e};", "_prod": "{s} = {s} * {e};",
              "_vmin": "{s} = ss_min({s}, {e});", "_vmax": "{s} = ss_max({s}, {e});"}


def lit(v: float) -> str:
    """An exact C double literal."""
    v = float(v)
    if math.isnan(v):
        return "NAN"
    if math.isinf(v):
        return "INFINITY" if v > 0 else "(-INFINITY)"
    r = repr(v)
    if "e" not in r and "." not in r:
        r += ".0"
    return f"({r})" if v < 0 or r.startswith("-") else r


def _is_array(n) -> bool:
    """Whether numpy holds this value as an array (it reads a row or draws a number)."""
    from .ir import walk
    return any(x[0] in ("ref", "rand") for x in walk(n))


class _Ix(str):
    """The C expression of a cell (lane) index that also knows the loops it is made of:
    ``axes`` is ((variable, extent), ...), outermost first; the index is the row-major flat
    position of the variables (``j1 * 31 + (i)`` over ((j1, K), (i0, 31), (i1, 1))...)."""
    axes: tuple = ()


def _ix(text: str, axes) -> _Ix:
    out = _Ix(text)
    out.axes = tuple((v, int(n)) for v, n in axes if int(n) > 1)
    return out


def _affine(key, axes):
    """``base + s0 * v0 + s1 * v1 ...`` when the first prod(extents) entries of ``key``,
    shaped as the axes, step by a constant along each axis; else None. (A fold's first
    operand reads only the first of its lanes' rows, hence "first".)"""
    ext = [n for _, n in axes]
    size = math.prod(ext)
    if size > len(key):
        return None
    a = np.asarray(key[:size], dtype=np.int64).reshape(ext)
    # an axis whose variable is the literal 0 (a fold's first operand) is read at 0 only
    a = a[tuple(slice(0, 1) if var == "0" else slice(None) for var, _ in axes)]
    terms = [str(int(a.flat[0]))]
    for k, (var, _) in enumerate(axes):
        if var == "0":
            continue
        d = np.diff(a, axis=k)
        if not (d == d.flat[0]).all():
            return None
        step = int(d.flat[0])
        if step:
            terms.append(var if step == 1 else f"{step} * {var}")
    return "(" + " + ".join(terms) + ")"


class CCode:
    """The generated text and the tables it declares."""

    def __init__(self):
        self.tables: list[str] = []
        self._imemo: dict = {}
        self._kmemo: dict = {}
        self.names: set[str] = set()
        self.misses = 0  # row reads that needed a table (what _lanes minimises)

    def state(self):
        return dict(self._imemo), dict(self._kmemo), list(self.tables), self.misses

    def restore(self, state):
        imemo, kmemo, tables, self.misses = state
        self._imemo, self._kmemo, self.tables = dict(imemo), dict(kmemo), list(tables)

    def index(self, idxs) -> str:
        key = tuple(int(i) for i in idxs)
        name = self._imemo.get(key)
        if name is None:
            name = f"g{len(self._imemo)}"
            self._imemo[key] = name
            self.tables.append(f"static const int {name}[{len(key)}] = {{{', '.join(map(str, key))}}};")
        return name

    def at(self, idxs, ix: str) -> str:
        """The C expression of element ``ix`` of ``idxs``: affine arithmetic for a run with a
        constant step (``(279 + i)``: no table load, and the compiler sees consecutive
        rows), else a lookup in a table of its own (``g3[i]``)."""
        key = [int(i) for i in idxs]
        step = key[1] - key[0] if len(key) > 1 else 0
        if all(b - a == step for a, b in zip(key, key[1:])):
            if step == 0:
                return str(key[0])
            return f"({key[0]} + {step} * ({ix}))" if step != 1 else f"({key[0]} + ({ix}))"
        if isinstance(ix, _Ix):
            two = _affine(key, ix.axes)
            if two is not None:
                return two
        self.misses += 1
        return f"{self.index(key)}[{ix}]"

    def column(self, vals) -> str:
        key = tuple(repr(float(v)) for v in vals)
        name = self._kmemo.get(key)
        if name is None:
            name = f"f{len(self._kmemo)}"
            self._kmemo[key] = name
            self.tables.append(f"static const double {name}[{len(key)}] = "
                               f"{{{', '.join(lit(v) for v in vals)}}};")
        return name


class _Emitter:
    """C for one expression over lanes (corresponding nodes of the grouped cells).

    ``ix`` is the C expression of the lane index; ``pre`` collects statements (folds) that
    must run before the expression, inside the scenario loop.
    """

    def __init__(self, code: CCode, shapes, phase: str):
        self.code = code
        self.shapes = shapes
        self.init = shapes.init
        self.phase = phase
        self.ntmp = 0
        self.depth = 0
        self.memos: list[str] = []  # declarations before a group's loops (allocation memos)
        self.vector_folds = False  # top-level folds loop over the batch innermost (see fold)
        self.one = False  # the one-scenario kernel: no batch-innermost form (VARIANTS)

    def tmp(self, prefix="s") -> str:
        self.ntmp += 1
        return f"{prefix}{self.ntmp}"

    def __call__(self, ns, ix, pre) -> str:
        n0 = ns[0]
        tag = n0[0]
        if tag == "num":
            vals = [float(n[1]) for n in ns]
            if len({repr(v) for v in vals}) == 1:
                return lit(vals[0])
            return f"{self.code.column(vals)}[{ix}]"
        if tag == "ref":
            arr = _ARR[n0[1]]
            idxs = [int(n[2]) for n in ns]
            if len(set(idxs)) == 1:
                return f"{arr}[{idxs[0]} * nb + b]"
            return f"{arr}[{self.code.at(idxs, ix)} * nb + b]"
        if tag == "time":
            return "t"
        if tag == "dt":
            return "dt"
        if tag == "chain":
            return self.chain(ns, ix, pre)
        if tag == "neg":
            return f"(-{self([n[1] for n in ns], ix, pre)})"
        if tag == "not":
            return f"((double)({self([n[1] for n in ns], ix, pre)} == 0))"
        if tag in ("and", "or"):
            a = self([n[1] for n in ns], ix, pre)
            c = self([n[2] for n in ns], ix, pre)
            op = "&&" if tag == "and" else "||"
            return f"((double)(({a} != 0) {op} ({c} != 0)))"
        if tag == "ainit":
            return self([n[2] if self.init else n[1] for n in ns], ix, pre)
        if tag == "lookup":
            tabs = [int(n[1]) for n in ns]
            x = self([n[2] for n in ns], ix, pre)
            if len(set(tabs)) == 1:
                return self.lookup(f"{tabs[0]}", x)
            return self.lookup(self.code.at(tabs, ix), x)
        if tag == "rand":
            assert len(ns) == 1, "random draws are never grouped"
            args = [self([a], ix, pre) for a in n0[3]]
            site = f"{int(n0[2])}"
            if n0[1] == "random_0_1":
                return f"ss_u01(S[b], {site}, k)"
            if n0[1] == "random_uniform":
                return f"ss_uniform(S[b], {site}, k, {args[0]}, {args[1]})"
            if n0[1] in _RAND_C:
                fn, nargs = _RAND_C[n0[1]]  # the seed, last, is not read: the stream is keyed
                return f"{fn}(S[b], {site}, k, {', '.join(args[:nargs])})"
            if n0[1] == "random_lookup":  # its first argument is the table's index
                return f"ss_rlookup(S[b], {site}, k, {int(n0[3][0][1])}, {args[1]}, {args[2]})"
            assert n0[1] == "random_normal", f"no C kernel for {n0[1]}"
            return f"ss_normal(S[b], {site}, k, {', '.join(args[:4])})"
        if tag == "call":
            name = n0[1]
            if name in _FOLD_CALL:
                spines = [_spine(n, name) for n in ns]
                if len(spines[0]) > 2:
                    args = list(zip(*spines))
                    if len(args) >= _MIN_FOLD - 1:
                        folded = self.fold(_FOLD_CALL[name], args, ix, pre)
                        if folded is not None:
                            return folded
                    f = "ss_min" if name == "min" else "ss_max"
                    out = self(list(args[0]), ix, pre)
                    for a in args[1:]:
                        out = f"{f}({out}, {self(list(a), ix, pre)})"
                    return out
            argl = list(zip(*(n[2] for n in ns)))
            if name in ALLOCATE:
                return self.allocation(name, argl, ix, pre)
            return self.call(name, [self(list(a), ix, pre) for a in argl])
        raise AssertionError(f"unknown IR node {tag}")

    def allocation(self, name, argl, ix, pre) -> str:
        """ALLOCATE AVAILABLE / BY PRIORITY: the vectors as local arrays, then the runtime's
        solver for this cell (it solves the whole vector; each cell asks for its own share)."""
        k, vectors, scalars = split_allocation(name, argl)
        n = len(vectors[0])
        arrays = []
        for v in vectors:
            cells = [self(list(a), ix, pre) for a in v]
            s = self.tmp()
            pre.append(f"double {s}[{len(cells)}] = {{{', '.join(cells)}}};")
            arrays.append(s)
        rest = [self(list(a), ix, pre) for a in scalars]
        fn = "ss_alloc_avail" if name == "allocate_available" else "ss_alloc_prio"
        # the solver's memo: valid flag, arguments, shares (c_runtime's ss_alloc_hit)
        nargs = sum(len(v) for v in vectors) + len(scalars)
        memo = self.tmp()
        self.memos.append(f"double {memo}[{1 + nargs + n}];")
        self.memos.append(f"{memo}[0] = 0.0;")
        return f"{fn}({n}, {self(list(k), ix, pre)}, {', '.join(arrays + rest)}, {memo})"

    def lookup(self, tab, x) -> str:
        return f"ss_lookup({x}, {tab})"

    def call(self, name, a) -> str:
        if name in _C1:
            return f"{_C1[name]}({a[0]})"
        if name == "log":
            return f"(log({a[0]}) / log({a[1]}))"
        if name == "power":
            return f"pow({a[0]}, {a[1]})"
        if name in ("min", "max"):
            return f"ss_{name}({a[0]}, {a[1]})"
        if name == "if_then_else":
            return f"ss_ite({a[0]}, {a[1]}, {a[2]})"
        if name == "step":
            return f"({a[0]} * (double)(t + dt / 2.0 > {a[1]}))"
        if name == "ramp":
            return f"ss_ramp2(t, {', '.join(a)})" if len(a) == 3 else f"ss_ramp(t, {a[0]}, {a[1]})"
        if name == "xramp":
            return f"ss_ramp(t, {a[0]}, {a[1]})"
        if name in ("xpulse", "xpulse_train"):
            return f"ss_{name}(t, dt, {', '.join(a)})"
        if name == "pulse":
            return f"ss_pulse(t, {a[0]}, {a[1]})"
        if name == "pulse_train":
            return f"ss_pulse_train(t, {', '.join(a)})"
        if name == "pi":
            return lit(math.pi)
        if name in ("xidz", "zidz", "quantum", "modulo"):
            return f"ss_{name}({', '.join(a)})"
        raise AssertionError(f"no C code for function {name}")

    def chain(self, ns, ix, pre) -> str:
        """A run of binary operators, parsed with Python's precedence as numpy reads it."""
        ops = ns[0][1]
        args = list(zip(*(n[2] for n in ns)))  # per operand position, its lanes
        if len(ops) + 1 >= _MIN_FOLD and len(set(ops)) == 1 and ops[0] in _FOLD_CHAIN:
            folded = self.fold(_FOLD_CHAIN[ops[0]], args, ix, pre)
            if folded is not None:
                return folded
        # operands: (C text, is a bare negative literal, lanes)
        items = []
        for a in args:
            a = list(a)
            neg_lit = a[0][0] == "num" and len({repr(float(n[1])) for n in a}) == 1 \
                and (float(a[0][1]) < 0 or repr(float(a[0][1])).startswith("-")) \
                and math.isfinite(float(a[0][1]))
            items.append((a, neg_lit))
        pos = [0]

        def operand():
            a, neg_lit = items[pos[0]]
            pos[0] += 1
            return a, neg_lit

        def power():
            # Python: ``-2.0 ** x`` is ``-(2.0 ** x)``; ``x ** -2.0 ** y`` is ``x ** -(2.0 ** y)``
            a, neg_lit = operand()
            i = pos[0] - 1
            if i < len(ops) and ops[i] == "^":
                base = lit(abs(float(a[0][1]))) if neg_lit else self(a, ix, pre)
                base_arr = (not neg_lit) and any(_is_array(n) for n in a)
                b_lanes, b_neg = items[pos[0]]
                expo = power()
                out = self.pow(base, base_arr, b_lanes, b_neg, expo)
                return f"(-{out})" if neg_lit else out
            return self(a, ix, pre)

        def level(p):
            if p == 3:
                return power()
            left = level(p + 1)
            while pos[0] - 1 < len(ops):
                op = ops[pos[0] - 1]
                if (op in _CMP and p != 0) or (op not in _CMP and _PREC[op] != p):
                    break
                right = level(p + 1)
                if op in _CMP:
                    left = f"((double)({left} {_CMP[op]} {right}))"
                else:
                    left = f"({left} {op} {right})"
            return left

        return level(0)

    def pow(self, base, base_arr, e_lanes, e_neg, expo) -> str:
        if base_arr and e_lanes[0][0] == "num" and len({repr(float(n[1])) for n in e_lanes}) == 1:
            v = float(e_lanes[0][1])
            if v in _FAST_POW and expo == lit(v):
                return _FAST_POW[v].format(base)
        return f"pow({base}, {expo})"

    def fold(self, fn, args, ix, pre):
        """A loop over the operands when they all have one shape; None otherwise."""
        s0 = self.shapes(args[0][0])
        if s0[0] == "rand" or any(self.shapes(a[0]) != s0 for a in args[1:]):
            return None
        if any(self.shapes(x) != s0 for a in args for x in a[1:]):
            return None
        m = len(args[0])
        lanes = [x for a in args for x in a]  # operand-major
        self.depth += 1
        j = f"j{self.depth}"
        first_pre, inner_pre = [], []
        # operand 0 of lane ix is flat lane ix (operand-major); operand j is j * m + ix
        # the loops lane ix is made of, when they span exactly the m lanes (a fold's first
        # operand passes its ix on with the lanes of all its operands: then ix is one axis)
        axes = getattr(ix, "axes", None)
        if axes is None or math.prod(n for _, n in axes) != m:
            axes = ((str(ix), m),)
        first = self(lanes, _ix(f"({ix})", (("0", len(args)),) + tuple(axes)), first_pre)
        inner = self(lanes, _ix(f"{j} * {m} + ({ix})", ((j, len(args)),) + tuple(axes)), inner_pre)
        self.depth -= 1
        uses_j = re.compile(rf"\b{j}\b").search
        if not uses_j(inner) and not any(uses_j(p) for p in inner_pre):
            # no operand varies along the fold: write it out (as the numpy generator does)
            return None
        s = self.tmp()
        if self.depth == 0 and self.vector_folds:
            # scenarios innermost: one accumulator per scenario of the block, so every step of
            # the fold is a contiguous loop over the batch (SIMD); each scenario still adds its
            # operands in the same order, so the bits are those of the scalar fold
            sb = f"{s}[b]"
            pre.append(_Raw(f"double {s}[nb];"))
            pre.extend(first_pre)
            pre.append(f"{sb} = {first};")
            pre.append(_Raw(f"for (long {j} = 1; {j} < {len(args)}; {j}++) {{"))
            pre.extend(inner_pre)
            pre.append(_FOLD_STEP[fn].format(s=sb, e=inner))
            pre.append(_Raw("}"))
            return sb
        pre.extend(first_pre)
        pre.append(f"double {s} = {first};")
        pre.append(f"for (long {j} = 1; {j} < {len(args)}; {j}++) {{")
        pre.extend("  " + p for p in inner_pre)
        pre.append("  " + _FOLD_STEP[fn].format(s=s, e=inner))
        pre.append("}")
        return s


#: the smallest block whose folds loop over the batch innermost
VECTOR_FOLD_MIN = 4


class _Raw(str):
    """A line of a group's body that stands outside the scenario loops (a fold's accumulator
    array and its loop over operands); plain lines run inside a loop over the batch."""


def _batch_loops(lines) -> list[str]:
    """The body of one cell: runs of plain lines wrapped in ``for (b ...)`` loops, _Raw lines
    (a fold's declarations and operand loop) between them, indented by nesting."""
    out, run, depth = [], [], 0

    def flush():
        if run:
            pad = "  " * depth
            out.append(pad + "for (b = 0; b < nb; b++) {")
            out.extend(pad + "  " + x for x in run)
            out.append(pad + "}")
            run.clear()
    for x in lines:
        if isinstance(x, _Raw):
            flush()
            if x == "}":
                depth -= 1
            out.append("  " * depth + x)
            if x.endswith("{"):
                depth += 1
        else:
            run.append(x)
    flush()
    return out


def _group(code, emit, target, rows, nodes, indent="  ") -> list[str]:
    m = len(rows)
    if nodes[0][0] == "matinv":
        return _matinv_group(code, emit, target, rows, nodes, indent)
    pre: list[str] = []
    ix = _lanes(code, emit, rows, nodes) if m > 1 else "0"
    emit.memos = []
    rhs = emit(list(nodes), ix, pre)
    if m == 1:
        lhs = f"{target}[{int(rows[0])} * nb + b]"
    else:
        lhs = f"{target}[{code.at(rows, 'i')} * nb + b]"
    stmt = ["  " + p for p in pre] + [f"  {lhs} = {rhs};"]
    if emit.memos:
        # allocation: scenarios outside, cells inside, so the cells of one scenario's vector
        # come in a row and its solver runs once (cells of a group never read each other)
        body = stmt if m == 1 else [f"  for (i = 0; i < {m}; i++) {{"] + ["  " + x for x in stmt] + ["  }"]
        body = ["{"] + ["  " + x for x in emit.memos] + ["  for (b = 0; b < nb; b++) {"] + \
            ["  " + x for x in body] + ["  }", "}"]
        return [indent + x for x in body]
    body = [f"for (b = 0; b < nb; b++) {{"] + stmt + ["}"]
    if pre and not emit.one:
        # folds (all that ``pre`` holds here): also written with the batch innermost, for
        # blocks of VECTOR_FOLD_MIN scenarios or more; a block of a few (one scenario run)
        # gains nothing from it and pays its loops, so it keeps the per-scenario form above
        vpre: list[str] = []
        emit.vector_folds = True
        vrhs = emit(list(nodes), ix, vpre)
        emit.vector_folds = False
        vec = _batch_loops(vpre + [f"{lhs} = {vrhs};"])
        body = ([f"if (nb < {VECTOR_FOLD_MIN}) {{"] + ["  " + x for x in body] + ["} else {"]
                + ["  " + x for x in vec] + ["}"])
    if m > 1:
        body = _lane_loops(ix, m, body)
    return [indent + x for x in body]


#: the most ways of cutting a group's cells into two nested loops that :func:`_lanes` tries
LANE_TRIES = 12


def _lanes(code, emit, rows, nodes):
    """The cell index of a group: ``i`` over its m cells, or, when that reads rows through
    tables, the two nested loops (m/n1, n1) that need the fewest tables (each divisor n1 of m,
    those nearest sqrt(m) first, at most :data:`LANE_TRIES`), if fewer. Each try emits the
    group and is rolled back; the cells and their order are the same either way."""
    m = len(rows)
    divs = sorted((d for d in range(2, m // 2 + 1) if m % d == 0),
                  key=lambda d: (abs(math.log(d) - math.log(m) / 2), -d))[:LANE_TRIES]
    best, fewest = "i", None
    for n1 in [None, *divs]:
        ix = "i" if n1 is None else _ix("i", (("i0", m // n1), ("i1", n1)))
        saved, ntmp = code.state(), emit.ntmp
        code.misses = 0
        emit.memos = []
        emit(list(nodes), ix, [])
        code.at(rows, ix)
        misses, memos = code.misses, emit.memos
        code.restore(saved)
        emit.ntmp, emit.memos = ntmp, []
        if memos:
            return "i"  # allocation: its memo and loops keep the flat index (see _group)
        if fewest is None or misses < fewest:
            best, fewest = ix, misses
        if not misses:
            break
    return best


def _lane_loops(ix, m, body) -> list[str]:
    axes = getattr(ix, "axes", ())
    if not axes:
        return [f"for (i = 0; i < {m}; i++) {{"] + ["  " + x for x in body] + ["}"]
    (v0, n0), (v1, n1) = axes
    return ([f"for (long {v0} = 0; {v0} < {n0}; {v0}++) {{",
             f"  for (long {v1} = 0; {v1} < {n1}; {v1}++) {{", f"    i = {v0} * {n1} + {v1};"]
            + ["    " + x for x in body] + ["  }", "}"])


def _matinv_group(code, emit, target, rows, nodes, indent) -> list[str]:
    """The hidden rows of one INVERT MATRIX: per scenario, fill the matrix, invert it once
    (``ss_matinv``), and scatter the entries the rows hold."""
    n0 = nodes[0]
    assert all(n[2] is n0[2] for n in nodes), "rows of one INVERT MATRIX share its entries"
    n, m = int(n0[1]), len(rows)
    emit.ntmp += 1
    a, r = f"acc{emit.ntmp}", f"out{emit.ntmp}"
    pre: list[str] = []
    fill = [f"  {a}[{q}] = {emit([e], '0', pre)};" for q, e in enumerate(n0[2])]
    pos = [int(x[3]) for x in nodes]
    if m == 1:
        scatter = [f"  {target}[{int(rows[0])} * nb + b] = {r}[{pos[0]}];"]
    else:
        scatter = [f"  for (i = 0; i < {m}; i++) {target}[{code.index(rows)}[i] * nb + b] = "
                   f"{r}[{code.index(pos)}[i]];"]
    body = ([f"for (b = 0; b < nb; b++) {{", f"  double {a}[{n * n}], {r}[{n * n}];"]
            + ["  " + p for p in pre] + fill + [f"  ss_matinv({n}, {a}, {r});"] + scatter + ["}"])
    return [indent + x for x in body]


#: groups per generated function (keeps each function small enough for the C compiler)
CHUNK = 150
#: lines per generated function: a big kernel is cut into functions of about this size, each in
#: its own translation unit, which the C compiler builds in parallel (:mod:`.c_backend`); one
#: unit of the 31-province model's auxiliaries took 6 s of gcc, most of a 12 s build
UNIT_LINES = 400
#: a kernel whose statements are shorter than this stays one translation unit: the test models
#: would pay a compiler process (and the runtime's text) per unit for nothing
SPLIT_LINES = 1500
#: the comment line that starts a translation unit; :func:`units` cuts the text at them. The
#: whole text is one valid translation unit too, and is what the vet checker reads and the
#: cache hashes. A "once" unit holds the initial values, which run once per run: it is built
#: at a lower optimisation level (the same IEEE operations, so the same bits)
UNIT_MARK = {"each": "/* simsys unit: step */", "once": "/* simsys unit: once */",
             "main": "/* simsys unit: main */"}


def _functions(name, args, stmts, static=True, one=False) -> tuple[list[list[str]], list[str]]:
    """Functions ``name_N`` holding ``stmts`` (lists of lines), each at most :data:`CHUNK`
    groups and about :data:`UNIT_LINES` lines, and the calls to them. In the one-scenario
    kernel ``nb`` is the constant 1 inside them (the block size argument is ``nb0``)."""
    out, calls, chunk = [], [], []
    nb = ["  const long nb = 1;", "  (void)nb0;"] if one else []

    def close():
        fn = f"{name}_{len(calls)}"
        out.append([f"{'static ' if static else ''}void {fn}({_args(args, one)}) {{", "  long i, b;",
                    "  (void)i; (void)b;", *nb, *[x for s in chunk for x in s], "}", ""])
        calls.append(fn)
        chunk.clear()

    for s in stmts:
        if chunk and (len(chunk) >= CHUNK or
                      (not static and sum(map(len, chunk)) + len(s) > UNIT_LINES)):
            close()
        chunk.append(s)
    if chunk or not calls:
        close()
    return out, calls


def units(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The shared head of a kernel text and its translation units as ``(kind, body)``, kinds
    as in :data:`UNIT_MARK` (neighbouring small units of one kind joined); a text without
    unit marks is one ``("main", "")`` unit."""
    kind_of = {v: k for k, v in UNIT_MARK.items()}
    head, out, cur = [], [], None
    for line in text.split("\n"):
        if line in kind_of:
            out.append((kind_of[line], []))
            cur = out[-1][1]
        else:
            (head if cur is None else cur).append(line)
    if not out:
        return text, [("main", "")]
    joined: list = []  # neighbouring units of one kind, while they stay within UNIT_LINES
    for k, body in out:
        if joined and joined[-1][0] == k != "main" and len(joined[-1][1]) + len(body) <= UNIT_LINES:
            joined[-1][1].extend(body)
        else:
            joined.append((k, list(body)))
    return "\n".join(head) + "\n", [(k, "\n".join(body) + "\n") for k, body in joined]


# restrict: the arrays never overlap, so the compiler may vectorise without alias checks
_INIT_ARGS = ("long nb, double t, double dt, long k, const double *restrict P, "
              "const uint64_t *restrict S, double *restrict Y, double *restrict Z, "
              "double *restrict F, double *restrict w")
_RHS_ARGS = ("long nb, double t, double dt, long k, const double *restrict P, "
             "const uint64_t *restrict S, const double *restrict Y, const double *restrict Z, "
             "double *restrict w, double *restrict D")
_ZN_ARGS = ("long nb, double t, double dt, long k, const double *restrict P, "
            "const uint64_t *restrict S, const double *restrict Y, const double *restrict Z, "
            "double *restrict w, double *restrict ZN")


def _args(args: str, one: bool) -> str:
    return args.replace("long nb,", "long nb0,", 1) if one else args


#: the kernels a model has: "batch" runs blocks of scenarios (batch-innermost loops); "one"
#: runs a single scenario (block size 1), with ``nb`` the constant 1 and only the per-scenario
#: form of each fold, so the compiler vectorises over cells instead: on the 31-province model
#: it ran one scenario in 14.4 ms against the batch kernel's 26 ms when it was introduced (10.2 ms
#: end to end after the lane loops; benchmarks/README.md). Both are built with the same flags and
#: perform the same operations in the same order (same bits). ``Model.run`` builds "one" first.
VARIANTS = ("batch", "one")


def c_source(L: Layout, aux_order, init_nodes, variant: str = "batch") -> tuple[str, frozenset]:
    """The C text of a model's ``variant`` kernel (:data:`VARIANTS`) and the exact extra
    names it uses (for the vet checker)."""
    one = variant == "one"
    code = CCode()
    plan = group_plan(L, aux_order, init_nodes)
    arr = {"v": "w", "y": "Y", "z": "Z", "F": "F", "D": "D", "ZN": "ZN"}
    emit = _Emitter(code, plan["init_shapes"], "init")
    emit.one = one
    init_stmts = [_group(code, emit, arr[tg], rows, nodes) for tg, rows, nodes in plan["init"] + plan["fixed"]]
    emit = _Emitter(code, plan["step_shapes"], "step")
    emit.one = one
    const = plan["const"]

    def stmts(groups, keep=lambda rows: True):
        return [_group(code, emit, arr[tg], rows, nodes) for tg, rows, nodes in groups if keep(rows)]

    def is_const(rows):
        return constant_rows(rows, const)

    # constant groups (reporting ones too) run only when parameters change; the rest each step
    const_stmts = stmts(plan["aux"] + plan["report"], is_const)
    rhs_stmts = stmts(plan["aux"], lambda rows: not is_const(rows)) + stmts(plan["ddt"])
    rep_stmts = stmts(plan["report"], lambda rows: not is_const(rows))
    zn_stmts = stmts(plan["znext"])

    split = sum(len(x) for x in init_stmts + const_stmts + rhs_stmts + rep_stmts + zn_stmts) > SPLIT_LINES
    static = not split
    fn_init, c_init = _functions("sim_init", _INIT_ARGS, init_stmts, static, one)
    fn_const, c_const = _functions("sim_step", _RHS_ARGS, const_stmts, static, one)
    fn_rhs, c_rhs = _functions("sim_aux", _RHS_ARGS, rhs_stmts, static, one)
    fn_rep, c_rep = _functions("sim_report", _RHS_ARGS, rep_stmts, static, one) if rep_stmts else ([], [])
    fn_zn, c_zn = _functions("sim_levels", _ZN_ARGS, zn_stmts, static, one)

    # lookup tables, concatenated, with each table's offset, length and mode
    xs, ys, meta = [], [], []
    for tx, ty, mode in L.tables:
        tx = [float(v) for v in tx]
        meta.append((len(xs), len(tx), _TABLE_MODE[mode]))
        xs.extend(tx)
        ys.extend(float(v) for v in ty)
    fixed = [j for j, kind in enumerate(L.z_kind) if kind == "fixed"]
    sample = [j for j, kind in enumerate(L.z_kind) if kind == "sample"]
    nonneg = [r for r, nn in enumerate(L.y_nonneg) if nn]
    gaps = set(L.v_gaps)

    def table(name, ctype, vals, fmt=str):
        vals = list(vals) or [0]
        return f"static const {ctype} {name}[{len(vals)}] = {{{', '.join(fmt(v) for v in vals)}}};"

    head = [
        "/* generated by simsys: C kernel of one model (see simsys/compile/c_codegen.py) */",
        "#include <math.h>", "#include <stdint.h>", "#include <stddef.h>", "",
        f"static const long ny = {len(L.y_label)}, nv = {len(L.v_label)}, "
        f"np = {len(L.p_label)}, nz = {len(L.z_label)};",
        f"static const long nlk = {len(meta)}, nfx = {len(fixed)}, nsm = {len(sample)}, "
        f"nnn = {len(nonneg)};",
        table("tx", "double", xs, lit), table("ty", "double", ys, lit),
        table("tof", "long", [m[0] for m in meta]), table("tln", "long", [m[1] for m in meta]),
        table("tmd", "int", [m[2] for m in meta]),
        table("fxj", "long", fixed), table("smj", "long", sample), table("nnr", "long", nonneg),
        # auxiliaries whose NaN does not stop a scenario (:RAW: data gaps), and how close a
        # step time must be to a listed :RAW: time
        table("vgp", "int8_t", [int(i in gaps) for i in range(len(L.v_label))]),
        f"static const double rawm = {lit(RAW_MATCH)};",
        "",
    ]
    body = [RUNTIME, ""] + code.tables + [""]
    if split:
        # prototypes in the shared head; each function its own unit; the run loop in "main"
        body += [f"void {c}({_args(a, one)});" for cs, a in ((c_init, _INIT_ARGS), (c_const, _RHS_ARGS),
                                                 (c_rhs, _RHS_ARGS), (c_rep, _RHS_ARGS), (c_zn, _ZN_ARGS))
                 for c in cs]
        for kind, fns in (("once", fn_init), ("each", fn_const + fn_rhs + fn_rep + fn_zn)):
            for fn in fns:
                body += [UNIT_MARK[kind]] + fn
        body.append(UNIT_MARK["main"])
    else:
        body += [x for fn in fn_init + fn_const + fn_rhs + fn_rep + fn_zn for x in fn]
    calls = [
        f"static void sim_init({_INIT_ARGS}) {{",
        *[f"  {c}(nb, t, dt, k, P, S, Y, Z, F, w);" for c in c_init], "}", "",
        "/* the auxiliaries that read only parameters: once per run, or at every evaluation",
        "   when a time-varying policy changes parameters (consts != 0) */",
        f"static void sim_aux({_RHS_ARGS}) {{",
        *[f"  {c}(nb, t, dt, k, P, S, Y, Z, w, D);" for c in c_const], "}", "",
        "/* report != 0 at a saved evaluation: also the auxiliaries that only report */",
        f"static void sim_rhs({_RHS_ARGS}, double *ZN, int first, int consts, int report) {{",
        "  if (consts) sim_aux(nb, t, dt, k, P, S, Y, Z, w, D);",
        *[f"  {c}(nb, t, dt, k, P, S, Y, Z, w, D);" for c in c_rhs],
        "  if (report) {", *[f"    {c}(nb, t, dt, k, P, S, Y, Z, w, D);" for c in c_rep], "  }",
        "  if (first) {", *[f"    {c}(nb, t, dt, k, P, S, Y, Z, w, ZN);" for c in c_zn], "  }",
        "  (void)ZN; (void)first; (void)report;", "}", "",
    ]
    text = "\n".join(head + body + calls + [TEMPLATE]) + "\n"
    names = set(TEMPLATE_NAMES) | set(c_init + c_const + c_rhs + c_rep + c_zn) | {"consts", "nb0", "report"}
    names |= set(code._imemo.values()) | set(code._kmemo.values())
    return text, frozenset(names)
