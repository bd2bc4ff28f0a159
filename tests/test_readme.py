"""Every command and code block in README.md runs, so the README cannot drift.

Shell lines run as ``simsys`` commands in a scratch copy of the repository's models and
scenarios (so results/ stays out of the working tree); ``pip install`` and ``pytest`` lines are
what .ci/run executes, so here they are only checked to be there. Python blocks run in a
subprocess; the TOML block is a scenario that must pass ``simsys check``.
"""
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.S)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("readme")
    for sub in ("models", "scenarios", "tests/models", "tests/analysis/models"):
        shutil.copytree(ROOT / sub, d / sub)
    return d


def _env():
    return dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))


def _commands(block: str):
    text = block.replace("\\\n", " ")
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        for part in line.split("&&"):
            yield part.strip()


def _shell_steps():
    steps = []
    for lang, block in BLOCKS:
        if lang in ("bash", "sh", "console"):
            steps.extend(_commands(block))
    return steps


STEPS = _shell_steps()


def test_readme_has_the_two_setup_commands_and_ci_runs_them():
    ci = (ROOT / ".ci" / "run").read_text()
    assert 'pip install -e . && simsys run scenarios/baseline.toml' in README
    assert 'pip install -e ".[test]" && python -m pytest -q' in README
    assert "pip install -q -e ." in ci and "simsys run scenarios/baseline.toml" in ci
    assert 'pip install -q -e ".[test]"' in ci and "python -m pytest -q" in ci


def test_every_shell_line_is_a_known_kind():
    for step in STEPS:
        assert step.split()[0] in ("pip", "simsys", "python"), step


def _groups(steps):
    """Distinct simsys commands in chains that share a results name; chains are independent.

    A command reading ``results/evaluation_reform/...`` must follow the one that wrote it,
    so commands are chained by the first ``results/<name>`` they mention (``quick_fan.png``
    and ``quick.zarr`` share ``quick``); the README repeats some commands, which run once.
    """
    chains: dict[str, list[str]] = {}
    for step in dict.fromkeys(s for s in steps if s.split()[0] == "simsys"):
        m = re.search(r"results/([A-Za-z]+)", step)
        key = m.group(1) if m else step
        chains.setdefault(key, []).append(step)
    return list(chains.values())


def _run_chain(workdir, chain):
    out = []
    for step in chain:
        res = subprocess.run([sys.executable, "-m", "simsys.cli", *shlex.split(step)[1:]],
                             cwd=workdir, capture_output=True, text=True, env=_env(), timeout=900)
        out.append((step, res))
        if res.returncode != 0:
            break
    return out


@pytest.fixture(scope="module")
def shell_results(workdir):
    """Run every README simsys command once, independent chains two at a time (2 cores)."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda c: _run_chain(workdir, c), _groups(STEPS)))
    return [r for chain in done for r in chain]


def test_readme_shell_commands_run(shell_results):
    assert {step for step, _ in shell_results} == {s for s in STEPS if s.split()[0] == "simsys"}
    for step, res in shell_results:
        assert res.returncode == 0, f"{step}\n{res.stdout}\n{res.stderr}"
        assert "Traceback" not in res.stderr


@pytest.mark.parametrize("index", [i for i, (lang, _) in enumerate(BLOCKS) if lang == "python"])
def test_readme_python_blocks_run(workdir, index):
    code = BLOCKS[index][1]
    res = subprocess.run([sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True,
                         env=_env(), timeout=600)
    assert res.returncode == 0, res.stderr


@pytest.mark.parametrize("index", [i for i, (lang, _) in enumerate(BLOCKS) if lang == "toml"])
def test_readme_scenario_example_is_valid(workdir, index):
    path = workdir / "scenarios" / f"readme_example_{index}.toml"
    path.write_text(BLOCKS[index][1])
    res = subprocess.run([sys.executable, "-m", "simsys.cli", "check", str(path)], cwd=workdir,
                         capture_output=True, text=True, env=_env(), timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    run = subprocess.run([sys.executable, "-m", "simsys.cli", "run", str(path), "--no-plot",
                          "--out", str(workdir / "results" / "readme_example")], cwd=workdir,
                         capture_output=True, text=True, env=_env(), timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
