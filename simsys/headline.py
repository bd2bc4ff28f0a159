"""How a headline number is read: which regional variables add up, and how a change is written.

A regional variable of an extensive quantity (talent, value added, money) is summed
over its regions; an intensive one (per capita, a share, a rate, an index, a degree) is
averaged, because the sum of per-capita values means nothing. The rule looks at the
variable's name and the first sentence of its documentation.
"""
from __future__ import annotations

import math
import re

import xarray as xr

__all__ = ["INTENSIVE_WORDS", "aggregation", "aggregate", "percent", "signed", "unsigned_zero"]

#: Words in a variable's name that make it intensive (averaged over regions, never summed).
INTENSIVE_WORDS = ("per capita", "per-capita", "per person", "share", "rate", "ratio",
                   "intensity", "index", "degree", "coordination", "fraction", "gap",
                   "average", "mean", "probability", "density", "elasticity", "coefficient")
_DOC_WORDS = ("normalised", "normalized", "index", "per capita", "share of", "ratio")
_SEP = re.compile(r"[\s_]+")
_SIGNED_ZERO = re.compile(r"^([^0-9+-]*)[-+](0*\.?0*)(?![0-9.])")


def _first_sentence(doc: str) -> str:
    return doc.split(". ")[0].lower()


def aggregation(da: xr.DataArray) -> str:
    """``"mean"`` for an intensive variable, ``"sum"`` for an extensive one.

    Parameters
    ----------
    da : xarray.DataArray
        A variable with its ``doc`` attribute (may be missing).

    Returns
    -------
    str
        "mean" or "sum".
    """
    name = " " + _SEP.sub(" ", str(da.name or "")).lower() + " "
    if any(re.search(rf"\b{re.escape(w)}\b", name) for w in INTENSIVE_WORDS):
        return "mean"
    doc = _first_sentence(str(da.attrs.get("doc", "")))
    if any(w in doc for w in _DOC_WORDS):
        return "mean"
    return "sum"


def aggregate(da: xr.DataArray, keep: tuple[str, ...] = ("time", "scenario")
              ) -> tuple[xr.DataArray, str]:
    """Reduce every dim outside ``keep`` by the variable's :func:`aggregation`.

    Returns
    -------
    (xarray.DataArray, str)
        The reduced array (attrs kept) and a label suffix such as
        ``" (sum over Province)"``, empty when nothing was reduced.
    """
    other = [d for d in da.dims if d not in keep]
    if not other:
        return da, ""
    how = aggregation(da)
    out = da.sum(other) if how == "sum" else da.mean(other)
    out.attrs = dict(da.attrs)
    out.name = da.name
    return out, f" ({how} over {', '.join(map(str, other))})"


def signed(x: float, fmt: str = ".4g", *, scale: float | None = None) -> str:
    """``x`` with its sign, never ``-0``: ``+0.12``, ``-3``, ``0``.

    With ``scale`` (the size of the numbers ``x`` is a difference of), a value below
    ``1e-12 * |scale|`` is rounding noise and written ``0``.
    """
    if not math.isfinite(x):
        return str(x)
    if scale is not None and abs(x) <= 1e-12 * abs(scale):
        x = 0.0
    text = format(x, fmt)
    if float(text) == 0:
        return format(0.0, fmt)
    return text if text.startswith("-") else "+" + text


def percent(new: float, old: float, digits: int = 1) -> str:
    """The change from ``old`` to ``new`` in percent (``+2.4%``), ``-`` when ``old`` is 0.

    A change that rounds to zero is written ``0.0%``, never ``-0.0%``.
    """
    if not old or not math.isfinite(old) or not math.isfinite(new):
        return "-"
    value = (new / old - 1.0) * 100.0
    if round(value, digits) == 0:
        return f"{0.0:.{digits}f}%"
    return f"{value:+.{digits}f}%"


def unsigned_zero(text: str) -> str:
    """``text`` (a formatted number) without the sign of a value that rounds to zero.

    ``"-0.0"`` -> ``"0.0"``, ``"+0.00%"`` -> ``"0.00%"``; ``"-0.1"`` is kept.
    """
    m = _SIGNED_ZERO.match(text)
    if m is None or not any(ch == "0" for ch in m.group(2)):
        return text
    return m.group(1) + text[m.end(1) + 1:]
