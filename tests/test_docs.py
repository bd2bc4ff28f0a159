"""The docs match the code: their examples run and their signatures are the real ones."""
from __future__ import annotations

import inspect
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

import simsys

ROOT = Path(__file__).resolve().parents[1]
FORMAT = ROOT / "docs" / "SCENARIO_FORMAT.md"


def _toml_blocks(path: Path) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of models/ and scenarios/baseline.toml, so the examples' relative paths resolve."""
    root = tmp_path_factory.mktemp("docs")
    shutil.copytree(ROOT / "models", root / "models")
    (root / "scenarios").mkdir()
    shutil.copy(ROOT / "scenarios" / "baseline.toml", root / "scenarios")
    return root


def test_the_format_has_a_scenario_and_a_sweep_example():
    blocks = _toml_blocks(FORMAT)
    assert len(blocks) == 2 and "[scenario]" in blocks[0] and "[sweep]" in blocks[1]


def test_the_scenario_example_runs(project):
    from simsys.scenario import load_scenario, run_scenario
    path = project / "scenarios" / "example.toml"
    path.write_text(_toml_blocks(FORMAT)[0], encoding="utf-8")
    sc = load_scenario(path)
    assert sc.chain  # it extends baseline.toml
    ds = run_scenario(path, final_time=2026)
    assert set(ds.data_vars) == set(sc.outputs)
    assert float(ds["time"][-1]) == 2026
    basic = sc.observed["National basic research share"]
    assert basic.time[0] == 2012 and basic.value[-1] == pytest.approx(0.065)  # 6.5% in 2021 (A1)
    assert "National reported RD intensity" in sc.observed  # inherited from baseline.toml


def test_the_sweep_example_validates_and_samples(project):
    from simsys.sweep.spec import build_design, load_sweep, validate_sweep
    path = project / "scenarios" / "sweep_example.toml"
    path.write_text(_toml_blocks(FORMAT)[1], encoding="utf-8")
    spec = load_sweep(path)
    spec = validate_sweep(spec, simsys.load_model(spec.scenario.model_path))
    design = build_design(spec)
    d = len(spec.parameters)
    assert design.values.shape == (256 * (2 * d + 2), d) == (spec.n_scenarios, d)


def test_python_takes_per_region_dicts_as_toml_does():
    model = simsys.load_model(ROOT / "tests" / "analysis" / "models" / "regions.mdl")
    region = str(model.run(return_columns=["Output"])["Region"].values[-1])
    by_dict = model.run({"Reform": {region: 0.9}}, return_columns=["Output"])
    by_key = model.run({f"Reform[{region}]": 0.9}, return_columns=["Output"])
    default = model.run(return_columns=["Output"])
    np.testing.assert_array_equal(by_dict["Output"].values, by_key["Output"].values)
    assert not np.allclose(by_dict["Output"].values, default["Output"].values)


@pytest.mark.parametrize("doc", ["README.md", "docs/ENGINE_API.md"])
def test_policy_signatures_in_the_docs_are_the_real_ones(doc):
    text = (ROOT / doc).read_text(encoding="utf-8")
    found = 0
    for cls in (simsys.Step, simsys.Ramp, simsys.Table):
        real = list(inspect.signature(cls).parameters)
        for args in _calls(text, cls.__name__):
            names = [a.split("=")[0].strip() for a in _top_level_split(args) if a.strip()]
            if not names or not all(re.fullmatch(r"[a-z_]+", n) for n in names):
                continue  # a call with values only, e.g. in prose
            assert names == real, f"{doc}: {cls.__name__}({args}) but the signature is {real}"
            found += 1
    assert found >= 3


def _calls(text: str, name: str) -> list[str]:
    """The argument text of every ``name(...)`` call, nested parentheses included."""
    out = []
    for m in re.finditer(rf"\b{name}\(", text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        out.append(text[m.end():i - 1])
    return out


def _top_level_split(args: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in args:
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return parts + [cur]


def test_the_python_example_in_the_scenario_format_runs(project):
    """The one-line Python equivalent of the TOML levers is run as written."""
    text = FORMAT.read_text(encoding="utf-8")
    calls = _calls(text, "model.run")
    assert len(calls) == 1, calls
    code = "model.run(" + " ".join(calls[0].split()) + ")"
    model = simsys.load_model(project / "models" / "talent_ecosystem.mdl")
    ds = eval(code, {"simsys": simsys, "model": model})  # noqa: S307 - our own docs
    default = model.run()
    # every setting it names took effect: the run differs from the default one
    changed = [v for v in ("Evaluation reform", "Regional cooperation", "IP protection")
               if v in ds and not np.array_equal(ds[v].values, default[v].values)]
    assert changed == ["Evaluation reform", "Regional cooperation", "IP protection"]


def _doc_signature(text: str, call: str) -> list[tuple[str, str, bool]]:
    """(name, default text, keyword-only) of each parameter of ``call(...)`` as the doc shows it."""
    args = _calls(text, call)[0]
    out, kw_only = [], False
    for part in _top_level_split(" ".join(args.split())):
        part = part.strip()
        if part == "*":
            kw_only = True
            continue
        name, _, default = part.partition("=")
        out.append((name.strip(), default.strip(), kw_only))
    return out


@pytest.mark.parametrize("call, method", [("ds = model.run", "run"),
                                          ("ds = model.run_batch", "run_batch")])
def test_engine_api_run_signatures_are_the_real_ones(call, method):
    text = (ROOT / "docs" / "ENGINE_API.md").read_text(encoding="utf-8")
    compiled = simsys.load_model(ROOT / "tests" / "models" / "levers.mdl").compile("numpy")
    real = inspect.signature(getattr(compiled, method)).parameters
    documented = _doc_signature(text, call.replace("ds = ", ""))
    assert documented, f"ENGINE_API.md shows no {call}(...)"
    for name, default, kw_only in documented:
        assert name in real, f"ENGINE_API.md documents {method}({name}=...), the code has {list(real)}"
        p = real[name]
        assert (p.kind is inspect.Parameter.KEYWORD_ONLY) == kw_only, name
        if default:
            assert repr(p.default) == default.replace('"', "'"), (name, p.default, default)


def test_engine_api_batch_status_coords_and_lever_lookup_are_as_documented():
    model = simsys.load_model(ROOT / "tests" / "models" / "levers.mdl")
    lever = model.levers[0]
    ds = model.run_batch({lever.name: [lever.min, lever.max]})
    for name in ("simsys_status", "simsys_fail_time", "simsys_fail_variable"):
        assert name in ds.coords and ds[name].dims == ("scenario",)
    assert list(ds["simsys_status"].values) == [0, 0]
    with pytest.raises(KeyError):
        model.lever("no such lever")
    assert model.lever(lever.key.upper().replace("_", " ")) == lever


@pytest.mark.parametrize("doc", ["README.md", "docs/SCENARIO_FORMAT.md"])
def test_reform_start_year_is_what_the_docs_say(doc):
    """The docs say institutional levers act only from "Reform start year" (2024): check it."""
    text = " ".join((ROOT / doc).read_text(encoding="utf-8").split()).replace("# ", "")
    assert "Reform start year" in text and "2024 by default" in text
    model = simsys.load_model(ROOT / "models" / "talent_ecosystem.mdl")
    start = model.lever("Reform start year")
    assert np.all(np.asarray(start.default) == 2024)  # one start year per province, all 2024
    year = float(np.max(start.default))
    out = "Talent innovation vitality"
    base = model.run(final_time=2030, return_columns=[out])[out]
    reform = model.run({"Evaluation reform": 0.8}, final_time=2030, return_columns=[out])[out]
    before, after = base["time"] < year, base["time"] > year + 1
    np.testing.assert_array_equal(reform.sel(time=before).values, base.sel(time=before).values)
    assert not np.allclose(reform.sel(time=after).values, base.sel(time=after).values)


def test_the_sampler_table_names_every_sampler_and_every_analysis_method():
    """SCENARIO_FORMAT.md says which sweep each `simsys sensitivity --method` needs: all of them."""
    from simsys.analysis.given_sample import GIVEN_SAMPLE_METHODS, GIVEN_SAMPLE_SAMPLERS
    from simsys.analysis.sensitivity import SAMPLERS
    from simsys.cli import cli
    text = FORMAT.read_text(encoding="utf-8")
    table = text[text.index("| sampler | scenarios run | analyses |"):]
    table = table[:table.index("\n\n")]
    rows = {}
    for line in table.splitlines()[2:]:
        sampler_cell, _, analyses = [c.strip() for c in line.strip("|").split("|")]
        for s in re.findall(r"`(\w+)`", sampler_cell):
            rows[s] = set(re.findall(r"`(\w+)`", analyses))
    assert set(rows) == set(SAMPLERS)
    method = next(p for p in cli.commands["sensitivity"].params if p.name == "method")
    methods = set(method.type.choices)
    assert set().union(*rows.values()) == methods
    for s in GIVEN_SAMPLE_SAMPLERS:
        assert rows[s] == set(GIVEN_SAMPLE_METHODS)
    assert rows["saltelli"] == {"sobol"} and rows["morris"] == {"morris"} and rows["grid"] == set()
