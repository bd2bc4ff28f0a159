"""PRIM's peeling trajectory: coverage against density, one point per peeling step."""
from __future__ import annotations

import numpy as np

from ._common import new_axes

__all__ = ["peeling_plot"]


def peeling_plot(discovery, *, ax=None):
    """Coverage against density of every PRIM box, coloured by the number of restricted levers.

    Parameters
    ----------
    discovery : simsys.analysis.discover.Discovery
        The result of :func:`simsys.analysis.discover.discover`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is made if None.

    Returns
    -------
    matplotlib.axes.Axes
    """
    ax = new_axes(ax, figsize=(5.5, 4.2))
    t = discovery.trajectory
    cov, den = t["coverage"].to_numpy(float), t["density"].to_numpy(float)
    res = t["res_dim"].to_numpy(int)
    ax.plot(cov, den, color="0.75", lw=1, zorder=1)
    sc = ax.scatter(cov, den, c=res, cmap="viridis", s=22, zorder=2,
                    vmin=0, vmax=max(int(res.max()), 1))
    i = discovery.chosen
    ax.scatter([cov[i]], [den[i]], s=120, facecolors="none", edgecolors="crimson", lw=1.6,
               zorder=3, label=f"chosen box (coverage {cov[i]:.2f}, density {den[i]:.2f})")
    cb = ax.figure.colorbar(sc, ax=ax, ticks=np.arange(0, max(int(res.max()), 1) + 1))
    cb.set_label("restricted levers")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    side = "above" if discovery.above else "below"
    ax.set_title(f"PRIM peeling: {discovery.output} {side} {discovery.threshold:.4g}",
                 fontsize=9)
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    return ax
