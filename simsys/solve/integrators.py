"""Fixed-step integrators as small immutable objects; Runge-Kutta methods are coefficient tables.

Contract (what :func:`simsys.solve.simulate` relies on):

1. ``step(f, t, dt, Y)`` returns the new state; it never modifies ``Y``.
2. ``f(t, Y, first)`` returns the derivatives at ``(t, Y)``; ``first`` is True for exactly
   one evaluation per step, at ``(t, Y)`` itself, where discrete updates and outputs are taken.
3. Euler is written exactly as PySD and Vensim do it (``Y + D * dt``) so results agree to the bit.
"""
from __future__ import annotations

from dataclasses import dataclass


__all__ = ["Euler", "ExplicitRK", "RK4", "METHODS"]


@dataclass(frozen=True, slots=True)
class Euler:
    """Forward Euler: derivatives from the state at t, then every stock is updated."""

    name: str = "euler"
    order: int = 1

    def step(self, f, t, dt, Y):
        D = f(t, Y, True)
        return Y + D * dt


@dataclass(frozen=True, slots=True)
class ExplicitRK:
    """An explicit Runge-Kutta method given by its Butcher table (a, b, c)."""

    name: str
    order: int
    a: tuple[tuple[float, ...], ...]
    b: tuple[float, ...]
    c: tuple[float, ...]

    def step(self, f, t, dt, Y):
        ks = []
        for i, ci in enumerate(self.c):
            Yi = Y
            for aij, kj in zip(self.a[i], ks):
                if aij:
                    Yi = Yi + (dt * aij) * kj
            ks.append(f(t + ci * dt, Yi, i == 0))
        out = Y
        for bi, ki in zip(self.b, ks):
            out = out + (dt * bi) * ki
        return out


RK4 = ExplicitRK(
    name="rk4", order=4,
    a=((), (0.5,), (0.0, 0.5), (0.0, 0.0, 1.0)),
    b=(1 / 6, 1 / 3, 1 / 3, 1 / 6),
    c=(0.0, 0.5, 0.5, 1.0),
)

#: fixed-step methods by name; "adaptive" is handled by :mod:`simsys.solve.adaptive`
METHODS = {"euler": Euler(), "rk4": RK4}
