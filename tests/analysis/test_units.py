"""Units: parsing Vensim unit strings and checking equations against declared units."""
from fractions import Fraction
from pathlib import Path

import pytest

import simsys
from simsys.model.units import Unit, UnitsSyntaxError, check_units, model_time_unit, parse_units

MODELS = Path(__file__).parent / "models"

CONTROL = """
FINAL TIME  = 10
	~	Year
	~	The final time.
	|
INITIAL TIME  = 0
	~	Year
	~	The initial time.
	|
SAVEPER  = 1
	~	Year [0,?]
	~	Output interval.
	|
TIME STEP  = 0.25
	~	Year [0,?]
	~	The time step.
	|
"""

CONSISTENT = """{UTF-8}
People= INTEG (
	Births - Deaths + Arrivals,
		initial people)
	~	people
	~	A stock of people.
	|
Births = People * birth rate
	~	people/Year
	~	Inflow.
	|
Deaths = SMOOTH(People / lifetime, 2)
	~	people/Year
	~	Outflow, smoothed.
	|
Arrivals = MAX(0, (target - People) / adjustment time) * attractiveness(Time / 10)
	~	people/Year
	~	Migration toward a target.
	|
attractiveness(
	[(0,0)-(2,2)],(0,1),(1,1.5),(2,2))
	~	Dmnl
	~	Lookup.
	|
growth index = EXP(birth rate * lifetime) + LN(People / initial people) - 1
	~	Dmnl
	~	Dimensionless functions of dimensionless arguments.
	|
area needed = (People * 2 * m2 per person)^0.5
	~	m
	~	Square root of an area.
	|
budget = People * cost per person * Time
	~	yuan
	~	Product with the time unit.
	|
share = ZIDZ(Births, Births + Deaths)
	~	Dmnl
	~	A ratio.
	|
years left = IF THEN ELSE(People > target, 0, lifetime)
	~	Years
	~	Plural of the time unit.
	|
unknown thing = People * 3 + mystery
	~	widgets
	~	Uses a variable without units: not checked.
	|
mystery = 4
	~	
	~	No units.
	|
m2 per person = 2
	~	m^2/people
	~	Area per person.
	|
cost per person = 5
	~	yuan/(people*Year)
	~	Cost.
	|
initial people = 100
	~	people
	~	Initial.
	|
target = 300
	~	people
	~	Target.
	|
birth rate = 0.03
	~	1/Year
	~	Fractional rate.
	|
lifetime = 70
	~	Year
	~	Lifetime.
	|
adjustment time = 5
	~	Year
	~	Time to close the gap.
	|
""" + CONTROL


def write(tmp_path, text, name="m.mdl"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("text, expected", [
    ("people/Year", {"people": 1, "year": -1}),
    ("1/Year", {"year": -1}),
    ("Dmnl", {}),
    ("dimensionless", {}),
    ("yuan*Year", {"yuan": 1, "year": 1}),
    ("m^2", {"m": 2}),
    ("m^-1", {"m": -1}),
    ("m^(1/2)", {"m": Fraction(1, 2)}),
    ("100M yuan/(Year*10k FTE)", {"100m yuan": 1, "year": -1, "10k fte": -1}),
    ("10k persons", {"10k persons": 1}),
    ("Years", {"year": 1}),
    ("a/b/c", {"a": 1, "b": -1, "c": -1}),
])
def test_parse_units(text, expected):
    assert dict(parse_units(text).dims) == expected


def test_parse_units_refuses_garbage():
    with pytest.raises(UnitsSyntaxError):
        parse_units("people/(Year")
    with pytest.raises(UnitsSyntaxError):
        parse_units("people//Year")


def test_unit_algebra_and_display():
    p, y = Unit.of("people"), Unit.of("Year")
    assert str(p / y) == "people/year" and str(Unit()) == "Dmnl"
    assert (p / y) * y == p and (p ** 2) ** 0.5 == p


def test_consistent_model_has_no_problems(tmp_path):
    model = simsys.load_model(write(tmp_path, CONSISTENT))
    assert model_time_unit(model) == Unit.of("year")
    assert check_units(model) == []


def test_adding_people_to_a_flow_is_reported_once_with_file_and_line(tmp_path):
    bad = CONSISTENT.replace("Births = People * birth rate",
                             "Births = People * birth rate + People")
    path = write(tmp_path, bad)
    problems = check_units(simsys.load_model(path))
    assert len(problems) == 1
    p = problems[0]
    line = bad.splitlines().index("Births = People * birth rate + People") + 1
    assert p.variable == "Births"
    assert p.location.line == line
    assert str(p).startswith(f"{path}:{line}: 'Births': ")
    assert "people/year" in str(p) and "people" in p.found
    assert "\n" not in str(p)


@pytest.mark.parametrize("old, new, needle", [
    ("Births - Deaths + Arrivals,", "(Births - Deaths + Arrivals) * lifetime,", "net flow"),
    ("EXP(birth rate * lifetime)", "EXP(birth rate)", "EXP needs a dimensionless"),
    ("IF THEN ELSE(People > target, 0, lifetime)", "IF THEN ELSE(People > target, People, lifetime)",
     "IF THEN ELSE"),
    ("(People * 2 * m2 per person)^0.5", "(People * m2 per person)^birth rate", "power"),
    ("\t~\tyuan\n", "\t~\tyuan*Year\n", "declared units 'year*yuan'"),
    ("Deaths = SMOOTH(People / lifetime, 2)", "Deaths = SMOOTH(People / lifetime, target)",
     "time unit"),
])
def test_each_rule_reports(tmp_path, old, new, needle):
    assert old in CONSISTENT
    problems = check_units(simsys.load_model(write(tmp_path, CONSISTENT.replace(old, new, 1))))
    assert len(problems) == 1, problems
    assert needle in problems[0].message


def test_shipped_teacup_is_consistent_with_plural_minutes():
    assert check_units(simsys.load_model(MODELS / "teacup.mdl")) == []
    assert check_units(simsys.load_model(MODELS / "regions.mdl")) == []


def test_check_command_units_path(tmp_path):
    from simsys.checks import check_file
    good = check_file(write(tmp_path, CONSISTENT), units=True)
    assert good.ok and good.lines[-1] == "units: 0 inconsistent equation(s)"
    bad = check_file(write(tmp_path, CONSISTENT.replace("* birth rate", "* birth rate + People"),
                           "bad.mdl"), units=True)
    assert not bad.ok and "'Births'" in bad.lines[1]
