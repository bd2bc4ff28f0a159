"""Units of the shipped 31-province model: every variable declares units and ``simsys check
--units`` finds none inconsistent (conversions between FTE and persons, money and knowledge
units, per-10,000 counts are explicit constants in the model)."""
from pathlib import Path

from simsys import load_model
from simsys.model.units import check_units

MODEL = Path(__file__).resolve().parents[2] / "models" / "talent_ecosystem.mdl"


def test_units_are_consistent():
    problems = check_units(load_model(MODEL))
    assert [str(p) for p in problems] == []


def test_every_variable_declares_units():
    # a variable without units is skipped by the checker, so the check above covers all only if none is
    missing = [e.name for e in load_model(MODEL).elements if not e.units.strip()]
    assert missing == []
