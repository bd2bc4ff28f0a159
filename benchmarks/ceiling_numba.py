"""The practical ceiling: tests/models/bench_regions.mdl written by hand as one numba loop.

Same equations, same operation order, same Euler update and the same outputs as simsys
(the three stocks of both regions at the saved times, scenario-major ``[B, n_save, 6]``),
so the gap to simsys's generated kernel is what code generation costs. Run it directly to
check it against simsys: ``python benchmarks/ceiling_numba.py``.
"""
from __future__ import annotations

import numpy as np
from numba import njit, prange

# growth table(Time)
_GX = np.array([0.0, 20.0, 50.0, 100.0])
_GY = np.array([1.0, 1.2, 1.5, 1.6])


@njit(cache=True, fastmath=False, error_model="numpy", inline="always")
def _interp(x, xs, ys):
    if x > xs[-1]:
        return ys[-1]
    if x < xs[0]:
        return ys[0]
    if x == xs[-1]:
        return ys[-1]
    j = 0
    while xs[j + 1] <= x:
        j += 1
    if xs[j] == x:
        return ys[j]
    slope = (ys[j + 1] - ys[j]) / (xs[j + 1] - xs[j])
    return slope * (x - xs[j]) + ys[j]


@njit(parallel=True, cache=True, fastmath=False, error_model="numpy")
def run(hiring_time, times, saves, dt, out):
    """``out[b, s, :]`` = Juniors[n,s], Seniors[n,s], Retirees[n,s] at each saved time."""
    B = hiring_time.shape[0]
    nt = times.shape[0]
    for b in prange(B):
        ht = hiring_time[b]
        jn, js, sn, ss, rn, rs = 100.0, 60.0, 40.0, 30.0, 0.0, 0.0
        s = 0
        for i in range(nt):
            t = times[i]
            if saves[i]:
                out[b, s, 0] = jn
                out[b, s, 1] = js
                out[b, s, 2] = sn
                out[b, s, 3] = ss
                out[b, s, 4] = rn
                out[b, s, 5] = rs
                s += 1
            if i == nt - 1:
                break
            g = _interp(t, _GX, _GY)
            hire_n = max(0.0, ((200.0 * g) - jn - sn) / ht) + (sn / 25.0)
            hire_s = max(0.0, ((120.0 * g) - js - ss) / ht) + (ss / 25.0)
            prom_n = jn / 6.0
            prom_s = js / 6.0
            ret_n = sn / 25.0
            ret_s = ss / 25.0
            jn = jn + (hire_n - prom_n) * dt
            js = js + (hire_s - prom_s) * dt
            sn = sn + (prom_n - ret_n) * dt
            ss = ss + (prom_s - ret_s) * dt
            rn = rn + ret_n * dt
            rs = rs + ret_s * dt
    return out


def grid(final_time=100.0, dt=0.0625, saveper=1.0):
    """PySD's time grid (simsys.solve.schedule), as arrays."""
    from simsys.solve.schedule import Schedule
    g = Schedule(0.0, final_time, dt, saveper).times()
    return np.array([t for t, _ in g]), np.array([s for _, s in g])


def simulate(hiring_time, final_time=100.0, dt=0.0625, saveper=1.0):
    times, saves = grid(final_time, dt, saveper)
    out = np.empty((hiring_time.size, int(saves.sum()), 6))
    return run(np.ascontiguousarray(hiring_time, dtype=float), times, saves, np.float64(dt), out)


if __name__ == "__main__":
    import simsys
    ht = np.linspace(1.0, 10.0, 64)
    mine = simsys.load_model("tests/models/bench_regions.mdl").compile("c").run_batch(
        {"hiring time": ht}, saveper=1.0, return_columns=["Juniors", "Seniors", "Retirees"])
    ref = np.stack([mine["Juniors"].values, mine["Seniors"].values, mine["Retirees"].values], axis=2)
    ref = ref.reshape(ht.size, -1, 6)
    out = simulate(ht)
    print("max |ceiling - simsys| =", float(np.max(np.abs(out - ref))))
