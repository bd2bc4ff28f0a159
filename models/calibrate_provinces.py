"""History-match the 31-province talent model on the official series 2010-2021.

Fitted (``FITTED``, written to ``data/calibration.csv``, which the model reads row by row):

* per province (4 x 31): ``Factor growth 2010``, ``Enterprise intensity potential``,
  ``Enterprise adjustment rate``, ``Wage elasticity``;
* common (5): ``Convergence time``, ``Technology elasticity``, ``Basic share trend``,
  ``Government intensity trend``, ``RD tax price elasticity`` (bounded by 1, the long-run value of the
  literature). Making a common one per province is its flag in ``FITTED`` plus a ``[Province]``
  subscript on its equation in the model (tests/provinces/test_history.py checks the two agree);
* ``RD reporting overstatement`` for the three provinces with a documented statistical break
  (``AUDITED``: Tianjin and Inner Mongolia 2017, Shandong 2019; 0 elsewhere). The break years are
  inputs, written beside it as ``Statistical break year``.

Targets: provincial R&D expenditure as reported (log errors, weight 2) and GDP 2010-2021 (weight 1),
provincial R&D personnel FTE as reported (weight 0.3), the national R&D intensity 2012-2021 (CSTSY
2024 revised series, weight 40), the national enterprise share (weight 20) and basic-research share
2012-2021 (weight 5) and A1's technology progress contribution above 60% in 2021 (a soft target at
0.62, weight 20). Everything else is an input or an assumption stated in the model. The fit report
(MAPE, R^2, Theil's U_M/U_S/U_C per series and province) goes to ``data/fit_report.csv`` and the
figure to ``docs/img/history_fit.png``.

Run from the project root::

    python models/calibrate_provinces.py            # fit, then report
    python models/calibrate_provinces.py --report   # report the committed fit only

It uses only simsys's public API (``load_model``, ``run_batch``) and scipy's
``least_squares`` with a Jacobian from one batched run of all perturbed scenarios.
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
MODEL = HERE / "talent_ecosystem.mdl"
YEARS = np.arange(2010, 2022)
#: The fitted parameters in the order of data/calibration.csv's rows (B2, B3, ...: the model reads them
#: there): name, lower and upper bound, unit, and whether each province has its own value.
FITTED = [("Factor growth 2010", 0.0, 0.2, "1/Year", True),
          ("Enterprise intensity potential", 0.001, 0.06, "Dmnl", True),
          ("Enterprise adjustment rate", 0.05, 1.0, "1/Year", True),
          ("Wage elasticity", 0.0, 1.5, "Dmnl", True),
          ("Convergence time", 4.0, 80.0, "Year", False),
          ("Technology elasticity", 0.1, 0.8, "Dmnl", False),
          ("Basic share trend", 0.0, 0.12, "1/Year", False),
          ("Government intensity trend", -0.05, 0.08, "1/Year", False),
          ("RD tax price elasticity", 0.0, 1.0, "Dmnl", False)]
#: Documented statistical breaks (data/README.md, "Statistical breaks"): province -> first year on the
#: corrected basis (an input). Only these provinces get a fitted reporting overstatement; it is 0 elsewhere.
AUDITED = {"Tianjin": 2017, "Inner Mongolia": 2017, "Shandong": 2019}
OVERSTATEMENT = ("RD reporting overstatement", 0.0, 0.6, "Dmnl")
BREAK_YEAR = ("Statistical break year", "Year")
#: every row of data/calibration.csv the fit writes, in order (the overstatement per province,
#: fitted for the AUDITED ones only)
ROWS = FITTED + [OVERSTATEMENT + (True,)]
#: Weight of the national intensity (relative errors).
INTENSITY_WEIGHT = 40.0
OUTPUTS = ["Reported RD expenditure", "Nominal GDP", "Reported RD personnel", "National basic research share",
           "Technology progress contribution", "National reported RD intensity",
           "National enterprise share of RD"]


def read_wide(path):
    """A table of one row per year (or item) and one column per province."""
    with open(path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0][1:], {r[0]: np.array([float(x) for x in r[1:]]) for r in rows[1:]}


def observed():
    """Observed series: province x year arrays and the national basic share."""
    obs = {}
    for key, file, scale in [("Reported RD expenditure", "rd_expenditure.csv", 1.0), ("Nominal GDP", "gdp.csv", 1.0),
                             ("Reported RD personnel", "rd_personnel_fte.csv", 1.0)]:
        names, tab = read_wide(DATA / "history" / file)
        obs[key] = np.array([tab[str(y)] for y in YEARS]).T * scale
    with open(DATA / "history" / "national.csv", encoding="utf-8") as f:
        nat = {int(r["year"]): r for r in csv.DictReader(f)}
    obs["basic_years"] = np.array(sorted(nat))
    obs["basic"] = np.array([float(nat[y]["basic_share_pct_published"]) / 100 for y in obs["basic_years"]])
    obs["intensity_years"] = obs["basic_years"]
    obs["enterprise"] = np.array([float(nat[y]["enterprise_share_pct_published"]) / 100 for y in obs["basic_years"]])
    obs["intensity"] = np.array([float(nat[y]["rd_intensity_pct_revised_CSTSY2024"]) / 100
                                 for y in obs["basic_years"]])
    return names, obs


def read_calibration():
    """Parameter -> values (one per province, or one common value) as the file has them."""
    names, tab = read_wide(DATA / "calibration.csv")
    values = {}
    for name, _, _, unit, per_province in ROWS:
        row = tab.get(f"{name} ({unit})", np.zeros(1))
        values[name] = np.broadcast_to(row, len(names)).copy() if per_province else float(row[0])
    return names, values


def write_calibration(names, values, path=DATA / "calibration.csv"):
    lines = ["Parameter (unit)," + ",".join(names)]
    for name, _, _, unit, per_province in ROWS:
        row = values[name] if per_province else [values[name]]
        lines.append(f"{name} ({unit})," + ",".join(f"{x:.6g}" for x in row))
    name, unit = BREAK_YEAR
    lines.append(f"{name} ({unit})," + ",".join(str(AUDITED.get(p, 2017)) for p in names))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


class Problem:
    """The vector of parameters <-> lever settings, and the weighted residuals."""

    def __init__(self, model, names, obs):
        self.model, self.names, self.obs = model, names, obs
        self.slots = []  # (parameter, province index or None for a common one) per entry of x
        keys, low, high = [], [], []
        for name, lo, hi, _, per_province in ROWS:
            cells = ([names.index(p) for p in AUDITED] if name == OVERSTATEMENT[0]
                     else range(len(names)) if per_province else [None])
            for i in cells:
                self.slots.append((name, i))
                keys.append(name if i is None else f"{name}[{names[i]}]")
                low.append(lo)
                high.append(hi)
        self.keys, self.low, self.high = keys, np.array(low), np.array(high)

    def pack(self, values):
        return np.array([values[n] if i is None else values[n][i] for n, i in self.slots])

    def unpack(self, x):
        values = {name: np.zeros(len(self.names)) if per_province else 0.0
                  for name, *_, per_province in ROWS}
        for (name, i), v in zip(self.slots, x):
            if i is None:
                values[name] = float(v)
            else:
                values[name][i] = v
        return values

    def simulate(self, X):
        """Run every row of X (scenarios x parameters); the outputs at whole years to 2021."""
        params = {k: X[:, j] for j, k in enumerate(self.keys)}
        return self.model.run_batch(params, return_columns=OUTPUTS, final_time=2021, saveper=1.0)

    def residuals(self, ds):
        """Weighted residuals per scenario: (scenarios, residuals)."""
        o = self.obs
        sel = lambda v: ds[v].sel(time=YEARS).transpose("scenario", "Province", "time").values
        r = [w * np.log(sel(v) / o[v]).reshape(len(ds.scenario), -1)
             for v, w in [("Reported RD expenditure", 2.0), ("Nominal GDP", 1.0), ("Reported RD personnel", 0.3)]]
        basic = ds["National basic research share"].sel(time=o["basic_years"]).transpose("scenario", "time").values
        r.append(5.0 * (basic - o["basic"]) / o["basic"])
        inten = ds["National reported RD intensity"].sel(time=o["intensity_years"]).transpose("scenario", "time").values
        r.append(INTENSITY_WEIGHT * (inten - o["intensity"]) / o["intensity"])
        ent = ds["National enterprise share of RD"].sel(time=o["basic_years"]).transpose("scenario", "time").values
        r.append(20.0 * (ent - o["enterprise"]) / o["enterprise"])
        tpc = ds["Technology progress contribution"].sel(time=2021).values
        r.append(20.0 * (tpc - 0.62)[:, None])
        return np.concatenate(r, axis=1)

    def fun_and_jac(self, x, h=1e-4):
        step = h * np.maximum(np.abs(x), 1e-2)
        X = np.vstack([x] + [x + np.eye(len(x))[j] * step[j] for j in range(len(x))])
        R = self.residuals(self.simulate(X))
        return R[0], ((R[1:] - R[0]) / step[:, None]).T


def fit(max_iter=40):
    import simsys
    from scipy.optimize import least_squares

    model = simsys.load_model(MODEL)
    names, obs = observed()
    _, values = read_calibration()
    prob = Problem(model, names, obs)
    x0 = np.clip(prob.pack(values), prob.low, prob.high)
    cache = {}

    def fun(x):
        key = x.tobytes()
        if key not in cache:
            cache.clear()
            cache[key] = prob.fun_and_jac(x)
        return cache[key][0]

    def jac(x):
        fun(x)
        return cache[x.tobytes()][1]

    res = least_squares(fun, x0, jac=jac, bounds=(prob.low, prob.high), max_nfev=max_iter,
                        x_scale="jac", verbose=1)
    values = prob.unpack(res.x)
    write_calibration(names, values)
    common = {n: values[n] for n, *_, per_province in FITTED if not per_province}
    print(f"cost {res.cost:.4f} after {res.nfev} evaluations; common: {common}")


def theil(sim, obs):
    """MAPE, R^2 and Theil's inequality decomposition (Sterman 2000, ch. 21)."""
    mse = np.mean((sim - obs) ** 2)
    if mse == 0:
        return dict(mape=0.0, r2=1.0, um=0.0, us=0.0, uc=0.0)
    ss, so = sim.std(), obs.std()
    r = np.corrcoef(sim, obs)[0, 1] if ss > 0 and so > 0 else 0.0
    return dict(mape=float(np.mean(np.abs(sim - obs) / np.abs(obs))), r2=float(r ** 2),
                um=float((sim.mean() - obs.mean()) ** 2 / mse), us=float((ss - so) ** 2 / mse),
                uc=float(2 * (1 - r) * ss * so / mse))


def report(figure=True):
    import simsys

    model = simsys.load_model(MODEL)
    names, obs = observed()
    ds = model.run(return_columns=OUTPUTS, final_time=2021, saveper=1.0)
    rows = []
    series = [("RD expenditure", "Reported RD expenditure", 1.0), ("GDP", "Nominal GDP", 1.0),
              ("RD personnel FTE", "Reported RD personnel", 1.0)]
    for label, var, scale in series:
        sim = ds[var].sel(time=YEARS).transpose("Province", "time").values
        for i, p in enumerate(names):
            rows.append(dict(series=label, province=p, **theil(sim[i], obs[var][i] * scale)))
    nat_int = ds["National reported RD intensity"].sel(time=obs["intensity_years"]).values
    rows.append(dict(series="National RD intensity", province="China", **theil(nat_int, obs["intensity"])))
    basic = ds["National basic research share"].sel(time=obs["basic_years"]).values
    rows.append(dict(series="National basic research share", province="China", **theil(basic, obs["basic"])))
    with open(DATA / "fit_report.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["series", "province", "mape", "r2", "um", "us", "uc"])
        w.writeheader()
        for r in rows:
            w.writerow({k: (f"{v:.4f}" if isinstance(v, float) else v) for k, v in r.items()})
    gap = np.abs(nat_int - obs["intensity"]) * 100
    print(f"national intensity: max gap {gap.max():.3f} points; years {obs['intensity_years'].tolist()}")
    for label in ("RD expenditure", "GDP", "RD personnel FTE"):
        m = [r["mape"] for r in rows if r["series"] == label]
        print(f"{label}: MAPE median {np.median(m):.3f}, max {max(m):.3f}; "
              f"over 10%: {[r['province'] for r in rows if r['series'] == label and r['mape'] > 0.10]}")
    if figure:
        _figure(ds, names, obs)
    return rows


def _figure(ds, names, obs):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sim = ds["Reported RD expenditure"].sel(time=YEARS).transpose("Province", "time").values
    fig, axes = plt.subplots(4, 8, figsize=(16, 8.5), sharex=True)
    for i, ax in enumerate(axes.flat):
        if i >= len(names):
            ax.axis("off")
            continue
        ax.plot(YEARS, obs["Reported RD expenditure"][i], "o", ms=2.5, color="0.3", label="observed (CSTSY)")
        ax.plot(YEARS, sim[i], "-", color="C0", label="simulated")
        mape = np.mean(np.abs(sim[i] - obs["Reported RD expenditure"][i]) / obs["Reported RD expenditure"][i])
        ax.set_title(f"{names[i]}  MAPE {100 * mape:.1f}%", fontsize=8)
        ax.set_xticks([2010, 2015, 2020])
        ax.tick_params(labelsize=6)
    axes.flat[0].legend(fontsize=6)
    fig.suptitle("R&D expenditure 2010-2021 by province (100M yuan): simulated history vs official statistics")
    fig.tight_layout()
    out = HERE.parent / "docs" / "img" / "history_fit.png"
    fig.savefig(out, dpi=90)
    print(f"figure: {out}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--report", action="store_true", help="only report the committed fit")
    ap.add_argument("--max-iter", type=int, default=40)
    a = ap.parse_args()
    if not a.report:
        fit(a.max_iter)
    report()
