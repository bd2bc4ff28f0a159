"""Synthetic runs and sweeps shaped like the engine's output (see docs/ENGINE_API.md)."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402

REGIONS = ["hub", "east", "west", "north", "south"]
YEARS = np.arange(2021.0, 2051.0)


def _run(rng: np.random.Generator, n_scenarios: int | None = None) -> xr.Dataset:
    shape = (n_scenarios or 1, 1, 1)
    t = (YEARS - YEARS[0])[None, :, None]
    base = np.array([120.0, 80.0, 45.0, 30.0, 25.0])[None, None, :]
    growth = np.array([0.045, 0.04, 0.03, 0.025, 0.035])[None, None, :]
    growth = growth * (1 + 0.25 * rng.standard_normal(shape))
    talent = base * 1e3 * np.exp(growth * t) / (1 + 0.01 * t)
    output = 0.02 * talent ** 0.9 * (1 + 0.05 * np.sin(t / 3))
    level = np.array([0.62, 0.5, 0.38, 0.33, 0.41])[None, None, :]
    coupling = np.clip(level + 0.25 * (1 - np.exp(-t / 12)) * (1 + 0.2 * rng.standard_normal(shape)),
                       0, 1)
    policy = 0.2 + 0.6 / (1 + np.exp(-(t[..., 0] - 10) / 3))
    dims = ("scenario", "time", "Region")
    ds = xr.Dataset(
        {
            "Talent stock": (dims, talent, {"units": "person", "doc": "Researchers and engineers"}),
            "Innovation output": (dims, output, {"units": "patents/Year", "doc": "Patent grants"}),
            "Coupling coordination degree": (dims, coupling, {"units": "Dmnl", "doc": "D"}),
            "National policy index": (dims[:2], np.broadcast_to(policy, (shape[0], YEARS.size)),
                                      {"units": "Dmnl", "doc": "Policy support"}),
        },
        coords={"time": YEARS, "Region": REGIONS},
        attrs={"model_path": "synthetic", "model_digest": "0" * 64},
    )
    if n_scenarios is None:
        ds = ds.isel(scenario=0, drop=True)
    else:
        ds = ds.assign_coords(scenario=np.arange(n_scenarios))
    return ds


@pytest.fixture(scope="session")
def run_ds() -> xr.Dataset:
    """One run: dims (time, Region), 5 regions, 2021-2050."""
    return _run(np.random.default_rng(0))


@pytest.fixture(scope="session")
def sweep_ds() -> xr.Dataset:
    """200 scenarios: dims (scenario, time, Region)."""
    return _run(np.random.default_rng(1), n_scenarios=200)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def save_png(tmp_path):
    """Save an Axes' or Figure's figure as a PNG under tmp_path and return its path."""

    def save(obj, name: str):
        fig = obj if isinstance(obj, matplotlib.figure.Figure) else obj.figure
        path = tmp_path / f"{name}.png"
        fig.savefig(path, dpi=100)
        assert path.stat().st_size > 5_000
        return path

    return save


@pytest.fixture
def no_cjk_font(monkeypatch):
    """Pretend no CJK font is installed."""
    from simsys.plot import style

    monkeypatch.setattr(style, "find_cjk_font", lambda: None)
