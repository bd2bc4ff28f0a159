"""The shipped calibration file runs and re-fits two common constants of the model near the
values models/calibrate_provinces.py fitted to the 2010-2021 series.

scenarios/calibration/national_2021.toml fits "Technology elasticity" and "Government
intensity trend" to A1's 2021 figures (technology progress contribution 65%, R&D intensity
2.44%, enterprise share 76.9%). Observed: 0.404 and 0.039 (shipped 0.370 and 0.033), every
target within 1.3%. The margins catch a model or file that drifts off, not a re-estimate.
"""
from pathlib import Path

import pytest

from simsys.analysis.calibrate import calibrate

ROOT = Path(__file__).resolve().parents[2]
FILE = ROOT / "scenarios" / "calibration" / "national_2021.toml"


@pytest.fixture(scope="module")
def fit():
    return calibrate(FILE)


def test_fit_converges_near_the_shipped_constants(fit):
    assert fit.values["Technology elasticity"] == pytest.approx(0.370, abs=0.08)
    assert fit.values["Government intensity trend"] == pytest.approx(0.0327, abs=0.015)
    for name, (lo, hi) in zip(fit.names, fit.bounds):
        assert lo < fit.values[name] < hi, name  # inside its bounds, so it has a standard error
        assert 0 < fit.se[name] < 0.5 * abs(fit.values[name]), name


def test_every_target_is_met_within_two_percent(fit):
    for row in fit.fits:
        assert abs(row.fitted / row.value - 1) < 0.02, row
