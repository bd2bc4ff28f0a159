"""The compiled model: state layout, generated functions, and run / run_batch."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..errors import Location, ScenarioError, SolveError
from ..model.spec import ElementKind, Model, name_key
from ..solve.schedule import Schedule
from ..solve.simulate import Selection, simulate
from .runtime import scenario_keys

__all__ = ["CompiledModel"]

log = logging.getLogger(__name__)
_LOCK_NUMPY = threading.RLock()


@dataclass(eq=False)
class CompiledModel:
    """A model turned into batched functions; immutable after construction.

    ``rhs(t, dt, k, P, S, Y, Z, D, A, ZN, save)`` works on arrays whose rows are
    variables and whose columns are scenarios (``Y[n_states, batch]``).
    """

    model: Model
    layout: Any
    aux_order: list
    init_nodes: list
    backend: str = "numpy"
    _source: str | None = field(default=None, repr=False)  # None: generated on first use
    _ns: dict | None = field(default=None, repr=False)
    grouped: bool = True  # the source came from the grouped generator (vectorize)

    def __post_init__(self):
        L = self.layout
        self.p_default = np.asarray(L.p_default, dtype=float)
        self._p_rows = {}
        for row, (key, cell) in enumerate(L.p_owner):
            if key is None:
                continue  # a control value (FINAL TIME, SAVEPER): set by the run, not by users
            self._p_rows.setdefault(key, []).append((cell, row))
        self._elements = {e.key: e for e in self.model.elements}
        self._levers = {lv.key: lv for lv in self.model.levers}

    # -- generated numpy functions (made on first use: a C model needs them only to name a
    #    failure, size DELAY FIXED rings or run the adaptive method) -------------------------
    def _numpy(self) -> dict:
        if self._ns is None:
            with _LOCK_NUMPY:
                if self._ns is None:
                    from .vectorize import generate
                    src, ns = generate(self.layout, self.aux_order, self.init_nodes,
                                       grouped=self.grouped)
                    self._source = src
                    self._ns = ns
        return self._ns

    @property
    def source(self) -> str:
        """The generated numpy source (see :mod:`.vectorize`)."""
        self._numpy()
        return self._source

    @property
    def rhs(self):
        """The batched right-hand side (see the class docstring)."""
        return self._numpy()["_rhs"]

    @property
    def _init(self):
        return self._numpy()["_init"]

    # -- state -------------------------------------------------------------------------------
    @property
    def state_labels(self) -> list[str]:
        return list(self.layout.y_label)

    def rhs_saving(self, rows):
        """The right-hand side that saves only auxiliaries ``rows`` (cached per selection).

        Saving inside the loop only what was asked keeps a large batch's memory traffic
        to the outputs a user wants.
        """
        return self._saving(rows)["_rhs"]

    def stepper(self, rows):
        """``(const, step, n_rows)`` of the right-hand side saving auxiliaries ``rows``, for a
        run whose parameters stay fixed: ``const(t, dt, k, P, S, W)`` fills the rows of a work
        buffer ``W`` (``n_rows`` x batch) that hold the same value at every step, once;
        ``step(t, dt, k, P, S, Y, Z, D, A, ZN, save, W)`` is ``rhs`` reading them. None for
        the per-cell reference generator, which has only ``rhs``."""
        ns = self._saving(rows)
        if "_step" not in ns:
            return None
        return ns["_const"], ns["_step"], ns["_rows"]

    def _saving(self, rows) -> dict:
        key = tuple(int(r) for r in rows)
        if key == tuple(range(len(self.layout.v_label))):
            return self._numpy()
        cache = self.__dict__.setdefault("_rhs_variants", {})
        ns = cache.get(key)
        if ns is None:
            from .vectorize import generate
            _, ns = generate(self.layout, self.aux_order, self.init_nodes, save_rows=key,
                             grouped=self.grouped)
            cache[key] = ns
        return ns

    def initial(self, t, dt, P, keys):
        """Initial states Y, discrete states Z and fixed-delay times F for a batch."""
        L = self.layout
        B = P.shape[1]
        Y = np.empty((len(L.y_label), B))
        Z = np.empty((len(L.z_label), B))
        F = np.empty((len(L.z_label), B))
        self._init(t, dt, 0, P, keys, Y, Z, F)
        return Y, Z, F

    # -- running -----------------------------------------------------------------------------
    def run(self, params=None, *, final_time=None, time_step=None, saveper=None, method="euler",
            seed=None, return_columns=None, on_error="raise", rtol=1e-6, atol=1e-9):
        """Run one scenario.

        Parameters
        ----------
        params : mapping, optional
            Constant or lever name (or ``"name[element]"``) -> value or policy.
        final_time, time_step, saveper : float, optional
            Override the model's control values.
        method : {"euler", "rk4", "adaptive"}
        seed : int, optional
            Root seed for RANDOM functions (default 0).
        return_columns : list of str, optional
            Variables to keep (default: all).
        on_error : {"raise", "flag"}
            What a non-finite value does: raise :class:`SolveError` (with the results up to
            that point in ``err.partial``), or only flag it in the result's coordinates.

        Returns
        -------
        xarray.Dataset
            Dims ``time`` and the model's subscripts; variables named as in the model.

        Raises
        ------
        ScenarioError
            Unknown names, values out of a lever's range.
        SolveError
            Bad time settings, or a non-finite value when ``on_error="raise"``.
        """
        ds = self.run_batch(params or {}, final_time=final_time, time_step=time_step, saveper=saveper,
                            method=method, seed=seed, return_columns=return_columns, _n=1,
                            rtol=rtol, atol=atol)
        out = ds.isel(scenario=0, drop=False)
        status = int(out["simsys_status"])
        out = out.drop_vars("scenario")
        if status and on_error == "raise":
            label = str(out["simsys_fail_variable"].values)
            err = SolveError(
                f"a non-finite value (NaN or infinity) appeared at time "
                f"{float(out['simsys_fail_time']):g} in {label!r}; results until then are kept",
                location=self._location_of(label), variable=label)
            err.partial = out
            raise err
        return out

    def run_batch(self, params, *, final_time=None, time_step=None, saveper=None, method="euler",
                  seed=None, scenario_index=None, return_columns=None, rtol=1e-6, atol=1e-9, _n=None):
        """Run many scenarios at once.

        Parameters
        ----------
        params : mapping or pandas.DataFrame
            Name -> float, 1-D array (one value per scenario), policy, or list of policies.
            A DataFrame gives one row per scenario.
        scenario_index : array of int, optional
            Global index of each scenario, from which its random stream is derived
            (default ``arange(n)``).
        Other parameters as :meth:`run`.

        Returns
        -------
        xarray.Dataset
            Dims ``scenario``, ``time`` and the model's subscripts, with per-scenario
            coordinates ``simsys_status``, ``simsys_fail_time``, ``simsys_fail_variable``.

        Raises
        ------
        ScenarioError, SolveError
        """
        from ..results import to_dataset
        params = _as_mapping(params)
        n = _n or _batch_size(params, None if scenario_index is None else len(scenario_index))
        if scenario_index is None:
            scenario_index = np.arange(n)
        scenario_index = np.asarray(scenario_index, dtype=np.int64)
        if scenario_index.shape != (n,):
            raise ScenarioError(f"scenario_index has shape {scenario_index.shape}, expected ({n},)")
        P, policies = self.parameters(params, n)
        sched = self.schedule(final_time, time_step, saveper)
        self.set_controls(P, sched)
        sel, columns = self.selection(return_columns)
        keys = scenario_keys(0 if seed is None else int(seed), scenario_index)
        if method == "adaptive":
            from ..solve.adaptive import simulate_adaptive
            raw = simulate_adaptive(self, P, keys, sched, sel, policies=policies, rtol=rtol, atol=atol)
        else:
            raw = simulate(self, P, keys, sched, sel, method=method, policies=policies)
        return to_dataset(self, raw, columns, scenario_index,
                          settings=dict(method=method, seed=seed, final_time=sched.final_time,
                                        time_step=sched.time_step, saveper=sched.saveper))

    def schedule(self, final_time=None, time_step=None, saveper=None) -> Schedule:
        """The run's time grid: the model's control values with any overrides.

        A model whose SAVEPER equals its TIME STEP keeps saving every step when the
        step is overridden (the usual ``SAVEPER = TIME STEP``).
        """
        ctl = self.model.control
        dt = float(ctl.time_step if time_step is None else time_step)
        if saveper is None:
            saveper = dt if ctl.saveper == ctl.time_step else ctl.saveper
        return Schedule(float(ctl.initial_time),
                        float(ctl.final_time if final_time is None else final_time),
                        dt, float(saveper))

    def set_controls(self, P, schedule: Schedule) -> None:
        """Write the run's FINAL TIME and SAVEPER into their hidden parameter rows of ``P``.

        Equations that use them follow ``run(final_time=..., saveper=...)`` as in PySD
        (TIME STEP is the integrator's ``dt`` already).
        """
        for key, row in self.layout.control_rows.items():
            P[row] = float(getattr(schedule, key))

    def _location_of(self, label: str) -> Location:
        import re
        base = re.sub(r"^(rate of change of|initial value of) ", "", label)
        base = re.sub(r"\[.*$", "", base)
        try:
            return self.model.element(base).location
        except KeyError:
            return Location(str(self.model.path))

    # -- parameters --------------------------------------------------------------------------
    def parameters(self, params: Mapping, n: int):
        """Parameter matrix [n_params, n] and time-varying rows for a batch.

        Raises
        ------
        ScenarioError
            Unknown names, wrong shapes, values out of range.
        """
        from ..policy import _Evaluator, is_policy
        P = np.repeat(self.p_default[:, None], n, axis=1)
        policies = []
        # a whole-lever setting first, so "lever[element]" settings refine it in any key order
        ordered = sorted(params.items(), key=lambda kv: "[" in str(kv[0]))
        for name, value in ordered:
            rows, lever = self._rows_for(name)
            if is_policy(value) or (isinstance(value, (list, tuple)) and value and is_policy(value[0])):
                pols = [value] * n if is_policy(value) else list(value)
                if len(pols) != n:
                    raise ScenarioError(f"{len(pols)} policies given for {n} scenarios", variable=name)
                for p in pols:
                    self._check_range(name, lever, np.asarray(p.values(), dtype=float))
                ev = _Evaluator(pols)
                policies += [(row, ev) for row in rows]
                continue
            try:
                arr = np.asarray(value, dtype=float)
            except (TypeError, ValueError):
                raise ScenarioError(f"expected a number or an array of numbers, found {value!r}",
                                    variable=name) from None
            if arr.ndim == 0:
                arr = np.full(n, float(arr))
            if arr.shape != (n,):
                raise ScenarioError(f"expected {n} values (one per scenario), found shape {arr.shape}",
                                    variable=name)
            if not np.all(np.isfinite(arr)):
                raise ScenarioError("values must be finite numbers", variable=name)
            self._check_range(name, lever, arr)
            for row in rows:
                P[row] = arr
        return P, policies

    def _rows_for(self, name: str):
        base, _, rest = str(name).partition("[")
        key = name_key(base)
        if key not in self._p_rows:
            e = self._elements.get(key)
            if e is not None:
                raise ScenarioError(f"{e.name!r} is a {e.kind.value}, computed by its equation; only "
                                    "constants can be set", variable=name)
            known = sorted(self._p_rows)
            import difflib
            close = difflib.get_close_matches(key, known, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ScenarioError(f"the model has no constant or lever called {base.strip()!r}{hint}",
                                variable=name)
        cells = self._p_rows[key]
        if rest:
            want = tuple(x.strip() for x in rest.rstrip("]").split(","))
            rows = [row for cell, row in cells if cell == want]
            if not rows:
                valid = ", ".join("[" + ",".join(c) + "]" for c, _ in cells)
                raise ScenarioError(f"no element [{','.join(want)}]; valid: {valid}", variable=name)
        else:
            rows = [row for _, row in cells]
        return rows, self._levers.get(key)

    @staticmethod
    def _check_range(name, lever, arr):
        if lever is None:
            return
        bad = (arr < lever.min) | (arr > lever.max)
        if np.any(bad):
            v = arr[np.flatnonzero(bad)[0]]
            raise ScenarioError(
                f"value {v:g} is outside the lever's range [{lever.min:g}, {lever.max:g}]"
                + (f" {lever.units}" if lever.units else ""), variable=name)

    # -- outputs -----------------------------------------------------------------------------
    def selection(self, return_columns=None):
        """Rows to save and, per element, where its cells are in the saved arrays."""
        L = self.layout
        if return_columns is None:
            elements = [e for e in self.model.elements if e.kind is not ElementKind.LOOKUP]
        else:
            if isinstance(return_columns, str):
                return_columns = [return_columns]
            elements = []
            for name in return_columns:
                e = self._elements.get(name_key(name))
                if e is None:
                    import difflib
                    close = difflib.get_close_matches(name_key(name), list(self._elements), n=3)
                    hint = f"; did you mean {', '.join(close)}?" if close else ""
                    raise ScenarioError(f"the model has no variable {name!r}{hint}", variable=name)
                if e.kind is ElementKind.LOOKUP:
                    raise ScenarioError("a lookup is a function, not an output", variable=name)
                elements.append(e)
        ys, vs, ps, columns = [], [], [], []
        for e in elements:
            # cells grouped by slot kind: a variable assembled per cell (constant, auxiliary and
            # stock definitions) has its cells in more than one kind of row
            by_slot: dict[str, list] = {}
            for cell, (slot, idx) in L.cells[e.key].items():
                by_slot.setdefault(slot, []).append((cell, idx))
            parts = []
            for slot, items in by_slot.items():
                target = {"y": ys, "v": vs, "p": ps}[slot]
                parts.append((slot, len(target), [c for c, _ in items]))
                target.extend(i for _, i in items)
            columns.append((e, parts))
        sel = Selection(np.asarray(ys, dtype=np.int64), np.asarray(vs, dtype=np.int64),
                        np.asarray(ps, dtype=np.int64))
        return sel, columns


def _as_mapping(params):
    if params is None:
        return {}
    try:
        import pandas as pd
        if isinstance(params, pd.DataFrame):
            return {c: params[c].to_numpy(dtype=float) for c in params.columns}
    except ImportError:  # pragma: no cover
        pass
    if not isinstance(params, Mapping):
        raise ScenarioError(f"params must be a mapping name -> value, found {type(params).__name__}")
    return dict(params)


def _batch_size(params, n_index=None) -> int:
    from ..policy import is_policy
    sizes = set()
    for name, v in params.items():
        if is_policy(v):
            continue
        if isinstance(v, (list, tuple)) and v and is_policy(v[0]):
            sizes.add(len(v))
            continue
        a = np.asarray(v) if not isinstance(v, (int, float)) else np.asarray(float(v))
        if a.ndim == 1:
            sizes.add(a.shape[0])
        elif a.ndim > 1:
            raise ScenarioError(f"expected one value per scenario (1-D), found shape {a.shape}", variable=name)
    if len(sizes) > 1:
        raise ScenarioError(f"parameter arrays have different lengths {sorted(sizes)}")
    if n_index is not None:
        sizes.add(n_index)
    if len(sizes) > 1:
        raise ScenarioError(f"parameter arrays and scenario_index have different lengths {sorted(sizes)}")
    return sizes.pop() if sizes else 1
