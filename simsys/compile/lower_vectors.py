"""VECTOR SORT ORDER / RANK / REORDER / SELECT and INVERT MATRIX, lowered cell by cell.

A mixin of the lowerer (:mod:`.lower`): it finds the vector or matrix a cell's call reads
(over the argument's last one or two subscripts) and builds the cell's IR, with the vector
functions written out by :mod:`.vector_ir` and each matrix inverted once in hidden
auxiliaries.
"""
from __future__ import annotations

from pysd.translators.structures import abstract_expressions as ae

from ..functions import allocation
from ..model.spec import cell_label, name_key
from . import vector_ir

__all__ = ["Vec", "VectorLowering", "VECTOR"]

#: function -> number of arguments
VECTOR = {"vector_sort_order": 2, "vector_rank": 2, "vector_reorder": 2, "vector_select": 5}


class Vec:
    """Values over summed (``!``) dimensions, one IR node per element tuple."""

    __slots__ = ("dims", "items")

    def __init__(self, dims, items):
        self.dims = dims
        self.items = items


class VectorLowering:
    """Mixin of the lowerer: needs ``lower``, ``scalar``, ``ranges``, ``L``, ``cur``, ``cell``,
    ``unsupported``/``structure`` and a ``_matrices`` dict made per run."""

    def vector_call(self, fname, args, bind):
        shown = fname.upper().replace("_", " ")
        if len(args) != VECTOR[fname]:
            raise self.structure(f"{shown} takes {VECTOR[fname]} arguments, {len(args)} given")
        if fname == "vector_select":
            sel, expr = (self.lower(x, bind) for x in args[:2])
            if not (isinstance(sel, Vec) and isinstance(expr, Vec)):
                raise self.structure(f"{shown} needs its selection and expression over a '!' range")
            if len(sel.items) != len(expr.items):
                raise self.structure(f"{shown}: selection has {len(sel.items)} cells, expression "
                                     f"{len(expr.items)}")
            missing = self.scalar(args[2], bind)
            action, error = (self.literal(x, bind, shown, what, top) for x, what, top in
                             ((args[3], "numerical action", 10), (args[4], "error action", 3)))
            return vector_ir.select(list(sel.items.values()), list(expr.items.values()),
                                    missing, action, error)
        xs, k = self.over_last(args[0], bind, shown)
        if fname == "vector_reorder":
            return vector_ir.reorder(xs, self.scalar(args[1], bind))
        make = vector_ir.sort_order if fname == "vector_sort_order" else vector_ir.rank
        return make(xs, self.scalar(args[1], bind), k)

    def invert_matrix(self, args, bind):
        """INVERT MATRIX(m, size): this cell's entry of the inverse of ``m`` over its last two
        subscripts (both must be ranges of the left-hand side).

        The matrix is inverted in hidden auxiliaries, one per entry of the inverse, made once
        per distinct matrix: every cell of the equation reads its own. Their expressions are
        bare ``("matinv", n, entries, pos)`` nodes, which each backend computes with one
        inversion per scenario. ``size`` is not read (PySD ignores it too).
        """
        if len(args) != 2:
            raise self.structure(f"INVERT MATRIX takes 2 arguments (the matrix and its size), "
                                 f"{len(args)} given")
        ref = next((r for r in _references(args[0])
                    if r.subscripts is not None and len(r.subscripts.subscripts) >= 2), None)
        toks = tuple(ref.subscripts.subscripts[-2:]) if ref is not None else ()
        if len(toks) != 2 or any(t not in bind for t in toks) or toks[0] == toks[1]:
            raise self.unsupported("INVERT MATRIX of a matrix whose last two subscripts are not "
                                   "two ranges of the left-hand side")
        rows, cols = self.ranges[toks[0]], self.ranges[toks[1]]
        if len(rows) != len(cols):
            raise self.structure(f"INVERT MATRIX needs a square matrix; {toks[0]!r} has "
                                 f"{len(rows)} elements and {toks[1]!r} {len(cols)}")
        n = len(rows)
        entries = tuple(self.scalar(args[0], {**bind, toks[0]: r, toks[1]: c})
                        for r in rows for c in cols)
        key = repr(entries)
        block = self._matrices.get(key)
        if block is None:
            L = self.L
            block = []
            for pos in range(n * n):
                block.append(len(L.v_label))
                L.v_label.append(f"_invert_matrix({cell_label(self.cur.name, self.cell)})#{len(L.v_label)}")
                L.v_expr.append(("matinv", n, entries, pos))
                # one owner per matrix: the grouped generators write the block as one statement
                L.v_owner.append((("invert_matrix", len(self._matrices)), pos))
            self._matrices[key] = block
        pos = rows.index(bind[toks[0]]) * n + cols.index(bind[toks[1]])
        return ("ref", "v", block[pos])

    def over_last(self, arg, bind, shown):
        """The cells of ``arg`` along its last subscript, and this cell's position there."""
        tok, els = self.vector_axis(arg, bind, shown)
        xs = [self.scalar(arg, {**bind, tok: el}) for el in els]
        return xs, els.index(bind[tok])

    def vector_axis(self, arg, bind, shown):
        """The last subscript of ``arg`` (a range of the left-hand side) and its elements."""
        ref = next((r for r in _references(arg) if r.subscripts is not None), None)
        tok = ref.subscripts.subscripts[-1] if ref is not None else None
        if tok is None or tok not in bind:
            raise self.unsupported(f"{shown} of a vector whose last subscript is not a range of "
                                   "the left-hand side")
        return tok, self.ranges[tok]

    # allocation ----------------------------------------------------------------------------
    def allocate_available(self, a, bind):
        """ALLOCATE AVAILABLE(request, pp, avail): this cell's share (see functions.allocation).

        ``pp`` names a variable whose last subscript is the profile (type, priority, width,
        extra); the equation gives its first element, as Vensim writes it."""
        shown = "ALLOCATE AVAILABLE"
        req, k = self.over_last(a.request, bind, shown)
        tok, els = self.vector_axis(a.request, bind, shown)
        pp = a.pp
        e = self.el.get(name_key(pp.reference)) if isinstance(pp, ae.ReferenceStructure) else None
        if e is None or pp.subscripts is None or not e.dims:
            raise self.unsupported(f"{shown} with priority profiles that are not a subscripted "
                                   "variable")
        fields = self.ranges[e.dims[-1]]
        if len(fields) != 4:
            raise self.structure(f"{shown}: the priority profile {e.name!r} has {len(fields)} "
                                 "elements in its last subscript, 4 expected (ptype, ppriority, "
                                 "pwidth, pextra)")
        lead = tuple(pp.subscripts.subscripts[:-1])
        profile = []
        for el in els:
            for f in fields:
                ref = ae.ReferenceStructure(pp.reference, ae.SubscriptsReferenceStructure(lead + (f,)))
                profile.append(self.scalar(ref, {**bind, tok: el}))
        for node in profile[0::4]:
            kind = node[1] if node[0] == "num" else \
                self.L.p_default[node[2]] if node[:2] == ("ref", "p") else None
            if kind is not None and kind not in allocation.PROFILE_TYPES:
                raise self.unsupported(
                    f"{shown} with priority profile type {kind:g} (PySD implements 1 rectangular, "
                    "2 triangular, 3 normal and 4 exponential; not 0 fixed quantity or 5 constant "
                    "elasticity)")
        avail = self.scalar(a.avail, bind)
        return ("call", "allocate_available", (("num", float(k)), *req, *profile, avail))

    def allocate_by_priority(self, a, bind):
        """ALLOCATE BY PRIORITY(request, priority, size, width, supply): this cell's share.
        ``size`` is not read (PySD ignores it too: the vector is the request's last subscript)."""
        shown = "ALLOCATE BY PRIORITY"
        req, k = self.over_last(a.request, bind, shown)
        tok, els = self.vector_axis(a.request, bind, shown)
        prio = [self.scalar(a.priority, {**bind, tok: el}) for el in els]
        width, supply = self.scalar(a.width, bind), self.scalar(a.supply, bind)
        return ("call", "allocate_by_priority", (("num", float(k)), *req, *prio, width, supply))

    def literal(self, a, bind, shown, what, top):
        """A number written in the equation, checked (0-``top``), as an int; anything else
        (a constant, a lever, an expression) as the IR node read at run time."""
        got = self.scalar(a, bind)
        if got[0] != "num":
            return got
        v = got[1]
        if not (0 <= v <= top and v == int(v)):  # NaN fails the range
            raise self.unsupported(f"{shown} with a {what} other than a whole number 0-{top}")
        return int(v)


def _references(a):
    """ReferenceStructures in ``a``, left to right."""
    if isinstance(a, ae.ReferenceStructure):
        yield a
    elif isinstance(a, ae.CallStructure):
        for x in a.arguments:
            yield from _references(x)
    elif isinstance(a, (ae.ArithmeticStructure, ae.LogicStructure)):
        for x in a.arguments:
            yield from _references(x)

