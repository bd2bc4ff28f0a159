"""Manifests: digests, inputs, and reproduce() of runs and sweeps."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from simsys.errors import ReproduceError
from simsys.manifest import (build_manifest, read_manifest, reproduce, results_digest,
                             write_manifest)
from simsys.scenario import run_scenario

sys.path.insert(0, str(Path(__file__).parent / "sweep"))
import fakemodel  # noqa: E402


@pytest.fixture(autouse=True)
def _fake_model(monkeypatch):
    """Every model here is the stand-in, injected (a manifest can never name a loader)."""
    monkeypatch.setattr("simsys.scenario.load_model_file", fakemodel.load)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "fake.mdl").write_text("fake model\n")
    sc = tmp_path / "base.toml"
    sc.write_text('[scenario]\nmodel = "fake.mdl"\n[run]\nseed = 4\n[levers]\n'
                  '"noise scale" = 0.5\n')
    return tmp_path, sc


def test_digest_is_canonical():
    a = xr.Dataset({"b": ("x", np.arange(3.0)), "a": ("x", np.array(["", "p", "qq"]))})
    b = xr.Dataset({"a": ("x", np.array(["", "p", "qq"], dtype=object)),
                    "b": ("x", np.arange(3.0))})
    assert results_digest(a) == results_digest(b)
    c = a.copy()
    c["b"] = ("x", np.array([0.0, 1.0, 2.0000001]))
    d = results_digest(c)
    assert d["sha256"] != results_digest(a)["sha256"]
    assert d["variables"]["a"] == results_digest(a)["variables"]["a"]


def test_digest_of_store_equals_digest_of_dataset(tmp_path):
    ds = xr.Dataset({"v": (("scenario", "time"), np.random.default_rng(0).random((9000, 3)))},
                    coords={"scenario": np.arange(9000), "time": [0.0, 1.0, 2.0]})
    ds.to_zarr(tmp_path / "s.zarr", consolidated=False, encoding={"v": {"chunks": (700, 3)}})
    assert results_digest(tmp_path / "s.zarr") == results_digest(ds)


def test_build_manifest_records_inputs_and_versions(files):
    tmp, sc = files
    ds = xr.Dataset({"v": ("time", [1.0, 2.0])})
    m = build_manifest(model_path=tmp / "fake.mdl", scenario_paths=[sc], command="simsys run",
                       seed=4, results=ds, extra={"note": 1})
    assert set(m["inputs"]) == {"model", "scenarios", "data"}
    import hashlib
    assert m["inputs"]["model"] == {
        str((tmp / "fake.mdl").resolve()): hashlib.sha256(b"fake model\n").hexdigest()}
    assert m["versions"]["numpy"] == np.__version__ and m["versions"]["xarray"]
    assert m["seed"] == 4 and m["command"] == "simsys run" and m["extra"] == {"note": 1}
    assert m["results"]["variables"].keys() == {"v"}
    json.dumps(m)
    path = write_manifest(tmp / "m.json", m)
    assert read_manifest(path) == m


def test_read_manifest_errors(tmp_path):
    with pytest.raises(ReproduceError, match="not found"):
        read_manifest(tmp_path / "none.json")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ReproduceError, match="not a simsys manifest"):
        read_manifest(tmp_path / "x.json")


def test_reproduce_run_identical_then_changed(files):
    tmp, sc = files
    run_scenario(sc, out_dir=tmp / "out")
    mpath = tmp / "out" / "base.manifest.json"
    report = reproduce(mpath)
    assert report.identical and report.status == "identical" and not report.inputs_changed
    sc.write_text(sc.read_text().replace("0.5", "0.7"))
    report = reproduce(mpath)
    assert not report.identical
    assert report.inputs_changed == (str(sc.resolve()),)
    assert "Rate" in report.differing
    fd = report.first_difference
    assert fd["variable"] in report.differing and fd["time"] is not None
    assert "inputs changed" in report.summary()


def test_reproduce_without_call(tmp_path):
    m = build_manifest(model_path=__file__, scenario_paths=[], command=None, seed=None,
                       results=xr.Dataset())
    write_manifest(tmp_path / "m.json", m)
    with pytest.raises(ReproduceError, match="no reproducible call"):
        reproduce(tmp_path / "m.json")


def test_first_difference_finds_scenario_and_time_past_a_slab():
    from simsys.reproduce import _first_difference
    old = xr.Dataset({"v": (("scenario", "time"), np.zeros((10000, 4))),
                      "c": ((), 1.0)},
                     coords={"scenario": np.arange(10000), "time": [0.0, 0.5, 1.0, 1.5]})
    new = old.copy(deep=True)
    new["v"][9001, 2] = np.nan
    fd = _first_difference(old, new, ["c", "v"])
    assert {k: fd[k] for k in ("variable", "scenario", "time")} == {
        "variable": "v", "scenario": 9001, "time": 1.0}
    assert np.isnan(fd["new"]) and fd["old"] == 0.0
    assert _first_difference(old, old, ["c", "v"]) is None
