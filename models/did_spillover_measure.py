"""What the DiD of the staggered pilot gets wrong, and why: the table in models/README.md.

Runs scenarios/did_staggered_pilot.toml and its baseline and estimates the pilot's effect
on "Talent innovation vitality" over 2016-2032 with three control designs (did2s with
every untreated province a control; with the treated provinces' neighbours dropped; with
Butts's ring-1 exposure) under four pre-trend forms. Every estimator is linear in the
outcome, so each estimate is exactly its value on the baseline (a placebo: the pre-trend
error) plus its value on pilot minus baseline (the treatment and spillover mechanism).

    python models/did_spillover_measure.py
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

import simsys
from simsys.analysis import spillover_did, staggered_did

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = "Talent innovation vitality"
FIRST, LAST, PRE_END = 2016, 2032, 2021


def prefit(da: xr.DataArray, degree: int = 1) -> xr.DataArray:
    """The panel less each province's polynomial fitted on FIRST..PRE_END (the old test's way)."""
    t = da["time"].values
    pre = t <= PRE_END
    y = da.transpose("time", "Province").values
    coef = np.polyfit(t[pre] - PRE_END, y[pre], degree)
    trend = sum(np.outer((t - PRE_END) ** (degree - k), coef[k]) for k in range(degree + 1))
    return da.transpose("time", "Province") - trend


def main() -> None:
    model = simsys.load_model(ROOT / "models" / "talent_ecosystem.mdl")
    sc = [ROOT / "scenarios" / "baseline.toml", ROOT / "scenarios" / "did_staggered_pilot.toml"]
    y = simsys.run_scenarios(sc, model, variables=[OUTPUT], saveper=1.0)[OUTPUT]
    y = y.sel(time=slice(FIRST, LAST)).transpose("scenario", "Province", "time")
    pilot, base = y.sel(scenario="did_staggered_pilot"), y.sel(scenario="baseline")
    gap = pilot - base
    from simsys.analysis.pilot import adoption_from_scenario
    from simsys.scenario import load_scenario
    _, _, adoption = adoption_from_scenario(load_scenario(sc[1]), model, LAST)
    ref = spillover_did(gap, adoption)
    treated, ring = ref.design["treated"], ref.design["ring"]
    truth, own = float(gap.where(treated).mean()), float(gap.where(ring == 1).mean())
    neighbours = sorted(str(p) for p in ring["Province"].values
                        if p not in adoption and (ring.sel(Province=p) == 1).any())
    print(f"truth {truth:.3f}; model's spillover on ring-1 province-years {own:.4f}; "
          f"pure controls {', '.join(ref.pure_controls)}\n")
    print("| pre-trend | controls | estimate (% off) | = placebo on baseline | + pilot minus baseline "
          "| spillover = placebo + mechanism |")
    print("|---|---|---|---|---|---|")
    forms = [("none", "none", None), ("linear, first stage", "linear", None),
             ("quadratic, first stage", "quadratic", None), ("linear, prefit 2016-2021", "none", 1)]
    for label, trend, degree in forms:
        panels = [p if degree is None else prefit(p, degree) for p in (pilot, base, gap)]
        fits = [spillover_did(p, adoption, trend=trend) for p in panels]
        drop = [staggered_did(p, adoption, trend=trend, exclude=neighbours).did2s.coef for p in panels]
        designs = [("neighbours as controls", [f.naive.coef for f in fits]),
                   ("neighbours dropped", drop), ("Butts ring-1 exposure", [f.direct.coef for f in fits])]
        for name, (est, plac, mech) in designs:
            spill = (f"{fits[0].spillover[0].coef:.3f} = {fits[1].spillover[0].coef:.3f} + "
                     f"{fits[2].spillover[0].coef:.3f}" if name.startswith("Butts") else "")
            print(f"| {label} | {name} | {est:.2f} ({100 * (est / truth - 1):+.1f}%) | {plac:.3f} "
                  f"| {mech:.3f} | {spill} |")


if __name__ == "__main__":
    main()
