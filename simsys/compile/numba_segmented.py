"""The numba kernel for big models: per-scenario arrays, equations in small functions.

numba's compile time grows much faster than linearly with the size of one function, so a
model past :data:`.numba_codegen.SCALAR_LIMIT` variables keeps its values in arrays
(``_y[i]``, ``_v[i]``...) and its equations in functions of :data:`SEGMENT` statements.
"""
from __future__ import annotations

from .codegen import check_source
from .lower import Layout
from .numba_codegen import _ARR, _RUN, _Expr, _needed_aux, table_offsets

__all__ = ["segmented_source", "SEGMENT"]

#: statements per generated function
SEGMENT = 80


def segmented_source(L: Layout, aux_order, init_nodes) -> str:
    """The kernel for big models: state in per-scenario arrays, equations in small functions.

    Same operations in the same order as :func:`_scalar_source`; only where values live
    (array slots instead of locals) differs, which does not change any result.
    """
    offsets = table_offsets(L)
    ex, ex0 = _Expr(offsets, arrays=True), _Expr(offsets, init=True, arrays=True)
    ny, nv, nz = len(L.y_label), len(L.v_label), len(L.z_label)
    fixed = [j for j, kind in enumerate(L.z_kind) if kind == "fixed"]
    needed = _needed_aux(L)
    rest = set(range(nv)) - needed
    o = list(_RUN)
    w = o.append
    segs = []
    args = "(t, dt, k, _key, _pr, _y, _v, _z, _d, _zn, _tx, _ty)"

    def segment(stmts):
        names = []
        for lo in range(0, len(stmts), SEGMENT):
            name = f"_seg{len(segs)}"
            segs.append(name)
            names.append(name)
            w("@_jit1")
            w(f"def {name}{args}:")
            o.extend("    " + st for st in stmts[lo:lo + SEGMENT])
            w("    return None")
            w("")
        return names

    init = []
    for slot, i in init_nodes:
        e = {"v": L.v_expr, "y": L.y_init, "z": L.z_init}[slot][i]
        init.append(f"{_ARR[slot]}[{i}] = _np.float64({ex0(e)})")
    for j in fixed:
        init.append(f"_d[{j}] = _np.float64({ex0(L.z_delay[j])})")  # delay time, read once
    s_init = segment(init)
    s_need = segment([f"_v[{i}] = _np.float64({ex(L.v_expr[i])})" for i in aux_order if i in needed]
                     + [f"_d[{i}] = _np.float64({ex(e)})" for i, e in enumerate(L.y_ddt)]
                     + [f"_zn[{j}] = _np.float64({ex(e)})" for j, e in enumerate(L.z_next)])
    s_rest = segment([f"_v[{i}] = _np.float64({ex(L.v_expr[i])})" for i in aux_order if i in rest])
    s_last = segment([f"_v[{i}] = _np.float64({ex(L.v_expr[i])})" for i in aux_order])

    I1, I2, I3 = " " * 4, " " * 8, " " * 12
    call = args.replace("(", "(", 1)
    w("@_jit1")
    w("def _one(_b, P, S, _tx, _ty, _times, _saves, dt, _nt, _sy, _sv, _sp, _nsy, _nsv, _nsp,")
    w("         _oy, _ov, _op, _status, _fstep):")
    w(I1 + "_key = S[_b]")
    w(I1 + "_pr = P[_b]")
    w(I1 + "t = _times[0]")
    w(I1 + "k = 0")
    w(I1 + "_st = 0")
    w(I1 + "_fs = -1")
    w(I1 + f"_y = _np.full({max(ny, 1)}, _nan)")
    w(I1 + f"_v = _np.empty({max(nv, 1)})")
    w(I1 + f"_z = _np.empty({max(nz, 1)})")
    w(I1 + f"_d = _np.empty({max(ny, nz, 1)})")
    w(I1 + f"_zn = _np.empty({max(nz, 1)})")
    for name in s_init:
        w(I1 + f"{name}{call}")
    for j in fixed:
        w(I1 + f"_o{j} = _delay_order(_d[{j}], dt)")
        w(I1 + f"_r{j} = _np.empty(_o{j})")
        w(I1 + f"for _j in _range(_o{j}):")
        w(I2 + f"_r{j}[_j] = _z[{j}]")
        w(I1 + f"_q{j} = 0")
    w(I1 + "_acc = 0.0")
    w(I1 + f"for _j in _range({ny}):")
    w(I2 + "_acc += _y[_j] * 0.0")
    w(I1 + f"for _j in _range({nz}):")
    w(I2 + "_acc += _z[_j] * 0.0")
    w(I1 + "if _acc != 0.0:")
    w(I2 + "_st = 1")
    w(I2 + "_fs = 0")
    w(I2 + f"for _j in _range({ny}):")
    w(I3 + "_y[_j] = _nan")

    def record(ind):
        w(ind + "for _j in _range(_nsy):")
        w(ind + "    _oy[_b, _s, _j] = _y[_sy[_j]]")
        w(ind + "for _j in _range(_nsv):")
        w(ind + "    _ov[_b, _s, _j] = _v[_sv[_j]]")
        w(ind + "for _j in _range(_nsp):")
        w(ind + "    _op[_b, _s, _j] = _pr[_sp[_j]]")
        w(ind + "_s += 1")

    w(I1 + "_s = 0")
    w(I1 + "for _i in _range(_nt):")
    w(I2 + "t = _times[_i]")
    w(I2 + "if _i == _nt - 1:")
    w(I3 + "if _saves[_i]:")
    for name in s_last:
        w(I3 + f"    {name}{call}")
    record(I3 + "    ")
    w(I3 + "break")
    for name in s_need:
        w(I2 + f"{name}{call}")
    w(I2 + "_bad = False")
    w(I2 + "if _saves[_i]:")
    for name in s_rest:
        w(I3 + f"{name}{call}")
    record(I3)
    w(I3 + "if _st == 0:")
    w(I3 + "    _acc = 0.0")
    w(I3 + f"    for _j in _range({nv}):")
    w(I3 + "        _acc += _v[_j] * 0.0")
    w(I3 + "    if _acc != 0.0:")
    w(I3 + "        _st = 1")
    w(I3 + "        _fs = _i")
    w(I3 + "        _bad = True")
    w(I2 + f"for _j in _range({ny}):")
    w(I3 + "_y[_j] = _y[_j] + _d[_j] * dt")
    w(I2 + "if _bad:")
    w(I3 + f"for _j in _range({ny}):")
    w(I3 + "    _y[_j] = _nan")
    for i in range(ny):
        if L.y_nonneg[i]:
            w(I2 + f"if _y[{i}] < 0.0:")
            w(I3 + f"_y[{i}] = 0.0")
    for j, kind in enumerate(L.z_kind):
        if kind == "sample":
            w(I2 + f"_z[{j}] = _zn[{j}]")
    for j in fixed:
        w(I2 + f"_r{j}[_q{j}] = _zn[{j}]")
        w(I2 + f"_q{j} = (_q{j} + 1) % _o{j}")
        w(I2 + f"_z[{j}] = _r{j}[_q{j}]")
    w(I2 + "k += 1")
    w(I1 + "if _st == 0:")  # a non-finite stock stays so: one look at the end
    w(I2 + "_acc = 0.0")
    w(I2 + f"for _j in _range({ny}):")
    w(I2 + "    _acc += _y[_j] * 0.0")
    w(I2 + "if _acc != 0.0:")
    w(I2 + "    _st = 1")
    w(I1 + "_status[_b] = _st")
    w(I1 + "_fstep[_b] = _fs")
    w(I1 + "return None")
    src = "\n".join(o) + "\n"
    check_source(src)
    return src
