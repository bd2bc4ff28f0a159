"""pilot_experiment: a staggered pilot scenario, its DiD estimates and the model's own effects."""
from pathlib import Path

import pytest

from simsys.analysis.pilot import pilot_experiment
from simsys.errors import SimsysError

MODEL = (Path(__file__).resolve().parent / "models" / "pilot_regions.mdl").as_posix()
NEVER = {r: 2100 for r in "acefgh"}


@pytest.fixture
def pilot(tmp_path):
    (tmp_path / "base.toml").write_text(f'[scenario]\nname = "base"\nmodel = "{MODEL}"\n')
    years = ", ".join(f"{r} = {y}" for r, y in ({"b": 2025, "d": 2027} | NEVER).items())
    path = tmp_path / "pilot.toml"
    path.write_text(f'[scenario]\nname = "pilot"\nextends = "base.toml"\n[levers]\n"Start year" = {{ {years} }}\n')
    return path


def test_the_model_on_a_line_gives_back_its_effect_and_spillover(pilot):
    # regions grow linearly at their own pace, adopters by 1 a year more, their untreated
    # neighbours by 0.25 more: unit trends and pure controls recover both exactly
    e = pilot_experiment(pilot, output="Output")
    assert e.lever == "Start year" and e.dim == "Region" and e.adoption == {"b": 2025.0, "d": 2027.0}
    assert e.spillover.pure_controls == ("f", "g", "h")
    assert e.spillover.direct.coef == pytest.approx(e.true_direct, abs=1e-6)
    assert e.spillover.spillover[0].coef == pytest.approx(e.true_spillover[0], abs=1e-6)
    assert e.true_spillover[0] > 0 and e.spillover.bias < 0  # neighbours as controls understate it
    assert e.staggered.did2s.coef == pytest.approx(e.spillover.naive.coef)
    assert e.panel.sizes["time"] == 16 and float(e.baseline.sel(Region="b", time=2036)) < float(
        e.panel.sel(Region="b", time=2036))


def test_a_window_and_two_rings(pilot):
    e = pilot_experiment(pilot, output="Output", years=(2022, 2034), rings=2)
    assert e.panel["time"].values[[0, -1]].tolist() == [2022, 2034]
    assert e.spillover.pure_controls == ("g", "h") and len(e.true_spillover) == 2
    assert e.true_spillover[1] == pytest.approx(0.0, abs=1e-9)  # the model's spillover stops at ring 1
    assert e.spillover.spillover[1].coef == pytest.approx(0.0, abs=1e-6)


def test_a_scenario_without_adoption_years_is_refused(tmp_path, pilot):
    path = tmp_path / "flat.toml"
    path.write_text('[scenario]\nextends = "base.toml"\n[levers]\n"Start year" = 2030\n')
    with pytest.raises(SimsysError, match="no per-region lever of adoption years"):
        pilot_experiment(path, output="Output")
    with pytest.raises(SimsysError, match="over \\(Region, time\\)"):
        pilot_experiment(pilot, output="reform effect")
