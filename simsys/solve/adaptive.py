"""Adaptive integration through ``scipy.integrate.solve_ivp``, one scenario at a time.

Useful to see how much Euler's fixed step costs: run the same scenario both
ways and compare. Discrete state (DELAY FIXED, SAMPLE IF TRUE, the per-stage delay times of
a DELAY N whose delay time changes) and RANDOM draws are defined per fixed step, so models
using them are refused here (a DELAY N with a constant delay time runs); so are models with
non-negative stocks (XMILE ``non_negative``): the clamp after each step has no adaptive
counterpart, and integrating past it would give a different model.
"""
from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from ..compile.stateful import hidden_owner
from ..errors import SolveError
from .simulate import RawResult

__all__ = ["simulate_adaptive"]


def simulate_adaptive(cm, P, keys, schedule, sel, *, policies=(), rtol=1e-6, atol=1e-9,
                      method="RK45"):
    """Integrate each scenario with an adaptive Runge-Kutta method, saving at SAVEPER.

    Raises
    ------
    SolveError
        The model has discrete state, random draws or non-negative stocks, or the solver
        fails.
    """
    L = cm.layout
    clamped = [label for label, nonneg in zip(L.y_label, L.y_nonneg) if nonneg]
    if clamped:
        raise SolveError(f"the adaptive method cannot keep stocks non-negative ({len(clamped)} "
                         f"stock(s) are, e.g. {clamped[0]!r}); use method='euler' or 'rk4'",
                         variable="method")
    frozen = _frozen(cm, policies)
    moving = [j for j in range(len(L.z_label)) if j not in frozen]
    if moving or L.n_rand:
        where = f" ({hidden_owner(L.z_label[moving[0]])!r} has one)" if moving else ""
        raise SolveError("the adaptive method cannot run models with state updated once per step "
                         f"(DELAY FIXED, DELAY N, SAMPLE IF TRUE, RANDOM PINK NOISE){where} or RANDOM "
                         "functions; use method='euler' or 'rk4'", variable="method")
    grid = schedule.times()
    save_t = np.array([t for t, s in grid if s])
    B = P.shape[1]
    ny, nv = len(L.y_label), len(L.v_label)
    out_y = np.empty((save_t.size, sel.y.size, B))
    out_v = np.empty((save_t.size, sel.v.size, B))
    checked = ~np.isin(sel.v, cm.layout.v_gaps)  # :RAW: data gaps are meant to be NaN
    out_p = np.empty((save_t.size, sel.p.size, B))
    status = np.zeros(B, dtype=np.int8)
    fail_t = np.full(B, np.nan)
    fail_v = np.full(B, "", dtype=object)
    dt = np.float64(schedule.time_step)
    with np.errstate(all="ignore"):
        for b in range(B):
            Pb = P[:, b:b + 1].copy()
            kb = keys[b:b + 1]

            def set_policies(t):
                for row, ev in policies:
                    Pb[row] = ev(t, dt)[b]

            set_policies(save_t[0])
            Y0, Z0, _ = cm.initial(np.float64(schedule.initial_time), dt, Pb, kb)
            D = np.empty((ny, 1))
            A = np.empty((nv, 1))

            def fun(t, y):
                set_policies(t)
                cm.rhs(np.float64(t), dt, 0, Pb, kb, y.reshape(ny, 1), Z0, D, A, None, False)
                return D[:, 0].copy()

            if ny:
                sol = solve_ivp(fun, (save_t[0], save_t[-1]), Y0[:, 0], method=method, t_eval=save_t,
                                rtol=rtol, atol=atol)
                if sol.status < 0 or sol.y.shape[1] != save_t.size:
                    status[b] = 1
                    fail_t[b] = float(sol.t[-1]) if sol.t.size else float(save_t[0])
                    fail_v[b] = f"adaptive solver: {sol.message}"
                    Ys = np.full((ny, save_t.size), np.nan)
                    Ys[:, :sol.y.shape[1]] = sol.y
                else:
                    Ys = sol.y
            else:
                Ys = np.empty((0, save_t.size))
            for s, t in enumerate(save_t):
                set_policies(t)
                Yc = Ys[:, s:s + 1].copy()
                cm.rhs(np.float64(t), dt, 0, Pb, kb, Yc, Z0, D, A, None, True)
                out_y[s, :, b] = Yc[sel.y, 0]
                out_v[s, :, b] = A[sel.v, 0]
                out_p[s, :, b] = Pb[sel.p, 0]
            v_ok = np.isfinite(out_v[:, checked, b]).all(axis=1)
            if status[b] == 0 and not (np.all(np.isfinite(out_y[:, :, b])) and np.all(v_ok)):
                status[b] = 1
                bad = np.flatnonzero(~np.isfinite(out_y[:, :, b]).all(axis=1) | ~v_ok)
                fail_t[b] = save_t[bad[0]]
                fail_v[b] = "a non-finite value"
    return RawResult(times=save_t, y=out_y, v=out_v, p=out_p, status=status, fail_time=fail_t,
                     fail_variable=fail_v)


def _frozen(cm, policies) -> set:
    """Discrete states that keep their initial value for the whole run: the per-stage delay
    times of a DELAY N whose delay time is constant (no state, time, draw or ACTIVE INITIAL,
    and no time-varying lever). The adaptive method can run those, as before DELAY N kept them."""
    from ..compile.ir import walk
    from ..compile.vectorize import constant, constant_aux
    L = cm.layout
    if policies:
        return set()
    const = constant_aux(L, cm.aux_order)
    out: set = set()
    for j, (kind, ini, nxt) in enumerate(zip(L.z_kind, L.z_init, L.z_next)):
        if kind != "sample":
            continue
        if nxt is ini and constant(nxt, const) and not any(n[0] == "ainit" for n in walk(nxt)):
            out.add(j)
        elif nxt[0] == "ref" and nxt[1] == "z" and nxt[2] in out and ini is L.z_init[nxt[2]]:
            out.add(j)
    return out
