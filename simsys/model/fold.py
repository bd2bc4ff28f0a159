"""Load-time folding of constructs whose value is known before the run.

- ``GAME(x)`` becomes ``x`` (simulation outside gaming mode);
- ``ELMCOUNT(range)`` becomes the number of elements of the range;
- Vensim's ``:NA:`` (PySD gives ``nan``) becomes Vensim's sentinel -1e38;
- a ``DELAY N`` / ``SMOOTH N`` order written as an expression of constants is
  evaluated, truncated to an integer and reduced while ``order * TIME STEP``
  exceeds the delay time, exactly as PySD's ``DelayN``/``SmoothN`` do at
  initialisation (when the delay time is itself a constant).

Everything returns new PySD structures; the inputs are never changed.
"""
from __future__ import annotations

import dataclasses
import math

import numpy as np

from ..errors import ModelStructureError
from .spec import name_key

__all__ = ["NA", "fold_static", "fold_orders", "const_eval"]

#: Vensim's :NA: value
NA = -1e38


def _na(v):
    if isinstance(v, float) and math.isnan(v):
        return NA
    if isinstance(v, np.ndarray) and v.dtype.kind == "f" and np.isnan(v).any():
        return np.where(np.isnan(v), NA, v)
    return None


def fold_static(ast, ranges):
    """``ast`` with ELMCOUNT calls and :NA: values replaced by numbers."""
    from pysd.translators.structures import abstract_expressions as ae
    na = _na(ast)
    if na is not None:
        return na
    if isinstance(ast, ae.GameStructure):
        # outside gaming mode Vensim's GAME(x) is x (PySD builds it the same way)
        return fold_static(ast.expression, ranges)
    if isinstance(ast, ae.CallStructure) and name_key(ast.function.reference) == "elmcount":
        (arg,) = ast.arguments
        ref = arg.reference if isinstance(arg, ae.ReferenceStructure) else str(arg)
        for name, els in ranges.items():
            if name_key(name) == name_key(ref):
                return float(len(els))
        raise ModelStructureError(f"ELMCOUNT needs a subscript range, found {ref!r}")
    return _map(ast, lambda ch: fold_static(ch, ranges))


def fold_orders(ast, env, dt):
    """``ast`` with every DELAY N / SMOOTH N order evaluated as PySD does at initialisation."""
    from pysd.translators.structures import abstract_expressions as ae
    if isinstance(ast, (ae.DelayNStructure, ae.SmoothNStructure)) and not isinstance(
            ast.order, (int, float, np.number)):
        order = const_eval(ast.order, env)
        if order is not None:
            n = int(order)  # PySD: 'Casting delay order from x to int(x)'
            tau = const_eval(ast.delay_time if isinstance(ast, ae.DelayNStructure) else ast.smooth_time, env)
            if tau is not None and isinstance(ast, ae.DelayNStructure):
                while n * dt > tau and n > 1:  # PySD reduces the order of a too-short delay
                    n -= 1
            ast = dataclasses.replace(ast, order=n)
    return _map(ast, lambda ch: fold_orders(ch, env, dt))


_CALLS = {"integer": lambda x: float(int(x)), "min": min, "max": max, "abs": abs,
          "sqrt": math.sqrt, "exp": math.exp, "ln": math.log}
_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
        "/": lambda a, b: a / b, "^": lambda a, b: a ** b}


def const_eval(node, env):
    """The value of an expression of numbers and scalar constants, or None if it has others.

    ``env`` maps a name key to a float (scalar constants and control values).
    """
    from pysd.translators.structures import abstract_expressions as ae
    if isinstance(node, (int, float, np.number)) and not isinstance(node, bool):
        return float(node)
    if isinstance(node, ae.ReferenceStructure) and node.subscripts is None:
        v = env.get(name_key(node.reference))
        return None if v is None or isinstance(v, np.ndarray) else float(v)
    if isinstance(node, ae.ArithmeticStructure):
        args = [const_eval(a, env) for a in node.arguments]
        if any(a is None for a in args):
            return None
        if list(node.operators) == ["negative"]:
            return -args[0]
        if "^" in node.operators and len(node.operators) > 1:
            return None  # precedence chains are the compiler's business
        acc = args[0]
        for op, b in zip(node.operators, args[1:]):
            if op not in _OPS:
                return None
            try:
                acc = _OPS[op](acc, b)
            except ZeroDivisionError:
                return None
        return acc
    if isinstance(node, ae.CallStructure):
        f = _CALLS.get(name_key(node.function.reference))
        args = [const_eval(a, env) for a in node.arguments]
        if f is None or any(a is None for a in args):
            return None
        try:
            return float(f(*args))
        except (ValueError, OverflowError, TypeError):
            return None
    return None


def _map(ast, fn):
    if isinstance(ast, (int, float, np.number, np.ndarray, str)) or ast is None:
        return ast
    if not dataclasses.is_dataclass(ast) or isinstance(ast, type):
        return ast
    changes = {}
    for f in dataclasses.fields(ast):
        v = getattr(ast, f.name)
        if isinstance(v, tuple):
            new = tuple(fn(x) for x in v)
            if any(a is not b for a, b in zip(new, v)):
                changes[f.name] = new
        elif isinstance(v, list):
            new = [fn(x) for x in v]
            if any(a is not b for a, b in zip(new, v)):
                changes[f.name] = new
        elif dataclasses.is_dataclass(v) or isinstance(v, float):
            new = fn(v)
            if new is not v:
                changes[f.name] = new
    return dataclasses.replace(ast, **changes) if changes else ast

