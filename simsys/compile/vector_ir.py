"""VECTOR SORT ORDER / RANK / REORDER / SELECT written out as plain IR over one cell.

The lowering is cell by cell, so each function is built here from the vector's cells with
the nodes every backend already has (comparisons, IF THEN ELSE, sums, MIN/MAX): the numpy
and C backends then run them with no kernel of their own and agree by construction.
Semantics follow PySD 3.14 (``pysd.py_backend.functions``):

* the position of cell ``j`` in the ascending order is the number of cells below it, ties
  kept in subscript order (a stable sort; numpy's default sort, which PySD uses, gives the
  same order for vectors of up to 16 cells);
* ``direction <= 0`` reverses the ascending order (PySD flips ``argsort``), so ties come
  out in reverse subscript order;
* SORT ORDER gives 0-based positions, RANK 1-based ranks (``argsort(order) + 1``);
* REORDER reads ``vector[int(svector)]``; an index outside the vector gives NaN, which
  stops the scenario as any non-finite value does;
* SELECT leaves out cells whose selection is 0 and gives ``missing`` when all are 0.

SORT ORDER costs ``n**2`` comparisons per cell (``n**3`` for the vector); RANK, REORDER and
SELECT ``n`` per cell.
"""
from __future__ import annotations

__all__ = ["sort_order", "rank", "reorder", "select"]

_NAN = float("nan")


def _n(v: float):
    return ("num", float(v))


def _cmp(op, a, b):
    return ("chain", (op,), (a, b))


def _ite(c, a, b):
    return ("call", "if_then_else", (c, a, b))


def _ind(c):
    """1.0 where ``c`` holds, else 0.0 (numpy booleans must not be added)."""
    return _ite(c, _n(1.0), _n(0.0))


def _chain(op, items, empty):
    if not items:
        return _n(empty)
    if len(items) == 1:
        return items[0]
    return ("chain", (op,) * (len(items) - 1), tuple(items))


def _position(xs, j):
    """0-based position of cell ``j`` in the stable ascending order of ``xs``."""
    terms = [_ind(_cmp("<=" if i < j else "<", xs[i], xs[j])) for i in range(len(xs)) if i != j]
    return _chain("+", terms, 0.0)


def _down(direction):
    return _cmp("<=", direction, _n(0.0))


def sort_order(xs, direction, k):
    """Cell ``k`` of VECTOR SORT ORDER(xs, direction): the 0-based index of the cell that
    stands ``k``-th in the order."""
    n = len(xs)
    target = _ite(_down(direction), _n(n - 1 - k), _n(k))
    terms = [("chain", ("*",), (_n(j), _ind(_cmp("=", _position(xs, j), target))))
             for j in range(1, n)]  # j = 0 adds nothing
    return _chain("+", terms, 0.0)


def rank(xs, direction, k):
    """Cell ``k`` of VECTOR RANK(xs, direction): its 1-based rank."""
    pos = _position(xs, k)
    return _ite(_down(direction), ("chain", ("-",), (_n(len(xs)), pos)),
                ("chain", ("+",), (pos, _n(1.0))))


def reorder(xs, index):
    """VECTOR REORDER's cell: ``xs[int(index)]``, NaN outside the vector."""
    at = ("call", "integer", (index,))
    out = _n(_NAN)
    for j in range(len(xs) - 1, -1, -1):
        out = _ite(_cmp("=", at, _n(j)), xs[j], out)
    return out


_SUM, _PROD, _MIN, _MAX, _MEAN = range(5)
_OP = {0: _SUM, 1: _PROD, 2: _MIN, 3: _MAX, 4: _MEAN, 5: _PROD, 6: _SUM, 7: _PROD, 8: _MIN,
       9: _MAX, 10: _MEAN}


def _reduce(nz, count, base, op):
    """The ``op`` of ``base`` over the cells whose selection is not 0 (``nz``)."""
    if op in (_SUM, _MEAN):
        out = _chain("+", [_ite(c, b, _n(0.0)) for c, b in zip(nz, base)], 0.0)
        if op == _MEAN:
            out = ("chain", ("/",), (out, ("call", "max", (count, _n(1.0)))))
        return out
    if op == _PROD:
        return _chain("*", [_ite(c, b, _n(1.0)) for c, b in zip(nz, base)], 1.0)
    fill = _n(float("inf") if op == _MIN else float("-inf"))
    name = "min" if op == _MIN else "max"
    parts = [_ite(c, b, fill) for c, b in zip(nz, base)]
    out = parts[0]
    for p in parts[1:]:
        out = ("call", name, (out, p))
    return out


def _combine(sel, expr, nz, count, action: int):
    if action < 5:
        base = [("chain", ("*",), (s, e)) for s, e in zip(sel, expr)]
    elif action == 5:
        base = [("chain", ("^",), (e, s)) for s, e in zip(sel, expr)]
    else:
        base = list(expr)
    return _reduce(nz, count, base, _OP[action])


def _is(x, values):
    """Whether the node ``x`` equals one of ``values``."""
    return _chain_or([_cmp("=", x, _n(v)) for v in values])


def _chain_or(conds):
    out = conds[-1]
    for c in reversed(conds[:-1]):
        out = ("or", c, out)
    return out


def select(sel, expr, missing, action, error):
    """VECTOR SELECT over the cells ``sel``/``expr``.

    ``action`` (0-10) and ``error`` (0-3) are either the numbers the model gives (checked
    by the caller) or IR nodes read at run time (a constant, a lever, or anything else PySD
    accepts). A run-time numerical action other than a whole number 0-10 gives NaN (PySD
    raises ValueError); a run-time error action other than 1, 2 or 3 checks nothing, as in
    PySD. The run-time form computes all eleven actions and picks one, so it costs eleven
    times the cells of a literal action.

    ``error`` 1 or 3 gives NaN where every selection is 0, 2 or 3 where more than one is not:
    Vensim and PySD stop the run there, simsys stops that scenario.
    """
    nz = [_cmp("<>", s, _n(0.0)) for s in sel]
    count = _chain("+", [_ind(c) for c in nz], 0.0)
    if isinstance(action, int):
        out = _combine(sel, expr, nz, count, action)
    else:
        out = _n(_NAN)
        for k in range(10, -1, -1):
            out = _ite(_cmp("=", action, _n(k)), _combine(sel, expr, nz, count, k), out)
    some = _cmp(">", count, _n(0.0))
    out = _ite(some, out, missing)
    if not isinstance(action, int):
        valid = _is(action, range(11))
        out = _ite(valid, out, _n(_NAN))
    if isinstance(error, int):
        none_fails, many_fails = error in (1, 3), error in (2, 3)
        if none_fails:
            out = _ite(some, out, _n(_NAN))
        if many_fails:
            out = _ite(_cmp(">", count, _n(1.0)), _n(_NAN), out)
    else:
        out = _ite(("and", _is(error, (1, 3)), ("not", some)), _n(_NAN), out)
        out = _ite(("and", _is(error, (2, 3)), _cmp(">", count, _n(1.0))), _n(_NAN), out)
    return out
