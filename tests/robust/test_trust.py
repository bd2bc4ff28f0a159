"""Issue 11, tried as a hostile user or a reviewer would: paths, overwrites, symlinks, locks,
damaged results, resources. Each case checks the exit code, the message, and that nothing
outside the output folder changed (a snapshot of the whole tree before and after).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
import zarr
from click.testing import CliRunner

from simsys.cli import cli
from simsys.errors import ReproduceError, ScenarioError, SimsysError
from simsys.manifest import read_manifest, seal_manifest, write_manifest

MODELS = Path(__file__).resolve().parents[1] / "models"
SWEEP_MODEL = Path(__file__).resolve().parents[1] / "sweep" / "models" / "random_levers.mdl"


def snapshot(root: Path, skip: Path | None = None) -> dict:
    """Every path under ``root`` (but ``skip``) -> its type and content digest or link target."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        if skip is not None and (here == skip or skip in here.parents):
            dirnames[:] = []
            continue
        for name in dirnames + filenames:
            p = here / name
            if skip is not None and p == skip:
                continue
            if p.is_symlink():
                out[str(p)] = ("link", os.readlink(p))
            elif p.is_file():
                out[str(p)] = ("file", hashlib.sha256(p.read_bytes()).hexdigest())
            else:
                out[str(p)] = ("dir",)
    return out


@pytest.fixture
def project(tmp_path):
    """A model, a scenario ``base`` and a second scenario ``other`` in tmp_path/project."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(MODELS / "levers.mdl", root / "levers.mdl")
    (root / "base.toml").write_text('[scenario]\nname = "base"\nmodel = "levers.mdl"\n'
                                    '[levers]\n"birth rate" = 0.06\n')
    (root / "other.toml").write_text('[scenario]\nname = "other"\nmodel = "levers.mdl"\n')
    return root


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def check(res, code: int, *needles: str):
    assert res.exit_code == code, res.output
    for n in needles:
        assert n in res.output, (n, res.output)
    assert "Traceback" not in res.output
    if code == 1:
        assert res.output.startswith("simsys: error:") or "differ" in res.output, res.output


# -- 1. scenario names that are paths, controls or empty ---------------------------------
BAD_NAMES = {
    "parent": '"../evil"', "slash": '"a/b"', "absolute": '"/tmp/evil"',
    "backslash": '"a\\\\b"', "dotdot": '".."', "dot": '"."', "empty": '""', "blank": '"   "',
    "nul": '"x\\u0000y"', "newline": '"x\\ny"', "escape": '"x\\u001b[31mred"',
    "bell": '"x\\u0007"',
}


@pytest.mark.parametrize("case", sorted(BAD_NAMES))
def test_unsafe_scenario_name_is_refused_at_its_line(project, tmp_path, case):
    sc = project / "bad.toml"
    sc.write_text(f'[scenario]\nname = {BAD_NAMES[case]}\nmodel = "levers.mdl"\n')
    before = snapshot(tmp_path)
    res = run("run", sc, "--out", tmp_path / "out", "--no-plot")
    check(res, 1, "bad.toml:2", "'name'", "expected a plain file name")
    assert "\x1b" not in res.output and "\x07" not in res.output and "\x00" not in res.output
    assert len(res.output.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before, "nothing may be written"


# -- 2. overwriting another run's folder --------------------------------------------------
def test_other_run_in_folder_is_refused_then_replaced_with_force(project, tmp_path):
    out = tmp_path / "out"
    check(run("run", project / "base.toml", "--out", out), 0)
    base_files = snapshot(out)
    before = snapshot(tmp_path, skip=out)
    res = run("run", project / "other.toml", "--out", out)
    check(res, 1, "--force", "--out", "'base'")
    assert snapshot(out) == base_files and snapshot(tmp_path, skip=out) == before
    res = run("run", project / "other.toml", "--out", out, "--force")
    check(res, 0)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["other.manifest.json", "other.nc", "other.png", "other_headline.csv"]
    assert snapshot(tmp_path, skip=out) == before


def test_rerun_without_plot_leaves_no_stale_png(project, tmp_path):
    out = tmp_path / "out"
    check(run("run", project / "base.toml", "--out", out), 0)
    assert (out / "base.png").exists()
    check(run("run", project / "base.toml", "--out", out, "--no-plot"), 0)
    assert not (out / "base.png").exists(), "an old PNG beside new results"
    m = read_manifest(out / "base.manifest.json")
    assert sorted(m["files"]) == ["base.nc", "base_headline.csv"]


def test_foreign_files_in_folder_are_refused(project, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "thesis.tex").write_text("my work")
    before = snapshot(tmp_path)
    check(run("run", project / "base.toml", "--out", out), 1, "thesis.tex", "--force")
    assert snapshot(tmp_path) == before
    check(run("run", project / "base.toml", "--out", out, "--force"), 0)
    assert (out / "thesis.tex").read_text() == "my work", "--force keeps files simsys did not write"


def test_out_is_a_file(project, tmp_path):
    (tmp_path / "out").write_text("x")
    before = snapshot(tmp_path)
    check(run("run", project / "base.toml", "--out", tmp_path / "out"), 2, "is a file")
    assert snapshot(tmp_path) == before


# -- 3. symlinks are replaced, never written through ---------------------------------------
@pytest.mark.parametrize("suffix", [".nc", "_headline.csv", ".png", ".manifest.json"])
def test_symlink_in_output_is_never_written_through(project, tmp_path, suffix):
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (out / f"base{suffix}").symlink_to(victim)
    # the link makes the folder look like an earlier run of 'base': allowed, and replaced
    before = snapshot(tmp_path, skip=out)
    res = run("run", project / "base.toml", "--out", out)
    check(res, 0)
    assert victim.read_text() == "precious"
    assert not (out / f"base{suffix}").is_symlink()
    assert snapshot(tmp_path, skip=out) == before


def test_symlinked_manifest_to_outside_is_not_followed_by_reproduce(project, tmp_path):
    out = tmp_path / "out"
    check(run("run", project / "base.toml", "--out", out, "--no-plot"), 0)
    m = read_manifest(out / "base.manifest.json")
    m["files"]["../victim.txt"] = "0" * 64
    write_manifest(out / "base.manifest.json", seal_manifest(m))
    (tmp_path / "victim.txt").write_text("x")
    res = run("reproduce", out / "base.manifest.json")
    check(res, 1, "not a file beside the manifest")
    assert (tmp_path / "victim.txt").read_text() == "x"  # the file outside was neither read as ours nor touched


# -- 4. locks ------------------------------------------------------------------------------
def test_second_run_into_a_locked_folder_is_refused(project, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"],
                              stdin=subprocess.PIPE)
    try:
        import socket
        (out / ".simsys-run.lock").write_text(json.dumps({"pid": holder.pid,
                                                          "host": socket.gethostname()}))
        before = snapshot(tmp_path)
        check(run("run", project / "base.toml", "--out", out), 1,
              f"another run (pid {holder.pid})")
        assert snapshot(tmp_path) == before
    finally:
        holder.stdin.close()
        holder.wait()
    # the holder is gone: its lock is stale and taken over
    check(run("run", project / "base.toml", "--out", out, "--no-plot"), 0)
    assert not (out / ".simsys-run.lock").exists()


# -- 5. sweep stores and run folders -------------------------------------------------------
SWEEP = """\
[sweep]
scenario = "sbase.toml"
sampler = "montecarlo"
n = 40
seed = 3
chunk_size = 10
[parameters]
gain = { range = [0.5, 1.5] }
[outputs]
summaries = ["final"]
"""


@pytest.fixture
def sweep_file(project):
    shutil.copy(SWEEP_MODEL, project / "random_levers.mdl")
    (project / "sbase.toml").write_text('[scenario]\nname = "sbase"\nmodel = '
                                        '"random_levers.mdl"\n[run]\nseed = 5\n')
    (project / "sweep.toml").write_text(SWEEP)
    return project / "sweep.toml"


def test_sweep_store_inside_a_run_folder_is_refused(project, sweep_file, tmp_path):
    out = tmp_path / "out"
    check(run("run", project / "base.toml", "--out", out, "--no-plot"), 0)
    before = snapshot(tmp_path)
    check(run("sweep", sweep_file, "--out", out / "s.zarr"), 1, "inside the results folder")
    assert snapshot(tmp_path) == before


def test_sweep_store_over_a_run_manifest_is_refused(project, sweep_file, tmp_path):
    out = tmp_path / "out"
    check(run("run", project / "base.toml", "--out", out, "--no-plot"), 0)
    shutil.move(out / "base.manifest.json", tmp_path / "base.manifest.json")
    before = snapshot(tmp_path)
    check(run("sweep", sweep_file, "--out", tmp_path / "base.zarr"), 1, "another run")
    assert snapshot(tmp_path) == before


def test_sweep_store_path_is_a_file(sweep_file, tmp_path):
    (tmp_path / "s.zarr").write_text("x")
    before = snapshot(tmp_path)
    check(run("sweep", sweep_file, "--out", tmp_path / "s.zarr"), 1, "is a file")
    assert snapshot(tmp_path) == before


# -- 6. damaged sweep chunks: --resume and reproduce find every one ----------------------
def _chunk_files(store: Path, var: str) -> list[Path]:
    return sorted(p for p in (store / var / "c").rglob("*") if p.is_file())


def _damage(path: Path, how: str) -> None:
    if how == "delete":
        path.unlink()
    elif how == "truncate":
        path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 3)])
    else:  # flip bytes in the middle
        data = bytearray(path.read_bytes())
        for i in range(len(data) // 2, min(len(data), len(data) // 2 + 8)):
            data[i] ^= 0xFF
        path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["delete", "truncate", "corrupt"])
def test_resume_recomputes_damaged_chunks_and_says_how_many(sweep_file, tmp_path, how):
    store = tmp_path / "s.zarr"
    check(run("sweep", sweep_file, "--out", store), 0)
    whole = zarr.open_group(store, mode="r")["Stock:final"][:].copy()
    files = _chunk_files(store, "Stock:final")
    assert len(files) == 4
    _damage(files[1], how)
    _damage(files[3], how)
    before = snapshot(tmp_path, skip=store)
    res = run("reproduce", store)
    check(res, 1, "results on disk differ from the manifest", "chunk 1", "chunk 3",
          "Stock:final")
    res = run("sweep", sweep_file, "--out", store, "--resume")
    check(res, 0, "2 chunks were damaged")
    assert np.array_equal(zarr.open_group(store, mode="r")["Stock:final"][:], whole)
    check(run("reproduce", store), 0, "identical")
    snap = snapshot(tmp_path, skip=store)
    assert {k: v for k, v in snap.items() if not k.endswith("s.manifest.json")} == \
        {k: v for k, v in before.items() if not k.endswith("s.manifest.json")}


def test_resume_with_blank_digest_recomputes_that_chunk(sweep_file, tmp_path):
    store = tmp_path / "s.zarr"
    check(run("sweep", sweep_file, "--out", store), 0)
    zarr.open_group(store, mode="r+")["simsys_chunk_sha256"][2] = ""
    check(run("sweep", sweep_file, "--out", store, "--resume"), 0, "1 chunk was damaged")


# -- 7. damaged run results: reproduce reports them, never "identical" ---------------------
@pytest.fixture
def done_run(project, tmp_path):
    out = tmp_path / "out"
    check(run("run", project / "base.toml", "--out", out, "--no-plot"), 0)
    return out


def test_truncated_nc_is_reported(done_run):
    nc = done_run / "base.nc"
    nc.write_bytes(nc.read_bytes()[:nc.stat().st_size // 2])
    check(run("reproduce", done_run / "base.manifest.json"), 1,
          "results on disk differ from the manifest", "base.nc cannot be read")


def test_value_edited_in_place_names_the_variable(done_run):
    nc = done_run / "base.nc"
    with xr.open_dataset(nc) as ds:
        ds = ds.load()
    ds["Population"][3] = ds["Population"][3] + 1e-9
    ds.to_netcdf(nc)
    res = run("reproduce", done_run / "base.manifest.json")
    check(res, 1, "results on disk differ from the manifest", "'Population'")
    assert "identical" not in res.output


def test_deleted_nc_is_reported(done_run):
    (done_run / "base.nc").unlink()
    check(run("reproduce", done_run / "base.manifest.json"), 1, "base.nc is missing")


def test_edited_csv_is_reported(done_run):
    csv = done_run / "base_headline.csv"
    csv.write_text(csv.read_text().replace("1", "2", 1))
    check(run("reproduce", done_run / "base.manifest.json"), 1, "base_headline.csv changed")


def test_tampered_manifest_digest_is_reported(done_run):
    mf = done_run / "base.manifest.json"
    data = json.loads(mf.read_text())
    data["results"]["sha256"] = "0" * 64
    mf.write_text(json.dumps(data))
    check(run("reproduce", mf), 1, "edited after it was written", "manifest_sha256")


def test_manifest_seed_edited_is_reported(done_run):
    mf = done_run / "base.manifest.json"
    mf.write_text(mf.read_text().replace('"seed": null', '"seed": 7'))
    check(run("reproduce", mf), 1, "edited after it was written")


def test_moved_tree_reproduces(project, done_run, tmp_path):
    moved = tmp_path / "elsewhere"
    shutil.copytree(tmp_path, moved, symlinks=True, ignore=shutil.ignore_patterns("elsewhere"))
    shutil.rmtree(project)
    check(run("reproduce", moved / "out" / "base.manifest.json"), 0, "identical")


def test_manifest_moved_alone_needs_root(project, done_run, tmp_path):
    alone = tmp_path / "mail" / "inbox"
    alone.mkdir(parents=True)
    shutil.copy(done_run / "base.manifest.json", alone / "base.manifest.json")
    check(run("reproduce", alone / "base.manifest.json"), 1, "scenario file is gone", "--root")
    res = run("reproduce", alone / "base.manifest.json", "--root", done_run)
    check(res, 0, "identical")


def test_changed_lever_is_named_with_old_and_new_value(project, done_run):
    sc = project / "base.toml"
    sc.write_text(sc.read_text().replace("0.06", "0.07"))
    res = run("reproduce", done_run / "base.manifest.json")
    check(res, 1, "'birth rate' 0.06 -> 0.07", "abs 0.01", "rel 0.143", "'Birth Rate'",
          "largest in the variable", "inputs changed")


def test_manifest_records_backend_versions_and_relative_paths(done_run):
    m = read_manifest(done_run / "base.manifest.json")
    assert m["versions"]["numpy"] == np.__version__
    assert "pysd" in m["versions"] and "backend" in m
    assert m["call"]["scenario"] == "../project/base.toml"
    assert all(not Path(p).is_absolute() for g in m["inputs"].values() for p in g)
    assert set(m["files"]) == {"base.nc", "base_headline.csv"}


# -- 8. bounded reads and resources --------------------------------------------------------
@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_special_files_are_refused_as_not_regular(project, tmp_path, kind):
    target = tmp_path / "special"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "directory":
        target.mkdir()
    else:
        target = Path("/dev/zero")
    before = snapshot(tmp_path)
    if kind == "directory":
        check(run("reproduce", target), 1, "not a sweep store")
        check(run("run", target, "--out", tmp_path / "o"), 2, "is a directory")
    else:
        check(run("reproduce", target), 1, "not a regular file")
        check(run("run", target, "--out", tmp_path / "o"), 1, "not a regular file")
    assert snapshot(tmp_path) == before


def test_fifo_scenario_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "s.toml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="not a regular file"):
        from simsys.scenario import load_scenario
        load_scenario(fifo)


def test_oversized_manifest_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr("simsys.manifest.MAX_MANIFEST_BYTES", 100)
    (tmp_path / "m.json").write_text("{" + " " * 200 + "}")
    with pytest.raises(ReproduceError, match="larger than the limit of 100 bytes"):
        read_manifest(tmp_path / "m.json")


def test_deeply_nested_manifest_is_refused(tmp_path):
    (tmp_path / "m.json").write_text("[" * 100000 + "]" * 100000)
    check(run("reproduce", tmp_path / "m.json"), 1, "not a readable JSON manifest")


def test_deep_extends_chain_is_refused(project, tmp_path):
    for i in range(40):
        (project / f"c{i}.toml").write_text(
            f'[scenario]\nextends = "c{i + 1}.toml"\n' if i < 39 else
            '[scenario]\nmodel = "levers.mdl"\n')
    before = snapshot(tmp_path)
    check(run("run", project / "c0.toml", "--out", tmp_path / "o"), 1, "deeper than 32")
    assert snapshot(tmp_path) == before


def test_huge_sampler_n_is_refused(sweep_file, tmp_path):
    sweep_file.write_text(SWEEP.replace("n = 40", "n = 10000000000"))
    before = snapshot(tmp_path)
    check(run("sweep", sweep_file, "--out", tmp_path / "s.zarr"), 1, "sweep.toml:4", "<= ")
    assert snapshot(tmp_path) == before


def test_too_many_workers_is_refused(sweep_file, tmp_path):
    before = snapshot(tmp_path)
    check(run("sweep", sweep_file, "--out", tmp_path / "s.zarr", "--executor", "processes",
              "--workers", "1000"), 1, "more than this machine can use")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("seed", ["-1", str(2**63)])
def test_cli_seed_takes_the_file_range(project, tmp_path, seed):
    res = run("run", project / "base.toml", "--out", tmp_path / "o", "--seed", seed)
    assert res.exit_code == 2 and "0<=x<=9223372036854775807" in res.output.replace(" ", "")


# -- 9. code named by a manifest or a store never runs -------------------------------------
SENTINEL_CODE = "import pathlib; pathlib.Path({path!r}).write_text('ran')"


def test_manifest_naming_a_loader_is_refused_and_runs_nothing(done_run, tmp_path):
    sentinel = tmp_path / "sentinel"
    (tmp_path / "evilmod.py").write_text(SENTINEL_CODE.format(path=str(sentinel)) +
                                         "\ndef load(p):\n    pass\n")
    mf = done_run / "base.manifest.json"
    m = read_manifest(mf)
    m["call"]["options"]["loader"] = "evilmod:load"
    write_manifest(mf, seal_manifest(m))
    sys.path.insert(0, str(tmp_path))
    events = []

    def hook(event, args):
        if event == "import" and args[0] == "evilmod":
            events.append(args)
    sys.addaudithook(hook)
    try:
        res = run("reproduce", mf)
    finally:
        sys.path.remove(str(tmp_path))
    check(res, 1, "names code to run", "loader")
    assert not sentinel.exists() and not events


def test_store_whose_manifest_names_code_is_refused(sweep_file, tmp_path):
    store = tmp_path / "s.zarr"
    check(run("sweep", sweep_file, "--out", store), 0)
    g = zarr.open_group(store, mode="r+")
    m = json.loads(g.attrs["simsys_manifest"])
    m["call"]["module"] = "os"
    m["call"]["options"]["loader"] = "os:system"
    g.attrs["simsys_manifest"] = json.dumps(seal_manifest(m))
    check(run("reproduce", store), 1, "names code to run")


def test_library_run_scenario_has_no_loader_argument(project):
    from simsys.scenario import run_scenario
    from simsys.sweep.run import run_sweep
    with pytest.raises(TypeError):
        run_scenario(project / "base.toml", loader="os:system")
    with pytest.raises(TypeError):
        run_sweep(project / "sweep.toml", project / "x.zarr", loader="os:system")


# -- 10. messages and names ---------------------------------------------------------------
def test_control_characters_in_a_lever_name_are_escaped(project, tmp_path):
    sc = project / "ctl.toml"
    sc.write_text('[scenario]\nmodel = "levers.mdl"\n[levers]\n"x\\u001b[2Jy" = 1\n')
    res = run("run", sc, "--out", tmp_path / "o")
    check(res, 1, "\\x1b[2J")
    assert "\x1b" not in res.output


def test_escape_helper():
    from simsys.errors import escape
    assert escape("a\x1b[31mb\nc\u202e") == "a\\x1b[31mb\\nc\\u202e"
    assert escape("a\nb", newlines=False) == "a\nb"
    err = SimsysError("bad \x07 thing", variable="k\x1b", location="f\x00.toml")
    assert "\x07" not in str(err) and "\x1b" not in str(err) and "\x00" not in str(err)


def test_odd_variable_names_round_trip_through_netcdf_and_zarr(tmp_path):
    from simsys.names import decode_names, encode_names
    names = ['a/b', 'r&d', '"quoted"', "it's", "two\nlines", "50%", ".hidden"]
    ds = xr.Dataset({n: ("time", np.arange(3.0) + i) for i, n in enumerate(names)},
                    coords={"time": [0.0, 1.0, 2.0]})
    enc = encode_names(ds)
    enc.to_netcdf(tmp_path / "x.nc")
    enc.to_zarr(tmp_path / "x.zarr", consolidated=False)
    for back in (xr.open_dataset(tmp_path / "x.nc"), xr.open_zarr(tmp_path / "x.zarr",
                                                                   consolidated=False)):
        back = decode_names(back)
        for i, n in enumerate(names):
            np.testing.assert_array_equal(back[n].values, np.arange(3.0) + i)
    assert not any("/" in n for n in os.listdir(tmp_path / "x.zarr"))


def test_plot_failure_is_a_warning_and_results_are_kept(project, tmp_path, monkeypatch):
    import simsys.export as export

    def broken(*a, **k):
        raise ValueError("bad TeX: $\\frac{")
    monkeypatch.setattr(export, "_plot", broken)
    res = run("run", project / "base.toml", "--out", tmp_path / "o")
    check(res, 0)
    assert (tmp_path / "o" / "base.nc").exists()
    assert not (tmp_path / "o" / "base.png").exists()
    m = read_manifest(tmp_path / "o" / "base.manifest.json")
    assert "base.png" not in m["files"]


# -- 11. numeric inputs --------------------------------------------------------------------
@pytest.mark.parametrize("policy", ['{ step = 0.07, at = nan }', '{ ramp = [0.01, 0.07], from = 1, to = inf }',
                                    '{ table = [[0, 0.05], [-inf, 0.06]] }'])
def test_non_finite_policy_time_is_refused_at_the_scenario_line(project, tmp_path, policy):
    sc = project / "nan.toml"
    sc.write_text(f'[scenario]\nmodel = "levers.mdl"\n[levers]\n"birth rate" = {policy}\n')
    before = snapshot(tmp_path)
    check(run("run", sc, "--out", tmp_path / "o"), 1, "nan.toml:4", "expected a finite time",
          "'birth rate'")
    assert snapshot(tmp_path) == before


def test_range_error_prints_full_precision(project, tmp_path):
    sc = project / "r.toml"
    sc.write_text('[scenario]\nmodel = "levers.mdl"\n[levers]\n"death rate" = 0.10000000000000002\n')
    check(run("run", sc, "--out", tmp_path / "o"), 1, "value 0.10000000000000002 is outside",
          "[0, 0.1]")


def test_saveper_longer_than_the_run_warns(project, tmp_path, caplog):
    sc = project / "s.toml"
    sc.write_text('[scenario]\nmodel = "levers.mdl"\n[run]\nsaveper = 50\n')
    from simsys.scenario import run_scenario
    with caplog.at_level("WARNING", logger="simsys.scenario"):
        ds = run_scenario(sc)
    assert ds.sizes["time"] == 1
    assert any("saveper 50 is longer than the run (0 to 10)" in r.getMessage()
               for r in caplog.records)


def test_sweep_that_would_not_fit_in_memory_is_refused(sweep_file, tmp_path, monkeypatch):
    monkeypatch.setattr("simsys.sweep.run.available_memory", lambda: 1000)
    before = snapshot(tmp_path)
    check(run("sweep", sweep_file, "--out", tmp_path / "s.zarr"), 1, "bytes per scenario",
          "MiB free", "--chunk-size")
    assert snapshot(tmp_path, skip=tmp_path / "s.zarr") == before
    assert not (tmp_path / "s.zarr").exists() or not any(
        (tmp_path / "s.zarr").iterdir())
