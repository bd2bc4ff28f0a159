"""Every bad input in tests/bad_inputs/ fails cleanly: one line, exit 1 (or click's 2), no traceback.

Each case of ``tests/bad_inputs/cases.toml`` runs through the CLI (click's CliRunner, and a
handful through a real ``python -m simsys.cli`` subprocess) and through the library call
the command makes, where only :class:`simsys.errors.SimsysError` subclasses may escape.
After a failed run or sweep nothing on disk looks like a complete result.
"""
from __future__ import annotations

import errno
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
import zarr
from click.testing import CliRunner

from simsys.cli import cli
from simsys.errors import SimsysError, StoreError

BAD = Path(__file__).resolve().parents[1] / "bad_inputs"
BAD_MODELS = Path(__file__).resolve().parents[1] / "bad_models"
CASES = tomllib.loads((BAD / "cases.toml").read_text(encoding="utf-8"))
OK_SWEEP = BAD / "sweeps" / "ok.toml"


# -- setup functions named by cases.toml ------------------------------------------------------
def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _sparse(path: Path, head: bytes, size: int) -> None:
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)


def _lock(tmp: Path, pid, host=None) -> None:
    (tmp / "s.zarr.lock").write_text(json.dumps({"pid": pid, "host": host or socket.gethostname(),
                                                 "sweep_id": "other"}))


def _complete_store(tmp: Path, chunk_size=4) -> Path:
    from simsys.sweep.run import run_sweep
    run_sweep(OK_SWEEP, tmp / "s.zarr", chunk_size=chunk_size)
    return tmp / "s.zarr"


def _incomplete_store(tmp: Path) -> Path:
    """What a killed sweep leaves: some chunk flags unset, no manifest, a stale lock."""
    store = _complete_store(tmp)
    group = zarr.open_group(store, mode="r+")
    group["simsys_chunk_done"][1] = False
    del group.attrs["simsys_manifest"]
    store.with_suffix(".manifest.json").unlink()
    _lock(tmp, _dead_pid())
    return store


def _render_manifest(tmp: Path, name: str) -> None:
    text = (BAD / "manifests" / f"{name}.json").read_text()
    (tmp / f"{name}.json").write_text(text.replace("{here}", str(BAD / "manifests")))


SETUP = {
    "huge_scenario": lambda tmp, name: _sparse(tmp / "huge.toml", b"[scenario]\n# ", 11 << 20),
    "huge_sweep": lambda tmp, name: _sparse(tmp / "huge.toml", b"[sweep]\n# ", 11 << 20),
    "huge_data": lambda tmp, name: (
        shutil.copy(BAD / "data" / "missing_file" / "model.mdl", tmp / "model.mdl"),
        (tmp / "data").mkdir(),
        shutil.copy(BAD / "data" / "missing_file" / "data" / "constants_scalar.csv", tmp / "data"),
        _sparse(tmp / "data" / "constants_vector.csv", b"name,north,south,east\n", 200 << 20)),
    "file_at_store": lambda tmp, name: (tmp / "file.zarr").write_text("x"),
    "file_at_out": lambda tmp, name: (tmp / "taken").write_text("x"),
    "complete_store": lambda tmp, name: _complete_store(tmp),
    "incomplete_store": lambda tmp, name: _incomplete_store(tmp),
    "live_lock": lambda tmp, name: _lock(tmp, os.getpid()),
    "stale_lock": lambda tmp, name: _lock(tmp, _dead_pid()),
    "other_host_lock": lambda tmp, name: _lock(tmp, 1, host="elsewhere"),
    "junk_store": lambda tmp, name: ((tmp / "s.zarr").mkdir(),
                                    (tmp / "s.zarr" / "zarr.json").write_text("{ not json")),
    "store_without_digest": lambda tmp, name: zarr.open_group(tmp / "s.zarr", mode="w"),
    "render_manifest": _render_manifest,
}


def _prepare(case_id: str, spec: dict, tmp: Path) -> list[str]:
    category, name = case_id.split("/", 1)
    for rel in spec.get("copy", ()):
        shutil.copy(BAD / rel, tmp / Path(rel).name)
    if "setup" in spec:
        SETUP[spec["setup"]](tmp, name)
    here = BAD / category
    return [a.replace("{here}", str(here)).replace("{tmp}", str(tmp)) for a in spec["args"]]


def _cases(ids=None):
    return [pytest.param(k, v, id=k) for k, v in CASES.items() if ids is None or k in ids]


# -- the corpus -----------------------------------------------------------------------------
def test_corpus_is_large_enough():
    models = tomllib.loads((BAD_MODELS / "expected.toml").read_text())
    by_cat = {}
    for k in CASES:
        by_cat[k.split("/")[0]] = by_cat.get(k.split("/")[0], 0) + 1
    assert len(CASES) >= 100, by_cat
    assert len(CASES) + len(models) >= 170
    assert set(by_cat) >= {"scenarios", "sweeps", "data", "manifests", "cli"}


def test_every_case_file_is_used():
    """No orphan files: every file under a category folder is named by a case (or a helper)."""
    text = (BAD / "cases.toml").read_text()
    helpers = {"base.toml", "base_bad_lever.toml", "base_syntax.toml", "ok.toml", "n_other.toml",
               "cycle_b.toml", "parent_bad_lever.toml", "parent_syntax.toml", "scenario.toml",
               "scenario_model_gone.toml"}
    for cat in ("scenarios", "sweeps", "manifests"):
        for p in (BAD / cat).iterdir():
            assert p.name in helpers or p.stem in text, p


@pytest.mark.parametrize("case_id,spec", _cases())
def test_cli(case_id, spec, tmp_path, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    args = _prepare(case_id, spec, tmp_path)
    res = CliRunner().invoke(cli, args)
    out = res.output
    assert "Traceback" not in out, out
    assert res.exit_code == spec["exit"], f"exit {res.exit_code}: {out}"
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert not any("internal error" in ln for ln in lines), out
    if spec["exit"] == 1 and "results differ" not in spec["contains"]:
        assert lines[0].startswith("simsys: error:"), out
    for needle in spec["contains"]:
        assert needle.lower() in out.lower(), (needle, out)
    _nothing_looks_complete(tmp_path)


def _nothing_looks_complete(tmp: Path) -> None:
    """A failed command leaves no result file without its manifest, no store flagged complete."""
    for folder in [tmp, *[p for p in tmp.rglob("*") if p.is_dir()]]:
        if folder.suffix == ".zarr":
            continue
        results = [p for p in folder.iterdir() if p.suffix in (".nc", ".png")]
        for p in results:
            assert p.with_suffix(".manifest.json").exists() or p.stem.endswith("_headline"), p
        assert not [p for p in folder.iterdir() if p.name.startswith(".") and ".nc." in p.name]


# -- the same cases through the library ------------------------------------------------------
def _library_call(args: list[str]):
    """The library call a command line makes (None for click usage errors)."""
    cmd, rest = args[0], args[1:]
    opts, pos = {}, []
    i = 0
    while i < len(rest):
        if rest[i].startswith("--"):
            if rest[i] in ("--resume", "--no-plot", "--plot"):
                opts[rest[i][2:]] = True
                i += 1
            else:
                opts[rest[i][2:]] = rest[i + 1]
                i += 2
        else:
            pos.append(rest[i])
            i += 1
    if cmd == "run":
        from simsys.export import export_run
        from simsys.scenario import load_scenario, run_scenario

        def call():
            sc = load_scenario(pos[0])
            kw = {k.replace("-", "_"): float(v) for k, v in opts.items()
                  if k in ("final-time", "time-step")}
            ds = run_scenario(pos[0], **kw)
            export_run(ds, opts.get("out", "results"), sc.name, plot=False)
        return call
    if cmd == "sweep":
        from simsys.sweep.run import run_sweep
        return lambda: run_sweep(pos[0], opts["out"], resume=bool(opts.get("resume")),
                                 chunk_size=int(opts["chunk-size"]) if "chunk-size" in opts
                                 else None)
    if cmd == "check":
        from simsys.checks import check_file
        return lambda: check_file(Path(pos[0]))
    if cmd == "reproduce":
        from simsys.manifest import reproduce
        return lambda: reproduce(pos[0])
    if cmd == "plot":
        from simsys.plot.files import plot_file
        return lambda: plot_file(pos[0], opts.get("kind", "trajectories"), opts["var"], opts["out"],
                                 scenario=int(opts["scenario"]) if "scenario" in opts else None)
    if cmd in ("levers", "describe"):
        from simsys.model.load import load_model
        return lambda: load_model(pos[0]).compile("numpy")
    return None


# the library side of every user error; click usage errors (exit 2) and "results differ"
# reports have no library exception to check
LIBRARY_CASES = [cid for cid, spec in CASES.items()
                 if spec["exit"] == 1 and "results differ" not in spec["contains"]]


@pytest.mark.parametrize("case_id,spec", _cases(LIBRARY_CASES))
def test_library_raises_only_simsys_errors(case_id, spec, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = _prepare(case_id, spec, tmp_path)
    call = _library_call(args)
    assert call is not None, f"no library call is known for {args[0]!r}; add it to _library_call"
    with pytest.raises(SimsysError) as info:
        call()
    msg = str(info.value)
    for needle in spec["contains"]:
        assert needle.lower() in msg.lower(), (needle, msg)


SUBPROCESS = ["scenarios/unknown_lever", "scenarios/toml_unclosed_string", "sweeps/range_lo_above_hi",
              "data/non_numeric_cell", "manifests/not_json", "cli/run_method_unknown",
              "sweeps/cli_store_stale_lock"]


@pytest.mark.slow
@pytest.mark.parametrize("case_id,spec", _cases(SUBPROCESS))
def test_real_subprocess(case_id, spec, tmp_path):
    args = _prepare(case_id, spec, tmp_path)
    env = dict(os.environ, MPLBACKEND="Agg")
    res = subprocess.run([sys.executable, "-m", "simsys.cli", *args], capture_output=True,
                         text=True, env=env, timeout=300)
    both = res.stdout + res.stderr
    assert "Traceback" not in both, both
    assert res.returncode == spec["exit"], (shlex.join(args), both)
    if spec["exit"] == 1:
        assert res.stderr.splitlines()[0].startswith("simsys: error:"), res.stderr
        assert len([ln for ln in res.stderr.splitlines() if ln.strip()]) == 1 or \
            "^" in res.stderr, res.stderr
    for needle in spec["contains"]:
        assert needle.lower() in both.lower(), (needle, both)


# -- write failures: permission denied and a full disk ---------------------------------------
def _ok_scenario(tmp: Path) -> Path:
    return BAD / "cli" / "ok.toml"


@pytest.mark.parametrize("exc", [PermissionError(errno.EACCES, "Permission denied"),
                                 OSError(errno.ENOSPC, "No space left on device")],
                         ids=["permission", "disk_full"])
def test_run_write_failure_is_one_line_and_leaves_nothing(exc, tmp_path, monkeypatch):
    import xarray as xr

    def fail(self, path, *a, **k):
        Path(path).write_bytes(b"half")  # a partial file, as a full disk leaves
        raise exc
    monkeypatch.setattr(xr.Dataset, "to_netcdf", fail)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["run", str(_ok_scenario(tmp_path)), "--out", str(out)])
    assert res.exit_code == 1, res.output
    assert res.output.startswith("simsys: error:") and "Traceback" not in res.output
    assert exc.strerror in res.output and str(out) in res.output
    assert list(out.iterdir()) == [], "no partial .nc, no manifest"


@pytest.mark.parametrize("exc", [PermissionError(errno.EACCES, "Permission denied"),
                                 OSError(errno.ENOSPC, "No space left on device")],
                         ids=["permission", "disk_full"])
def test_run_manifest_write_failure_leaves_no_manifest(exc, tmp_path, monkeypatch):
    real = Path.write_text

    def fail(self, *a, **k):
        if ".manifest.json" in self.name:
            raise exc
        return real(self, *a, **k)
    monkeypatch.setattr(Path, "write_text", fail)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["run", str(_ok_scenario(tmp_path)), "--out", str(out),
                                   "--no-plot"])
    assert res.exit_code == 1 and exc.strerror in res.output, res.output
    assert list(out.iterdir()) == [], "no .nc or .csv without the manifest, no temporary files"


def test_failed_rerun_leaves_the_earlier_results_whole(tmp_path, monkeypatch):
    """A re-run into the same folder that fails half-way keeps the earlier files and manifest."""
    import xarray as xr
    out = tmp_path / "out"
    ok = _ok_scenario(tmp_path)
    assert CliRunner().invoke(cli, ["run", str(ok), "--out", str(out)]).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert "ok.manifest.json" in before and "ok.png" in before

    def plot_fails(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr("simsys.export._plot", plot_fails)  # .nc and .csv already written
    res = CliRunner().invoke(cli, ["run", str(ok), "--out", str(out), "--seed", "3"])
    assert res.exit_code == 1 and "No space left" in res.output, res.output
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    _nothing_looks_complete(tmp_path)


@pytest.mark.parametrize("exc", [PermissionError(errno.EACCES, "Permission denied"),
                                 OSError(errno.ENOSPC, "No space left on device")],
                         ids=["permission", "disk_full"])
def test_sweep_chunk_write_failure(exc, tmp_path, monkeypatch):
    """A chunk that cannot be written stops the sweep with one line; the store stays resumable."""
    from simsys.sweep import store as store_mod
    from simsys.sweep.run import run_sweep
    real = store_mod.ZarrStore._write_chunk
    calls = {"n": 0}

    def flaky(self, chunk_id, start, stop, ds):
        calls["n"] += 1
        if calls["n"] == 2:
            raise exc
        return real(self, chunk_id, start, stop, ds)
    monkeypatch.setattr(store_mod.ZarrStore, "_write_chunk", flaky)
    store = tmp_path / "s.zarr"
    res = CliRunner().invoke(cli, ["sweep", str(OK_SWEEP), "--out", str(store), "--chunk-size", "2"])
    assert res.exit_code == 1, res.output
    assert res.output.startswith("simsys: error:") and exc.strerror in res.output, res.output
    assert "s.zarr" in res.output
    flags = np.asarray(zarr.open_group(store, mode="r")["simsys_chunk_done"][:])
    assert not flags.all(), "an unwritten chunk is not flagged"
    assert "simsys_manifest" not in zarr.open_group(store, mode="r").attrs
    assert not store.with_suffix(".manifest.json").exists()
    assert not store.with_name("s.zarr.lock").exists(), "the lock is released"
    monkeypatch.setattr(store_mod.ZarrStore, "_write_chunk", real)
    report = run_sweep(OK_SWEEP, store, resume=True)
    assert report.chunks_skipped == int(flags.sum())
    from simsys.manifest import results_digest
    (tmp_path / "whole").mkdir()
    _complete_store(tmp_path / "whole", chunk_size=2)
    assert results_digest(store) == results_digest(tmp_path / "whole" / "s.zarr")


@pytest.mark.parametrize("exc", [PermissionError(errno.EACCES, "Permission denied"),
                                 OSError(errno.ENOSPC, "No space left on device")],
                         ids=["permission", "disk_full"])
def test_sweep_store_create_failure(exc, tmp_path, monkeypatch):
    import xarray as xr

    def fail(self, *a, **k):
        raise exc
    monkeypatch.setattr(xr.Dataset, "to_zarr", fail)
    res = CliRunner().invoke(cli, ["sweep", str(OK_SWEEP), "--out", str(tmp_path / "s.zarr")])
    assert res.exit_code == 1 and res.output.startswith("simsys: error:"), res.output
    assert "s.zarr" in res.output and exc.strerror in res.output
    assert not (tmp_path / "s.zarr.lock").exists()


def test_unwritable_output_folder_chmod(tmp_path):
    """chmod 0500 (meaningful when not root; as root the write succeeds, which is also fine)."""
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o500)
    try:
        res = CliRunner().invoke(cli, ["run", str(BAD / "cli" / "ok.toml"), "--out", str(out),
                                       "--no-plot"])
    finally:
        out.chmod(0o700)
    assert "Traceback" not in res.output
    if os.geteuid() == 0:
        assert res.exit_code == 0, res.output
    else:
        assert res.exit_code == 1 and "not writable" in res.output, res.output
        assert list(out.iterdir()) == []


# -- stores left by killed runs --------------------------------------------------------------
def test_incomplete_store_is_not_reported_complete(tmp_path):
    from simsys.manifest import reproduce
    store = _incomplete_store(tmp_path)
    flags = np.asarray(zarr.open_group(store, mode="r")["simsys_chunk_done"][:])
    assert not flags.all()
    with pytest.raises(SimsysError, match="no 'simsys_manifest'"):
        reproduce(store)
    # without --resume: refused (the stale lock is named); with it: completed, never mixed
    res = CliRunner().invoke(cli, ["sweep", str(OK_SWEEP), "--out", str(store)])
    assert res.exit_code == 1 and "--resume" in res.output, res.output
    res = CliRunner().invoke(cli, ["sweep", str(BAD / "sweeps" / "n_other.toml"), "--out",
                                   str(store), "--resume"])
    assert res.exit_code == 1 and "different sweep" in res.output, res.output
    res = CliRunner().invoke(cli, ["sweep", str(OK_SWEEP), "--out", str(store), "--resume"])
    assert res.exit_code == 0, res.output
    assert "1 run" in res.output
    from simsys.manifest import results_digest
    whole = tmp_path / "whole"
    whole.mkdir()
    _complete_store(whole)
    assert results_digest(store) == results_digest(whole / "s.zarr")
    assert reproduce(store).identical


def test_store_error_type_for_store_cases(tmp_path):
    from simsys.sweep.run import run_sweep
    _lock(tmp_path, os.getpid())
    with pytest.raises(StoreError):
        run_sweep(OK_SWEEP, tmp_path / "s.zarr")


@pytest.mark.parametrize("args", [
    ["sensitivity", "{store}", "--output", "Stock", "--method", "morris"],
    ["plot", "{store}", "--kind", "fan", "--var", "Stock", "--out", "{tmp}/fan.png"],
    ["plot", "{store}", "--var", "Stock", "--scenario", "5", "--out", "{tmp}/one.png"],
], ids=["sensitivity", "plot_fan", "plot_one"])
def test_commands_refuse_an_incomplete_store(args, tmp_path):
    """Reading a store a killed sweep left: refused with the chunk count, no figure written."""
    store = _incomplete_store(tmp_path)
    args = [a.replace("{store}", str(store)).replace("{tmp}", str(tmp_path)) for a in args]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1, res.output
    assert res.output.startswith("simsys: error:") and "Traceback" not in res.output
    assert "s.zarr" in res.output and "incomplete" in res.output and "--resume" in res.output
    assert not list(tmp_path.glob("*.png"))
