"""simsys sensitivity: Sobol and Morris indices from a sweep store."""
import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import simsys
from simsys.analysis.sensitivity import sample_design
from simsys.cli import cli

MODEL = Path(__file__).resolve().parents[1] / "analysis" / "models" / "regions.mdl"


def make_store(path, method, n):
    """A store shaped like simsys sweep's: a design variable and attr, outputs per scenario."""
    names = ["Reform[east]", "reform effect"]
    X, design = sample_design(method, names, [[0.0, 1.0], [0.0, 0.05]], n, seed=3)
    model = simsys.load_model(MODEL)
    ds = model.run_batch({names[0]: X[:, 0], names[1]: X[:, 1]}, saveper=1.0,
                         return_columns=["Output", "Activity"])
    ds = ds.drop_vars(["simsys_fail_variable"])
    ds["design"] = xr.DataArray(X, dims=("scenario", "parameter"),
                                coords={"parameter": names},
                                attrs={"design": json.dumps(design)})
    ds.attrs = {"design": json.dumps(design)}
    ds.to_zarr(path, mode="w", consolidated=False)
    return path


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    d = tmp_path_factory.mktemp("stores")
    return {"saltelli": make_store(d / "sobol.zarr", "saltelli", 64),
            "morris": make_store(d / "morris.zarr", "morris", 10),
            "latin": make_store(d / "latin.zarr", "latin", 20)}


def test_sobol_ranks_the_lever_that_matters(runner, stores, tmp_path):
    png = tmp_path / "sobol.png"
    res = runner.invoke(cli, ["sensitivity", str(stores["saltelli"]), "--output", "Output[east]",
                              "--time", "2040", "--plot", str(png)])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].startswith("sobol indices of Output[east] from 384 scenarios (saltelli sampler, n = 64)")
    assert lines[1].split() == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    # east's output depends on both its reform and the reform's effect; the table is sorted by ST
    assert {lines[3].split()[0], lines[4].split()[0]} == {"Reform[east]", "reform"}
    # the printed indices are SALib's on the same outputs, not something else
    from simsys.analysis.sensitivity import sobol_indices
    ds = xr.open_zarr(stores["saltelli"], consolidated=False)
    ref = sobol_indices(ds["Output"].sel(Region="east", time=2040).values, ds.attrs["design"])
    for line in lines[3:5]:
        name = line.split()[0]
        name = "Reform[east]" if name == "Reform[east]" else "reform effect"
        st = float(line.split()[-2])
        assert st == pytest.approx(float(ref["ST"].sel(parameter=name)), rel=1e-3)
    assert png.stat().st_size > 1000


def test_other_regions_do_not_respond(runner, stores):
    res = runner.invoke(cli, ["sensitivity", str(stores["saltelli"]), "--output", "Output[hub]"])
    # hub's output is constant across the sweep: no index is defined, and the user is told so
    assert res.exit_code == 1
    assert "same in every scenario" in res.output


def test_morris(runner, stores):
    res = runner.invoke(cli, ["sensitivity", str(stores["morris"]), "--output", "Output[east]",
                              "--method", "morris"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[1].split() == ["parameter", "mu_star", "mu_star_conf", "sigma", "mu"]
    # the printed mu* and sigma are SALib's own analysis of the stored points and outputs
    from SALib.analyze import morris as salib_morris
    ds = xr.open_zarr(stores["morris"], consolidated=False)
    design = json.loads(ds.attrs["design"])
    problem = {"num_vars": 2, "names": design["names"], "bounds": design["bounds"]}
    ref = salib_morris.analyze(problem, ds["design"].values,
                               ds["Output"].sel(Region="east").isel(time=-1).values,
                               print_to_console=False, seed=3)
    for line in lines[3:5]:
        cells = line.split()
        i = 0 if cells[0] == "Reform[east]" else 1
        assert float(cells[-4]) == pytest.approx(float(ref["mu_star"][i]), rel=1e-3)
        assert float(cells[-2]) == pytest.approx(float(ref["sigma"][i]), rel=1e-3)
    assert min(float(ref["mu_star"][0]), float(ref["mu_star"][1])) > 0  # both levers move east


@pytest.mark.parametrize("store, args, needle", [
    ("latin", ["--output", "Output[east]"], "sampled with 'latin'"),
    ("saltelli", ["--output", "Output[east]", "--method", "morris"], 'sampler = "morris"'),
    ("saltelli", ["--output", "Outptu"], "no variable 'Outptu'"),
    ("saltelli", ["--output", "Output"], "pick a cell"),
    ("saltelli", ["--output", "Output[east]", "--time", "2021.5"], "not saved"),
])
def test_refusals_are_one_clear_line(runner, stores, store, args, needle):
    res = runner.invoke(cli, ["sensitivity", str(stores[store])] + args)
    assert res.exit_code == 1
    assert needle in res.output and res.output.count("\n") == 1


def test_the_variable_list_of_a_store_leaves_out_simsys_bookkeeping(runner, tmp_path):
    """A store written by simsys sweep: its chunk flags, digests and design are not offered."""
    import shutil
    model = Path(__file__).resolve().parents[1] / "sweep" / "models" / "random_levers.mdl"
    shutil.copy(model, tmp_path / model.name)
    (tmp_path / "base.toml").write_text(f'[scenario]\nname = "base"\nmodel = "{model.name}"\n'
                                        '[run]\nfinal_time = 3\nseed = 1\n')
    (tmp_path / "sweep.toml").write_text('[sweep]\nscenario = "base.toml"\nsampler = "latin"\n'
                                         'n = 8\nseed = 1\n[parameters]\n'
                                         'gain = { range = [0.5, 1.5] }\n')
    store = tmp_path / "s.zarr"
    assert runner.invoke(cli, ["sweep", str(tmp_path / "sweep.toml"), "--out", str(store)]).exit_code == 0
    in_store = set(xr.open_zarr(store, consolidated=False).data_vars)
    assert {"design", "simsys_chunk_done", "simsys_chunk_sha256"} <= in_store
    res = runner.invoke(cli, ["sensitivity", str(store), "--output", "Outptu", "--method", "delta"])
    assert res.exit_code == 1
    listed = {n.strip() for n in res.output.split("variables: ")[1].strip().split(",")}
    assert listed == {n for n in in_store if n != "design" and not n.startswith("simsys_")}
    assert "Stock" in listed


def test_help_teaches_by_example(runner):
    res = runner.invoke(cli, ["sensitivity", "--help"])
    assert res.exit_code == 0 and "simsys sensitivity runs/levers.zarr" in res.output


@pytest.fixture(scope="module")
def latin(tmp_path_factory):
    return make_store(tmp_path_factory.mktemp("latin") / "latin.zarr", "latin", 200)


@pytest.mark.parametrize("method, first", [("delta", "delta"), ("rbd_fast", "S1"),
                                           ("pawn", "median")])
def test_latin_sweeps_are_analysed_with_given_sample_methods(runner, latin, method, first):
    from simsys.analysis.given_sample import given_sample_indices
    res = runner.invoke(cli, ["sensitivity", str(latin), "--output", "Output[east]",
                              "--method", method])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert "from 200 scenarios (latin sampler, n = 200)" in lines[0]
    assert lines[1].split()[:2] == ["parameter", first]
    ds = xr.open_zarr(latin, consolidated=False)
    ref = given_sample_indices(ds["Output"].sel(Region="east").isel(time=-1).values,
                               ds["design"].values, ds.attrs["design"], method)
    top = lines[3].split()
    name = "Reform[east]" if top[0] == "Reform[east]" else "reform effect"
    assert float(top[-len(ref.data_vars)]) == pytest.approx(float(ref[first].sel(parameter=name)),
                                                            rel=1e-3)
    assert float(ref[first].sel(parameter=name)) == float(ref[first].max())


def test_given_sample_method_refuses_a_saltelli_sweep(runner, stores):
    res = runner.invoke(cli, ["sensitivity", str(stores["saltelli"]), "--output", "Output[east]",
                              "--method", "delta"])
    assert res.exit_code == 1 and 'sampler = "latin"' in res.output


def test_sobol_from_a_too_small_sample_warns_and_suggests_n(runner, tmp_path):
    small = make_store(tmp_path / "small.zarr", "saltelli", 4)
    res = runner.invoke(cli, ["sensitivity", str(small), "--output", "Output[east]"])
    assert res.exit_code == 0, res.output
    assert "warning" in res.output and res.output.count("rerun the sweep with n = ") == 1
    n = int(res.output.split("rerun the sweep with n = ")[1].split()[0])
    assert n > 4 and n & (n - 1) == 0


def test_the_plot_names_the_output_time_and_sample(runner, stores, tmp_path, monkeypatch):
    import simsys.cli.analysis as analysis
    drawn = []
    monkeypatch.setattr(analysis, "_save", lambda ax, path: drawn.append(ax))
    res = runner.invoke(cli, ["sensitivity", str(stores["saltelli"]), "--output", "Output[east]",
                              "--time", "2040", "--plot", str(tmp_path / "s.png")])
    assert res.exit_code == 0, res.output
    assert drawn[0].get_title() == ("sobol indices of Output[east] from 384 scenarios "
                                    "(saltelli sampler, n = 64), t = 2040")

