"""Is a Sobol estimate trustworthy? Warnings a reader needs before quoting the indices.

The bootstrap half-widths ``S1_conf``/``ST_conf`` shrink like ``1/sqrt(n)``, so the
base sample size that would bring every half-width down to ``target`` is about
``n * (max_conf / target) ** 2``, rounded up to a power of two (Saltelli's scheme
wants one).
"""
from __future__ import annotations

import math

import numpy as np
import xarray as xr

__all__ = ["TARGET_HALF_WIDTH", "SobolSampleWarning", "sobol_warnings", "suggested_n"]

#: Half-width of a confidence interval small enough to rank indices by.
TARGET_HALF_WIDTH = 0.05


class SobolSampleWarning(UserWarning):
    """Sobol indices estimated from too small a sample to be quoted (see :func:`sobol_warnings`)."""


def suggested_n(n: int, max_conf: float, target: float = TARGET_HALF_WIDTH) -> int:
    """Base sample size whose intervals would be about ``target`` wide (a power of two > n)."""
    need = n * (max_conf / target) ** 2 if max_conf > 0 else n
    return max(2 * n, 2 ** math.ceil(math.log2(max(need, 1.0))))


def sobol_warnings(result: xr.Dataset, n: int, *, target: float = TARGET_HALF_WIDTH) -> list[str]:
    """Warnings for Sobol indices too uncertain to use, with the n that would do.

    Flags (for one output; a result along time is judged at its last time):
    a parameter whose S1 or ST interval is wider than the index itself (and wider
    than ``target``); S1 above ST by more than their intervals allow (S1 <= ST holds
    for the true indices); the S1 summing above 1 beyond their intervals.

    Parameters
    ----------
    result : xarray.Dataset
        From :func:`simsys.analysis.sensitivity.sobol_indices`.
    n : int
        The design's base sample size.
    target : float
        Interval half-width considered precise enough.

    Returns
    -------
    list of str
        One sentence per problem and, if any, a last one suggesting ``n``; empty when
        the estimate looks sound.
    """
    res = result.isel({d: -1 for d in result.dims if d not in ("parameter", "parameter_j")})
    names = [str(p) for p in res["parameter"].values]
    s1, s1c = res["S1"].values.astype(float), res["S1_conf"].values.astype(float)
    st, stc = res["ST"].values.astype(float), res["ST_conf"].values.astype(float)
    out = []
    for key, s, c in (("S1", s1, s1c), ("ST", st, stc)):
        wide = [names[i] for i in range(len(names)) if c[i] > abs(s[i]) and c[i] > target]
        if wide:
            out.append(f"{key} confidence interval wider than the index for {', '.join(wide)}")
    above = [names[i] for i in range(len(names)) if s1[i] - st[i] > s1c[i] + stc[i]]
    if above:
        out.append(f"S1 above ST beyond their intervals for {', '.join(above)} "
                   "(impossible for the true indices)")
    total, total_conf = float(np.sum(s1)), float(np.sqrt(np.sum(s1c ** 2)))
    if total - total_conf > 1.0:
        out.append(f"the S1 sum to {total:.2f} (above 1, impossible for the true indices)")
    if out:
        worst = float(np.nanmax(np.concatenate([s1c, stc])))
        out.append(f"the sample is too small (largest interval half-width {worst:.2g}); "
                   f"rerun the sweep with n = {suggested_n(n, worst, target)} or more")
    return out
