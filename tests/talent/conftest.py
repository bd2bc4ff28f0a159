"""The shipped 31-province model and its scenarios, run once per test session."""
from pathlib import Path

import pytest

import simsys

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"

#: outputs the tests here read; one batched run of every scenario keeps them
OUTPUTS = ["Total vitality", "Talent innovation vitality", "Hub periphery vitality gap",
           "National RD intensity", "RD talent", "Industrial talent", "Intermediary talent",
           "Value added", "Net migration", "Morans I of vitality", "Coupling coordination D"]


@pytest.fixture(scope="session")
def model():
    return simsys.load_model(ROOT / "models" / "talent_ecosystem.mdl")


@pytest.fixture(scope="session")
def runs(model):
    """Every single-scenario file in scenarios/ (not the sweeps) side by side, yearly.

    The calibration file lives in scenarios/calibration/, out of this glob."""
    files = sorted(p for p in SCENARIOS.glob("*.toml") if not p.name.startswith("sweep"))
    return simsys.run_scenarios(files, model, variables=OUTPUTS, saveper=1.0)


def at(ds, scenario, variable, year, **sel):
    """One number from the batch: a scenario's variable at a year (optionally one province)."""
    return float(ds[variable].sel(scenario=scenario, time=year, **sel))
