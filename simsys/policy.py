"""Time-varying lever settings: a step, a ramp or a table of points.

A policy is plain data. The solver evaluates a whole batch of them at once
with :func:`evaluate`, so a sweep of 10,000 scenarios whose lever is a ramp
costs a handful of numpy operations per step, not 10,000 Python calls.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from .errors import ScenarioError

__all__ = ["Step", "Ramp", "Table", "Policy", "is_policy", "evaluate"]


@dataclass(frozen=True, slots=True)
class Step:
    """``before`` until ``at``, then ``after`` (switches when ``t + dt/2 > at``, as Vensim's STEP)."""

    before: float
    after: float
    at: float

    def values(self) -> tuple[float, ...]:
        return (self.before, self.after)


@dataclass(frozen=True, slots=True)
class Ramp:
    """``start`` until ``t_from``, linear to ``end`` at ``t_to``, held after."""

    start: float
    end: float
    t_from: float
    t_to: float

    def __post_init__(self):
        if not self.t_to > self.t_from:
            raise ScenarioError(
                f"a ramp needs from < to, found from = {self.t_from}, to = {self.t_to}")

    def values(self) -> tuple[float, ...]:
        return (self.start, self.end)


@dataclass(frozen=True, slots=True)
class Table:
    """Piecewise-linear through ``points`` ((t, value), ...), held beyond the ends."""

    points: tuple[tuple[float, float], ...]

    def __post_init__(self):
        ts = [p[0] for p in self.points]
        if len(ts) < 1:
            raise ScenarioError("a table needs at least one [time, value] point")
        if any(b <= a for a, b in zip(ts, ts[1:])):
            raise ScenarioError(f"table times must increase strictly, found {ts}")

    def values(self) -> tuple[float, ...]:
        return tuple(p[1] for p in self.points)


Policy = Step | Ramp | Table


def is_policy(value) -> bool:
    """True if ``value`` is a time-varying policy object."""
    return isinstance(value, (Step, Ramp, Table))


def evaluate(policies: Sequence[Policy], t: float, dt: float) -> np.ndarray:
    """Value of each policy at time ``t`` (one float per scenario).

    Parameters
    ----------
    policies : sequence of Step, Ramp or Table
        One per scenario.
    t, dt : float
        Current time and the solver's time step (STEP needs it).

    Returns
    -------
    numpy.ndarray
        Shape ``(len(policies),)``.
    """
    return _Evaluator(policies)(t, dt)


class _Evaluator:
    """Vectorised evaluation of a batch of policies, grouped by kind once; scenarios sharing
    one table share one interpolation (a scenario file's table set for a whole sweep)."""

    def __init__(self, policies: Sequence[Policy]):
        self.policies = list(policies)
        n = len(policies)
        self.n = n
        kinds = np.array([type(p).__name__ for p in policies])
        self.steps = np.flatnonzero(kinds == "Step")
        self.ramps = np.flatnonzero(kinds == "Ramp")
        self.tables = np.flatnonzero(kinds == "Table")
        sp = [policies[i] for i in self.steps]
        self.s_before = np.array([p.before for p in sp], dtype=float)
        self.s_after = np.array([p.after for p in sp], dtype=float)
        self.s_at = np.array([p.at for p in sp], dtype=float)
        rp = [policies[i] for i in self.ramps]
        self.r_start = np.array([p.start for p in rp], dtype=float)
        self.r_end = np.array([p.end for p in rp], dtype=float)
        self.r_from = np.array([p.t_from for p in rp], dtype=float)
        self.r_to = np.array([p.t_to for p in rp], dtype=float)
        shared: dict = {}
        for i in self.tables:
            shared.setdefault(policies[i].points, []).append(i)
        self.t_groups = [(*np.array(pts, dtype=float).T, np.array(rows)) for pts, rows in shared.items()]

    def columns(self, cols: slice) -> "_Evaluator":
        """The evaluator of the scenarios ``cols`` only (a block of the batch)."""
        return _Evaluator(self.policies[cols])

    def __call__(self, t: float, dt: float) -> np.ndarray:
        out = np.empty(self.n)
        if self.steps.size:
            out[self.steps] = np.where(t + dt / 2 > self.s_at, self.s_after, self.s_before)
        if self.ramps.size:
            frac = np.clip((t - self.r_from) / (self.r_to - self.r_from), 0.0, 1.0)
            out[self.ramps] = self.r_start + (self.r_end - self.r_start) * frac
        for xs, ys, rows in self.t_groups:
            out[rows] = np.interp(t, xs, ys)
        return out
