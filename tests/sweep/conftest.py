"""Fixtures for sweep tests: a tiny model with levers and a RANDOM function.

Every sweep test runs against the fake model (tests/sweep/fakemodel.py, which follows
docs/ENGINE_API.md) and, once the engine can run it, against the real engine on the
same model file.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).parent
MODEL = HERE / "models" / "random_levers.mdl"


# Both loaders always: if the engine cannot run this model the sweep tests must fail,
# not quietly fall back to the fake model alone.
LOADERS = ["fake", "engine"]


def use_fake_model(monkeypatch):
    """Load every model with tests/sweep/fakemodel.py (injected, never named by a file)."""
    import fakemodel
    monkeypatch.setattr("simsys.scenario.load_model_file", fakemodel.load)


@pytest.fixture(params=LOADERS)
def loader(request, monkeypatch):
    """Run the test once on the fake model and once on the engine."""
    if request.param == "fake":
        use_fake_model(monkeypatch)
    return request.param


@pytest.fixture
def fake_model(monkeypatch):
    """Run the test on the fake model."""
    use_fake_model(monkeypatch)


@pytest.fixture
def python_path(monkeypatch):
    """Make fakemodel importable in worker processes (spawned, or Dask's)."""
    import os
    old = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(HERE) + (os.pathsep + old if old else ""))


BASE = """\
# Question: how much does the gain matter?
[scenario]
name = "base"
model = "models/random_levers.mdl"
[run]
final_time = {final_time}
seed = 5
[levers]
"noise scale" = 0.5
regional_cooperation = {{ hub = 0.9 }}
"""

SWEEP = """\
# Question: which lever moves the final stock?
[sweep]
scenario = "base.toml"
sampler = "{sampler}"
n = {n}
seed = 3
chunk_size = {chunk_size}
[parameters]
gain = {{ range = [0.5, 1.5] }}
"noise scale" = {{ levels = [0.0, 0.5, 1.0] }}
"regional cooperation[east]" = {{ normal = [0.5, 0.1] }}
[outputs]
summaries = ["final", "max", "min", "time_of_max", {{ mean = [2, 5] }}]
keep_series = {keep_series}
"""


@pytest.fixture
def make_sweep(tmp_path):
    """Write base.toml + sweep.toml (+ the model) into tmp_path; returns the sweep path."""
    (tmp_path / "models").mkdir(exist_ok=True)
    shutil.copy(MODEL, tmp_path / "models" / MODEL.name)

    def make(*, n=50, sampler="montecarlo", chunk_size=16, keep_series="true",
             final_time=10, extra="", name="sweep.toml"):
        (tmp_path / "base.toml").write_text(BASE.format(final_time=final_time))
        path = tmp_path / name
        path.write_text(SWEEP.format(n=n, sampler=sampler, chunk_size=chunk_size,
                                     keep_series=keep_series) + extra)
        return path
    return make
