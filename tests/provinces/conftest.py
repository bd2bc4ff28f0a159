"""The 31-province model and its scenarios, run once per test session."""
import csv
from pathlib import Path

import numpy as np
import pytest

import simsys

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "talent_ecosystem.mdl"
SCENARIOS = ROOT / "scenarios"
DATA = ROOT / "models" / "data"
HUBS = ["Beijing", "Shanghai", "Guangdong"]

OUTPUTS = ["Total vitality", "Talent innovation vitality", "Hub periphery vitality gap",
           "National RD intensity", "National basic research share", "National enterprise share of RD",
           "National conversion rate", "Technology progress contribution", "Value added", "RD talent",
           "Net migration", "Counted effort share", "Applied effort share", "Basic effort share",
           "RD quit rate", "RD quits", "Public success share", "Enterprise success share", "Spill fraction",
           "Skill match", "Coordination cost rate", "Copyable share", "Total knowledge spillover", "Economic function", "Enterprise RD intensity",
           "Venture capital intensity", "Talent subsidy spending", "Received funds", "Pooled funds",
           "Morans I of vitality", "National coupling coordination D"]


def read_wide(path):
    """A table of one row per year and one column per province (as in models/data/history)."""
    with open(path, encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0][1:], {int(r[0]): np.array([float(x) for x in r[1:]]) for r in rows[1:]}


@pytest.fixture(scope="session")
def model():
    return simsys.load_model(MODEL)


@pytest.fixture(scope="session")
def runs(model):
    """Every single-scenario file side by side, yearly."""
    files = sorted(p for p in SCENARIOS.glob("*.toml") if not p.name.startswith("sweep"))
    return simsys.run_scenarios(files, model, variables=OUTPUTS, saveper=1.0)


def at(ds, scenario, variable, year, **sel):
    return float(ds[variable].sel(scenario=scenario, time=year, **sel))
