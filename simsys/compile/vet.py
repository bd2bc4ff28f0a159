"""Prove generated code is made only of simsys's own vocabulary before it is compiled.

Generated Python (numpy functions) and generated C are built from
identifiers the generators make (``y3``, ``v7``, ``_d2``...), a fixed set of runtime
names and numeric literals. The checks below accept exactly that: every name is on an
allow-list (numbered locals by a pattern that cannot match a dunder or a library name),
runtime names can be read but never rebound, the only attribute access is a fixed set of
numpy functions, the only literals are numbers, and every syntax node is one the
generators emit. They raise :class:`GeneratedCodeError` (not ``assert``), so they hold
under ``python -O`` too.

A failure is a bug in simsys (or tampering), never something a model file can cause: a
model's names, units and documentation never reach generated text.
"""
from __future__ import annotations

import ast
import re

from ..errors import SimsysError

__all__ = ["GeneratedCodeError", "check_source", "check_c_source", "PY_RUNTIME", "C_RUNTIME"]


class GeneratedCodeError(SimsysError):
    """Generated code contains something outside simsys's vocabulary (a simsys bug)."""


# -- Python ---------------------------------------------------------------------------------
#: runtime names generated code may read (never assign): numpy runtime, tables
PY_RUNTIME = frozenset({
    # simsys.compile.runtime.NAMESPACE
    "_xidz", "_zidz", "_quantum", "_modulo", "_ramp", "_xpulse", "_xpulse_train", "_pulse",
    "_pulse_train", "_lookup", "_random_uniform", "_random_normal", "_random_0_1", "_inf", "_nan",
    "_T", "_allocate_available", "_allocate_by_priority", "_random_exponential", "_matinv",
    "_random_triangular", "_random_weibull", "_random_poisson", "_random_binomial",
    "_random_negative_binomial", "_random_gamma", "_random_beta", "_random_lookup",
    # simsys.compile.runtime helpers and constant tuples of the grouped generator (vectorize)
    "_buf", "_sum", "_prod", "_vmin", "_vmax", "_I", "_K",
})
#: the only module whose attributes generated code may use, and those attributes
_NP = "_np"
_NP_ATTRS = frozenset({
    "abs", "exp", "log", "sqrt", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh",
    "cosh", "tanh", "trunc", "power", "minimum", "maximum", "where", "logical_and",
    "logical_or", "logical_not", "float64", "empty", "full", "zeros",
})
#: arguments and fixed locals of the generated functions
_PY_LOCALS = frozenset({
    "t", "dt", "k", "P", "S", "Y", "Z", "D", "A", "ZN", "F", "save",
    "_acc", "_b", "_bad", "_fs", "_i", "_j", "_key", "_s", "_st", "_ya", "_va", "_y", "_v",
    "_z", "_d", "_zn", "_pr", "_tx", "_ty", "_times", "_saves", "_nt", "_nb", "_sy", "_sv",
    "_sp", "_nsy", "_nsv", "_nsp", "_oy", "_ov", "_op", "_status", "_fstep", "_w",
})
_NUM = r"(?:0|[1-9][0-9]{0,8})"
#: numbered locals: values (y, v, p, z) and kernel temporaries (derivative, next value,
#: delay order, ring position, ring buffer)
_PY_NUMBERED = re.compile(rf"(?:[yvpz]|_d|_zn|_o|_q|_r){_NUM}\Z")
_PY_FUNCS = re.compile(r"(?:_init|_rhs|_const|_step|_run|_one|_f)\Z")  # _f: analysis.loops
_PY_NODES = (
    ast.Module, ast.FunctionDef, ast.arguments, ast.arg, ast.Assign, ast.AugAssign, ast.Return,
    ast.Expr, ast.For, ast.If, ast.Break, ast.Name, ast.Load, ast.Store, ast.Subscript,
    ast.Tuple, ast.Constant, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
    ast.Call, ast.Attribute,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.Mod, ast.USub, ast.UAdd, ast.Not,
    ast.And, ast.Or, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is, ast.IsNot,
)


def _refuse(what: str, node=None) -> None:
    where = f" at line {node.lineno}" if getattr(node, "lineno", None) else ""
    raise GeneratedCodeError(f"generated code refused{where}: {what}")


def _is_local(name: str) -> bool:
    return name in _PY_LOCALS or _PY_NUMBERED.match(name) is not None


def check_source(src: str) -> None:
    """Refuse generated Python that holds anything but simsys's vocabulary.

    Accepted: undecorated top-level function definitions named ``_init``, ``_rhs``, ``_run``,
    ``_one`` or ``_f``; assignments to generated locals or
    to items of the argument arrays; reads of locals, of :data:`PY_RUNTIME` names and of
    the numpy functions in ``_NP_ATTRS`` through ``_np``; numeric, boolean and None literals.

    Raises
    ------
    GeneratedCodeError
        Anything else: imports, strings, dunders, attributes of anything but ``_np``,
        rebinding ``_np`` or a runtime name, keyword arguments, lambdas, unknown names.
    """
    try:
        tree = ast.parse(src)
    except SyntaxError as exc:
        raise GeneratedCodeError(f"generated code does not parse: {exc.msg} (line {exc.lineno})") from None
    np_bases = set()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            _refuse(f"top-level {type(node).__name__} (only function definitions)", node)
    for node in ast.walk(tree):
        if not isinstance(node, _PY_NODES):
            _refuse(f"{type(node).__name__} is not generated by simsys", node)
        if isinstance(node, ast.Attribute):
            if not (isinstance(node.value, ast.Name) and node.value.id == _NP):
                _refuse("attribute access on something other than _np", node)
            if node.attr not in _NP_ATTRS or not isinstance(node.ctx, ast.Load):
                _refuse(f"attribute _np.{node.attr!r}", node)
            np_bases.add(id(node.value))
        elif isinstance(node, ast.Name):
            name = node.id
            if isinstance(node.ctx, ast.Store):
                if not _is_local(name) or name in _PY_LOCALS and name[0].isupper():
                    _refuse(f"assignment to {name!r}", node)
            elif name == _NP:
                if id(node) not in np_bases:
                    _refuse("_np used other than to call one of its functions", node)
            elif not (_is_local(name) or name in PY_RUNTIME or _PY_FUNCS.match(name)):
                _refuse(f"name {name!r}", node)
        elif isinstance(node, ast.Constant):
            if not (node.value is None or type(node.value) in (bool, int, float)):
                _refuse(f"literal {type(node.value).__name__}", node)
        elif isinstance(node, ast.FunctionDef):
            if not _PY_FUNCS.match(node.name):
                _refuse(f"function name {node.name!r}", node)
            if node.decorator_list:
                _refuse("decorator", node)
            if node.returns is not None or getattr(node, "type_params", None):
                _refuse("annotation", node)
        elif isinstance(node, ast.arguments):
            if (node.vararg or node.kwarg or node.kwonlyargs or node.defaults or node.kw_defaults
                    or node.posonlyargs):
                _refuse("only plain positional parameters")
        elif isinstance(node, ast.arg):
            if not _is_local(node.arg) or node.annotation is not None:
                _refuse(f"parameter {node.arg!r}", node)
        elif isinstance(node, ast.Call):
            f = node.func
            ok = (isinstance(f, ast.Name) and (f.id in PY_RUNTIME or _PY_FUNCS.match(f.id))) or \
                isinstance(f, ast.Attribute)
            if not ok or node.keywords:
                _refuse("call of something other than a runtime or numpy function", node)
        elif isinstance(node, ast.Subscript):
            if not isinstance(node.value, ast.Name):
                _refuse("subscript of an expression", node)
        elif isinstance(node, ast.For):
            if not isinstance(node.target, ast.Name) or node.orelse:
                _refuse("for loop form", node)


# -- C --------------------------------------------------------------------------------------
#: functions and types a generated C kernel may use: C's math library and the fixed runtime
C_RUNTIME = frozenset({
    "exp", "log", "sqrt", "pow", "fabs", "fmin", "fmax", "floor", "trunc", "fmod", "sin", "cos",
    "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "isfinite", "isnan", "NAN", "INFINITY",
    "int64_t", "uint64_t", "int8_t", "size_t",
    "ss_xidz", "ss_zidz", "ss_quantum", "ss_modulo", "ss_ramp", "ss_ramp2", "ss_pulse",
    "ss_pulse_train", "ss_xpulse", "ss_xpulse_train", "ss_interp", "ss_extrap", "ss_holdb", "ss_lookf",
    "ss_between",
    "ss_u01", "ss_normal", "ss_delay_order", "ss_ite", "ss_min", "ss_max", "ss_alloc_avail",
    "ss_alloc_prio", "erfc", "ss_exponential", "ss_matinv",
    "ss_triangular", "ss_weibull", "ss_poisson", "ss_binomial", "ss_nbinomial",
    "ss_gamma", "ss_beta", "ss_rlookup",
})
_C_KEYWORDS = frozenset({"double", "int", "long", "unsigned", "char", "const", "static", "void",
                         "for", "if", "else", "return", "break", "continue", "while", "restrict",
                         "inline"})
_C_LOCAL = re.compile(rf"(?:[yvpzdfgtkbijnsw]|zn|tx|ty|tab|ny|nv|nb|nt|off|st|out|acc|key){_NUM}?\Z")
_C_FUNCS = re.compile(rf"(?:sim_(?:init|rhs|run|aux|levels|step|report)(?:_{_NUM})?)\Z")
_C_INCLUDES = frozenset({"#include <math.h>", "#include <stdint.h>", "#include <stddef.h>"})
_C_TOKEN = re.compile(r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>/\*(?:[^*]|\*(?!/))*\*/)
  | (?P<num>0[xX][0-9a-fA-F]+[uUlL]{0,3}|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[uUlLfF]{0,3})
  | (?P<ident>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<punct>\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||\+=|-=|\*=|/=|[-+*/%<>=!&|^~?:;,(){}\[\]])
""", re.VERBOSE)


def check_c_source(src: str, names: frozenset[str] = frozenset()) -> None:
    """Refuse generated C that holds anything but simsys's vocabulary.

    Accepted tokens: whitespace; ``/* ... */`` comments (they end at the first ``*/``, so a
    comment cannot smuggle code); the include lines in ``_C_INCLUDES``, each on its own line;
    numeric literals; C keywords from a fixed set; generated locals (``y12``, ``acc``...);
    function names ``sim_*``; the :data:`C_RUNTIME` names; the exact ``names`` the generator
    passes; operators and punctuation. Not accepted: strings, characters, any other
    preprocessor line, ``//`` comments (their text would be read as code), backslashes,
    trigraphs, ``.`` and ``->`` member access, ``asm``, ``__attribute__`` or any identifier outside the lists.

    Raises
    ------
    GeneratedCodeError
        The first token outside that vocabulary, with its line.
    """
    if "??" in src or "\\" in src:
        # both act before tokens exist (trigraphs, line splicing): refuse them anywhere
        raise GeneratedCodeError("generated C refused: trigraph or backslash")
    lines = []
    for line in src.split("\n"):
        if line.lstrip().startswith("#"):
            if line.strip() not in _C_INCLUDES:
                raise GeneratedCodeError(f"generated C refused: preprocessor line {line.strip()[:40]!r}")
            line = ""
        lines.append(line)
    text = "\n".join(lines)
    pos = 0
    while pos < len(text):
        m = _C_TOKEN.match(text, pos)
        if m is None:
            line = text.count("\n", 0, pos) + 1
            raise GeneratedCodeError(f"generated C refused at line {line}: {text[pos:pos + 20]!r}")
        if m.lastgroup == "ident":
            word = m.group()
            if not (word in _C_KEYWORDS or word in C_RUNTIME or word in names
                    or _C_LOCAL.match(word) or _C_FUNCS.match(word)) or word.startswith("__"):
                line = text.count("\n", 0, pos) + 1
                raise GeneratedCodeError(f"generated C refused at line {line}: identifier {word!r}")
        pos = m.end()
