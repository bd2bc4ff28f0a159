"""The shipped model and its scenarios, run once per test session."""
from pathlib import Path

import pytest

import simsys

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

#: outputs the behaviour tests read; one batched run of every scenario keeps them
OUTPUTS = ["Total vitality", "Talent innovation vitality", "Hub periphery vitality gap",
           "National RD intensity", "National basic research share", "National enterprise share of RD",
           "National conversion rate", "Technology progress contribution",
           "National coupling coordination D", "Total knowledge spillover", "Skill match",
           "Coordination cost rate"]


@pytest.fixture(scope="session")
def model():
    return simsys.load_model(ROOT / "models" / "talent_ecosystem.mdl")


@pytest.fixture(scope="session")
def runs(model):
    """Every single-scenario file (not sweeps or calibrations) side by side, yearly."""
    files = sorted(p for p in SCENARIOS.glob("*.toml")
                   if not p.name.startswith(("sweep", "calibration")))
    return simsys.run_scenarios(files, model, variables=OUTPUTS, saveper=1.0)


def at(ds, scenario, variable, year, **sel):
    """One number from the batch: a scenario's variable at a year (optionally one region)."""
    return float(ds[variable].sel(scenario=scenario, time=year, **sel))
