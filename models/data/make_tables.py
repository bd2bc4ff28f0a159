"""Build the 31-province data tables of the talent model from models/data/raw/.

Reads ONLY the verbatim source copies in ``raw/`` (paths relative to this
file) and writes, next to this file:

  provinces.csv        code, zh, en, hub, macro_region
  province_data.csv    items x provinces (rows read by Vensim GET DIRECT CONSTANTS)
  weights.csv          31x31 row-standardised contiguity matrix
  adjacency.csv        31x31 binary contiguity matrix (same layout)
  history/*.csv        wide tables, one row per year, columns year + 31 provinces

Output is deterministic: raw values are written as given in the source, unit
conversions exactly, derived values rounded to 6 significant digits, weights
with repr() (17 significant digits). Regenerate with
``python models/data/make_tables.py``. Uses the standard library and numpy only.
"""
from __future__ import annotations

import csv
import math
import os
from decimal import Decimal

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RAW = os.path.join(HERE, "raw")
HIST = os.path.join(HERE, "history")

# Model names (NBS code order). One spelling everywhere; the source files say
# "Tibet" for Xizang, mapped below. Plain identifiers-with-spaces, no punctuation.
PROVINCES = [
    "Beijing", "Tianjin", "Hebei", "Shanxi", "Inner Mongolia", "Liaoning", "Jilin",
    "Heilongjiang", "Shanghai", "Jiangsu", "Zhejiang", "Anhui", "Fujian", "Jiangxi",
    "Shandong", "Henan", "Hubei", "Hunan", "Guangdong", "Guangxi", "Hainan",
    "Chongqing", "Sichuan", "Guizhou", "Yunnan", "Xizang", "Shaanxi", "Gansu",
    "Qinghai", "Ningxia", "Xinjiang",
]
SOURCE_NAME = {"Tibet": "Xizang"}  # source province_en -> model name
HUBS = {"Beijing", "Shanghai", "Guangdong"}
# NBS four-region split (东部 / 中部 / 西部 / 东北).
MACRO = {
    "east": ["Beijing", "Tianjin", "Hebei", "Shanghai", "Jiangsu", "Zhejiang", "Fujian",
             "Shandong", "Guangdong", "Hainan"],
    "central": ["Shanxi", "Anhui", "Jiangxi", "Henan", "Hubei", "Hunan"],
    "west": ["Inner Mongolia", "Guangxi", "Chongqing", "Sichuan", "Guizhou", "Yunnan",
             "Xizang", "Shaanxi", "Gansu", "Qinghai", "Ningxia", "Xinjiang"],
    "northeast": ["Liaoning", "Jilin", "Heilongjiang"],
}
# Hainan is an island: its two sea links (GAPS item 10) are added to the 68 land pairs.
SEA_LINKS = [("Guangdong", "Hainan"), ("Guangxi", "Hainan")]


def name(en: str) -> str:
    n = SOURCE_NAME.get(en, en)
    if n not in PROVINCES:
        raise ValueError(f"unknown province {en!r}")
    return n


def read_rows(fname: str) -> list[dict[str, str]]:
    with open(os.path.join(RAW, fname), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_long(fname: str) -> dict[int, dict[str, str]]:
    """Long file -> {year: {province: value string as given}}; checks completeness."""
    out: dict[int, dict[str, str]] = {}
    for r in read_rows(fname):
        p, y = name(r["province_en"]), int(r["year"])
        if p in out.setdefault(y, {}):
            raise ValueError(f"{fname}: duplicate {p} {y}")
        out[y][p] = r["value"].strip()
    for y, d in out.items():
        if set(d) != set(PROVINCES):
            raise ValueError(f"{fname}: year {y} has {len(d)} provinces")
    return out


def sig6(x: float) -> str:
    """Derived value: 6 significant digits, shortest repr of that float."""
    if not math.isfinite(x):
        raise ValueError(f"non-finite derived value {x}")
    return repr(float(f"{x:.6g}"))


def div_exact(s: str, d: int) -> str:
    """Unit conversion of a raw value without rounding (e.g. person-years / 10000)."""
    q = (Decimal(s) / Decimal(d)).normalize()
    return format(q, "f")


def write_csv(path: str, header: list[str], rows: list[list[str]]) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def write_history(fname: str, series: dict[int, dict[str, str]], years: range,
                  conv=lambda s: s) -> None:
    rows = [[str(y)] + [conv(series[y][p]) for p in PROVINCES] for y in years]
    write_csv(os.path.join(HIST, fname), ["year"] + PROVINCES, rows)


def vec(series: dict[int, dict[str, str]], year: int) -> np.ndarray:
    return np.array([float(series[year][p]) for p in PROVINCES])


def main() -> None:
    rd = read_long("rd_expenditure_province_series_2010_2021.csv")           # 100M yuan
    fte = read_long("rd_personnel_fte_province_series_2010_2021.csv")        # person-years
    gdp = read_long("gdp_series_2004_2021.csv")                              # 100M yuan
    pop = read_long("population_yearend_series_2005_2021.csv")               # 10k persons
    basic = read_long("basic_research_province_series_2018_2021.csv")        # 100M yuan
    ind = read_long("enterprise_rd_industrial_province_series_2018_2021.csv")  # 100M yuan
    funded = read_long("rd_funded_by_enterprises_2021.csv")                  # 100M yuan
    tech = read_long("tech_market_turnover_by_seller_2021.csv")              # 100M yuan
    inten = read_long("rd_intensity_province_series_2011_2021_published.csv")  # %
    zh = {name(r["province_en"]): r["province_zh"] for r in read_rows("gdp_series_2004_2021.csv")}

    # --- provinces.csv -------------------------------------------------------
    region = {p: m for m, ps in MACRO.items() for p in ps}
    assert sorted(region) == sorted(PROVINCES)
    en_source = {v: k for k, v in SOURCE_NAME.items()}
    write_csv(os.path.join(HERE, "provinces.csv"), ["code", "zh", "en", "hub", "macro_region"],
              [[p, zh[p], en_source.get(p, p), "1" if p in HUBS else "0", region[p]]
               for p in PROVINCES])

    # --- province_data.csv ---------------------------------------------------
    rd2010, rd2012, rd2021 = vec(rd, 2010), vec(rd, 2012), vec(rd, 2021)
    yrs4 = range(2018, 2022)
    rd_sum4 = sum(vec(rd, y) for y in yrs4)
    basic_share = sum(vec(basic, y) for y in yrs4) / rd_sum4
    ind_share = sum(vec(ind, y) for y in yrs4) / rd_sum4
    pop2010, pop2021 = vec(pop, 2010), vec(pop, 2021)
    gdp2010, gdp2021 = vec(gdp, 2010), vec(gdp, 2021)
    derived = {
        "rd_growth": (rd2012 / rd2010) ** 0.5 - 1.0,
        "basic_share": basic_share,
        "enterprise_share": vec(funded, 2021) / rd2021,
        "industrial_share": ind_share,
        "pop_growth": (pop2021 / pop2010) ** (1.0 / 11.0) - 1.0,
        "gdp_growth": (gdp2021 / gdp2010) ** (1.0 / 11.0) - 1.0,
        "tech_to_rd": vec(tech, 2021) / rd2021,
        "grad_share": pop2010 / pop2010.sum(),
    }

    def raw(series, year, conv=lambda s: s):
        return [conv(series[year][p]) for p in PROVINCES]

    def per10k(s):
        return div_exact(s, 10000)

    items = [  # row 2 is the first item (Vensim 'B2')
        ("GDP 2010 (100M yuan)", raw(gdp, 2010)),
        ("Population 2010 (10k persons)", raw(pop, 2010)),
        ("RD expenditure 2010 (100M yuan)", raw(rd, 2010)),
        ("RD personnel 2010 (10k FTE)", raw(fte, 2010, per10k)),
        ("RD expenditure growth 2010-2012 (1/Year)", [sig6(x) for x in derived["rd_growth"]]),
        ("Basic research share 2018-2021 (Dmnl)", [sig6(x) for x in derived["basic_share"]]),
        ("Enterprise funded share 2021 (Dmnl)", [sig6(x) for x in derived["enterprise_share"]]),
        ("Industrial enterprise share 2018-2021 (Dmnl)",
         [sig6(x) for x in derived["industrial_share"]]),
        ("Population growth 2010-2021 (1/Year)", [sig6(x) for x in derived["pop_growth"]]),
        ("GDP growth 2010-2021 nominal (1/Year)", [sig6(x) for x in derived["gdp_growth"]]),
        ("Hub flag (Dmnl)", ["1" if p in HUBS else "0" for p in PROVINCES]),
        ("Tech market turnover to RD 2021 (Dmnl)", [sig6(x) for x in derived["tech_to_rd"]]),
        ("RD expenditure 2021 (100M yuan)", raw(rd, 2021)),
        ("RD personnel 2021 (10k FTE)", raw(fte, 2021, per10k)),
        ("GDP 2021 (100M yuan)", raw(gdp, 2021)),
        ("Population 2021 (10k persons)", raw(pop, 2021)),
        ("Graduates share proxy (Dmnl)", [sig6(x) for x in derived["grad_share"]]),
    ]
    write_csv(os.path.join(HERE, "province_data.csv"), ["Item (unit)"] + PROVINCES,
              [[label] + vals for label, vals in items])

    # --- adjacency.csv / weights.csv -----------------------------------------
    idx = {p: i for i, p in enumerate(PROVINCES)}
    A = np.zeros((31, 31), dtype=int)
    land = 0
    for r in read_rows("province_adjacency.csv"):
        a, b = name(r["province_a_en"]), name(r["province_b_en"])
        if r["in_list_A"] != "1":
            continue  # the four list-D-only pairs (GAPS item 10)
        if (a, b) in SEA_LINKS or (b, a) in SEA_LINKS:
            continue  # added below as sea links
        A[idx[a], idx[b]] = A[idx[b], idx[a]] = 1
        land += 1
    assert land == 68, f"expected 68 land pairs, found {land}"
    for a, b in SEA_LINKS:
        A[idx[a], idx[b]] = A[idx[b], idx[a]] = 1
    deg = A.sum(axis=1)
    isolated = [p for p, d in zip(PROVINCES, deg) if d == 0]
    assert not isolated, f"provinces without neighbour: {isolated}"
    assert (A == A.T).all() and A.trace() == 0
    W = A / deg[:, None]
    write_csv(os.path.join(HERE, "adjacency.csv"), ["From/To"] + PROVINCES,
              [[p] + [str(v) for v in A[i]] for i, p in enumerate(PROVINCES)])
    write_csv(os.path.join(HERE, "weights.csv"), ["From/To"] + PROVINCES,
              [[p] + ["0" if v == 0 else repr(float(v)) for v in W[i]]
               for i, p in enumerate(PROVINCES)])

    # --- history/ -------------------------------------------------------------
    write_history("rd_expenditure.csv", rd, range(2010, 2022))
    write_history("rd_personnel_fte.csv", fte, range(2010, 2022), per10k)
    write_history("gdp.csv", gdp, range(2010, 2022))
    write_history("population.csv", pop, range(2010, 2022))
    write_history("basic_research.csv", basic, range(2018, 2022))
    write_history("industrial_enterprise_rd.csv", ind, range(2018, 2022))
    write_history("rd_intensity_published.csv", inten, range(2011, 2022))
    nat = read_rows("national_series_2012_2021.csv")
    ncols = [c for c in nat[0] if not c.startswith("source")]
    write_csv(os.path.join(HIST, "national.csv"), ncols, [[r[c] for c in ncols] for r in nat])

    # --- checks and summary ----------------------------------------------------
    print("31-province R&D sum vs national (national_series_2012_2021.csv):")
    for r in nat:
        y = int(r["year"])
        s = vec(rd, y).sum()
        n = float(r["rd_expenditure_100m_yuan"])
        print(f"  {y}: sum {s:.1f} / national {n:.1f} = ratio {s / n:.6f}")
    print("derived values (must be finite; all positive except where noted):")
    for k, v in derived.items():
        bad = [p for p, x in zip(PROVINCES, v) if not (math.isfinite(x) and x > 0)]
        print(f"  {k:17s} min {v.min():.6g} max {v.max():.6g}"
              + (f"  NOT POSITIVE: {', '.join(bad)}" if bad else "  all > 0"))
        assert all(math.isfinite(x) for x in v)
    rowsum_err = np.abs(np.array([sum(float(repr(float(x))) for x in row) for row in W]) - 1).max()
    print(f"weights: {int(A.sum()) // 2} pairs (68 land + 2 sea), neighbours per province "
          f"{deg.min()}-{deg.max()}, max |row sum - 1| = {rowsum_err:.1e}")
    assert rowsum_err < 1e-12
    print(f"grad share proxy sums to {derived['grad_share'].sum():.12f}")


if __name__ == "__main__":
    main()
