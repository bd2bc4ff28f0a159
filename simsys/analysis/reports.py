"""Spatial statistics and coupling degree straight from a run's results (``simsys spatial``,
``simsys coupling``): the study's Moran's I and four-chain coordination, per region and year."""
from __future__ import annotations


import numpy as np
import xarray as xr

from ..errors import AnalysisError
from ._common import spatial_dim
from .coupling import coupling_band, coupling_degree
from .inequality import gini, theil
from .spatial import local_morans, morans_i_over_time

__all__ = ["open_run", "weights_of", "regional_dim", "spatial_report", "coupling_report"]


def open_run(results) -> xr.Dataset:
    """A run's Dataset from a Dataset, a ``.nc`` file or a Zarr store (one scenario).

    Raises
    ------
    AnalysisError
        Unreadable file, or a sweep with more than one scenario.
    """
    if isinstance(results, xr.Dataset):
        ds = results
    else:
        from ..plot.files import open_results
        ds = open_results(results)
    if "scenario" in ds.dims:
        if ds.sizes["scenario"] != 1:
            raise AnalysisError(f"{results!s} holds {ds.sizes['scenario']} scenarios; select one first")
        ds = ds.isel(scenario=0)
    return ds


def _variable(ds, name, dim=None):
    if name not in ds.data_vars:
        import difflib
        from ..names import user_variables
        close = difflib.get_close_matches(name, user_variables(ds), n=3)
        hint = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
        raise AnalysisError(f"the results have no variable {name!r}{hint}", variable=name)
    da = ds[name]
    dim = spatial_dim(da, dim, what=repr(name))
    if dim not in da.dims or "time" not in da.dims:
        raise AnalysisError(f"{name!r} must vary over {dim!r} and time; it has dims {da.dims}",
                            variable=name)
    return da


def weights_of(model, name: str = "W") -> np.ndarray:
    """The model's spatial weight matrix (a 2-D variable), evaluated at the initial time.

    Raises
    ------
    AnalysisError
        The model has no such 2-D variable.
    """
    from ..model.load import load_model
    m = model if hasattr(model, "elements") else load_model(model)
    try:
        e = m.element(name)
    except KeyError:
        raise AnalysisError(f"the model has no weight matrix {name!r}; name it with --weights",
                            variable=name) from None
    if len(e.dims) != 2:
        raise AnalysisError(f"{name!r} has dims {e.dims}; a weight matrix needs two", variable=name)
    ds = m.run(final_time=m.control.initial_time, return_columns=[e.name])
    return np.asarray(ds[e.name].isel(time=0).values, dtype=float)


def regional_dim(model, variable: str | None = None, weights: str = "W") -> str:
    """The subscript range that holds a model's regions ("Province", "Region", ...).

    In order: the one dimension of ``variable`` if it has exactly one; the first
    dimension of the weight matrix ``weights``; the model's only subscript range.

    Raises
    ------
    AnalysisError
        If none of these settles it (name the range explicitly).
    """
    from ..model.load import load_model
    m = model if hasattr(model, "elements") else load_model(model)
    for name, pick in ((variable, 1), (weights, 2)):
        if name is None:
            continue
        try:
            dims = m.element(name).dims
        except KeyError:
            continue
        if len(dims) == pick:
            return str(dims[0])
    if len(m.ranges) == 1:
        return next(iter(m.ranges))
    raise AnalysisError(f"cannot tell which subscript range holds the regions (ranges:"
                        f" {', '.join(m.ranges) or 'none'}); name it with dim",
                        variable=variable)


def spatial_report(results, variable: str, *, model=None, weights: str = "W", dim: str | None = None,
                   permutations: int = 999, seed=0, time: float | None = None) -> xr.Dataset:
    """Moran's I over time (with permutation inference), Theil and Gini, and LISA at one time.

    Parameters
    ----------
    results : Dataset or path
        A run (``simsys run`` writes ``.nc``).
    variable : str
        A variable over ``dim`` and time, e.g. "Talent innovation vitality".
    model : Model or path, optional
        Where the weight matrix comes from (default: the model named in the results).
    weights : str
        The model's weight-matrix variable.
    time : float, optional
        Time of the local (LISA) statistics (default: the last).
    dim : str, optional
        The regional dimension (default: the variable's one dimension besides
        time and scenario).

    Returns
    -------
    xarray.Dataset
        ``I``, ``EI``, ``z_rand``, ``p_rand``, ``p_sim``, ``theil``, ``gini`` over time, and
        ``Ii``, ``quadrant``, ``p_local`` over ``dim`` at ``time``.

    Raises
    ------
    AnalysisError
        Unknown variable, missing weight matrix, wrong dims.
    """
    ds = open_run(results)
    da = _variable(ds, variable, dim)
    dim = spatial_dim(da, dim, what=repr(variable))
    W = weights_of(model if model is not None else ds.attrs.get("model"), weights)
    moran = morans_i_over_time(da, W, dim=dim, permutations=permutations, seed=seed)
    out = moran[[v for v in ("I", "EI", "z_rand", "p_rand", "p_sim") if v in moran]]
    out["theil"] = theil(da, dim=dim)
    out["gini"] = gini(da, dim=dim)
    t = float(da["time"].values[-1]) if time is None else float(time)
    y = da.sel(time=t, method="nearest")
    local = local_morans(y.values, W, permutations=permutations, seed=seed)
    out["Ii"] = ((dim,), np.asarray(local.Is))
    out["quadrant"] = ((dim,), np.asarray(local.quadrant).astype(str))
    out["p_local"] = ((dim,), np.asarray(local.p_sim))
    out = out.assign_coords({dim: da[dim].values})
    out.attrs.update(variable=variable, local_time=float(y["time"]), permutations=permutations)
    return out


def coupling_report(results, indices, *, corrected: bool = False, weights=None,
                    rescale: bool = False, dim: str | None = None) -> xr.Dataset:
    """C, T, D and the ten-band class of D per region and time from chain index variables.

    Parameters
    ----------
    results : Dataset or path
    indices : sequence of str
        One variable per chain, each over ``dim`` and time, in [0, 1]
        (the model's "U talent", "U innovation", "U industry", "U capital").
    corrected : bool
        Use the corrected C of Wang Shujia et al. (2021) instead of the standard one.
    weights : sequence of float, optional
        Weights of T (default equal).
    rescale : bool
        Map indices from [0, 1] to [0.01, 0.99] first; the model's own indices already
        are in that range, so the default leaves them as they are.
    dim : str, optional
        The regional dimension (default: the first index's one dimension besides
        time and scenario).

    Returns
    -------
    xarray.Dataset
        ``C``, ``T``, ``D`` and ``band`` (0-9), ``band_en``, ``band_zh``.

    Raises
    ------
    AnalysisError
        Fewer than two indices, unknown variables, wrong dims.
    """
    ds = open_run(results)
    names = list(indices)
    if len(names) < 2:
        raise AnalysisError("the coupling degree needs at least two chain indices")
    stacked = xr.concat([_variable(ds, n, dim) for n in names], dim="chain").assign_coords(chain=names)
    res = coupling_degree(stacked, weights, dim="chain", corrected=corrected,
                          rescale=rescale).to_dataset()
    band = coupling_band(res["D"])
    res["band"] = res["D"].copy(data=np.asarray(band.index))
    res["band_en"] = res["D"].copy(data=np.asarray(band.en, dtype=str))
    res["band_zh"] = res["D"].copy(data=np.asarray(band.zh, dtype=str))
    res.attrs.update(indices=", ".join(names), corrected=int(corrected))
    return res
