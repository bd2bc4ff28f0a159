"""Maps of China's provinces: a tile-grid map (no extra dependency) and a real-boundary choropleth.

Both take per-province values keyed by pinyin code, Chinese or English name
(a dict, a pandas Series or a 1-D DataArray over the province dimension; see
:func:`simsys.geo.by_province`), label each province in Chinese and pinyin and
draw a colour bar. Categorical values (strings, e.g. LISA clusters HH/LL/HL/LH
and "ns") get a legend with a fixed colour per class instead.

The choropleth needs the optional ``maps`` extra (``pip install
'simsys[maps]'``: cnmaps with its bundled boundaries, geopandas, cartopy).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..geo import by_province, provinces
from ..headline import unsigned_zero
from ._common import PlotError, new_axes
from .style import font_context

__all__ = ["LISA_COLORS", "tile_map", "choropleth", "maps_available"]

#: colours of LISA clusters (GeoDa's convention) and of "not significant"
LISA_COLORS = {"HH": "#d7191c", "LL": "#2c7bb6", "HL": "#fdae61", "LH": "#abd9e9",
               "ns": "#eeeeee"}
_MISSING = "#ffffff"


def _classes(values: dict[str, Any]):
    """``(is_categorical, colour per code, legend handles or (norm, cmap))``."""
    cats = [v for v in values.values() if isinstance(v, str)]
    if cats and len(cats) != len(values):
        raise PlotError("per-province values must be all numbers or all class labels")
    return bool(cats)


def _colours(values: dict[str, Any], cmap: str, vmin, vmax, center):
    import matplotlib as mpl
    if _classes(values):
        palette = dict(LISA_COLORS)
        others = sorted({v for v in values.values() if v not in palette})
        tab = mpl.colormaps["tab10"]
        palette.update({c: mpl.colors.to_hex(tab(i % 10)) for i, c in enumerate(others)})
        return {k: palette[v] for k, v in values.items()}, palette, None
    arr = np.array([float(v) for v in values.values()])
    finite = arr[np.isfinite(arr)]
    if finite.size == 0:
        raise PlotError("no finite per-province value to colour")
    lo = float(finite.min()) if vmin is None else float(vmin)
    hi = float(finite.max()) if vmax is None else float(vmax)
    if center is not None:
        half = max(abs(lo - center), abs(hi - center)) or 1.0
        norm = mpl.colors.TwoSlopeNorm(vcenter=center, vmin=center - half, vmax=center + half)
    else:
        norm = mpl.colors.Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1.0)
    cm = mpl.colormaps[cmap]
    cols = {k: (mpl.colors.to_hex(cm(norm(float(v)))) if np.isfinite(float(v)) else _MISSING)
            for k, v in values.items()}
    return cols, None, mpl.cm.ScalarMappable(norm=norm, cmap=cm)


def _finish(ax, palette, mappable, values, title, label):
    import matplotlib.patches as mpatches
    if mappable is not None:
        cb = ax.figure.colorbar(mappable, ax=ax, shrink=0.7, pad=0.02)
        if label:
            cb.set_label(label)
    else:
        used = [c for c in palette if c in set(values.values())]
        from ..analysis.spatial import QUADRANT_KEY
        # LISA classes carry their meaning, so the map reads without the methods section
        handles = [mpatches.Patch(facecolor=palette[c], edgecolor="0.5",
                                  label=f"{c}: {QUADRANT_KEY[c]}" if c in QUADRANT_KEY else c)
                   for c in used]
        # below the map, left-aligned: no corner of China's outline is free of provinces
        # for entries this long (inside, the key covered Hainan's tile)
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.0), fontsize=8,
                  frameon=False, title=label or None, alignment="left")
    if title:
        ax.set_title(title)


def _text_colour(hex_colour: str) -> str:
    import matplotlib as mpl
    r, g, b = mpl.colors.to_rgb(hex_colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


def tile_map(values: Any, *, ax=None, cmap: str = "viridis", vmin=None, vmax=None,
             center: float | None = None, title: str | None = None, label: str | None = None,
             fmt: str = "{:.3g}", show_values: bool = True):
    """A tile-grid map of China: one square per province at its approximate place.

    Parameters
    ----------
    values : dict, pandas.Series or xarray.DataArray
        One value per province (number or class label), keyed by code, Chinese or
        English name; provinces not given are drawn blank.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is made if None.
    cmap : str, default "viridis"
        Colour map of numeric values.
    vmin, vmax : float, optional
        Colour range (default: the data's).
    center : float, optional
        A diverging centre (e.g. 0 for effects); use a diverging ``cmap`` with it.
    title, label : str, optional
        Figure title and colour-bar (or legend) label.
    fmt : str
        Format of the value printed in each tile.
    show_values : bool, default True
        Print each numeric value under the names.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    SimsysError
        Unknown province names, mixed numbers and labels, or no finite value.
    """
    import matplotlib.patches as mpatches
    vals = by_province(values)
    cols, palette, mappable = _colours(vals, cmap, vmin, vmax, center)
    ax = new_axes(ax, figsize=(7.6, 6.2))
    with font_context("zh"):
        for p in provinces():
            colour = cols.get(p.code, _MISSING)
            ax.add_patch(mpatches.FancyBboxPatch((p.col + 0.04, -p.row + 0.04), 0.92, 0.92,
                                                 boxstyle="round,pad=0,rounding_size=0.08",
                                                 facecolor=colour, edgecolor="0.55", lw=0.8))
            tc = _text_colour(colour)
            ax.text(p.col + 0.5, -p.row + 0.66, p.zh, ha="center", va="center", fontsize=10,
                    color=tc)
            ax.text(p.col + 0.5, -p.row + 0.42, p.code, ha="center", va="center", fontsize=6,
                    color=tc)
            v = vals.get(p.code)
            if show_values and v is not None and not isinstance(v, str) and np.isfinite(float(v)):
                ax.text(p.col + 0.5, -p.row + 0.2, unsigned_zero(fmt.format(float(v))), ha="center",
                        va="center", fontsize=6, color=tc)
        rows = max(p.row for p in provinces()) + 1
        cols_n = max(p.col for p in provinces()) + 1
        ax.set_xlim(-0.1, cols_n + 0.1)
        ax.set_ylim(-rows + 0.9, 1.1)
        ax.set_aspect("equal")
        ax.axis("off")
        _finish(ax, palette, mappable, vals, title, label)
    return ax


def maps_available() -> bool:
    """True if the optional ``maps`` extra (cnmaps) is installed."""
    try:
        import cnmaps  # noqa: F401
    except ImportError:
        return False
    return True


def _province_shapes():
    """GeoDataFrame of cnmaps' province-level polygons with our code per row (None for the
    regions outside the 31, which are drawn without data)."""
    import geopandas as gpd
    from cnmaps import get_adm_maps
    records = get_adm_maps(level="省", record="all", only_polygon=False)
    short = {p.zh: p.code for p in provinces()}
    codes, geoms = [], []
    for r in records:
        name = str(r.get("province") or r.get("省/直辖市") or "")
        codes.append(next((c for zh, c in short.items() if name.startswith(zh)), None))
        geom = r["geometry"]
        geoms.append(getattr(geom, "_geom", geom))
    return gpd.GeoDataFrame({"code": codes}, geometry=geoms, crs="EPSG:4326")


def choropleth(values: Any, *, ax=None, cmap: str = "viridis", vmin=None, vmax=None,
               center: float | None = None, title: str | None = None,
               label: str | None = None):
    """A choropleth of China's provinces with real boundaries (needs the ``maps`` extra).

    Parameters are those of :func:`tile_map` (without the value printing).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    PlotError
        If the ``maps`` extra is not installed.
    SimsysError
        Unknown province names, mixed numbers and labels, or no finite value.
    """
    if not maps_available():
        raise PlotError("real-boundary maps need the optional extra: pip install 'simsys[maps]'"
                        " (or use tile_map, which needs nothing more)")
    vals = by_province(values)
    cols, palette, mappable = _colours(vals, cmap, vmin, vmax, center)
    gdf = _province_shapes()
    ax = new_axes(ax, figsize=(8.0, 6.4))
    with font_context("zh"):
        gdf.plot(ax=ax, color=[cols.get(c, _MISSING) if isinstance(c, str) else "#f4f4f4"
                               for c in gdf["code"]],
                 edgecolor="0.4", linewidth=0.4)
        names = {p.code: p for p in provinces()}
        for code, geom in zip(gdf["code"], gdf.geometry):
            if not isinstance(code, str):
                continue
            pt = geom.representative_point()
            tc = _text_colour(cols.get(code, _MISSING))
            ax.annotate(f"{names[code].zh}\n{code}", (pt.x, pt.y), ha="center", va="center",
                        fontsize=5, color=tc)
        ax.set_aspect("equal")
        ax.axis("off")
        _finish(ax, palette, mappable, vals, title, label)
    return ax
