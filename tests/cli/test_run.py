"""simsys run: results, plot, manifest, summary table; bad scenario files give one line and exit 1."""
import os
import subprocess
import sys

import pytest
import xarray as xr

from simsys.cli import cli


def test_run_writes_results_plot_manifest(runner, scenario, tmp_path):
    path = scenario("[levers]\n\"Birth Rate\" = 0.08\n")
    out = tmp_path / "out"
    res = runner.invoke(cli, ["run", str(path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("demo.nc", "demo_headline.csv", "demo.png", "demo.manifest.json"):
        assert (out / name).stat().st_size > 0, name
    ds = xr.open_dataset(out / "demo.nc")
    assert float(ds["Birth Rate"].isel(time=0)) == 0.08
    assert "Population" in res.output and "manifest" in res.output


def test_run_default_output_folder(runner, scenario, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(cli, ["run", str(scenario()), "--no-plot"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "results" / "demo" / "demo.nc").exists()
    assert not (tmp_path / "results" / "demo" / "demo.png").exists()


@pytest.mark.parametrize("extra,needles", [
    ("[levers]\nbirth_rte = 0.1\n", ["birth_rte", "Birth Rate"]),
    ("[levers]\n\"Birth Rate\" = 0.9\n", ["Birth Rate", "0.2"]),
    ("[levers]\n\"Birth Rate\" = \"high\"\n", ["Birth Rate", "number"]),
    ("[levers]\n\"Birth Rate\" = { step = 0.1 }\n", ["Birth Rate", "at"]),
    ("[levers]\n\"Birth Rate\" = { ramp = [0.1], from = 1, to = 2 }\n", ["Birth Rate", "ramp"]),
    ("extends = \"missing.toml\"\n", ["missing.toml", "extends"]),
])
def test_bad_scenarios_fail_with_one_line(runner, scenario, tmp_path, extra, needles):
    if extra.startswith("extends"):
        path = tmp_path / "bad.toml"
        path.write_text("[scenario]\nname = \"bad\"\n" + extra)
    else:
        path = scenario(extra, name="bad")
    res = runner.invoke(cli, ["run", str(path), "--out", str(tmp_path / "o")])
    assert res.exit_code == 1, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines and lines[0].startswith("simsys: error:"), res.output
    assert "Traceback" not in res.output
    assert "bad.toml" in res.output
    for needle in needles:
        assert needle.lower() in res.output.lower(), (needle, res.output)


def test_run_in_a_real_subprocess(scenario, tmp_path):
    env = dict(os.environ, MPLBACKEND="Agg")
    res = subprocess.run([sys.executable, "-m", "simsys.cli", "run", str(scenario()), "--out",
                          str(tmp_path / "o")], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "o" / "demo.png").exists()
    bad = subprocess.run([sys.executable, "-m", "simsys.cli", "run", str(tmp_path / "nope.toml")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and "nope.toml" in bad.stderr


@pytest.mark.parametrize("backend", ["numpy", "auto"])
def test_run_backend_is_recorded(runner, scenario, tmp_path, backend):
    import json
    out = tmp_path / "out"
    res = runner.invoke(cli, ["run", str(scenario()), "--out", str(out), "--no-plot",
                              "--backend", backend])
    assert res.exit_code == 0, res.output
    ds = xr.open_dataset(out / "demo.nc")
    ran = ds.attrs["backend"]
    assert ran in ("numpy", "c")
    if backend == "numpy":
        assert ran == "numpy"
    call = json.loads((out / "demo.manifest.json").read_text())["call"]
    assert call["options"].get("backend", "auto") == backend


def test_run_unavailable_backend_gives_one_line_notice(runner, scenario, tmp_path, monkeypatch):
    from simsys.compile import _CACHE, backends
    monkeypatch.setattr(backends, "_c_available", lambda: False)
    _CACHE.clear()
    out = tmp_path / "out"
    res = runner.invoke(cli, ["run", str(scenario()), "--out", str(out), "--no-plot",
                              "--backend", "c"])
    _CACHE.clear()
    assert res.exit_code == 0, res.output
    notes = [line for line in res.output.splitlines() if line.startswith("notice:")]
    assert len(notes) == 1 and "'c' is not available" in notes[0] and "numpy" in notes[0]
    assert xr.open_dataset(out / "demo.nc").attrs["backend"] == "numpy"


@pytest.mark.parametrize("name", ["fortran", "numba"])  # numba: removed with issue #12
def test_run_unknown_backend_is_refused(runner, scenario, name):
    res = runner.invoke(cli, ["run", str(scenario()), "--backend", name])
    assert res.exit_code != 0 and name in res.output
    error = [line for line in res.output.splitlines() if line.startswith("Error:")]
    assert len(error) == 1 and "'numpy', 'c', 'auto'" in error[0]
