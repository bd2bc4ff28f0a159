"""Dimensional consistency of a model's equations (``simsys check --units``).

A small unit algebra of our own (no pint needed): a unit is a product of named
base units with rational exponents. Unit strings are parsed from Vensim's
notation -- ``people/Year``, ``1/Year``, ``Dmnl``, ``yuan*Year``, ``m^2``,
``100M yuan/(Year*10k FTE)`` -- where a name is any run of text between
operators, compared without regard to case or repeated spaces, so a scale word
is part of the name (``10k persons`` and ``persons`` are different units). A
bare number (the ``1`` of ``1/Year``) is dimensionless. ``Dmnl``,
``dimensionless`` and an empty ``1`` mean no units. Plurals of the usual time
units (``Years``, ``Minutes``...) are the same unit as the singular, as in
Vensim's built-in equivalences.

Each equation's units are inferred from its operands and compared with the
declared units:

* ``+``, ``-``, comparisons, MIN/MAX and the branches of IF THEN ELSE need equal
  units; ``*`` and ``/`` combine them; ``^`` needs a numeric exponent (or a
  dimensionless base);
* a number is unit-free and adapts: it takes the other side's units in a sum and
  is dimensionless in a product;
* EXP, LN, LOG and the trigonometric functions need dimensionless arguments;
* a lookup call gives the lookup's declared units; SMOOTH, DELAY, INITIAL,
  SAMPLE IF TRUE and SUM/VMIN/VMAX keep their input's units; XIDZ and ZIDZ are
  divisions; TREND is 1/time; TIME and TIME STEP have the model's time unit;
* a stock's net flow times the time unit must give the stock's units.

A variable without declared units is unknown: it is not checked, and any
expression using it is not checked either (never an error). Constants are not
checked (their numbers adapt). The first problem inside an equation is
reported for that equation; its declared units are then used by every
equation that refers to it, so one mistake is reported once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from ..errors import Location, SimsysError
from .spec import ElementKind, Model, name_key

__all__ = ["Unit", "UnitProblem", "UnitsSyntaxError", "check_units", "parse_units",
           "model_time_unit"]

_DIMENSIONLESS = {"dmnl", "dimensionless", "1", "", "无量纲"}
_TIME_SYNONYMS = {
    "years": "year", "yr": "year", "yrs": "year", "months": "month", "weeks": "week",
    "days": "day", "hours": "hour", "minutes": "minute", "seconds": "second",
    "quarters": "quarter",
}


@dataclass(frozen=True, slots=True)
class Unit:
    """A product of named base units with rational exponents (empty: dimensionless)."""

    dims: tuple[tuple[str, Fraction], ...] = ()

    @staticmethod
    def of(name: str) -> "Unit":
        key = re.sub(r"\s+", " ", name.strip().lower())
        key = _TIME_SYNONYMS.get(key, key)
        return Unit(() if key in _DIMENSIONLESS else ((key, Fraction(1)),))

    def _combine(self, other: "Unit", sign: int) -> "Unit":
        out = dict(self.dims)
        for k, e in other.dims:
            out[k] = out.get(k, Fraction(0)) + sign * e
        return Unit(tuple(sorted((k, e) for k, e in out.items() if e != 0)))

    def __mul__(self, other: "Unit") -> "Unit":
        return self._combine(other, 1)

    def __truediv__(self, other: "Unit") -> "Unit":
        return self._combine(other, -1)

    def __pow__(self, p) -> "Unit":
        p = Fraction(p).limit_denominator(1000)
        return Unit(tuple((k, e * p) for k, e in self.dims if e * p != 0))

    @property
    def dimensionless(self) -> bool:
        return not self.dims

    def __str__(self) -> str:
        if not self.dims:
            return "Dmnl"

        def part(k, e):
            e = abs(e)
            return k if e == 1 else f"{k}^{e}" if e.denominator == 1 else f"{k}^({e})"
        num = [part(k, e) for k, e in self.dims if e > 0]
        den = [part(k, e) for k, e in self.dims if e < 0]
        top = "*".join(num) if num else "1"
        if not den:
            return top
        bottom = den[0] if len(den) == 1 else "(" + "*".join(den) + ")"
        return f"{top}/{bottom}"


class UnitsSyntaxError(SimsysError):
    """A unit string that cannot be parsed."""


_TOKEN = re.compile(r"\s*(\*|/|\^|\(|\)|[^*/^()]+)")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def parse_units(text: str) -> Unit:
    """Parse a Vensim unit string.

    Parameters
    ----------
    text : str
        E.g. ``"people/Year"``, ``"1/(100 km)"``, ``"m^2"``, ``"Dmnl"``.

    Returns
    -------
    Unit

    Raises
    ------
    UnitsSyntaxError
        If the text is not a product/quotient of names and numbers.
    """
    text = re.sub(r"\[.*\]\s*$", "", text or "").strip()
    toks = [t.strip() for t in _TOKEN.findall(text) if t.strip()]
    if "".join(toks).replace(" ", "") != re.sub(r"\s+", "", text):
        raise UnitsSyntaxError(f"cannot read units {text!r}")
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else None

    def take():
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def exponent():
        if peek() == "(":
            take()
            inner = []
            while peek() not in (None, ")"):
                inner.append(take())
            if peek() != ")":
                raise UnitsSyntaxError(f"unbalanced parentheses in units {text!r}")
            take()
            t = "".join(inner)
        else:
            t = take() if peek() is not None else ""
        try:
            return Fraction(t.replace(" ", "")).limit_denominator(1000)
        except (ValueError, ZeroDivisionError):
            raise UnitsSyntaxError(f"cannot read the exponent in units {text!r}") from None

    def factor():
        t = peek()
        if t is None:
            raise UnitsSyntaxError(f"units {text!r} end too early")
        if t == "(":
            take()
            u = expr()
            if peek() != ")":
                raise UnitsSyntaxError(f"unbalanced parentheses in units {text!r}")
            take()
        elif t in ("*", "/", "^", ")"):
            raise UnitsSyntaxError(f"unexpected {t!r} in units {text!r}")
        else:
            take()
            u = Unit() if _NUMBER.match(t) else Unit.of(t)
        if peek() == "^":
            take()
            u = u ** exponent()
        return u

    def expr():
        u = factor()
        while peek() in ("*", "/"):
            op = take()
            v = factor()
            u = u * v if op == "*" else u / v
        return u

    if not toks:
        return Unit()
    out = expr()
    if peek() is not None:
        raise UnitsSyntaxError(f"unexpected {peek()!r} in units {text!r}")
    return out


@dataclass(frozen=True, slots=True)
class UnitProblem:
    """One dimensionally inconsistent equation.

    ``str()`` is one line: ``file:line: 'var': message``.
    """

    location: Location
    variable: str
    expected: str
    found: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: '{self.variable}': {self.message}"


class _Num:
    """A number literal: adapts to the other operand in sums, dimensionless in products."""

    def __init__(self, value=None):
        self.value = value


_UNKNOWN = object()


class _Mismatch(Exception):
    def __init__(self, expected, found, message):
        super().__init__(message)
        self.expected, self.found, self.message = str(expected), str(found), message


class _Checker:
    def __init__(self, model: Model, time_unit: Unit | None):
        self.m = model
        self.time = time_unit
        self.declared: dict[str, object] = {}
        self.bad_decl: dict[str, str] = {}
        self.consts = {e.key: e for e in model.elements if e.kind is ElementKind.CONSTANT}
        for e in model.elements:
            if not e.units.strip():
                self.declared[e.key] = _UNKNOWN
                continue
            try:
                self.declared[e.key] = parse_units(e.units)
            except UnitsSyntaxError as err:
                self.declared[e.key] = _UNKNOWN
                self.bad_decl[e.key] = str(err)

    # -- algebra of inferred types ---------------------------------------------------
    def same(self, a, b, what: str):
        """Result of an operation needing equal units (+, -, MIN, branches)."""
        if a is _UNKNOWN or b is _UNKNOWN:
            return _UNKNOWN
        if isinstance(a, _Num):
            return b
        if isinstance(b, _Num):
            return a
        if a != b:
            raise _Mismatch(a, b, f"{what} '{a}' and '{b}', which must have equal units")
        return a

    @staticmethod
    def mul(a, b, div=False):
        if a is _UNKNOWN or b is _UNKNOWN:
            return _UNKNOWN
        if isinstance(a, _Num) and isinstance(b, _Num):
            return _Num()
        ua = Unit() if isinstance(a, _Num) else a
        ub = Unit() if isinstance(b, _Num) else b
        return ua / ub if div else ua * ub

    def dimensionless(self, a, fname: str):
        if a is _UNKNOWN or isinstance(a, _Num) or a.dimensionless:
            return
        raise _Mismatch(Unit(), a, f"{fname} needs a dimensionless argument, found '{a}'")

    # -- inference ---------------------------------------------------------------------
    def infer(self, node):
        if isinstance(node, (bool, int, float, np.number)):
            return _Num(float(node))
        if isinstance(node, np.ndarray):
            return _Num()
        if isinstance(node, ae.ReferenceStructure):
            key = name_key(node.reference)
            if key in ("time", "time_step", "initial_time", "final_time", "saveper"):
                return self.time if self.time is not None else _UNKNOWN
            return self.declared.get(key, _UNKNOWN)
        if isinstance(node, ae.ArithmeticStructure):
            return self.arith(node)
        if isinstance(node, ae.LogicStructure):
            for a in node.arguments:
                self.infer(a)
            return Unit()
        if isinstance(node, ae.CallStructure):
            return self.call(node)
        if isinstance(node, ae.InlineLookupsStructure):
            self.infer(node.argument)
            return _UNKNOWN  # WITH LOOKUP gives the units of the variable it defines
        if isinstance(node, (ae.SmoothStructure, ae.SmoothNStructure, ae.DelayStructure,
                             ae.DelayNStructure, ae.DelayFixedStructure)):
            x = self.infer(node.input)
            tau = getattr(node, "smooth_time", None) if hasattr(node, "smooth_time") \
                else node.delay_time
            self.is_time(self.infer(tau), "the delay/smoothing time")
            return self.same(x, self.infer(node.initial), "the input and initial value have")
        if isinstance(node, ae.TrendStructure):
            self.infer(node.input)
            self.is_time(self.infer(node.average_time), "the average time")
            return Unit() / self.time if self.time is not None else _UNKNOWN
        if isinstance(node, ae.ForecastStructure):
            x = self.infer(node.input)
            self.is_time(self.infer(node.average_time), "the average time")
            return x
        if isinstance(node, ae.SampleIfTrueStructure):
            self.infer(node.condition)
            return self.same(self.infer(node.input), self.infer(node.initial),
                             "the input and initial value have")
        if isinstance(node, ae.InitialStructure):
            return self.infer(node.initial)
        return _UNKNOWN

    def is_time(self, u, what):
        if self.time is None or u is _UNKNOWN or isinstance(u, _Num):
            return
        if u != self.time:
            raise _Mismatch(self.time, u, f"{what} has units '{u}', expected the time unit "
                                          f"'{self.time}'")

    def arith(self, node):
        ops = list(node.operators)
        args = list(node.arguments)
        if len(args) == 1:
            return self.infer(args[0])  # unary minus / :NOT:
        acc = self.infer(args[0])
        for op, arg in zip(ops, args[1:]):
            b = self.infer(arg)
            if op in ("+", "-"):
                acc = self.same(acc, b, "adds" if op == "+" else "subtracts")
            elif op in ("*", "/"):
                acc = self.mul(acc, b, div=op == "/")
            elif op == "^":
                acc = self.power(acc, b, arg)
            else:  # comparisons
                self.same(acc, b, "compares")
                acc = Unit()
        return acc

    def power(self, base, exp_type, exp_node):
        value = self.literal(exp_node)
        if base is _UNKNOWN:
            return _UNKNOWN
        if isinstance(base, _Num):
            return _Num()
        if value is not None:
            return base ** value
        if base.dimensionless:
            return Unit()
        raise _Mismatch(base, exp_type, f"raises '{base}' to a power that is not a number")

    def literal(self, node):
        if isinstance(node, (bool, int, float, np.number)):
            return float(node)
        if isinstance(node, ae.ArithmeticStructure) and list(node.operators) == ["negative"]:
            v = self.literal(node.arguments[0])
            return None if v is None else -v
        if isinstance(node, ae.ArithmeticStructure) and len(node.arguments) == 2:
            a, b = (self.literal(x) for x in node.arguments)
            if a is not None and b is not None and node.operators[0] in "+-*/":
                try:
                    return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[node.operators[0]]
                except ZeroDivisionError:
                    return None
        return None

    def call(self, node):
        fname = name_key(node.function.reference)
        el = self.m_lookup(fname)
        args = list(node.arguments)
        if el is not None:
            for a in args:
                self.infer(a)
            return self.declared.get(el.key, _UNKNOWN)
        t = [self.infer(a) for a in args] if fname not in ("lookup_extrapolate",
                                                           "lookup_forward",
                                                           "lookup_backward") else None
        if t is None:
            self.infer(args[1])
            ref = args[0]
            key = name_key(ref.reference) if isinstance(ref, ae.ReferenceStructure) else ""
            return self.declared.get(key, _UNKNOWN)
        if fname in ("exp", "ln", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh",
                     "cosh", "tanh"):
            self.dimensionless(t[0], fname.upper())
            return Unit()
        if fname == "log":
            self.dimensionless(t[0], "LOG")
            self.dimensionless(t[1], "LOG")
            return Unit()
        if fname == "sqrt":
            return self.power(t[0], _Num(0.5), 0.5)
        if fname == "power":
            return self.power(t[0], t[1], args[1])
        if fname in ("min", "max"):
            return self.same(t[0], t[1], f"{fname.upper()} of")
        if fname == "if_then_else":
            return self.same(t[1], t[2], "IF THEN ELSE branches have")
        if fname in ("abs", "integer", "sum", "vmin", "vmax"):
            return t[0]
        if fname in ("quantum", "modulo"):
            return self.same(t[0], t[1], f"{fname.upper()} of")
        if fname == "zidz":
            return self.mul(t[0], t[1], div=True)
        if fname == "xidz":
            return self.same(self.mul(t[0], t[1], div=True), t[2], "XIDZ's ratio and fallback have")
        if fname == "step":
            self.is_time(t[1], "STEP's start time")
            return t[0]
        if fname == "ramp":
            for x in t[1:]:
                self.is_time(x, "RAMP's times")
            return self.mul(t[0], self.time, div=False) if self.time is not None else _UNKNOWN
        if fname in ("pulse", "pulse_train"):
            return Unit()
        if fname == "active_initial":
            return self.same(t[0], t[1], "ACTIVE INITIAL's active and initial values have")
        if fname == "random_uniform":
            return self.same(t[0], t[1], "RANDOM UNIFORM's bounds have")
        if fname == "random_normal":
            return self.same(t[0], t[1], "RANDOM NORMAL's bounds have")
        if fname in ("random_exponential", "random_triangular", "random_weibull", "random_gamma",
                     "random_beta", "random_poisson", "random_binomial",
                     "random_negative_binomial"):
            shown = fname.upper().replace("_", " ")
            return self.same(t[0], t[1], f"{shown}'s bounds have")
        if fname == "random_lookup" and len(t) >= 3:
            return self.same(t[1], t[2], "RANDOM LOOKUP's bounds have")
        if fname in ("random_0_1", "pi"):
            return Unit()
        if fname == "prod":
            return t[0] if (t[0] is not _UNKNOWN and not isinstance(t[0], _Num)
                            and t[0].dimensionless) else _UNKNOWN
        return _UNKNOWN

    def m_lookup(self, key):
        for e in self.m.elements:
            if e.key == key and e.kind is ElementKind.LOOKUP:
                return e
        return None

    # -- per element -------------------------------------------------------------------
    def check(self, e) -> list[UnitProblem]:
        if e.key in self.bad_decl:
            return [UnitProblem(e.location, e.name, "", e.units, self.bad_decl[e.key])]
        want = self.declared.get(e.key, _UNKNOWN)
        if want is _UNKNOWN or e.kind in (ElementKind.CONSTANT, ElementKind.LOOKUP,
                                          ElementKind.DATA):
            return []
        for comp in e.components:
            try:
                if isinstance(comp.ast, ae.IntegStructure):
                    flow = self.infer(comp.ast.flow)
                    init = self.infer(comp.ast.initial)
                    if self.time is not None:
                        self.compare(flow, want / self.time, "the net flow gives '{f}', expected "
                                                             "'{w}' (stock units per time unit)")
                    self.compare(init, want, "the initial value gives '{f}', expected '{w}'")
                else:
                    got = self.infer(comp.ast)
                    self.compare(got, want, "declared units '{w}' but the equation gives '{f}'")
            except _Mismatch as mm:
                return [UnitProblem(e.location, e.name, mm.expected, mm.found, mm.message)]
        return []

    @staticmethod
    def compare(got, want, message):
        if got is _UNKNOWN or isinstance(got, _Num):
            return
        if got != want:
            raise _Mismatch(want, got, message.format(w=want, f=got))


def model_time_unit(model: Model) -> Unit | None:
    """The model's time unit, read from the units of TIME STEP (or FINAL/INITIAL TIME).

    Returns
    -------
    Unit or None
        None if the model file does not declare one (or cannot be read).

    Raises
    ------
    None
        An unreadable file or unit string gives None.
    """
    path = Path(model.path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    if path.suffix.lower() == ".mdl":
        from .locate import vensim_definitions
        _, _, texts = vensim_definitions(text)
        for key in ("time_step", "final_time", "initial_time"):
            for body in texts.get(key, []):
                parts = body.split("~")
                if len(parts) > 1:
                    units = re.sub(r"\[.*", "", parts[1]).strip()
                    if units:
                        try:
                            return parse_units(units)
                        except UnitsSyntaxError:
                            return None
        return None
    m = re.search(r'time_units\s*=\s*"([^"]*)"', text)
    if m and m.group(1).strip():
        try:
            return parse_units(m.group(1))
        except UnitsSyntaxError:
            return None
    return None


def check_units(model: Model, *, time_unit: str | None = None) -> list[UnitProblem]:
    """Check every equation's units against its declared units.

    Parameters
    ----------
    model : Model
    time_unit : str, optional
        The model's time unit; by default the units of TIME STEP in the model file.

    Returns
    -------
    list of UnitProblem
        One per inconsistent equation, in model order; empty if consistent.
        Variables without declared units are skipped, not reported.

    Raises
    ------
    UnitsSyntaxError
        If ``time_unit`` itself cannot be parsed.
    """
    tu = parse_units(time_unit) if time_unit is not None else model_time_unit(model)
    checker = _Checker(model, tu)
    out: list[UnitProblem] = []
    for e in model.elements:
        out.extend(checker.check(e))
    return out
