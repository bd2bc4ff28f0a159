"""The shipped model is dimensionally consistent (``simsys check --units`` finds nothing).

R&D talent is counted in 10k FTE and the other talent in 10k persons; the model adds them
through ``Persons per RD FTE`` and makes the bases of its Cobb-Douglas / Jones powers
dimensionless with ``One RD FTE unit``. Such unit conversion constants carry units only:
their value is exactly 1, so they change no number the model computes.
"""
from pathlib import Path

from simsys import load_model
from simsys.model.spec import ElementKind
from simsys.model.units import check_units

MODEL = Path(__file__).resolve().parents[2] / "models" / "talent_ecosystem.mdl"


def test_model_is_unit_consistent():
    problems = check_units(load_model(MODEL))
    assert problems == [], "\n".join(str(p) for p in problems)


def test_every_variable_declares_units():
    # a variable without units is skipped by the checker, so the check above covers all only if none is
    missing = [e.name for e in load_model(MODEL).elements if not e.units.strip()]
    assert missing == []


def test_unit_conversion_constants_are_exactly_one():
    model = load_model(MODEL)
    consts = [e for e in model.elements if e.doc.startswith("Unit conversion constant")]
    assert {e.name for e in consts} >= {"Persons per RD FTE", "One RD FTE unit"}
    for e in consts:
        assert e.kind is ElementKind.CONSTANT, e.name
        assert [float(c.ast) for c in e.components] == [1.0], e.name
    assert not {e.key for e in consts} & {lv.key for lv in model.levers}
