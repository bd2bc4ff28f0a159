"""Reading one scalar output per scenario, and the sampling design, from a sweep store."""
from __future__ import annotations

import json

import numpy as np
import xarray as xr

from ..errors import StoreError, SweepError
from ..model.spec import name_key

__all__ = ["store_output"]


def store_output(store, output: str, *, time: float | None = None,
                 sampler: str | tuple[str, ...] | None = None) -> tuple[xr.Dataset, dict, xr.DataArray]:
    """Open a sweep store and take one scalar output per scenario from it.

    Parameters
    ----------
    store : path
        A Zarr store written by ``simsys sweep``.
    output : str
        A stored variable, e.g. ``"Total vitality:final"``, or a series with a
        subscript cell, e.g. ``"Vitality[Beijing]"`` (then ``time`` picks the year).
    time : float, optional
        Time of a series output (default: the last saved).
    sampler : str, optional
        Refuse a store sampled with another method (the Sobol and Morris
        estimators rely on their design's structure).

    Returns
    -------
    (Dataset, dict, DataArray)
        The store, its sampling design and the output over ``scenario``.

    Raises
    ------
    StoreError
        Unreadable or incomplete store, no design, unknown variable, a subscripted
        variable without a cell, a time that is not saved.
    SweepError
        A store sampled with another method than ``sampler``.
    """
    try:
        ds = xr.open_zarr(store, consolidated=False)
    except Exception as exc:  # zarr raises several types for a missing or broken store
        raise StoreError(f"not a readable Zarr store ({exc})", location=store) from None
    from ..names import decode_names, user_variables
    ds = decode_names(ds)
    from ..sweep.store import check_complete
    check_complete(ds, store)
    text = ds.attrs.get("design") or (ds["design"].attrs.get("design") if "design" in ds else None)
    if text is None or "design" not in ds:
        raise StoreError("store has no sampling design; it was not written by simsys sweep",
                         location=store)
    design = json.loads(text) if isinstance(text, str) else text
    samplers = () if sampler is None else (sampler,) if isinstance(sampler, str) else tuple(sampler)
    if samplers and design.get("method") not in samplers:
        need = " or ".join(f'sampler = "{s}"' for s in samplers)
        raise SweepError(f"this store was sampled with {design.get('method')!r}; "
                         f"these indices need a sweep with {need} (the estimator relies on "
                         "that design; see simsys sensitivity --help)", location=store)
    base, _, rest = output.partition("[")
    names = {name_key(str(v)): str(v) for v in ds.data_vars}
    if name_key(base) not in names:
        raise StoreError(f"no variable {base.strip()!r} in the store; variables: "
                         f"{', '.join(sorted(user_variables(ds)))}",
                         location=store, variable=output)
    da = ds[names[name_key(base)]]
    extra = [d for d in da.dims if d not in ("scenario", "time")]
    if rest:
        elems = [e.strip() for e in rest.rstrip("]").split(",")]
        if len(elems) != len(extra):
            raise StoreError(f"{base.strip()!r} has dims {tuple(extra)}; give one element of each",
                             location=store, variable=output)
        da = da.sel(dict(zip(extra, elems)))
    elif extra:
        raise StoreError(f"{base.strip()!r} is subscripted by {tuple(extra)}; pick a cell, e.g. "
                         f"\"{base.strip()}[{da[extra[0]].values[0]}]\"", location=store,
                         variable=output)
    if "time" in da.dims:
        times = np.asarray(da["time"].values, dtype=float)
        t = times[-1] if time is None else time
        i = int(np.abs(times - t).argmin())
        if abs(times[i] - t) > 1e-6 * max(1.0, abs(t)):
            raise StoreError(f"time {t:g} is not saved in the store (nearest {times[i]:g})",
                             location=store, variable=output)
        da = da.isel(time=i)
    return ds, design, da.load()
