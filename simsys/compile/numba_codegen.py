"""Generate one numba kernel that runs a chunk of scenarios through the whole Euler loop.

The kernel is scenario-outermost (``for _b in _prange(_nb)``): each scenario keeps its
variables in scalar locals (``y3``, ``v7``, ``z0``...) and runs every time step while they
sit in registers and cache. Every operation is the one the numpy code performs, in the
same order, so the two backends agree to the bit wherever they call the same arithmetic.

Like :mod:`.codegen`, the source holds only identifiers made here and numeric literals;
:func:`.codegen.check_source` vets it before it is written or imported.
"""
from __future__ import annotations


from .codegen import _OPS, check_source, num
from .codegen import _call as _numpy_call
from .ir import refs, walk
from .lower import Layout

__all__ = ["HEADER", "is_big", "kernel_source", "unsupported_reason"]

#: fixed preamble of every generated module (not derived from any model)
HEADER = '''"""simsys generated numba kernel; regenerated from the model, do not edit."""
import numpy as _np
from numba import njit as _njit, prange as _prange
from simsys.compile.numba_runtime import *  # noqa: F401,F403
from simsys.compile.numba_runtime import _xidz, _zidz, _quantum, _modulo, _ramp, _ramp2, _xpulse
from simsys.compile.numba_runtime import _xpulse_train, _pulse, _pulse_train, _ite, _min, _max, _land
from simsys.compile.numba_runtime import _lor, _interp, _extrap, _holdb, _lookf, _u01, _delay_order, _nan, _inf
_jit = _njit(parallel=True, cache=True, fastmath=False, error_model="numpy", nogil=True)
_jit1 = _njit(cache=True, fastmath=False, error_model="numpy", nogil=True)
_range = range
# ---- generated ----
'''

_ARR = {"y": "_y", "v": "_v", "p": "_pr", "z": "_z"}
#: models with more variables than this get the segmented kernel (:mod:`.numba_segmented`);
#: numba's compile time grows faster than linearly with the size of one function (one
#: 1,400-variable function did not compile in 15 minutes)
SCALAR_LIMIT = 400
_LOOKUP = {"interpolate": "_interp", "extrapolate": "_extrap", "hold_backward": "_holdb", "look_forward": "_lookf"}


def unsupported_reason(L: Layout) -> str | None:
    """Why the numba backend cannot run this layout (None when it can)."""
    for e in list(L.v_expr) + list(L.y_ddt) + list(L.y_init) + list(L.z_next) + list(L.z_init) \
            + [d for d in L.z_delay if d is not None]:
        for n in walk(e):
            if n[0] == "rand" and n[1] not in ("random_uniform", "random_0_1"):
                return f"{n[1].upper()} (its inverse normal CDF comes from scipy)"
    for _, _, mode in L.tables:
        if mode not in _LOOKUP:
            return f"lookup mode {mode!r}"
    return None


class _Expr:
    """IR node -> scalar numba source; ``offsets`` place each table in the flat arrays."""

    def __init__(self, offsets, init=False, arrays=False):
        self.offsets = offsets
        self.init = init
        self.arrays = arrays  # refs as _y[i], _v[i], _pr[i], _z[i] instead of scalar locals

    def __call__(self, n) -> str:
        tag = n[0]
        if tag == "num":
            return num(n[1])
        if tag == "ref":
            if self.arrays:
                return f"{_ARR[n[1]]}[{int(n[2])}]"
            return f"{n[1]}{n[2]}"
        if tag == "time":
            return "t"
        if tag == "dt":
            return "dt"
        if tag == "chain":
            parts = [self(a) for a in n[2]]
            out = parts[0]
            for op, p in zip(n[1], parts[1:]):
                out += f" {_OPS[op]} {p}"
            return f"({out})"
        if tag == "neg":
            return f"(-{self(n[1])})"
        if tag == "not":
            return f"(not {self(n[1])})"
        if tag == "and":
            return f"_land({self(n[1])}, {self(n[2])})"
        if tag == "or":
            return f"_lor({self(n[1])}, {self(n[2])})"
        if tag == "ainit":
            return self(n[2] if self.init else n[1])
        if tag == "lookup":
            xs_off, size, mode = self.offsets[int(n[1])]
            return f"{_LOOKUP[mode]}({self(n[2])}, _tx, _ty, {xs_off}, {size})"
        if tag == "rand":
            u = f"_u01(_key, {int(n[2])}, k)"
            if n[1] == "random_0_1":
                return u
            lo, hi = self(n[3][0]), self(n[3][1])
            return f"({lo} + ({hi} - {lo}) * {u})"
        if tag == "call":
            return self.call(n[1], [self(a) for a in n[2]])
        raise AssertionError(f"unknown IR node {tag}")

    @staticmethod
    def call(name, a):
        # scalar forms where numpy's differ; every other function shares codegen's template
        if name in ("min", "max"):
            return f"_{name}({a[0]}, {a[1]})"
        if name == "if_then_else":
            return f"_ite({a[0]}, {a[1]}, {a[2]})"
        if name == "ramp":
            return f"_ramp2(t, {', '.join(a)})" if len(a) == 3 else f"_ramp(t, {a[0]}, {a[1]})"
        return _numpy_call(name, a)


def table_offsets(L: Layout):
    """(offset, size, mode) of each lookup table in the concatenated x / y arrays."""
    out, off = [], 0
    for xs, _, mode in L.tables:
        out.append((off, int(len(xs)), mode))
        off += int(len(xs))
    return out


def _needed_aux(L: Layout) -> set[int]:
    """Auxiliaries the derivatives and discrete updates depend on (others only feed outputs)."""
    todo = set()
    for e in list(L.y_ddt) + list(L.z_next):
        todo |= refs(e, "v", initial=False)
    seen = set()
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        todo |= refs(L.v_expr[i], "v", initial=False) - seen
    return seen


def is_big(L: Layout) -> bool:
    """Whether the model gets the segmented kernel (slow to compile the first time)."""
    return len(L.y_label) + len(L.v_label) + len(L.z_label) > SCALAR_LIMIT


def kernel_source(L: Layout, aux_order, init_nodes) -> str:
    """Source (without :data:`HEADER`) of the kernel ``_run``; see :func:`_scalar_source`."""
    if is_big(L):
        from .numba_segmented import segmented_source
        return segmented_source(L, aux_order, init_nodes)
    return _scalar_source(L, aux_order, init_nodes)


_RUN = ["@_jit",
        "def _run(P, S, _tx, _ty, _times, _saves, dt, _nt, _nb, _sy, _sv, _sp, _nsy, _nsv, _nsp,",
        "         _oy, _ov, _op, _status, _fstep):",
        "    for _b in _prange(_nb):",
        "        _one(_b, P, S, _tx, _ty, _times, _saves, dt, _nt, _sy, _sv, _sp, _nsy, _nsv, _nsp,",
        "             _oy, _ov, _op, _status, _fstep)",
        "    return None", "", ""]


def _scalar_source(L: Layout, aux_order, init_nodes) -> str:
    """Source (without :data:`HEADER`) of ``_run``, checked by :func:`.codegen.check_source`.

    ``_run(P, S, _tx, _ty, _times, _saves, dt, _nt, _nb, _sy, _sv, _sp, _nsy, _nsv, _nsp,
    _oy, _ov, _op, _status, _fstep)`` runs ``_nb`` scenarios: ``P[b, i]`` parameters, ``S[b]``
    random keys, ``_times``/``_saves`` the schedule, ``_sy``/``_sv``/``_sp`` the saved rows and
    ``_oy[b, s, j]`` (likewise ``_ov``, ``_op``) the outputs. ``_status[b]`` becomes 1 when a
    scenario's values stop being finite (``_fstep[b]``: the grid index when a saved auxiliary
    or an initial value was the first, -1 when only the final state shows it); the caller
    reruns such scenarios through numpy.
    """
    offsets = table_offsets(L)
    ex, ex0 = _Expr(offsets), _Expr(offsets, init=True)
    ny, nv, nz = len(L.y_label), len(L.v_label), len(L.z_label)
    fixed = [j for j, kind in enumerate(L.z_kind) if kind == "fixed"]
    needed = _needed_aux(L)
    used_p = set()
    for e in list(L.v_expr) + list(L.y_ddt) + list(L.y_init) + list(L.z_next) + list(L.z_init) \
            + [d for d in L.z_delay if d is not None]:
        used_p |= refs(e, "p")

    o = []
    w = o.append
    # the prange body stays tiny: numba's parallel passes grow much faster than linearly
    # with the size of the loop body, so one scenario's run is a plain function of its own
    w("@_jit")
    w("def _run(P, S, _tx, _ty, _times, _saves, dt, _nt, _nb, _sy, _sv, _sp, _nsy, _nsv, _nsp,")
    w("         _oy, _ov, _op, _status, _fstep):")
    w("    for _b in _prange(_nb):")
    w("        _one(_b, P, S, _tx, _ty, _times, _saves, dt, _nt, _sy, _sv, _sp, _nsy, _nsv, _nsp,")
    w("             _oy, _ov, _op, _status, _fstep)")
    w("    return None")
    w("")
    w("")
    w("@_jit1")
    w("def _one(_b, P, S, _tx, _ty, _times, _saves, dt, _nt, _sy, _sv, _sp, _nsy, _nsv, _nsp,")
    w("         _oy, _ov, _op, _status, _fstep):")
    w("    if True:")
    I1, I2, I3 = " " * 8, " " * 12, " " * 16
    w(I1 + "_key = S[_b]")
    w(I1 + "t = _times[0]")
    w(I1 + "k = 0")
    w(I1 + "_st = 0")
    w(I1 + "_fs = -1")
    w(I1 + f"_ya = _np.empty({max(ny, 1)})")
    w(I1 + f"_va = _np.empty({max(nv, 1)})")
    for i in sorted(used_p):
        w(I1 + f"p{i} = P[_b, {i}]")
    # initial values, in dependency order
    for slot, i in init_nodes:
        e = {"v": L.v_expr, "y": L.y_init, "z": L.z_init}[slot][i]
        w(I1 + f"{slot}{i} = _np.float64({ex0(e)})")
    for j in fixed:
        w(I1 + f"_o{j} = _delay_order({ex0(L.z_delay[j])}, dt)")
        w(I1 + f"_r{j} = _np.empty(_o{j})")
        w(I1 + f"for _j in _range(_o{j}):")
        w(I2 + f"_r{j}[_j] = z{j}")
        w(I1 + f"_q{j} = 0")
    # stocks not reached by init_order (none expected) still need a value
    for i in range(ny):
        if ("y", i) not in init_nodes:
            w(I1 + f"y{i} = _nan")
    if ny or nz:
        # x * 0.0 is 0 for finite x and NaN otherwise: one sum flags any non-finite value
        w(I1 + "_acc = 0.0")
        for name in [f"y{i}" for i in range(ny)] + [f"z{j}" for j in range(nz)]:
            w(I1 + f"_acc += {name} * 0.0")
        w(I1 + "if _acc != 0.0:")
        w(I2 + "_st = 1")
        w(I2 + "_fs = 0")
        for i in range(ny):
            w(I2 + f"y{i} = _nan")

    def aux(indices, ind):
        for i in aux_order:
            if i in indices:
                w(ind + f"v{i} = _np.float64({ex(L.v_expr[i])})")

    def record(ind):
        for i in range(ny):
            w(ind + f"_ya[{i}] = y{i}")
        for i in range(nv):
            w(ind + f"_va[{i}] = v{i}")
        w(ind + "for _j in _range(_nsy):")
        w(ind + "    _oy[_b, _s, _j] = _ya[_sy[_j]]")
        w(ind + "for _j in _range(_nsv):")
        w(ind + "    _ov[_b, _s, _j] = _va[_sv[_j]]")
        w(ind + "for _j in _range(_nsp):")
        w(ind + "    _op[_b, _s, _j] = P[_b, _sp[_j]]")
        w(ind + "_s += 1")

    rest = set(range(nv)) - needed
    w(I1 + "_s = 0")
    w(I1 + "for _i in _range(_nt):")
    w(I2 + "t = _times[_i]")
    w(I2 + "if _i == _nt - 1:")
    w(I3 + "if _saves[_i]:")
    aux(set(range(nv)), I3 + "    ")
    record(I3 + "    ")
    w(I3 + "break")
    aux(needed, I2)
    for i, e in enumerate(L.y_ddt):
        w(I2 + f"_d{i} = _np.float64({ex(e)})")
    for j, e in enumerate(L.z_next):
        w(I2 + f"_zn{j} = _np.float64({ex(e)})")
    w(I2 + "_bad = False")
    w(I2 + "if _saves[_i]:")
    aux(rest, I3)
    record(I3)
    if nv:
        w(I3 + "if _st == 0:")
        w(I3 + "    _acc = 0.0")
        for i in range(nv):
            w(I3 + f"    _acc += v{i} * 0.0")
        w(I3 + "    if _acc != 0.0:")
        w(I3 + "        _st = 1")
        w(I3 + "        _fs = _i")
        w(I3 + "        _bad = True")
    for i in range(ny):
        w(I2 + f"y{i} = y{i} + _d{i} * dt")
    if ny:
        w(I2 + "if _bad:")
        for i in range(ny):
            w(I3 + f"y{i} = _nan")
    for i in range(ny):
        if L.y_nonneg[i]:
            w(I2 + f"if y{i} < 0.0:")
            w(I3 + f"y{i} = 0.0")
    for j, kind in enumerate(L.z_kind):
        if kind == "sample":
            w(I2 + f"z{j} = _zn{j}")
    for j in fixed:
        w(I2 + f"_r{j}[_q{j}] = _zn{j}")
        w(I2 + f"_q{j} = (_q{j} + 1) % _o{j}")
        w(I2 + f"z{j} = _r{j}[_q{j}]")
    w(I2 + "k += 1")
    if ny:
        # once non-finite a stock stays so (the non-negative clamp comes before numpy's own
        # check), so one look at the end finds every scenario numpy flags during the run
        w(I1 + "if _st == 0:")
        w(I2 + "_acc = 0.0")
        for i in range(ny):
            w(I2 + f"_acc += y{i} * 0.0")
        w(I2 + "if _acc != 0.0:")
        w(I2 + "    _st = 1")
    w(I1 + "_status[_b] = _st")
    w(I1 + "_fstep[_b] = _fs")
    w("    return None")
    src = "\n".join(o) + "\n"
    check_source(src)
    return src
