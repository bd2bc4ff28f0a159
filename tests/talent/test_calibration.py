"""The baseline reproduces A1's 2021 figures for China and keeps them plausible to 2050.

Tolerances: R&D intensity, basic share and enterprise share are matched by construction
(regional values rescaled to the national targets), so they must hold to 1e-9; the
conversion rate must sit in the article's 10-15% band and technology progress contribute
more than 60%, as stated. "Plausible after" bands are wide on purpose: they catch a model
that drifts off, not a forecast.
"""
import pytest

from .conftest import at


def test_2021_figures(runs):
    b = "baseline"
    assert at(runs, b, "National RD intensity", 2021) == pytest.approx(0.0244, rel=1e-9)
    assert at(runs, b, "National basic research share", 2021) == pytest.approx(0.065, rel=1e-9)
    assert at(runs, b, "National enterprise share of RD", 2021) == pytest.approx(0.769, rel=1e-9)
    assert 0.10 <= at(runs, b, "National conversion rate", 2021) <= 0.15
    assert at(runs, b, "Technology progress contribution", 2021) > 0.60


def test_baseline_stays_plausible_to_2050(runs):
    rd = runs["National RD intensity"].sel(scenario="baseline")
    conv = runs["National conversion rate"].sel(scenario="baseline")
    assert float(rd.min()) > 0.015 and float(rd.max()) < 0.04
    assert float(conv.min()) > 0.08 and float(conv.max()) < 0.2
    assert float(runs["Total vitality"].sel(scenario="baseline").min()) > 0


def test_developed_benchmark_reaches_developed_country_figures(runs):
    d = "developed_benchmark"
    assert at(runs, d, "National basic research share", 2050) == pytest.approx(0.15, abs=0.01)
    assert at(runs, d, "National conversion rate", 2050) == pytest.approx(0.40, abs=0.05)
