"""A tiny stand-in for ``simsys.Model`` following docs/ENGINE_API.md.

Used where a test must not depend on the engine. ``load(path)`` reads any file (its
bytes give the digest). The model: ``Stock' = Gain * (1 + Noise scale * u)`` with ``u``
uniform on [-1, 1], drawn per (seed, scenario index, step); ``Coop[Region] = Stock *
Regional cooperation[Region]``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from simsys.errors import Location, ScenarioError
from simsys.policy import evaluate, is_policy


@dataclass(frozen=True)
class Lever:
    name: str
    key: str
    dims: tuple
    default: object
    min: float
    max: float
    step: float | None = None
    units: str = "Dmnl"
    doc: str = ""
    group: str = ""
    location: Location = Location("fake.mdl", 1)


@dataclass(frozen=True)
class Element:
    name: str


@dataclass(frozen=True)
class Control:
    initial_time: float = 0.0
    final_time: float = 10.0
    time_step: float = 0.25
    saveper: float = 1.0


REGIONS = ("hub", "east", "west")


class FakeModel:
    def __init__(self, path):
        self.path = Path(path)
        self.digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        self.levers = (
            Lever("Gain", "gain", (), 1.0, 0.0, 2.0),
            Lever("Noise scale", "noise_scale", (), 0.0, 0.0, 1.0),
            Lever("Regional cooperation", "regional_cooperation", ("Region",),
                  np.array([0.5, 0.4, 0.3]), 0.0, 1.0),
        )
        self.ranges = {"Region": REGIONS}
        self.elements = tuple(Element(n) for n in ("Stock", "Rate", "Coop", "Gain",
                                                   "Noise scale", "Regional cooperation"))
        self.control = Control()
        self.data_files = ()

    def _column(self, value, n, t, dt):
        if is_policy(value):
            return evaluate([value] * n, t, dt)
        if isinstance(value, (list, tuple)) and value and is_policy(value[0]):
            return evaluate(value, t, dt)
        return np.broadcast_to(np.asarray(value, dtype=float), (n,))

    def run_batch(self, params, *, final_time=None, time_step=None, saveper=None,
                  method="euler", seed=None, scenario_index=None, return_columns=None):
        params = dict(params or {})
        sizes = [np.size(v) for v in params.values() if not is_policy(v) and np.ndim(v) == 1]
        n = len(scenario_index) if scenario_index is not None else (max(sizes) if sizes else 1)
        index = np.arange(n) if scenario_index is None else np.asarray(scenario_index)
        values = {lv.key: lv.default for lv in self.levers}
        coop = {r: None for r in REGIONS}
        for key, v in params.items():
            base, _, elem = key.partition("[")
            k = "_".join(base.lower().replace("_", " ").split())
            lever = next((lv for lv in self.levers if lv.key == k), None)
            if lever is None:
                raise ScenarioError(f"unknown parameter {key!r}")
            for x in (v.values() if is_policy(v) else np.ravel(v)):
                if not lever.min <= x <= lever.max:
                    raise ScenarioError(f"{key}: {x} outside [{lever.min}, {lever.max}]")
            if elem:
                coop[elem.rstrip("]")] = v
            else:
                values[k] = v
        t0 = self.control.initial_time
        t1 = final_time if final_time is not None else self.control.final_time
        dt = time_step if time_step is not None else self.control.time_step
        sp = saveper if saveper is not None else self.control.saveper
        steps = int(round((t1 - t0) / dt))
        every = int(round(sp / dt))
        rngs = [np.random.default_rng([seed or 0, int(i)]) for i in index]
        stock = np.zeros(n)
        times, s_out, r_out = [], [], []
        for k in range(steps + 1):
            t = t0 + k * dt
            u = np.array([g.uniform(-1, 1) for g in rngs])
            rate = (self._column(values["gain"], n, t, dt)
                    * (1 + self._column(values["noise_scale"], n, t, dt) * u))
            if k % every == 0:
                times.append(t)
                s_out.append(stock.copy())
                r_out.append(rate)
            stock = stock + dt * rate
        S = np.array(s_out).T
        cvals = np.stack([self._column(coop[r] if coop[r] is not None
                                       else values["regional_cooperation"][i], n, 0, dt)
                          for i, r in enumerate(REGIONS)], axis=-1)
        ds = xr.Dataset(
            {"Stock": (("scenario", "time"), S),
             "Rate": (("scenario", "time"), np.array(r_out).T),
             "Coop": (("scenario", "time", "Region"), S[:, :, None] * cvals[:, None, :])},
            coords={"scenario": index, "time": np.array(times), "Region": list(REGIONS),
                    "simsys_status": ("scenario", np.zeros(n, dtype=np.int8)),
                    "simsys_fail_time": ("scenario", np.full(n, np.nan)),
                    "simsys_fail_variable": ("scenario", np.array([""] * n))},
            attrs={"model": str(self.path), "model_digest": self.digest})
        ds["Stock"].attrs["units"] = "Widget"
        if return_columns:
            ds = ds[list(return_columns)]
        return ds

    def run(self, params=None, **kw):
        return self.run_batch(params or {}, **kw).isel(scenario=0, drop=True)


_CACHE = {}


def load(path):
    return FakeModel(path)
