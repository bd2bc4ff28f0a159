"""Run models/talent_ecosystem.mdl in PySD for every scenario and check the behaviour the
brief asks for (calibration, P1, P2, P3, A4, recovery after a shock, positivity).

PySD's read_vensim writes a .py beside the model, so the model and its CSV are copied to a
temporary directory first.  Scenario TOML files are translated into PySD params here (the
simsys scenario loader is written elsewhere): constants, and per-region tables for
subscripted levers.  Time-varying forms (step/ramp/table) are not used by the shipped
scenarios; reforms start at the model's own "Reform start year".

Usage:  python models/check_model.py [--dt 0.0625] [--jobs 2] [--only baseline,ip_protection]
Exit status 0 when every check passes.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import re
import shutil
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MODEL = HERE / "talent_ecosystem.mdl"
DATA = HERE / "region_data.csv"
SCEN = ROOT / "scenarios"
REGIONS = ["hub", "sec_east", "sec_south", "per_central", "per_west", "per_northeast"]
PERIPHERY = ["per_central", "per_west", "per_northeast"]
YEARS = [2021, 2024, 2026, 2030, 2035, 2040, 2045, 2050]

SCALARS = [
    "Total vitality", "Hub periphery vitality gap", "National RD intensity",
    "National basic research share", "National enterprise share of RD", "National conversion rate",
    "Technology progress contribution", "National value added", "Total RD talent",
    "Total industrial talent", "Total intermediary talent", "National coupling coordination D",
    "Total knowledge spillover", "Morans I of vitality", "Theil index of vitality",
    "National talent diversity", "Openness share",
]
VECTORS = ["Skill match", "Coordination cost rate", "Coordination cost", "Vitality per capita",
           "Talent innovation vitality", "Coupling coordination D", "Knowledge spillover"]
STOCKS = ["University students", "Vocational students", "RD talent", "Industrial talent",
          "Intermediary talent", "Basic knowledge", "Applied knowledge",
          "Commercialised technology", "Productive capital", "Venture capital"]


def norm(name: str) -> str:
    return re.sub(r"[\s_]+", "_", name.strip().lower())


def read_levers(mdl: Path) -> dict[str, dict]:
    """Constants whose units field carries a [min,max,step] range."""
    text = mdl.read_text(encoding="utf-8")
    levers = {}
    for block in text.split("|"):
        m = re.search(r"^\s*([^=\n~{]+?)(\[Region\])?\s*=\s*([-0-9.eE]+)\s*~\s*([^~]*?)\[([^\]]+)\]\s*~",
                      block, re.M)
        if not m:
            continue
        name, sub, val, _units, rng = m.groups()
        if name.strip().upper() in ("TIME STEP", "SAVEPER", "INITIAL TIME", "FINAL TIME"):
            continue
        lo, hi, *step = [float(x) if x.strip() != "?" else np.nan for x in rng.split(",")]
        levers[norm(name)] = dict(name=name.strip(), dims=("Region",) if sub else (),
                                  default=float(val), min=lo, max=hi)
    return levers


def load_scenario(path: Path) -> dict:
    """Scenario with `extends` resolved: {'name', 'levers', 'run'}."""
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    sc = doc.get("scenario", {})
    base = {"levers": {}, "run": {}}
    if "extends" in sc:
        base = load_scenario((path.parent / sc["extends"]).resolve())
    levers = dict(base["levers"])
    levers.update({norm(k): v for k, v in doc.get("levers", {}).items()})
    run = dict(base["run"])
    run.update(doc.get("run", {}))
    return {"name": sc.get("name", path.stem), "levers": levers, "run": run}


def to_params(levers: dict, spec: dict) -> dict:
    params = {}
    for key, val in levers.items():
        if key not in spec:
            raise KeyError(f"unknown lever {key!r}")
        lv = spec[key]
        if isinstance(val, dict):
            if set(val) <= set(REGIONS):
                arr = [float(val.get(r, lv["default"])) for r in REGIONS]
                for a in arr:
                    assert lv["min"] <= a <= lv["max"], (key, a)
                params[lv["name"]] = xr.DataArray(arr, {"Region": REGIONS}, ["Region"])
                continue
            raise NotImplementedError(f"time-varying lever form {val} (not used by shipped scenarios)")
        v = float(val)
        assert lv["min"] <= v <= lv["max"], (key, v, lv)
        if lv["dims"]:
            params[lv["name"]] = xr.DataArray([v] * len(REGIONS), {"Region": REGIONS}, ["Region"])
        else:
            params[lv["name"]] = v
    return params


_PY = None


def _init(tmpdir: str) -> None:
    global _PY
    _PY = str(Path(tmpdir) / "talent_ecosystem.py")


def run_one(args):
    import pysd
    name, params, dt, final = args
    t0 = time.time()
    model = pysd.load(_PY)  # fresh model: PySD keeps params set by run() on the object
    df = model.run(params=params, time_step=dt, saveper=0.25, final_time=final)
    took = time.time() - t0
    return name, df, took


def summarize(df: pd.DataFrame) -> dict:
    out = {}
    idx = [y for y in YEARS if y in df.index]
    for v in SCALARS:
        out[v] = df.loc[idx, v]
    for v in VECTORS:
        out[v] = df.loc[idx, [f"{v}[{r}]" for r in REGIONS]]
        out[v].columns = REGIONS
    stock_cols = [c for c in df.columns if any(c.startswith(s + "[") for s in STOCKS)]
    out["min_stock"] = float(df[stock_cols].min().min())
    out["any_nan"] = bool(df.select_dtypes("number").isna().any().any())
    out["series_vitality"] = df["Total vitality"]
    return out


class Checks:
    def __init__(self):
        self.rows = []

    def add(self, name, ok, detail):
        self.rows.append((name, bool(ok), detail))
        print(f"[{'PASS' if ok else 'FAIL'}] {name}: {detail}")

    @property
    def ok(self):
        return all(r[1] for r in self.rows)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--dt", type=float, default=None, help="time step (default: scenario's, 0.0625)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="")
    ap.add_argument("--extremes", action="store_true", help="also run lever-range corner cases")
    a = ap.parse_args(argv)

    spec = read_levers(MODEL)
    print(f"levers ({len(spec)}):", ", ".join(v["name"] for v in spec.values()))
    files = []
    for p in sorted(SCEN.glob("*.toml")):
        with open(p, "rb") as f:
            if {"sweep", "calibration"} & set(tomllib.load(f)):
                continue  # sweep and calibration files are not scenarios
        files.append(p)
    if a.only:
        keep = set(a.only.split(","))
        files = [p for p in files if p.stem in keep]
    jobs = []
    for p in files:
        sc = load_scenario(p)
        dt = a.dt or float(sc["run"].get("time_step", 0.0625))
        jobs.append((p.stem, to_params(sc["levers"], spec), dt, float(sc["run"].get("final_time", 2050))))
    if a.extremes:
        lo = {v["name"]: (xr.DataArray([v["min"]] * 6, {"Region": REGIONS}, ["Region"]) if v["dims"] else v["min"])
              for k, v in spec.items() if k not in ("blockade_start", "reform_start_year")}
        hi = {v["name"]: (xr.DataArray([v["max"]] * 6, {"Region": REGIONS}, ["Region"]) if v["dims"] else v["max"])
              for k, v in spec.items() if k not in ("blockade_start", "reform_start_year")}
        dt = a.dt or 0.0625
        jobs += [("extreme_all_min", lo, dt, 2050.0), ("extreme_all_max", hi, dt, 2050.0)]

    tmp = tempfile.mkdtemp(prefix="simsys_check_")
    shutil.copy(MODEL, tmp)
    shutil.copy(DATA, tmp)
    import pysd
    t0 = time.time()
    pysd.read_vensim(str(Path(tmp) / MODEL.name))
    print(f"translated in {time.time() - t0:.1f}s")
    with mp.get_context("fork").Pool(a.jobs, initializer=_init, initargs=(tmp,)) as pool:
        results = {}
        for name, df, took in pool.imap_unordered(run_one, jobs):
            results[name] = summarize(df)
            print(f"  ran {name:32s} in {took:6.1f}s  vitality 2050 = {df['Total vitality'].iloc[-1]:.4f}")
    shutil.rmtree(tmp, ignore_errors=True)
    return report(results)


def report(R):
    C = Checks()
    pd.set_option("display.width", 200)
    base = R.get("baseline")
    if base is None:
        print("no baseline run")
        return 1
    print("\nBaseline key outputs:")
    print(pd.DataFrame({v: base[v] for v in SCALARS}).T.round(4).to_string())

    # positivity / NaN
    for n, r in R.items():
        C.add(f"no negative stock, no NaN [{n}]", r["min_stock"] >= 0 and not r["any_nan"],
              f"min stock {r['min_stock']:.3g}, NaN {r['any_nan']}")

    # calibration 2021
    b21 = {v: float(base[v].loc[2021]) for v in SCALARS}
    C.add("calibration R&D/GDP 2021 = 2.44%", abs(b21["National RD intensity"] - 0.0244) < 1e-4,
          f"{b21['National RD intensity']:.5f}")
    C.add("calibration basic share 2021 = 6.5%", abs(b21["National basic research share"] - 0.065) < 1e-4,
          f"{b21['National basic research share']:.5f}")
    C.add("calibration enterprise share 2021 = 76.9%", abs(b21["National enterprise share of RD"] - 0.769) < 1e-4,
          f"{b21['National enterprise share of RD']:.5f}")
    C.add("calibration conversion 2021 in 10-15%", 0.10 <= b21["National conversion rate"] <= 0.15,
          f"{b21['National conversion rate']:.4f}")
    C.add("calibration technology progress contribution 2021 > 60%", b21["Technology progress contribution"] > 0.60,
          f"{b21['Technology progress contribution']:.4f}")
    # plausible through 2050
    bands = {"National RD intensity": (0.015, 0.04), "National basic research share": (0.05, 0.1),
             "National enterprise share of RD": (0.6, 0.85), "National conversion rate": (0.08, 0.2),
             "Technology progress contribution": (0.35, 0.9)}
    for v, (lo, hi) in bands.items():
        s = base[v]
        C.add(f"baseline {v} in [{lo}, {hi}] 2021-2050", s.min() >= lo and s.max() <= hi,
              f"range {s.min():.4f}-{s.max():.4f}")
    gva = (base["National value added"].loc[2050] / base["National value added"].loc[2021]) ** (1 / 29) - 1
    C.add("baseline GDP growth 2021-2050 in 2-7%/yr", 0.02 <= gva <= 0.07, f"{gva:.4f}/yr")

    if "developed_benchmark" in R:
        d = R["developed_benchmark"]
        C.add("developed benchmark basic share ~15% by 2050", abs(d["National basic research share"].loc[2050] - 0.15) < 0.01,
              f"{d['National basic research share'].loc[2050]:.4f}")
        C.add("developed benchmark conversion ~40% by 2050", 0.35 <= d["National conversion rate"].loc[2050] <= 0.5,
              f"{d['National conversion rate'].loc[2050]:.4f}")

    v50 = {n: float(r["Total vitality"].loc[2050]) for n, r in R.items()}
    vb = v50["baseline"]
    # P1
    for n in ["fusion_off_industry_innovation", "fusion_off_innovation_capital",
              "fusion_off_industry_capital", "fusion_off_talent_industry"]:
        if n in R:
            C.add(f"P1 {n} lowers vitality 2050", v50[n] < vb, f"{v50[n]:.4f} vs {vb:.4f} ({v50[n] / vb - 1:+.1%})")
    if "four_chain_fusion" in R:
        f = R["four_chain_fusion"]
        C.add("P1 four-chain fusion raises D and vitality 2050",
              f["National coupling coordination D"].loc[2050] > base["National coupling coordination D"].loc[2050] and v50["four_chain_fusion"] > vb,
              f"D {f['National coupling coordination D'].loc[2050]:.4f} vs {base['National coupling coordination D'].loc[2050]:.4f}; "
              f"vitality {v50['four_chain_fusion']:.4f} vs {vb:.4f} ({v50['four_chain_fusion'] / vb - 1:+.1%})")
    fus = [n for n in R if n.startswith("fusion_off") or n in ("four_chain_fusion", "baseline")]
    if len(fus) >= 4:
        d = np.array([R[n]["National coupling coordination D"].loc[2050] for n in fus])
        v = np.array([v50[n] for n in fus])
        rho = pd.Series(d).rank().corr(pd.Series(v).rank())
        C.add("P1 across fusion scenarios, rank correlation of D and vitality 2050 > 0.5", rho > 0.5,
              f"Spearman {rho:.3f} over {len(fus)} scenarios")
    # P2
    for n in ["evaluation_reform", "incentive_reform", "autonomy_reform", "ip_protection", "funding_basic_share",
              "public_rd_boost", "guidance_fund", "service_chain", "unified_market", "openness"]:
        if n in R:
            s = R[n]["Total vitality"]
            b = base["Total vitality"]
            d24 = s.loc[2024] / b.loc[2024] - 1
            d30, d50 = s.loc[2030] / b.loc[2030] - 1, s.loc[2050] / b.loc[2050] - 1
            C.add(f"P2 {n} raises vitality after delay", abs(d24) < 1e-9 and d30 > 0 and d50 > 0,
                  f"2024 {d24:+.2%}, 2030 {d30:+.2%}, 2050 {d50:+.2%}")
    if "ip_protection" in R:
        sp, sb = R["ip_protection"]["Total knowledge spillover"], base["Total knowledge spillover"]
        C.add("P2 IP protection lowers knowledge spillover", sp.loc[2030] < sb.loc[2030] and sp.loc[2050] < sb.loc[2050],
              f"2030 {sp.loc[2030] / sb.loc[2030] - 1:+.1%}, 2050 {sp.loc[2050] / sb.loc[2050] - 1:+.1%}")
    # P3
    if "regional_synergy" in R and "beggar_thy_neighbour" in R:
        s, c = R["regional_synergy"], R["beggar_thy_neighbour"]
        C.add("P3 synergy raises total vitality vs beggar-thy-neighbour (2050)",
              v50["regional_synergy"] > v50["beggar_thy_neighbour"],
              f"{v50['regional_synergy']:.4f} vs {v50['beggar_thy_neighbour']:.4f} ({v50['regional_synergy'] / v50['beggar_thy_neighbour'] - 1:+.1%})")
        gs, gc = s["Hub periphery vitality gap"].loc[2050], c["Hub periphery vitality gap"].loc[2050]
        C.add("P3 synergy lowers hub/periphery vitality gap vs competition (2050)", gs < gc,
              f"{gs:.3f} vs {gc:.3f} ({gs / gc - 1:+.1%})")
        ts, tc = s["Theil index of vitality"].loc[2050], c["Theil index of vitality"].loc[2050]
        print(f"      Theil 2050 synergy {ts:.4f} vs competition {tc:.4f}")
    # hub radiation
    if "hub_radiation_strong" in R and "hub_radiation_weak" in R:
        C.add("hub radiation: strong > baseline > weak vitality 2050",
              v50["hub_radiation_strong"] > vb > v50["hub_radiation_weak"],
              f"{v50['hub_radiation_strong']:.4f} > {vb:.4f} > {v50['hub_radiation_weak']:.4f}")
    # A4
    modes = ["integration_loose_alliance", "integration_vocational_group", "integration_independent_entity"]
    if all(m in R for m in modes):
        sm = [float(R[m]["Skill match"].loc[2050].mean()) for m in modes]
        cc = [float(R[m]["Coordination cost rate"].loc[2050].mean()) for m in modes]
        C.add("A4 skill match: independent > vocational group > loose alliance", sm[2] > sm[1] > sm[0],
              f"{sm[0]:.3f} < {sm[1]:.3f} < {sm[2]:.3f}")
        C.add("A4 coordination cost: independent < vocational group < loose alliance", cc[2] < cc[1] < cc[0],
              f"{cc[0]:.3f} > {cc[1]:.3f} > {cc[2]:.3f}")
        vv = [v50[m] for m in modes]
        print(f"      vitality 2050 by mode: loose {vv[0]:.4f}, group {vv[1]:.4f}, entity {vv[2]:.4f}")
    # shock recovery
    if "technology_blockade" in R:
        s, b = R["technology_blockade"]["series_vitality"], base["series_vitality"]
        rel = s / b - 1
        low = rel.loc[2030:2036].min()
        tmin = rel.loc[2030:2036].idxmin()
        after = rel.loc[tmin:]
        rec = after[after.abs() <= 0.5 * abs(low)]
        t_half = float(rec.index[0] - 2035) if len(rec) else float("nan")
        C.add("blockade: vitality falls during the shock and recovers toward the baseline path",
              low < -0.01 and abs(rel.loc[2050]) < 0.5 * abs(low),
              f"max loss {low:+.2%} at {tmin}; 2040 {rel.loc[2040]:+.2%}; 2050 {rel.loc[2050]:+.2%}; "
              f"half-recovery {t_half:.2f} years after the blockade ends")
    print("\nVitality 2050 by scenario (vs baseline):")
    for n in sorted(v50):
        r = R[n]
        print(f"  {n:34s} {v50[n]:8.4f} ({v50[n] / vb - 1:+7.2%})  D {r['National coupling coordination D'].loc[2050]:.3f}"
              f"  gap {r['Hub periphery vitality gap'].loc[2050]:.3f}  conv {r['National conversion rate'].loc[2050]:.3f}"
              f"  basic {r['National basic research share'].loc[2050]:.3f}  spill {r['Total knowledge spillover'].loc[2050]:.1f}")
    n_fail = sum(1 for r in C.rows if not r[1])
    print(f"\n{len(C.rows) - n_fail} passed, {n_fail} failed")
    return 0 if C.ok else 1


if __name__ == "__main__":
    sys.exit(main())
