"""Generate the batched numpy functions of a compiled model from its lowered IR.

The source is built only from identifiers made here (``y3``, ``p12``, ``v7``,
``_np``...) and numeric literals; nothing of the model file's text reaches it.
:func:`check_source` proves that before the source is compiled: every name,
attribute and constant in it is checked against that vocabulary, so a hostile
variable name in a model stays a name.
"""
from __future__ import annotations

import math

from .ir import refs
from .lower import Layout
from .runtime import NAMESPACE
from .vet import check_source

__all__ = ["expr", "numpy_source", "check_source", "build"]

_OPS = {"+": "+", "-": "-", "*": "*", "/": "/", "^": "**", "=": "==", "<>": "!=",
        "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_LEAF = {"num", "ref", "time", "dt", "call", "lookup", "rand", "matinv"}
_NP1 = {"abs": "abs", "exp": "exp", "ln": "log", "sqrt": "sqrt", "sin": "sin", "cos": "cos",
        "tan": "tan", "arcsin": "arcsin", "arccos": "arccos", "arctan": "arctan", "sinh": "sinh",
        "cosh": "cosh", "tanh": "tanh", "integer": "trunc"}


def num(v: float) -> str:
    """A float literal (bare, so a negative one binds as PySD's generated code does)."""
    if math.isnan(v):
        return "_nan"
    if math.isinf(v):
        return "_inf" if v > 0 else "(-_inf)"
    return repr(float(v))


def expr(n, init: bool = False) -> str:
    """Python source for one IR node (numpy semantics)."""
    tag = n[0]
    if tag == "num":
        return num(n[1])
    if tag == "ref":
        return f"{n[1]}{n[2]}"
    if tag == "time":
        return "t"
    if tag == "dt":
        return "dt"
    if tag == "chain":
        parts = [_operand(a, init) for a in n[2]]
        out = parts[0]
        for op, p in zip(n[1], parts[1:]):
            out += f" {_OPS[op]} {p}"
        return f"({out})"
    if tag == "neg":
        return f"(-{_operand(n[1], init)})"
    if tag == "not":
        return f"_np.logical_not({expr(n[1], init)})"
    if tag in ("and", "or"):
        return f"_np.logical_{tag}({expr(n[1], init)}, {expr(n[2], init)})"
    if tag == "ainit":
        return expr(n[2] if init else n[1], init)
    if tag == "lookup":
        return f"_lookup({expr(n[2], init)}, _T[{int(n[1])}])"
    if tag == "rand":
        args = ", ".join(rand_args(n, lambda a: expr(a, init)))
        return f"_{n[1]}(S, k, {int(n[2])}{', ' if args else ''}{args})"
    if tag == "call":
        return _call(n[1], [expr(a, init) for a in n[2]])
    if tag == "matinv":
        return f"_matinv(({', '.join(expr(a, init) for a in n[2])},), {int(n[1])}, {int(n[3])})"
    raise AssertionError(f"unknown IR node {tag}")


def rand_args(n, text) -> list[str]:
    """The argument texts of draw ``n`` (``text`` writes one): RANDOM LOOKUP's first, its
    table's index, is the table ``_T[i]``."""
    args = list(n[3])
    if n[1] == "random_lookup":
        return [f"_T[{int(args[0][1])}]"] + [text(a) for a in args[1:]]
    return [text(a) for a in args]


def _operand(n, init):
    s = expr(n, init)
    return s if n[0] in _LEAF else s  # non-leaves already carry their own parentheses


def _call(name, a, rows=None):
    """``rows``: the grouped generator's map from lanes to distinct allocation calls."""
    if name in _NP1:
        return f"_np.{_NP1[name]}({a[0]})"
    if name == "log":
        return f"(_np.log({a[0]}) / _np.log({a[1]}))"
    if name == "power":
        return f"_np.power({a[0]}, {a[1]})"
    if name == "min":
        return f"_np.minimum({a[0]}, {a[1]})"
    if name == "max":
        return f"_np.maximum({a[0]}, {a[1]})"
    if name == "if_then_else":
        return f"_np.where({a[0]}, {a[1]}, {a[2]})"
    if name == "step":
        return f"({a[0]} * (t + dt / 2 > {a[1]}))"
    if name == "ramp":
        return f"_ramp(t, {', '.join(a)})"
    if name == "xramp":
        return f"_ramp(t, {a[0]}, {a[1]})"
    if name in ("xpulse", "xpulse_train"):
        return f"_{name}(t, dt, {', '.join(a)})"
    if name == "pulse":
        return f"_pulse(t, {a[0]}, {a[1]})"
    if name == "pulse_train":
        return f"_pulse_train(t, {', '.join(a)})"
    if name == "pi":
        return repr(math.pi)
    if name in ("xidz", "zidz", "quantum", "modulo"):
        return f"_{name}({', '.join(a)})"
    if name in ALLOCATE:
        k, vectors, scalars = split_allocation(name, a)
        parts = [k] + [f"({', '.join(v)},)" for v in vectors] + list(scalars)
        return f"_{name}({', '.join(parts + ([rows] if rows else []))})"
    raise AssertionError(f"no code for function {name}")


#: allocation calls -> (vectors of n cells, vectors of 4n cells, trailing scalars); their
#: arguments are ``(k, *vectors, *scalars)`` with ``k`` the cell the call gives (see lower)
ALLOCATE = {"allocate_available": ((1, 4), 1), "allocate_by_priority": ((1, 1), 2)}


def split_allocation(name, args):
    """``(k, [vector args], [scalar args])`` of an allocation call's argument list."""
    sizes, nscalar = ALLOCATE[name]
    n = (len(args) - 1 - nscalar) // sum(sizes)
    out, pos = [], 1
    for size in sizes:
        out.append(list(args[pos:pos + size * n]))
        pos += size * n
    return args[0], out, list(args[pos:])


def numpy_source(L: Layout, aux_order, init_nodes, save_rows=None) -> str:
    """Source of ``_init`` and ``_rhs`` for a batch of scenarios (rows are variables).

    ``save_rows`` lists the auxiliaries ``_rhs`` writes into ``A`` (row j of ``A`` is
    auxiliary ``save_rows[j]``) when asked to save; None writes them all in order.
    """
    lines = ["def _init(t, dt, k, P, S, Y, Z, F):"]
    used_p = set()
    body = []
    for slot, i in init_nodes:
        if slot == "v":
            e = L.v_expr[i]
            body.append(f"    v{i} = {expr(e, True)}")
        elif slot == "y":
            e = L.y_init[i]
            body.append(f"    y{i} = {expr(e, True)}")
            body.append(f"    Y[{i}] = y{i}")
        else:
            e = L.z_init[i]
            body.append(f"    z{i} = {expr(e, True)}")
            body.append(f"    Z[{i}] = z{i}")
        used_p |= refs(e, "p", initial=True)
    for j, kind in enumerate(L.z_kind):
        if kind == "fixed":
            body.append(f"    F[{j}] = {expr(L.z_delay[j], True)}")
            used_p |= refs(L.z_delay[j], "p", initial=True)
    lines += [f"    p{i} = P[{i}]" for i in sorted(used_p)] + body + ["    return None", ""]

    lines.append("def _rhs(t, dt, k, P, S, Y, Z, D, A, ZN, save):")
    used = set()
    for e in L.v_expr + L.y_ddt + L.z_next:
        used |= refs(e, None, initial=False)
    for slot, letter in (("y", "Y"), ("p", "P"), ("z", "Z")):
        lines += [f"    {slot}{i} = {letter}[{i}]" for i in sorted(i for s, i in used if s == slot)]
    for i in aux_order:
        lines.append(f"    v{i} = {expr(L.v_expr[i])}")
    for i, e in enumerate(L.y_ddt):
        lines.append(f"    D[{i}] = {expr(e)}")
    if L.z_next:
        lines.append("    if ZN is not None:")
        lines += [f"        ZN[{j}] = {expr(e)}" for j, e in enumerate(L.z_next)]
    rows = range(len(L.v_label)) if save_rows is None else save_rows
    if len(rows):
        lines.append("    if save:")
        lines += [f"        A[{j}] = v{i}" for j, i in enumerate(rows)]
    lines.append("    return None")
    return "\n".join(lines) + "\n"


def build(src: str, tables, index=(), literals=()) -> dict:
    """Compile checked source into functions; returns the namespace holding them.

    ``index`` and ``literals`` are the grouped generator's index arrays (``_I``) and
    literal columns (``_K``), see :mod:`.vectorize`.
    """
    check_source(src)
    ns = dict(NAMESPACE)
    ns["_T"] = tuple(tables)
    ns["_I"] = tuple(index)
    ns["_K"] = tuple(literals)
    code = compile(src, "<simsys-generated>", "exec")  # source vetted by check_source above
    exec(code, ns)  # noqa: S102 - only generated, checked source reaches this
    return ns
