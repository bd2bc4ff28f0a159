"""The time loop: one integrator, one schedule, a batch of scenarios.

Values saved at time t are the state before the step from t (PySD and Vensim do
the same). A scenario whose values stop being finite is flagged with the first
time and variable where it happened; it stops there (NaN afterwards) while the
rest of the batch runs on.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SolveError
from .integrators import METHODS
from .schedule import Schedule

__all__ = ["Selection", "RawResult", "simulate", "simulate_block", "BLOCK"]


@dataclass(frozen=True, slots=True)
class Selection:
    """Rows to save: states, auxiliaries, parameters (index arrays)."""

    y: np.ndarray
    v: np.ndarray
    p: np.ndarray


@dataclass
class RawResult:
    times: np.ndarray            # saved times
    y: np.ndarray                # [n_save, n_y_sel, B]
    v: np.ndarray
    p: np.ndarray
    status: np.ndarray           # [B] 0 ok, 1 non-finite
    fail_time: np.ndarray        # [B]
    fail_variable: np.ndarray    # [B] object (labels)


#: scenarios integrated together on numpy: a block's (rows, block) arrays stay in cache. On
#: the 31-province model 4,000 scenarios took 42 ms each in one block and 26-31 ms in blocks of
#: 256-1,024 (128: 34 ms, the per-statement dispatch no longer amortised); 1,000 scenarios
#: 28-33 ms whatever the block. Columns never mix, so the numbers do not depend on it.
BLOCK = 512


def simulate(cm, P, keys, schedule: Schedule, sel: Selection, *, method="euler", policies=(),
             block: int | None = None):
    """Integrate a batch of scenarios, ``block`` columns at a time (default :data:`BLOCK`);
    arguments and result as :func:`simulate_block`."""
    B = P.shape[1]
    block = BLOCK if block is None else int(block)
    if B <= block:
        return simulate_block(cm, P, keys, schedule, sel, method=method, policies=policies)
    parts = []
    for lo in range(0, B, block):
        cols = slice(lo, min(lo + block, B))
        pols = [(row, ev.columns(cols)) for row, ev in policies]
        parts.append(simulate_block(cm, P[:, cols], keys[cols], schedule, sel, method=method, policies=pols))
    first = parts[0]
    return RawResult(times=first.times, y=np.concatenate([r.y for r in parts], axis=2),
                     v=np.concatenate([r.v for r in parts], axis=2),
                     p=np.concatenate([r.p for r in parts], axis=2),
                     status=np.concatenate([r.status for r in parts]),
                     fail_time=np.concatenate([r.fail_time for r in parts]),
                     fail_variable=np.concatenate([r.fail_variable for r in parts]))


def simulate_block(cm, P, keys, schedule: Schedule, sel: Selection, *, method="euler", policies=()):
    """Integrate a batch of scenarios.

    Parameters
    ----------
    cm : CompiledModel
        Provides ``layout``, ``init(t, dt, P, S)`` and ``rhs``.
    P : ndarray [n_params, B]
        Parameter values per scenario (rows of time-varying levers are overwritten).
    keys : ndarray [B] uint64
        Per-scenario random keys.
    schedule : Schedule
    sel : Selection
    method : str
        A name in :data:`METHODS`.
    policies : sequence of (row, evaluator)
        Time-varying levers: ``evaluator(t, dt)`` gives one value per scenario, and
        ``evaluator.columns(cols)`` the evaluator of a block of them
        (:class:`simsys.policy._Evaluator`).

    Returns
    -------
    RawResult

    Raises
    ------
    SolveError
        Unknown method.
    """
    if method not in METHODS:
        raise SolveError(f"unknown method {method!r}; choose one of "
                         f"{', '.join(sorted(METHODS) + ['adaptive'])}", variable="method")
    integ = METHODS[method]
    L = cm.layout
    B = P.shape[1]
    dt = np.float64(schedule.time_step)
    # numpy scalars: a division by zero in generated code gives inf (then flagged), never raises
    grid = [(np.float64(t), s) for t, s in schedule.times()]
    n_save = sum(1 for _, s in grid if s)
    out_y = np.empty((n_save, sel.y.size, B))
    out_v = np.empty((n_save, sel.v.size, B))
    out_p = np.empty((n_save, sel.p.size, B))
    times = np.empty(n_save)
    status = np.zeros(B, dtype=np.int8)
    fail_time = np.full(B, np.nan)
    fail_var = np.full(B, "", dtype=object)

    nz = len(L.z_label)
    A = np.empty((sel.v.size, B))
    rhs = cm.rhs_saving(sel.v) if hasattr(cm, "rhs_saving") else cm.rhs
    # fixed parameters: what is constant over the run is computed once, into a work buffer
    # the steps share (time-varying levers change parameters between steps: every step
    # computes everything, as ``rhs`` does)
    fast = None if policies or not hasattr(cm, "stepper") else cm.stepper(sel.v)
    D = np.empty((len(L.y_label), B))
    ZN = np.empty((nz, B)) if nz else None
    fixed = [j for j, kind in enumerate(L.z_kind) if kind == "fixed"]
    nonneg = np.flatnonzero(np.asarray(L.y_nonneg, dtype=bool)) if L.y_label else np.array([], int)
    P = P.copy()
    # saved auxiliaries whose non-finite values stop a scenario (:RAW: data gaps do not)
    checked = ~np.isin(sel.v, L.v_gaps)

    with np.errstate(all="ignore"):
        t0 = grid[0][0]
        for row, ev in policies:
            P[row] = ev(t0, dt)
        Y, Z, F = cm.initial(t0, dt, P, keys)
        if fast is not None:
            const, step, n_rows = fast
            W = np.empty((n_rows, B))
            const(t0, dt, 0, P, keys, W)

            def rhs(t, dt, k, P, S, Y, Z, D, A, ZN, save):
                return step(t, dt, k, P, S, Y, Z, D, A, ZN, save, W)
        rings = _Rings(Z, F, fixed, dt)
        bad0 = ~np.isfinite(Y).all(axis=0) if Y.size else np.zeros(B, bool)
        if Z.size:
            bad0 |= ~np.isfinite(Z).all(axis=0)
        if bad0.any():
            _flag(cm, bad0, t0, dt, 0, P, keys, Y, Z, status, fail_time, fail_var, initial=True)
            Y[:, bad0] = np.nan

        k = 0
        s = 0
        state = {"save": False}

        def f(t, Yc, first):
            if policies and not first:
                for row, ev in policies:
                    P[row] = ev(t, dt)
            rhs(t, dt, k, P, keys, Yc, Z, D, A, ZN if first else None, first and state["save"])
            return D.copy() if integ.name != "euler" else D

        for i, (t, save) in enumerate(grid):
            for row, ev in policies:
                P[row] = ev(t, dt)
            last = i == len(grid) - 1
            if last:
                if save:
                    rhs(t, dt, k, P, keys, Y, Z, D, A, None, True)
                    s = _record(s, t, Y, A, P, sel, out_y, out_v, out_p, times)
                break
            state["save"] = save
            Ynew = integ.step(f, t, dt, Y)
            if policies and integ.name != "euler":
                for row, ev in policies:
                    P[row] = ev(t, dt)
            if save:
                s = _record(s, t, Y, A, P, sel, out_y, out_v, out_p, times)
                if A.size:
                    badA = ~np.isfinite(A[checked]).all(axis=0) & (status == 0)
                    if badA.any():
                        _flag(cm, badA, t, dt, k, P, keys, Y, Z, status, fail_time, fail_var)
                        Ynew[:, badA] = np.nan
            if nonneg.size:
                Ynew[nonneg] = np.maximum(Ynew[nonneg], 0)
            if nz:
                for j, kind in enumerate(L.z_kind):
                    if kind == "sample":
                        Z[j] = ZN[j]
                rings.update(Z, ZN)
            if Ynew.size:
                badY = ~np.isfinite(Ynew).all(axis=0) & (status == 0)
                if badY.any():
                    _flag(cm, badY, t, dt, k, P, keys, Y, Z, status, fail_time, fail_var, Ynew=Ynew)
                    Ynew[:, badY] = np.nan
            Y = Ynew
            k += 1
    return RawResult(times=times[:s], y=out_y[:s], v=out_v[:s], p=out_p[:s], status=status,
                     fail_time=fail_time, fail_variable=fail_var)


def _record(s, t, Y, A, P, sel, out_y, out_v, out_p, times):
    times[s] = t
    if sel.y.size:
        out_y[s] = Y[sel.y]
    if sel.v.size:
        out_v[s] = A
    if sel.p.size:
        out_p[s] = P[sel.p]
    return s + 1


class _Rings:
    """DELAY FIXED pipes: one ring buffer per occurrence, sized for the longest delay in the batch."""

    def __init__(self, Z, F, fixed, dt):
        self.fixed = fixed
        self.buf, self.ptr, self.order = {}, {}, {}
        B = Z.shape[1] if Z.ndim == 2 else 0
        for j in fixed:
            order = np.maximum(np.round(np.broadcast_to(F[j], (B,)) / dt + 1e-6), 1).astype(np.int64)
            n = int(order.max()) if B else 1
            self.buf[j] = np.broadcast_to(Z[j], (n, B)).copy()
            self.ptr[j] = np.zeros(B, dtype=np.int64)
            self.order[j] = order
        self.cols = np.arange(B)

    def update(self, Z, ZN):
        for j in self.fixed:
            buf, ptr = self.buf[j], self.ptr[j]
            buf[ptr, self.cols] = ZN[j]
            ptr[:] = (ptr + 1) % self.order[j]
            Z[j] = buf[ptr, self.cols]


def _flag(cm, bad, t, dt, k, P, keys, Y, Z, status, fail_time, fail_var, *, initial=False, Ynew=None):
    """Name the first non-finite variable of each newly failed scenario."""
    L = cm.layout
    cols = np.flatnonzero(bad)
    names = np.full(cols.size, "", dtype=object)
    when = np.full(cols.size, t)
    if not initial:
        A = np.empty((len(L.v_label), P.shape[1]))
        D = np.empty((len(L.y_label), P.shape[1]))
        cm.rhs(t, dt, k, P, keys, Y, Z, D, A, None, True)
        gaps = set(L.v_gaps)
        for i in cm.aux_order:
            if i in gaps:
                continue
            hit = ~np.isfinite(A[i, cols]) & (names == "")
            names[hit] = L.v_label[i]
        for r in range(len(L.y_label)):
            hit = ~np.isfinite(D[r, cols]) & (names == "")
            names[hit] = f"rate of change of {L.y_label[r]}"
        if Ynew is not None:
            for r in range(len(L.y_label)):
                hit = ~np.isfinite(Ynew[r, cols]) & (names == "")
                when[hit] = t + dt
                names[hit] = L.y_label[r]
    else:
        for r in range(len(L.y_label)):
            hit = ~np.isfinite(Y[r, cols]) & (names == "")
            names[hit] = f"initial value of {L.y_label[r]}"
        for r in range(len(L.z_label)):
            hit = ~np.isfinite(Z[r, cols]) & (names == "")
            names[hit] = f"initial value of {L.z_label[r]}"
    status[cols] = 1
    fail_time[cols] = when
    fail_var[cols] = names
