"""Calibration recovers known parameters from a model's own synthetic output."""
from pathlib import Path

import numpy as np
import pytest

import simsys
from simsys.analysis.calibrate import calibrate, load_calibration
from simsys.errors import ScenarioError

MODELS = Path(__file__).parent / "models"
TRUE = {"Growth Rate": 0.63, "Carrying Capacity": 2400.0}


@pytest.fixture
def files(tmp_path):
    """A base scenario on the logistic model and a calibration file writer."""
    base = tmp_path / "base.toml"
    base.write_text('[scenario]\nname = "base"\n'
                    f'model = "{(MODELS / "logistic.mdl").as_posix()}"\n'
                    '[levers]\n"Growth Rate" = 0.5\n')
    run = simsys.load_model(MODELS / "logistic.mdl").run(TRUE)

    def make(targets=None, params=None, head="starts = 3\nseed = 2\n", name="cal.toml"):
        if targets is None:
            pts = [[t, float(run["Population"].sel(time=t))] for t in (2, 4, 6, 8, 10, 12)]
            targets = f'[[targets]]\nvariable = "Population"\nseries = {pts}\n'
        if params is None:
            params = '"Growth Rate" = {}\n"Carrying Capacity" = { range = [500, 4000] }\n'
        path = tmp_path / name
        path.write_text(f'[calibration]\nscenario = "base.toml"\n{head}\n[parameters]\n{params}\n'
                        f'{targets}')
        return path
    return make, run


def test_recovers_growth_rate_and_capacity(files):
    make, _ = files
    res = calibrate(make())
    # synthetic data from the model itself: recovered to 1e-6 relative
    assert res.success
    assert res.values["Growth Rate"] == pytest.approx(0.63, rel=1e-6)
    assert res.values["Carrying Capacity"] == pytest.approx(2400.0, rel=1e-6)
    assert res.cost < 1e-12
    assert len(res.fits) == 6 and np.abs(res.residuals).max() < 1e-6
    assert len(res.starts) == 3
    assert res.correlation.shape == (2, 2)
    assert res.correlation[0, 0] == pytest.approx(1.0)
    assert set(res.se) == set(TRUE)


def test_single_points_with_weights_and_noise_give_finite_errors(files):
    make, run = files
    rng = np.random.default_rng(0)
    lines = []
    for t in (3, 5, 7, 9, 11):
        v = float(run["Population"].sel(time=t)) * (1 + 0.01 * rng.standard_normal())
        lines.append(f'[[targets]]\nvariable = "Population"\ntime = {t}\nvalue = {v}\nweight = 2\n')
    res = calibrate(make(targets="\n".join(lines)), starts=2, seed=5)
    # 1% noise: the fit stays within 5% of the truth and has a positive standard error
    assert res.values["Growth Rate"] == pytest.approx(0.63, rel=0.05)
    assert res.values["Carrying Capacity"] == pytest.approx(2400.0, rel=0.05)
    assert all(np.isfinite(v) and v > 0 for v in res.se.values())


def test_fitted_scenario_extends_the_base_and_runs(files, tmp_path):
    make, _ = files
    res = calibrate(make())
    out = tmp_path / "fitted" / "fitted.toml"
    out.parent.mkdir()
    out.write_text(res.to_scenario_toml(out))
    text = out.read_text()
    assert 'extends = "../base.toml"' in text and '"Growth Rate" = 0.6' in text
    from simsys.scenario import run_scenario
    ds = run_scenario(out)
    assert float(ds["Growth Rate"].isel(time=0)) == pytest.approx(0.63, rel=1e-6)


def test_spec_parsing(files):
    make, _ = files
    spec = load_calibration(make())
    assert spec.starts == 3 and spec.seed == 2
    assert [p.name for p in spec.parameters] == ["Growth Rate", "Carrying Capacity"]
    assert spec.parameters[0].low is None and spec.parameters[1].high == 4000.0
    assert len(spec.targets[0].points) == 6


@pytest.mark.parametrize("params, targets, needle", [
    ('"Growth Rate" = { range = [2, 1] }\n', None, "low < high"),
    ('"Growth Rate" = { lo = 1 }\n', None, "expected { range"),
    ('"Initial" = {}\n', None, None),
    (None, '[[targets]]\nvariable = "Population"\ntime = 5\n', "needs time = t and value"),
    (None, '[[targets]]\nvariable = "Population"\ntime = 99\nvalue = 1\n', "outside the run"),
    (None, '[[targets]]\nvariable = "Nope"\ntime = 5\nvalue = 1\n', "not a variable"),
    (None, '[[targets]]\nvariable = "Population"\ntime = 5\nvalue = 1\nelement = "x"\n',
     "does not fit"),
])
def test_bad_files_name_the_problem(files, params, targets, needle):
    make, _ = files
    with pytest.raises(ScenarioError) as err:
        calibrate(make(params=params, targets=targets), starts=1)
    if needle:
        assert needle in str(err.value)
    assert "cal.toml" in str(err.value) or "logistic" in str(err.value)


def test_non_lever_without_range_is_refused(files):
    make, _ = files
    with pytest.raises(ScenarioError, match="not a lever"):
        calibrate(make(params='"Population" = {}\n'), starts=1)


def test_one_element_of_a_subscripted_lever_and_subscripted_targets(tmp_path):
    model_path = (MODELS / "regions.mdl").as_posix()
    (tmp_path / "base.toml").write_text(f'[scenario]\nmodel = "{model_path}"\n')
    ds = simsys.load_model(model_path).run({"Reform[east]": 0.4})
    east = float(ds["Output"].sel(Region="east", time=2035))
    total = float(ds["Output"].sel(time=2035).sum())
    path = tmp_path / "cal.toml"
    path.write_text('[calibration]\nscenario = "base.toml"\nstarts = 2\n[parameters]\n'
                    '"Reform[east]" = {}\n'
                    f'[[targets]]\nvariable = "Output"\nelement = "east"\ntime = 2035\nvalue = {east}\n'
                    f'[[targets]]\nvariable = "Output"\nsum_over = "Region"\ntime = 2035\n'
                    f'value = {total}\n')
    res = calibrate(path)
    assert res.values["Reform[east]"] == pytest.approx(0.4, rel=1e-6)
    assert [f.target for f in res.fits] == ["Output[east]", "Output summed over Region"]
    assert '"Reform" = { "east" = 0.' in res.to_scenario_toml()
