"""Lower PySD's abstract expressions, cell by cell, into the tuple IR of :mod:`.ir`.

Subscripts are flattened: every cell of an element (``births[Beijing]``) becomes its
own scalar equation over the scenario axis. ``Range!`` references become
vectors that SUM/PROD/VMIN/VMAX reduce. Stateful functions create hidden
state rows, one set per occurrence. Dispatch is by node type, children first.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from ..errors import ModelStructureError, UnsupportedFeature
from ..functions.distributions import RANDOM_ARGUMENTS, argument_problem
from ..functions.lookup_density import lookup_problem
from ..model import external
from ..model.data import SUFFIX as DATA_SUFFIX
from ..model.ranges import cell_map
from ..model.spec import ElementKind, Model, cell_label, name_key
from .lower_vectors import VECTOR as _VECTOR, Vec as _Vec, VectorLowering
from .stateful import StatefulLowering

__all__ = ["Layout", "lower_model", "cell_label"]

SMALL = 1e-6  # what Vensim (and PySD) treat as zero


@dataclass
class Layout:
    """Everything the code generators need, in slot order."""

    y_label: list = field(default_factory=list)   # state rows
    y_init: list = field(default_factory=list)
    y_ddt: list = field(default_factory=list)
    y_nonneg: list = field(default_factory=list)
    y_owner: list = field(default_factory=list)   # (element key, cell) or None for hidden
    p_label: list = field(default_factory=list)   # parameter rows
    p_default: list = field(default_factory=list)
    p_owner: list = field(default_factory=list)   # (element key, cell); (None, name) control
    control_rows: dict = field(default_factory=dict)  # "final_time"/"saveper" -> p row
    v_label: list = field(default_factory=list)   # auxiliaries
    v_expr: list = field(default_factory=list)
    v_owner: list = field(default_factory=list)
    z_label: list = field(default_factory=list)   # discrete states
    z_kind: list = field(default_factory=list)    # "sample" or "fixed"
    z_init: list = field(default_factory=list)
    z_next: list = field(default_factory=list)    # sample: value kept; fixed: input stored
    z_delay: list = field(default_factory=list)   # fixed: delay time (evaluated at init)
    tables: list = field(default_factory=list)    # (xs, ys, mode)
    v_gaps: list = field(default_factory=list)    # auxiliaries that may be NaN: :RAW: data gaps
    n_rand: int = 0
    cells: dict = field(default_factory=dict)     # element key -> {cell: (slot, index)}
    element_of_v: dict = field(default_factory=dict)

    def hidden(self, slot: str, i: int) -> bool:
        """Whether row ``i`` of ``slot`` ("y" or "v") is simsys's own, not a model variable's
        (a SMOOTH stage, an INVERT MATRIX entry...)."""
        if slot == "y":
            return self.y_owner[i] is None
        return slot == "v" and not isinstance(self.v_owner[i][0], str)


_BINARY = {"+", "-", "*", "/", "^", "=", "<>", "<", ">", "<=", ">="}


class _Lowerer(StatefulLowering, VectorLowering):
    def __init__(self, model: Model):
        self.m = model
        self.ranges = model.ranges
        self.L = Layout()
        self.el = {e.key: e for e in model.elements}
        self.ctl = model.control
        self.cur = None  # element being lowered, for messages
        self._lookup_readers = {}  # id(GET XLS LOOKUPS node) -> its series reader

    # -- errors ---------------------------------------------------------------------------
    def unsupported(self, what):
        e = self.cur
        return UnsupportedFeature(f"{what} is not supported", location=e.location, variable=e.name)

    def structure(self, what):
        e = self.cur
        return ModelStructureError(what, location=e.location, variable=e.name)

    # -- slots ----------------------------------------------------------------------------
    def allocate(self):
        L = self.L
        from ..model.load import constant_value
        for e in self.m.elements:
            cmap = cell_map(e, self.ranges)
            slots = {}
            self.cur = e
            if e.kind is ElementKind.CONSTANT:
                val = constant_value(e, self.ranges, self.m.path)
                for cell in cmap:
                    slots[cell] = ("p", len(L.p_label))
                    pos = tuple(self.ranges[d].index(x) for d, x in zip(e.dims, cell))
                    L.p_label.append(cell_label(e.name, cell))
                    L.p_default.append(float(val[pos]) if pos else float(val))
                    L.p_owner.append((e.key, cell))
            elif e.kind is ElementKind.STOCK:
                for cell, (ci, _) in cmap.items():
                    if not isinstance(e.components[ci].ast, ae.IntegStructure):
                        # a cell assembled from a constant or auxiliary definition
                        slots[cell] = ("v", len(L.v_label))
                        L.v_label.append(cell_label(e.name, cell))
                        L.v_expr.append(None)
                        L.v_owner.append((e.key, cell))
                        continue
                    slots[cell] = ("y", len(L.y_label))
                    L.y_label.append(cell_label(e.name, cell))
                    L.y_init.append(None)
                    L.y_ddt.append(None)
                    L.y_nonneg.append(False)
                    L.y_owner.append((e.key, cell))
            elif e.kind is ElementKind.LOOKUP:
                for cell, (ci, bind) in cmap.items():
                    comp = e.components[ci]
                    slots[cell] = ("t", self.table(comp.ast, bind, comp.subscripts))
            else:
                for cell in cmap:
                    slots[cell] = ("v", len(L.v_label))
                    L.v_label.append(cell_label(e.name, cell))
                    L.v_expr.append(None)
                    L.v_owner.append((e.key, cell))
            L.cells[e.key] = slots
            self._cmaps[e.key] = cmap

    def table(self, ast, bind=None, subscripts=()):
        if isinstance(ast, ae.GetLookupsStructure):
            # a definition over ranges reads one series per cell, the k-th (last subscript
            # fastest) from the k-th row or column of its block, as PySD does
            axes = [self.ranges.get(t, (t,)) for t in subscripts]
            k = 0
            for t, axis in zip(subscripts, axes):
                k = k * len(axis) + axis.index((bind or {}).get(t, t))
            read = self._lookup_readers.get(id(ast))
            if read is None:
                read = self._lookup_readers[id(ast)] = external.series_reader(
                    self.m.path.parent / ast.file, ast.tab, str(ast.x_row_or_col), ast.cell,
                    int(np.prod([len(a) for a in axes])), lookup=True,
                    where=self.cur.location, variable=self.cur.name)
            xs, ys, _ = read(k)
            mode = "interpolate"
        elif isinstance(ast, ae.LookupsStructure):
            xs = np.asarray(ast.x, dtype=float)
            ys = np.asarray(ast.y, dtype=float)
            mode = ast.type
            if xs.ndim != 1 or ys.ndim != 1:
                raise self.unsupported("a subscripted lookup defined as one table")
        else:
            raise self.unsupported(f"lookup definition {type(ast).__name__}")
        if xs.size == 0 or xs.size != ys.size:
            raise self.structure(f"lookup has {xs.size} x values and {ys.size} y values")
        if np.any(np.diff(xs) <= 0):
            bad = int(np.flatnonzero(np.diff(xs) <= 0)[0])
            raise self.structure(
                f"lookup x values must be strictly increasing; x[{bad + 1}] = {xs[bad + 1]:g} follows "
                f"x[{bad}] = {xs[bad]:g}")
        if not (np.all(np.isfinite(xs)) and np.all(np.isfinite(ys))):
            raise self.structure("lookup points must be finite numbers")
        if mode not in ("interpolate", "extrapolate", "hold_backward", "look_forward", "raw"):
            raise self.unsupported(f"lookup type {mode!r}")
        self.L.tables.append((xs, ys, mode))
        return len(self.L.tables) - 1

    # -- driver ---------------------------------------------------------------------------
    def run(self) -> Layout:
        self._cmaps = {}
        self._matrices = {}  # INVERT MATRIX: the entries' IR (repr) -> its hidden rows
        self.allocate()
        L = self.L
        for e in self.m.elements:
            if e.kind in (ElementKind.CONSTANT, ElementKind.LOOKUP):
                continue
            self.cur = e
            for cell, (ci, bind) in self._cmaps[e.key].items():
                comp = e.components[ci]
                self.cell = cell
                slot, idx = L.cells[e.key][cell]
                if slot == "y":
                    integ = comp.ast
                    L.y_ddt[idx] = self.scalar(integ.flow, bind)
                    L.y_init[idx] = self.scalar(integ.initial, bind)
                    L.y_nonneg[idx] = bool(getattr(integ, "non_negative", False))
                else:
                    L.v_expr[idx] = x = self.scalar(comp.ast, bind)
                    if x[0] == "lookup" and L.tables[x[1]][2] == "raw" and x[2] == ("time",):
                        # a :RAW: data variable: NaN between its listed times is meant, and
                        # does not stop the scenario (anything computed from it still does)
                        L.v_gaps.append(idx)
        return L

    def scalar(self, ast, bind):
        out = self.lower(ast, bind)
        if isinstance(out, _Vec):
            raise self.structure("an expression over a whole subscript range (a '!' reference) "
                                 "must be reduced with SUM, PROD, VMIN or VMAX")
        return out

    # -- expressions ----------------------------------------------------------------------
    def lower(self, a, bind):
        if isinstance(a, bool):
            return ("num", float(a))
        if isinstance(a, (int, float, np.number)):
            return ("num", float(a))
        if isinstance(a, np.ndarray):
            raise self.structure("an array of numbers may only define a constant")
        fn = _DISPATCH.get(type(a))
        if fn is None:
            name = _UNSUPPORTED.get(type(a).__name__) or type(a).__name__.replace("Structure", "")
            raise self.unsupported(f"the function {name}")
        return fn(self, a, bind)

    def map(self, args, f):
        """Apply ``f`` to lowered args, elementwise over any vectors among them."""
        vecs = [x for x in args if isinstance(x, _Vec)]
        if not vecs:
            return f(*args)
        base = vecs[0]
        for v in vecs[1:]:
            if len(v.items) != len(base.items):
                raise self.structure("summed ('!') dimensions of different sizes are combined")
        keys = list(base.items)
        out = {}
        for i, k in enumerate(keys):
            parts = []
            for x in args:
                if isinstance(x, _Vec):
                    parts.append(x.items[k] if x.dims == base.dims else list(x.items.values())[i])
                else:
                    parts.append(x)
            out[k] = f(*parts)
        return _Vec(base.dims, out)

    def control_row(self, key: str) -> int:
        """The hidden parameter row holding control value ``key`` (made on first use)."""
        L = self.L
        if key not in L.control_rows:
            L.control_rows[key] = len(L.p_label)
            L.p_label.append(key.upper().replace("_", " "))
            L.p_default.append(float(getattr(self.ctl, key)))
            L.p_owner.append((None, key))
        return L.control_rows[key]

    # references ----------------------------------------------------------------------------
    def reference(self, a: ae.ReferenceStructure, bind):
        key = name_key(a.reference)
        if key == "time":
            return ("time",)
        if key == "time_step":
            return ("dt",)
        if key == "initial_time":
            return ("num", self.ctl.initial_time)
        if key in ("final_time", "saveper"):
            # a run can override these: a hidden parameter row the run fills (as PySD does)
            return ("ref", "p", self.control_row(key))
        e = self.el.get(key)
        if e is None:
            raise self.structure(f"refers to {a.reference!r}, which is not defined in the model")
        if e.kind is ElementKind.LOOKUP:
            raise self.structure(f"uses lookup {e.name!r} as a value; call it as {e.name}(x)")
        return self.cells_of(e, a.subscripts, bind, lambda s: ("ref", s[0], s[1]))

    def cells_of(self, e, subs, bind, make):
        toks = list(subs.subscripts) if subs is not None else []
        if not toks:
            toks = list(e.dims)
        if len(toks) != len(e.dims):
            raise self.structure(f"{e.name!r} has {len(e.dims)} subscripts, {len(toks)} given")
        fixed: list = []
        free_dims = []
        for dim, tok in zip(e.dims, toks):
            dim_el = self.ranges[dim]
            if tok.endswith("!"):
                r = tok[:-1]
                if r not in self.ranges:
                    raise self.structure(f"unknown subscript range {r!r}")
                els = [x for x in self.ranges[r] if x in dim_el]
                if len(els) != len(self.ranges[r]):
                    raise self.structure(f"range {r!r} is not part of {e.name!r}'s range {dim!r}")
                fixed.append(els)
                free_dims.append(r)
            elif tok in self.ranges:
                el = self.bound(tok, dim_el, bind)
                if el is None:
                    raise self.structure(
                        f"subscript {tok!r} of {e.name!r} is not fixed by the left-hand side; "
                        f"use {tok}! inside SUM/PROD/VMIN/VMAX")
                fixed.append([el])
            else:
                if tok not in dim_el:
                    raise self.structure(f"{tok!r} is not an element of {e.name!r}'s range {dim!r}")
                fixed.append([tok])
        slots = self.L.cells[e.key]
        if not free_dims:
            return make(slots[tuple(x[0] for x in fixed)])
        items = {}
        for combo in itertools.product(*fixed):
            items[tuple(combo[i] for i, t in enumerate(toks) if t.endswith("!"))] = make(slots[combo])
        return _Vec(tuple(free_dims), items)

    def bound(self, tok, dim_el, bind):
        if tok in bind:
            el = bind[tok]
            return el if el in dim_el else None
        tok_el = set(self.ranges[tok])
        cands = [(t, el) for t, el in bind.items()
                 if el in tok_el and el in dim_el
                 and (set(self.ranges[t]) <= tok_el or tok_el <= set(self.ranges[t]))]
        if len(cands) == 1:
            return cands[0][1]
        same = [c for c in cands if set(self.ranges[c[0]]) == tok_el]
        if len(same) == 1:
            return same[0][1]
        # a mapping (a: ... -> b) pairs elements (simsys.model.mapping), read in either direction
        for t, el in bind.items():
            pairs = self.m.mappings.get(t, {}).get(tok)
            found = [y for x, y in pairs if x == el] if pairs else None
            if found is None:
                pairs = self.m.mappings.get(tok, {}).get(t)
                found = [x for x, y in pairs if y == el] if pairs else None
            if found is not None:
                return found[0] if len(found) == 1 and found[0] in dim_el else None
        return None

    # operators -------------------------------------------------------------------------------
    def arith(self, a, bind):
        args = [self.lower(x, bind) for x in a.arguments]
        ops = list(a.operators)
        if len(args) == 1:
            op = ops[0]
            if op == "negative":
                return self.map(args, lambda x: ("neg", x))
            if op == ":NOT:":
                return self.map(args, lambda x: ("not", x))
            raise self.unsupported(f"unary operator {op!r}")
        for op in ops:
            if op not in _BINARY and op not in (":AND:", ":OR:"):
                raise self.unsupported(f"operator {op!r}")
        if any(op in (":AND:", ":OR:") for op in ops):
            # PySD nests logical operators from the right
            def build(*xs):
                right = xs[-1]
                for op, left in zip(reversed(ops), reversed(xs[:-1])):
                    if op == ":AND:":
                        right = ("and", left, right)
                    elif op == ":OR:":
                        right = ("or", left, right)
                    else:
                        right = ("chain", (op,), (left, right))
                return right
            return self.map(args, build)
        return self.map(args, lambda *xs: ("chain", tuple(ops), tuple(xs)))

    # calls -------------------------------------------------------------------------------------
    def call(self, a: ae.CallStructure, bind):
        fname = name_key(a.function.reference)
        e = self.el.get(fname)
        if e is not None and e.kind is ElementKind.LOOKUP:
            x = self.lower(a.arguments[0], bind)
            tab = self.cells_of(e, a.function.subscripts, bind, lambda s: s[1])
            if isinstance(tab, _Vec):
                raise self.unsupported("calling a lookup over a '!' range")
            return self.map([x], lambda x: ("lookup", tab, x))
        if fname in ("lookup_extrapolate", "lookup_forward", "lookup_backward"):
            ref = a.arguments[0]
            e = self.el.get(name_key(ref.reference)) if isinstance(ref, ae.ReferenceStructure) else None
            if e is None or e.kind is not ElementKind.LOOKUP:
                raise self.structure(f"{fname.upper()} needs a lookup as its first argument")
            tab = self.cells_of(e, ref.subscripts, bind, lambda s: s[1])
            xs, ys, _ = self.L.tables[tab]
            mode = {"lookup_extrapolate": "extrapolate", "lookup_forward": "look_forward",
                    "lookup_backward": "hold_backward"}[fname]
            self.L.tables.append((xs, ys, mode))
            new = len(self.L.tables) - 1
            x = self.lower(a.arguments[1], bind)
            return self.map([x], lambda x: ("lookup", new, x))
        if fname in _REDUCE:
            if len(a.arguments) != 1:
                raise self.structure(f"{fname.upper()} takes one argument")
            v = self.lower(a.arguments[0], bind)
            if not isinstance(v, _Vec):
                return v
            items = list(v.items.values())
            op = _REDUCE[fname]
            if op in ("+", "*"):
                return ("chain", (op,) * (len(items) - 1), tuple(items)) if len(items) > 1 else items[0]
            acc = items[0]
            for it in items[1:]:
                acc = ("call", op, (acc, it))
            return acc
        if fname == "random_lookup":
            return self.random_lookup(a.arguments, bind)
        if fname in _RANDOM:
            args = [self.lower(x, bind) for x in a.arguments]
            nmin, nmax = _RANDOM[fname]
            if not nmin <= len(args) <= nmax:
                raise self.structure(f"{fname.upper().replace('_', ' ')} takes {nmin} to {nmax} arguments")
            if fname in RANDOM_ARGUMENTS:
                self.random_arguments(fname, args)
            site = self.L.n_rand
            self.L.n_rand += 1
            return self.map(args, lambda *xs: ("rand", fname, site, tuple(xs)))
        if fname == "random_pink_noise":
            args = [self.lower(x, bind) for x in a.arguments]
            if len(args) != 4:
                raise self.structure(f"RANDOM PINK NOISE takes 4 arguments (mean, standard "
                                     f"deviation, correlation time, seed), {len(args)} given")
            return self.map(args[:3], self.pink_noise)
        if fname in _VECTOR:
            return self.vector_call(fname, a.arguments, bind)
        if fname == "invert_matrix":
            return self.invert_matrix(a.arguments, bind)
        if fname == "get_data_at_time":
            return self.data_at_time(a.arguments, bind)
        if fname == "get_data_between_times":
            return self.data_between_times(a.arguments, bind)
        if fname == "npv":
            return self.npv(a.arguments, bind)
        if fname == "get_time_value":
            return self.time_value(a.arguments, bind)
        spec = _FUNCTIONS.get(fname)
        if spec is None:
            shown = a.function.reference.upper().replace("_", " ")
            raise self.unsupported(f"the function {shown}")
        nmin, nmax = spec
        args = [self.lower(x, bind) for x in a.arguments]
        if not nmin <= len(args) <= nmax:
            raise self.structure(f"{fname.upper()} takes {nmin}"
                                 + (f" to {nmax}" if nmax != nmin else "") + f" arguments, {len(args)} given")
        if fname == "active_initial":
            return self.map(args, lambda act, ini: ("ainit", act, ini))
        return self.map(args, lambda *xs: ("call", fname, tuple(xs)))

    def random_arguments(self, fname, args):
        """Refuse at load an argument of RANDOM TRIANGULAR ... NEGATIVE BINOMIAL written as a
        number that the distribution cannot take (min above max, prob outside [0, 1], a count
        that is not a whole number...); one read at run time gives NaN there instead."""
        names = RANDOM_ARGUMENTS[fname]
        problem = argument_problem(fname, _numbers(names, args))
        if problem:
            shown = fname.upper().replace("_", " ")
            raise self.structure(f"{shown}({', '.join(names)}, seed): {problem}")

    def random_lookup(self, args, bind):
        """RANDOM LOOKUP(lookup, min, max, seed): a draw from the lookup read as a density. The
        table's index travels as the draw's first argument (a number the generators turn into
        the table: ``_T[i]`` in numpy, ``i`` in C); a table that cannot be a density, or
        bounds written as numbers that hold none of its area, are refused here."""
        shown = "RANDOM LOOKUP"
        if not 3 <= len(args) <= 4:
            raise self.structure(f"{shown} takes 3 to 4 arguments (lookup, min, max, seed), "
                                 f"{len(args)} given")
        ref = args[0]
        e = self.el.get(name_key(ref.reference)) if isinstance(ref, ae.ReferenceStructure) else None
        if e is None or e.kind is not ElementKind.LOOKUP:
            raise self.structure(f"{shown} needs a lookup as its first argument")
        tab = self.cells_of(e, ref.subscripts, bind, lambda s: s[1])
        if isinstance(tab, _Vec):
            raise self.unsupported(f"{shown} over a '!' range")
        rest = [self.lower(x, bind) for x in args[1:]]
        given = _numbers(("min", "max"), rest)
        xs, ys, _ = self.L.tables[tab]
        problem = lookup_problem(xs, ys, given.get("min"), given.get("max"))
        if problem:
            raise self.structure(f"{shown}(lookup, min, max, seed) of {e.name!r}: {problem}")
        site = self.L.n_rand
        self.L.n_rand += 1
        return self.map(rest, lambda *xs: ("rand", "random_lookup", site, (("num", float(tab)),) + xs))

    def data_at_time(self, args, bind):
        """GET DATA AT TIME(data, t): the data variable's series read at ``t`` with its own
        mode (the lookup of time :mod:`simsys.model.data` made for it), as
        :func:`simsys.functions.data_at_time` does."""
        shown = "GET DATA AT TIME"
        if len(args) != 2:
            raise self.structure(f"{shown} takes 2 arguments, {len(args)} given")
        tab = self.series_table(args[0], bind, shown)
        x = self.lower(args[1], bind)
        return self.map([x], lambda x: ("lookup", tab, x))

    def series_table(self, ref, bind, shown):
        """The lookup of time holding the series of the data variable ``ref`` names."""
        series = (self.el.get(name_key(ref.reference) + name_key(DATA_SUFFIX))
                  if isinstance(ref, ae.ReferenceStructure) else None)
        if series is None or series.kind is not ElementKind.LOOKUP:
            raise self.structure(f"{shown} needs a data variable (x := GET DIRECT DATA(...) or "
                                 "GET XLS DATA) as its first argument")
        tab = self.cells_of(series, ref.subscripts, bind, lambda s: s[1])
        if isinstance(tab, _Vec):
            raise self.unsupported(f"{shown} over a '!' range")
        return tab

    def data_between_times(self, args, bind):
        """GET DATA BETWEEN TIMES(data, t, mode) as SDEverywhere defines it (Vensim's own rule
        is not documented precisely): mode >= 1 reads forward, mode <= -1 backward, anything
        else interpolates (:func:`simsys.compile.runtime._between` says what each reads).
        The data variable's points are read, whatever its own mode. A mode written as a
        number picks one reading; any other mode expression picks at run time."""
        shown = "GET DATA BETWEEN TIMES"
        if len(args) != 3:
            raise self.structure(f"{shown} takes 3 arguments (data variable, time, mode), "
                                 f"{len(args)} given")
        xs, ys, _ = self.L.tables[self.series_table(args[0], bind, shown)]
        reads = {}

        def read(kind, x):
            if kind not in reads:
                self.L.tables.append((xs, ys, f"between_{kind}"))
                reads[kind] = len(self.L.tables) - 1
            return ("lookup", reads[kind], x)

        def build(x, mode):
            m = _number(mode)
            if m is not None:
                return read("forward" if m >= 1 else "backward" if m <= -1 else "interpolate", x)
            return ("call", "if_then_else", (
                ("chain", (">=",), (mode, ("num", 1.0))), read("forward", x),
                ("call", "if_then_else", (("chain", ("<=",), (mode, ("num", -1.0))),
                                          read("backward", x), read("interpolate", x)))))
        return self.map([self.lower(args[1], bind), self.lower(args[2], bind)], build)

    def time_value(self, args, bind):
        """GET TIME VALUE(relativeto, offset, measure) in the model's units of Time (measure 0):
        Time + offset (relativeto 0) or INITIAL TIME + offset (relativeto 1), as Vensim
        documents it. The computer's clock (relativeto 2) and calendar measures are refused:
        a run would not be reproducible, and the model has no calendar."""
        shown = "GET TIME VALUE"
        if len(args) != 3:
            raise self.structure(f"{shown} takes 3 arguments, {len(args)} given")
        rel = self.literal(args[0], bind, shown, "relativeto", 2)
        measure = self.literal(args[2], bind, shown, "measure", 10)
        for got, what, top in ((rel, "relativeto", 2), (measure, "measure", 10)):
            if not isinstance(got, int):  # a variable: literal() accepts it for VECTOR SELECT
                raise self.unsupported(f"{shown} with a {what} other than a whole number 0-{top} "
                                       "written in the equation")
        if rel == 2 or measure != 0:
            raise self.unsupported(f"{shown} with relativeto {rel} and measure {measure} (the "
                                   "computer's clock or a calendar measure); only measure 0 "
                                   "(units of Time) relative to Time (0) or INITIAL TIME (1)")
        base = ("time",) if rel == 0 else ("num", self.ctl.initial_time)
        off = self.lower(args[1], bind)
        return self.map([off], lambda off: ("chain", ("+",), (base, off)))

    def inline_lookup(self, a, bind):
        tab = self.table(a.lookups)
        x = self.lower(a.argument, bind)
        return self.map([x], lambda x: ("lookup", tab, x))

    def get_constants(self, a, bind):
        raise self.structure("GET DIRECT CONSTANTS may only define a constant by itself")


def _number(x):
    """The value of lowered ``x`` when it is a number written in the equation (``2``, ``-1``)."""
    if isinstance(x, tuple) and x[0] == "neg":
        inner = _number(x[1])
        return None if inner is None else -inner
    return x[1] if isinstance(x, tuple) and x[0] == "num" else None


_UNSUPPORTED = {"GameStructure": "GAME",
                "GetDataStructure": "GET DATA", "DataStructure": "data variable"}
_REDUCE = {"sum": "+", "prod": "*", "vmin": "min", "vmax": "max"}
#: RANDOM function -> (fewest, most arguments); RANDOM LOOKUP, whose first argument is a
#: table, is lowered by _Lowerer.random_lookup
_RANDOM = {"random_uniform": (2, 3), "random_normal": (4, 5), "random_0_1": (0, 0),
           "random_exponential": (4, 5), "random_triangular": (5, 6), "random_weibull": (5, 6),
           "random_gamma": (5, 6), "random_beta": (6, 7),
           "random_poisson": (5, 6), "random_binomial": (6, 7), "random_negative_binomial": (6, 7)}


def _numbers(names, args) -> dict:
    """The arguments written as numbers (``-2`` too), by name (:func:`_number`)."""
    values = {what: _number(x) for what, x in zip(names, args)}
    return {what: v for what, v in values.items() if v is not None}
# name -> (min args, max args); semantics live in codegen
_FUNCTIONS = {
    "abs": (1, 1), "exp": (1, 1), "ln": (1, 1), "log": (2, 2), "sqrt": (1, 1),
    "sin": (1, 1), "cos": (1, 1), "tan": (1, 1), "arcsin": (1, 1), "arccos": (1, 1),
    "arctan": (1, 1), "sinh": (1, 1), "cosh": (1, 1), "tanh": (1, 1), "power": (2, 2),
    "min": (2, 2), "max": (2, 2), "integer": (1, 1), "modulo": (2, 2), "quantum": (2, 2),
    "xidz": (3, 3), "zidz": (2, 2), "if_then_else": (3, 3), "step": (2, 2), "ramp": (2, 3),
    "pulse": (2, 2), "pulse_train": (4, 4), "xramp": (2, 2), "xpulse": (2, 2),
    "xpulse_train": (3, 3), "active_initial": (2, 2), "pi": (0, 0),
}

_DISPATCH = {
    ae.ReferenceStructure: _Lowerer.reference,
    ae.ArithmeticStructure: _Lowerer.arith,
    ae.LogicStructure: _Lowerer.arith,
    ae.CallStructure: _Lowerer.call,
    ae.InlineLookupsStructure: _Lowerer.inline_lookup,
    ae.IntegStructure: _Lowerer.integ,
    ae.SmoothStructure: _Lowerer.smooth,
    ae.SmoothNStructure: _Lowerer.smooth,
    ae.DelayStructure: _Lowerer.delay,
    ae.DelayNStructure: _Lowerer.delay,
    ae.DelayFixedStructure: _Lowerer.delay_fixed,
    ae.SampleIfTrueStructure: _Lowerer.sample_if_true,
    ae.InitialStructure: _Lowerer.initial,
    ae.TrendStructure: _Lowerer.trend,
    ae.ForecastStructure: _Lowerer.forecast,
    ae.GetConstantsStructure: _Lowerer.get_constants,
    ae.AllocateAvailableStructure: _Lowerer.allocate_available,
    ae.AllocateByPriorityStructure: _Lowerer.allocate_by_priority,
}


def lower_model(model: Model) -> Layout:
    """Lower every equation of ``model`` into slot-indexed IR.

    Raises
    ------
    ModelStructureError
        Undefined names, subscript mismatches, bad lookups.
    UnsupportedFeature
        A function or construct outside simsys's coverage.
    """
    return _Lowerer(model).run()
