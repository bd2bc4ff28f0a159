"""Stateful functions lowered into hidden state, exactly as PySD integrates them.

SMOOTH of order n is n chained stocks; DELAY1/3/N are stocks holding T/n times
the outflow (DELAY N also keeps one delay time per stage, rolled after each step, as
PySD's ``DelayN``); DELAY FIXED is a ring buffer and SAMPLE IF TRUE a discrete state,
both updated after each step; INITIAL is a stock that never changes; TREND and
FORECAST each keep one averaged state; NPV a discount factor and an accumulated value
(as SDEverywhere generates it: PySD has no NPV); RANDOM PINK NOISE is a discrete state
updated after each step with one normal draw. Each occurrence gets its own state.
"""
from __future__ import annotations

import numpy as np
from pysd.translators.structures import abstract_expressions as ae

from ..model.spec import ElementKind, cell_label, name_key

__all__ = ["StatefulLowering", "hidden_owner"]


def hidden_owner(label: str) -> str:
    """The model variable (cell) behind a hidden state's label ``_kind(variable)#n``, as
    :meth:`StatefulLowering.hidden` writes it."""
    return label.split("(", 1)[1].rsplit(")#", 1)[0]


class StatefulLowering:
    """Mixin of the lowerer: builds hidden state rows in ``self.L`` (a Layout)."""

    def new_state(self, label, init, ddt):
        L = self.L
        L.y_label.append(label)
        L.y_init.append(init)
        L.y_ddt.append(ddt)
        L.y_nonneg.append(False)
        L.y_owner.append(None)
        return len(L.y_label) - 1

    def hidden(self, kind):
        return f"_{kind}({cell_label(self.cur.name, self.cell)})#{len(self.L.y_label)}"

    def integ(self, a, bind):
        raise self.structure("INTEG must be the whole right-hand side of a stock's equation")

    def smooth(self, a, bind, order=None):
        inp = self.lower(a.input, bind)
        tau = self.lower(a.smooth_time, bind)
        ini = self.lower(a.initial, bind)
        n = self.static_order(a.order) if order is None else order
        return self.map([inp, tau, ini], lambda i, T, x0: self._smooth(i, T, x0, n))

    def _smooth(self, inp, tau, ini, n):
        # PySD: d s_k = (target_k - s_k) * n / T, target_0 = input, target_k = s_{k-1}
        rows = []
        for k in range(n):
            r = self.new_state(self.hidden(f"smooth{k + 1}of{n}"), ini, None)
            rows.append(r)
        for k, r in enumerate(rows):
            target = inp if k == 0 else ("ref", "y", rows[k - 1])
            self.L.y_ddt[r] = ("chain", ("*", "/"),
                               (("chain", ("-",), (target, ("ref", "y", r))), ("num", float(n)), tau))
        return ("ref", "y", rows[-1])

    def delay(self, a, bind):
        inp = self.lower(a.input, bind)
        tau = self.lower(a.delay_time, bind)
        ini = self.lower(a.initial, bind)
        n = self.static_order(a.order)
        build = self._delay_n if isinstance(a, ae.DelayNStructure) else self._delay
        return self.map([inp, tau, ini], lambda i, T, x0: build(i, T, x0, n))

    def _delay(self, inp, tau, ini, n):
        # PySD: stages hold T * value; outflow_k = s_k / T; d s_k = (inflow_k - outflow_k) * n
        init = ("chain", ("*",), (ini, tau))
        rows = [self.new_state(self.hidden(f"delay{k + 1}of{n}"), init, None) for k in range(n)]
        for k, r in enumerate(rows):
            out_k = ("chain", ("/",), (("ref", "y", r), tau))
            inflow = inp if k == 0 else ("chain", ("/",), (("ref", "y", rows[k - 1]), tau))
            self.L.y_ddt[r] = ("chain", ("*",), (("chain", ("-",), (inflow, out_k)), ("num", float(n))))
        return ("chain", ("/",), (("ref", "y", rows[-1]), tau))

    def _delay_n(self, inp, tau, ini, n):
        """DELAY N as PySD's ``DelayN`` integrates it: each stage keeps the delay time it had
        a step earlier than the stage before it. Stage k's outflow at a step reads the delay
        time of k steps ago (stage 0 the current one), and the output reads the delay time
        of the step before (``times[0]`` before PySD rolls it): a delay time that changes
        reaches the output a step later, as Vensim's does (issue #14, seen on Earth4All), and
        moves through the stages with the material. With a constant delay time this is
        DELAY3's cascade, to the bit. The delay times are discrete states rolled after each
        step (``times`` in PySD, rolled at each Euler step)."""
        L = self.L
        init = ("chain", ("*",), (ini, tau))
        rows = [self.new_state(self.hidden(f"delay{k + 1}of{n}"), init, None) for k in range(n)]
        times = []
        for k in range(n):
            L.z_label.append(self.hidden(f"delaytime{k + 1}of{n}"))
            L.z_kind.append("sample")
            L.z_init.append(tau)
            L.z_delay.append(None)
            L.z_next.append(None)
            times.append(len(L.z_label) - 1)
        # this step's times: the current delay time, then the stored ones shifted by a stage
        now = [tau] + [("ref", "z", times[k - 1]) for k in range(1, n)]
        for k, r in enumerate(rows):
            out_k = ("chain", ("/",), (("ref", "y", r), now[k]))
            inflow = inp if k == 0 else ("chain", ("/",), (("ref", "y", rows[k - 1]), now[k - 1]))
            L.y_ddt[r] = ("chain", ("*",), (("chain", ("-",), (inflow, out_k)), ("num", float(n))))
        for k, j in enumerate(times):
            L.z_next[j] = now[k]
        return ("chain", ("/",), (("ref", "y", rows[-1]), ("ref", "z", times[0])))

    def static_order(self, order):
        if isinstance(order, (int, float, np.number)):
            n = int(order)
        elif isinstance(order, ae.ReferenceStructure):
            e = self.el.get(name_key(order.reference))
            if e is None or e.kind is not ElementKind.CONSTANT or e.dims:
                raise self.unsupported("a delay or smooth order that is not a number or scalar constant")
            from ..model.load import constant_value
            n = int(constant_value(e, self.ranges, self.m.path))
        else:
            raise self.unsupported("a delay or smooth order given by an expression")
        if n < 1:
            raise self.structure(f"delay/smooth order must be at least 1, found {n}")
        if n > 1000:
            raise self.structure(f"delay/smooth order {n} is too large (limit 1000)")
        return n

    def delay_fixed(self, a, bind):
        inp = self.lower(a.input, bind)
        tau = self.lower(a.delay_time, bind)
        ini = self.lower(a.initial, bind)
        def build(i, T, x0):
            L = self.L
            L.z_label.append(self.hidden("delayfixed"))
            L.z_kind.append("fixed")
            L.z_init.append(x0)
            L.z_next.append(i)
            L.z_delay.append(T)
            return ("ref", "z", len(L.z_label) - 1)
        return self.map([inp, tau, ini], build)

    def sample_if_true(self, a, bind):
        cond = self.lower(a.condition, bind)
        inp = self.lower(a.input, bind)
        ini = self.lower(a.initial, bind)
        def build(c, i, x0):
            L = self.L
            L.z_label.append(self.hidden("sample"))
            L.z_kind.append("sample")
            L.z_init.append(x0)
            z = ("ref", "z", len(L.z_label) - 1)
            out = ("call", "if_then_else", (c, i, z))
            L.z_next.append(out)
            L.z_delay.append(None)
            return out
        return self.map([cond, inp, ini], build)

    def pink_noise(self, mean, sd, tau):
        """RANDOM PINK NOISE(mean, sd, correlation time, seed) as :mod:`simsys.functions.noise`
        defines it: a discrete state starting at ``mean``; after each step
        ``s + a * (white - s)`` with ``a = TIME STEP / tau`` and
        ``white = mean + sd * sqrt((2 - a) / a) * z``. ``z`` is a standard normal draw from
        the run's per-scenario stream, lowered as RANDOM NORMAL's (its own call site, keyed by
        step number), so it does not depend on block size, chunks or workers; the model's
        seed argument is not read (the run's seed is). Outside ``0 < a <= 1`` the value is
        NaN, which stops the scenario.
        """
        L = self.L
        site = L.n_rand
        L.n_rand += 1
        inf = float("inf")
        z = ("rand", "random_normal", site, (("num", -inf), ("num", inf), ("num", 0.0), ("num", 1.0)))
        a = ("chain", ("/",), (("dt",), tau))
        scale = ("call", "sqrt", (("chain", ("/",), (("chain", ("-",), (("num", 2.0), a)), a)),))
        white = ("chain", ("+", "*", "*"), (mean, sd, scale, z))
        L.z_label.append(self.hidden("pinknoise"))
        L.z_kind.append("sample")
        L.z_init.append(mean)
        s = ("ref", "z", len(L.z_label) - 1)
        L.z_next.append(("chain", ("+", "*"), (s, a, ("chain", ("-",), (white, s)))))
        L.z_delay.append(None)
        ok = ("and", ("chain", (">",), (a, ("num", 0.0))), ("chain", ("<=",), (a, ("num", 1.0))))
        return ("call", "if_then_else", (ok, s, ("num", float("nan"))))

    def initial(self, a, bind):
        x = self.lower(a.initial, bind)
        return self.map([x], lambda x: ("ref", "y", self.new_state(self.hidden("initial"), x, ("num", 0.0))))

    def trend(self, a, bind):
        inp = self.lower(a.input, bind)
        T = self.lower(a.average_time, bind)
        g0 = self.lower(a.initial_trend, bind)
        def build(i, T, g0):
            init = ("chain", ("/",), (i, ("chain", ("+",), (("num", 1.0), ("chain", ("*",), (g0, T))))))
            r = self.new_state(self.hidden("trend"), init, None)
            s = ("ref", "y", r)
            self.L.y_ddt[r] = ("chain", ("/",), (("chain", ("-",), (i, s)), T))
            return ("call", "zidz", (("chain", ("-",), (i, s)),
                                     ("chain", ("*",), (T, ("call", "abs", (s,))))))
        return self.map([inp, T, g0], build)

    def npv(self, args, bind):
        """NPV(stream, discount rate, initial value, factor) with two hidden stocks, as Vensim
        documents it and SDEverywhere 0.7.28 generates it: a discount factor
        ``df = INTEG(-df * rate / (1 + rate * TIME STEP), 1)``, an accumulated value
        ``ncum = INTEG(stream * df, initial value)``, and the result
        ``(ncum + stream * TIME STEP * df) * factor``. (PySD 3.14.3 does not implement NPV.)"""
        if len(args) != 4:
            raise self.structure("NPV takes 4 arguments (stream, discount rate, initial value, "
                                 f"factor), {len(args)} given")
        return self.map([self.lower(x, bind) for x in args], self._npv)

    def _npv(self, stream, rate, init, factor):
        dt = ("dt",)
        r = self.new_state(self.hidden("npvdiscount"), ("num", 1.0), None)
        df = ("ref", "y", r)
        self.L.y_ddt[r] = ("chain", ("/",), (
            ("chain", ("*",), (("neg", df), rate)),
            ("chain", ("+",), (("num", 1.0), ("chain", ("*",), (rate, dt))))))
        c = self.new_state(self.hidden("npvsum"), init, ("chain", ("*",), (stream, df)))
        total = ("chain", ("+",), (("ref", "y", c), ("chain", ("*", "*"), (stream, dt, df))))
        return ("chain", ("*",), (total, factor))

    def forecast(self, a, bind):
        inp = self.lower(a.input, bind)
        T = self.lower(a.average_time, bind)
        h = self.lower(a.horizon, bind)
        g0 = self.lower(a.initial_trend, bind)
        def build(i, T, h, g0):
            init = ("chain", ("/",), (i, ("chain", ("+",), (("num", 1.0), g0))))
            r = self.new_state(self.hidden("forecast"), init, None)
            s = ("ref", "y", r)
            self.L.y_ddt[r] = ("chain", ("/",), (("chain", ("-",), (i, s)), T))
            z = ("call", "zidz", (("chain", ("-",), (i, s)), ("chain", ("*",), (T, s))))
            return ("chain", ("*",), (i, ("chain", ("+",), (("num", 1.0), ("chain", ("*",), (z, h))))))
        return self.map([inp, T, h, g0], build)
