"""Regional reforms evaluated by DiD, and recovery after a shock, on a small regional model."""
from pathlib import Path

import numpy as np
import pytest

import simsys
from simsys.analysis import did_2x2
from simsys.analysis.policy_eval import did_experiment, resilience_experiment
from simsys.errors import ScenarioError
from simsys.policy import Step

MODEL = (Path(__file__).parent / "models" / "regions.mdl").as_posix()


@pytest.fixture
def scen(tmp_path):
    (tmp_path / "base.toml").write_text(f'[scenario]\nname = "base"\nmodel = "{MODEL}"\n')

    def make(levers: str, name: str = "reform") -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(f'[scenario]\nname = "{name}"\nextends = "base.toml"\n[levers]\n{levers}')
        return path
    return make


def test_reform_in_treated_regions_only(scen):
    e = did_experiment(scen("Reform = 1\n"), treated=["east", "west"], start=2028, output="Output")
    assert e.policies == {"Reform[east]": Step(before=0.0, after=1.0, at=2028.0),
                          "Reform[west]": Step(before=0.0, after=1.0, at=2028.0)}
    assert e.panel.dims == ("Region", "time")
    assert list(e.panel["Region"].values) == ["east", "west", "hub", "north", "south"]
    assert e.panel["time"].values[0] == 2021 and np.all(np.diff(e.panel["time"].values) == 1)
    # untreated regions follow their own exponential path exactly: no spillover in this model
    base = simsys.load_model(MODEL).run(saveper=1.0)["Output"]
    np.testing.assert_allclose(e.panel.sel(Region="hub"), base.sel(Region="hub"), rtol=1e-12)
    # treated regions diverge only after 2028 (Vensim STEP: from the step after 2028 - dt/2)
    early = e.panel.sel(Region="east", time=slice(2021, 2028))
    np.testing.assert_allclose(early, base.sel(Region="east", time=slice(2021, 2028)), rtol=1e-12)
    assert e.did.estimate > 0 and e.twfe.coef == pytest.approx(e.did.estimate)
    assert e.did.estimate == pytest.approx(did_2x2(e.panel, ["east", "west"], 2028).estimate)
    # the event study: zero at the reference, rising after treatment
    ref = int(np.flatnonzero(e.event.k == -1)[0])
    assert e.event.coef[ref] == 0.0
    after = e.event.coef[e.event.k >= 1]
    assert np.all(np.diff(after) > 0)


def test_per_region_settings_and_explicit_controls(scen):
    e = did_experiment(scen("Reform = { east = 0.5, hub = 1 }\n"), treated=["east"], start=2030,
                       output="Output", control=["north", "south"])
    # hub is set by the scenario but not treated: it stays at the baseline
    assert list(e.policies) == ["Reform[east]"]
    assert e.policies["Reform[east]"].after == 0.5
    assert list(e.panel["Region"].values) == ["east", "north", "south"]
    assert e.did.n_treated == 1 and e.did.n_control == 2


def test_refusals(scen):
    with pytest.raises(ScenarioError, match="not an element"):
        did_experiment(scen("Reform = 1\n"), treated=["mars"], start=2028, output="Output")
    with pytest.raises(ScenarioError, match="not subscripted by Region"):
        did_experiment(scen("Reform = 1\n\"shock depth\" = 0.2\n", "mixed"), treated=["east"],
                       start=2028, output="Output")
    with pytest.raises(ScenarioError, match="changes no"):
        did_experiment(scen("Reform = { hub = 1 }\n", "hubonly"), treated=["east"], start=2028,
                       output="Output")
    with pytest.raises(ScenarioError, match="time-varying"):
        did_experiment(scen("Reform = { ramp = [0, 1], from = 2025, to = 2030 }\n", "ramp"),
                       treated=["east"], start=2028, output="Output")
    with pytest.raises(ScenarioError, match="not subscripted"):
        did_experiment(scen("Reform = 1\n"), treated=["east"], start=2028, output="recovery time")


def test_recovery_after_a_shock(scen):
    r = resilience_experiment(scen('"shock depth" = 0.5\n', "shock"), output="Activity",
                              shock_time=2030)
    res = r.result
    assert res["depth"].dims == ("Region",)
    assert np.all(res["depth"] < -0.2) and np.all(res["recovered"])
    # after the one-year shock, Activity returns as exp(-t / 2): 90% of the gap closes in
    # 2 ln 10 = 4.6 years from the trough at 2031, i.e. by the first saved year >= 2035.6
    assert float(res["time_of_minimum"].sel(Region="hub")) == pytest.approx(2031, abs=0.5)
    assert float(res["recovery_time"].sel(Region="hub")) == 6.0
    assert float(res["half_life"].sel(Region="hub")) == 3.0
    assert r.baseline.sel(time=2035).values == pytest.approx(1.0)


def test_spillover_robust_controls_leave_out_the_neighbours():
    from simsys.analysis.policy_eval import _neighbours
    from simsys.errors import AnalysisError
    from simsys.geo import province_codes

    class Provinces:  # a model with the 31 provinces and no W: province contiguity is used
        ranges = {"Province": province_codes()}
        elements = ()

        def element(self, name):
            raise KeyError(name)

    near = _neighbours(Provinces(), "Province", ["Guangdong"], "W")
    assert near == {"Fujian", "Jiangxi", "Hunan", "Guangxi", "Hainan"}
    assert "Beijing" not in _neighbours(Provinces(), "Province", ["Shanghai"], "W")

    class Regions(Provinces):
        ranges = {"Region": ["a", "b"]}
    with pytest.raises(AnalysisError):
        _neighbours(Regions(), "Region", ["a"], "W")


def test_exclude_neighbours_with_the_models_weights(scen):
    # regions.mdl has no W and its regions are not provinces: the option says so
    from simsys.errors import SimsysError
    with pytest.raises(SimsysError, match="weight matrix"):
        did_experiment(scen("Reform = 1\n"), treated=["east"], start=2028, output="Output",
                       exclude_neighbours=True)
