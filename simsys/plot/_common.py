"""Input checks and axis helpers shared by the plot functions (private)."""
from __future__ import annotations

import difflib
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr


__all__ = ["PlotError", "GraphvizNotFoundError"]

# Units that mean "no unit": the label then shows the name alone.
_DIMENSIONLESS = {"", "1", "dmnl", "dimensionless", "none", "unitless"}


from ..errors import PlotError  # noqa: E402
from ..names import user_variables  # noqa: E402


class GraphvizNotFoundError(PlotError):
    """The Graphviz ``dot`` program needed to render a diagram is not installed."""


def select_variable(data: xr.Dataset | xr.DataArray, variable: str | None,
                    *, what: str = "data") -> xr.DataArray:
    """Return the DataArray to plot, refusing unknown variable names.

    A DataArray is returned as is (``variable``, if given, must be its name or
    None); a Dataset needs ``variable``.
    """
    if isinstance(data, xr.DataArray):
        if variable is not None and data.name is not None and variable != data.name:
            raise PlotError(f"{what} is the DataArray {data.name!r}; pass a Dataset to "
                            f"select {variable!r}", variable=variable)
        return data
    if not isinstance(data, xr.Dataset):
        raise PlotError(f"{what} must be an xarray Dataset or DataArray, "
                        f"found {type(data).__name__}")
    # the sweep's bookkeeping (design, chunk flags) is not something to plot
    names = user_variables(data)
    if variable is None:
        if len(names) == 1:
            return data[names[0]]
        raise PlotError(f"{what} has {len(names)} variables; name the one to plot: "
                        f"{_listing(names)}")
    if variable not in data.data_vars:
        close = difflib.get_close_matches(str(variable), names, n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
        raise PlotError(f"no such variable in {what}; {hint}available: {_listing(names)}",
                        variable=str(variable))
    return data[variable]


def _listing(names: Sequence[str], limit: int = 40) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    return shown + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def check_dims(da: xr.DataArray, allowed: Sequence[str], *, hint: str = "") -> None:
    """Refuse a DataArray with a dimension outside ``allowed`` or without ``time``."""
    if "time" not in da.dims:
        raise PlotError(f"expected a 'time' dimension, found dims {tuple(da.dims)}",
                        variable=_name(da))
    extra = [d for d in da.dims if d not in allowed]
    if extra:
        msg = (f"expected dims among {tuple(allowed)}, found {tuple(da.dims)}; "
               f"select or reduce {', '.join(repr(str(d)) for d in extra)} first")
        raise PlotError(msg + (f" ({hint})" if hint else ""), variable=_name(da))


def regional_dim(arrays: Sequence[xr.DataArray], dim: str | None = None) -> str:
    """The dimension drawn per element: ``dim`` if given, else the one dimension
    (besides time and scenario) that the arrays have, whatever the model calls it.

    Raises
    ------
    PlotError
        If the arrays have more than one such dimension between them.
    """
    if dim is not None:
        return dim
    found: list[str] = []
    for da in arrays:
        found += [str(d) for d in da.dims if d not in ("time", "scenario") and d not in found]
    if len(found) > 1:
        raise PlotError(f"the variables have dims {', '.join(map(repr, found))} besides time;"
                        " pass dim= the one to draw per element")
    # national series only: nothing is drawn per element, the name is a placeholder
    return found[0] if found else "region"


def dim_label(dim: str, lang: str = "en") -> str:
    """Axis or legend title of a regional dimension, translated where it is a known one."""
    from .style import text
    key = str(dim).lower()
    return text(key, lang) if key in ("region", "province") else str(dim)


def _name(da: xr.DataArray) -> str | None:
    return None if da.name is None else str(da.name)


def units_of(da: xr.DataArray) -> str:
    """Return the units attribute, or "" for dimensionless or missing units."""
    units = str(da.attrs.get("units", "")).strip()
    return "" if units.lower() in _DIMENSIONLESS else units


def quantity_label(da: xr.DataArray, *, width: int | None = None) -> str:
    """Return "name [units]" (or just the name), wrapped to ``width`` characters."""
    name = _name(da) or ""
    units = units_of(da)
    label = f"{name} [{units}]" if units and name else (units or name)
    return textwrap.fill(label, width) if width else label


def figure_title(fig, title: str, *, fontsize: float = 12.0) -> None:
    """Set ``title`` above the figure, wrapped to the figure's width.

    A title wider than the figure would make constrained layout widen the page and push
    the panels into a corner (a scenario's question is often a long sentence).
    """
    # about 0.55 em per character in the default sans-serif font; 72 points per inch
    per_line = max(20, int(fig.get_figwidth() * 72 / (0.55 * fontsize)))
    fig.suptitle(textwrap.fill(title, per_line), fontsize=fontsize)


def years(da: xr.DataArray) -> np.ndarray:
    """Return the time coordinate as plotted on the x axis."""
    return np.asarray(da["time"].values)


def new_axes(ax, *, figsize: tuple[float, float]):
    """Return ``ax`` or the Axes of a new constrained-layout figure."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt  # only to create the figure

    fig = plt.figure(figsize=figsize, layout="constrained")
    return fig.add_subplot()


def as_mapping(result: Any, *, what: str) -> Mapping[str, Any]:
    """Return a dict-like view of a result given as a Mapping or an xarray Dataset."""
    if isinstance(result, xr.Dataset):
        out: dict[str, Any] = {str(k): result[k].values for k in result.data_vars}
        for k in result.coords:
            out.setdefault(str(k), result[k].values)
        return out
    if isinstance(result, Mapping):
        return result
    raise PlotError(f"{what} must be a dict or an xarray Dataset, found {type(result).__name__}")


def column(result: Mapping[str, Any], key: str, n: int | None, *, what: str) -> np.ndarray:
    """Return ``result[key]`` as a 1-D float array of length ``n``."""
    if key not in result:
        raise PlotError(f"{what} has no {key!r}; found keys {sorted(map(str, result))}")
    arr = np.asarray(result[key], dtype=float).reshape(-1)
    if n is not None and arr.size != n:
        raise PlotError(f"{what}[{key!r}] has {arr.size} values, expected {n} (one per entry)")
    return arr


def readable_numbers(ax, axis: str = "y") -> None:
    """Write large tick values with thousands separators (120,000 not 120000 or 1.2e5)."""
    from matplotlib.ticker import FuncFormatter

    target = ax.yaxis if axis == "y" else ax.xaxis
    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    if 1e4 <= max(abs(lo), abs(hi)) < 1e12:
        target.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))


def legend_outside(ax, *, title: str | None = None, **kwargs):
    """Place the legend to the right of the axes, outside the data area."""
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                     frameon=False, title=title, **kwargs)
