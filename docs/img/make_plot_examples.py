"""Redraw the example plots in docs/img from the synthetic data of tests/plot.

Run from the repository root: ``python docs/img/make_plot_examples.py``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "plot"))

import conftest  # noqa: E402  (the synthetic run and sweep)

from simsys import plot  # noqa: E402

OUT = Path(__file__).resolve().parent
PARAMS = ["Evaluation reform", "Housing subsidy", "R&D tax credit", "Talent visa quota",
          "University funding", "Venture capital pool", "Industrial park land"]
GRAPH = {
    "stocks": ["Talent stock", "Knowledge stock", "Firm capital"],
    "flows": [("Talent inflow", None, "Talent stock"), ("Talent outflow", "Talent stock", None),
              ("Knowledge creation", None, "Knowledge stock"),
              ("Knowledge obsolescence", "Knowledge stock", None),
              ("Investment", None, "Firm capital")],
    "auxiliaries": ["Attractiveness", "Wage level", "Evaluation reform", "Patent output"],
    "links": [("Attractiveness", "Talent inflow"), ("Wage level", "Attractiveness"),
              ("Evaluation reform", "Attractiveness"), ("Talent stock", "Knowledge creation"),
              ("Knowledge stock", "Patent output"), ("Patent output", "Investment"),
              ("Firm capital", "Wage level"), ("Talent stock", "Talent outflow")],
    "groups": {"Talent stock": "Talent", "Talent inflow": "Talent", "Talent outflow": "Talent",
               "Attractiveness": "Talent", "Evaluation reform": "Policy",
               "Knowledge stock": "Innovation", "Knowledge creation": "Innovation",
               "Knowledge obsolescence": "Innovation", "Patent output": "Innovation",
               "Firm capital": "Industry", "Investment": "Industry", "Wage level": "Industry"},
}


def save(obj, name: str) -> None:
    fig = obj if isinstance(obj, matplotlib.figure.Figure) else obj.figure
    fig.savefig(OUT / f"{name}.png", dpi=100)
    plt.close(fig)


def main() -> None:
    run = conftest._run(np.random.default_rng(0))
    sweep = conftest._run(np.random.default_rng(1), n_scenarios=200)
    rng = np.random.default_rng(3)
    n = len(PARAMS)
    st = rng.uniform(0.02, 0.6, n)
    sobol = {"names": PARAMS, "S1": st * rng.uniform(0.5, 0.95, n),
             "S1_conf": 0.05 + 0.02 * rng.random(n), "ST": st,
             "ST_conf": 0.04 + 0.02 * rng.random(n)}
    mu = rng.uniform(0.1, 3, n)
    morris = {"names": PARAMS, "mu_star": mu, "mu_star_conf": 0.2 * mu,
              "sigma": mu * rng.uniform(0.3, 1.5, n)}
    k = np.array([-5, -4, -3, -2, 0, 1, 2, 3, 4, 5])
    coef = np.r_[rng.normal(0, 0.02, 4), 0.05, 0.09, 0.12, 0.14, 0.15, 0.15]
    se = 0.03 + 0.005 * np.abs(k)

    save(plot.trajectories(run, "Talent stock", total="sum"), "plot_trajectories")
    save(plot.trajectories(run, ["Talent stock", "Innovation output", "National policy index"],
                           title="Run overview"), "plot_trajectories_panels")
    save(plot.fan_chart(sweep, "Talent stock", region="hub"), "plot_fan_chart")
    save(plot.sensitivity_bars(sobol), "plot_sensitivity_sobol")
    save(plot.sensitivity_bars(morris, kind="morris"), "plot_sensitivity_morris")
    save(plot.sensitivity_bars(morris, kind="morris_scatter"), "plot_sensitivity_morris_scatter")
    save(plot.heatmap(run, "Innovation output"), "plot_heatmap")
    save(plot.coupling_chart(run["Coupling coordination degree"]), "plot_coupling")
    save(plot.coupling_chart(run["Coupling coordination degree"], lang="zh", full_range=True),
         "plot_coupling_zh")
    save(plot.event_study_plot({"k": k, "coef": coef, "ci_low": coef - 1.96 * se,
                                "ci_high": coef + 1.96 * se}), "plot_event_study")
    plot.stock_flow_diagram(GRAPH, OUT / "plot_stock_flow.png",
                            title="Talent innovation ecosystem (excerpt)")


if __name__ == "__main__":
    main()
