"""The tutorial notebooks run top to bottom without errors and are committed without outputs.

Each notebook is executed with nbclient in a fresh ``python3`` kernel whose working
directory is ``notebooks/`` (the notebooks use paths relative to themselves). Executed
copies go to pytest's temporary directory only; the committed files are never written.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
EXPECTED = {"01_quickstart", "02_policy_levers", "03_sweeps_and_sensitivity", "04_space_layer",
            "05_reproduce_a_result"}
CELL_TIMEOUT = 300  # seconds per cell


def test_tutorial_notebooks_present():
    assert EXPECTED <= {p.stem for p in NOTEBOOKS}, f"found {[p.name for p in NOTEBOOKS]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_has_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert not dirty, (f"{path.name}: cells {dirty} have outputs or execution counts; clear them "
                       "before committing (jupyter nbconvert --clear-output --inplace)")
    assert "widgets" not in nb.metadata, f"{path.name}: saved widget state in the metadata"
    assert nb.cells and nb.cells[0].cell_type == "markdown", \
        f"{path.name}: should open with a markdown cell stating its question"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    start = time.perf_counter()
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        pytest.fail(f"{path.name} failed:\n{exc}", pytrace=False)
    finally:
        nbformat.write(nb, tmp_path / path.name)  # the executed copy, for inspection
    seconds = time.perf_counter() - start
    errors = [(i, out.get("ename"), out.get("evalue")) for i, cell in enumerate(nb.cells)
              if cell.cell_type == "code" for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert not errors, f"{path.name}: error outputs {errors}"
    print(f"{path.name}: {seconds:.1f} s")
