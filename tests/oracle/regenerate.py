"""Regenerate the PySD oracle CSVs for the valid model corpus.

Usage::

    python tests/oracle/regenerate.py              # every model in tests/models/
    python tests/oracle/regenerate.py smooth delay3 stock_teacup.xmile

A name without a suffix means ``<name>.mdl``; give ``<name>.xmile`` for an XMILE model.
Each model is copied, together with ``tests/models/data/``, into a temporary directory
(PySD writes a translated ``.py`` file beside the model, and GET DIRECT functions resolve
CSV paths relative to the model), translated with ``pysd.read_vensim`` /
``pysd.read_xmile``, run with default settings, and written to
``tests/oracle/<stem>.csv`` (``<stem>.xmile.csv`` for XMILE models) with full float
precision. Columns are exactly as PySD names them; the index is ``time``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODELS = HERE.parent / "models"
DATA = MODELS / "data"

#: Models that are valid but have no CSV oracle, with the reason.
SKIP = {
    "random_uniform.mdl": "RANDOM UNIFORM: PySD draws from numpy's global RNG, simsys uses a "
                          "per-scenario counter-based generator; compare statistically instead.",
    "random_normal.mdl": "RANDOM NORMAL: PySD draws from numpy's global RNG, simsys uses a "
                         "per-scenario counter-based generator; compare statistically instead.",
    "random_exponential.mdl": "RANDOM EXPONENTIAL: PySD draws from numpy's global RNG, simsys uses "
                              "a per-scenario counter-based generator; compare statistically instead.",
    "random_pink_noise.mdl": "RANDOM PINK NOISE: PySD 3.14.3 raises NotImplementedError.",
    "get_data_at_time.mdl": "GET DATA AT TIME / GET TIME VALUE: PySD 3.14.3 raises NotImplementedError.",
    "get_data_between_times.mdl": "GET DATA BETWEEN TIMES: PySD 3.14.3 does not implement it; the "
                                  "oracle is SDEverywhere's run (regenerate_sde.py).",
    "npv.mdl": "NPV: PySD 3.14.3 raises NotImplementedError; the oracle is SDEverywhere's run "
               "(regenerate_sde.py).",
    **{name: f"{name[:-4].upper().replace('_', ' ')}: PySD 3.14.3 raises NotImplementedError "
              "(tests/engine/corpus_status.py checks each draw against scipy.stats)."
       for name in ("random_triangular.mdl", "random_weibull.mdl", "random_gamma.mdl",
                    "random_beta.mdl", "random_poisson.mdl", "random_binomial.mdl",
                    "random_negative_binomial.mdl", "random_lookup.mdl")},
    "lookup_forward_backward.mdl": "LOOKUP FORWARD/BACKWARD of a named table: PySD 3.14.3 calls the "
                                   "table without its argument (TypeError).",
}

#: Models PySD cannot run whose oracle comes from a hand-expanded twin in ``twins/``
#: (same variable names, the construct written out in plain equations).
TWINS = {
    "get_direct_data_2d.mdl": "a data definition over two or three subscript ranges: PySD 3.14.3 "
                              "reads one range per definition (ValueError: the shape of the coords "
                              "... must be at most 1 dimensional); the twin writes one definition "
                              "per element of the leading subscripts, reading the same cells.",
    "macro_outputs.mdl": "a call taking a macro's extra outputs (M(a, b : low, spread)): PySD's "
                         "grammar cannot parse it; the twin writes the outputs as equations.",
    "macro_subscripted.mdl": "a macro called in a subscripted equation: PySD 3.14.3 fails "
                             "(AttributeError: 'float' object has no attribute 'rename'); the twin "
                             "writes the macro's stock out per cell.",
    "subscript_mapping_elements.mdl": "element-by-element mapping: PySD 3.14.3 merges the mapped "
                                      "elements into the range (Source gets 6 elements); the twin "
                                      "writes each mapped equation per element.",
    "subscript_mapping_subrange.mdl": "element-to-subrange mapping: PySD 3.14.3 merges the mapped "
                                      "elements into the range; the twin writes the equation per "
                                      "element and for the subrange.",
    "get_xls_named_xls.mdl": "named ranges in an .xls workbook: PySD 3.14.3 looks names up with "
                             "openpyxl, which opens .xlsx only; the twin reads the same names from "
                             "named.xlsx, of which named.xls is LibreOffice's conversion.",
    "get_xls_named_ods.mdl": "named ranges in an .ods workbook: as above, named.ods is "
                             "LibreOffice's conversion of named.xlsx.",
    "xmile_module.xmile": "XMILE modules (two instances of one sub-model, outputs read by the main "
                          "model): PySD 3.14.3 reads every <model>'s variables into one namespace "
                          "and ignores <module>; the twin writes each instance's variables out as "
                          "\"<instance>.<variable>\".",
    "xmile_module_nested.xmile": "XMILE modules nested in a module, an input from the main model "
                                 "(from=\".Capacity\"): as above; the twin names each variable by "
                                 "its path (\"plant.line 1.wip\").",
}

SUFFIXES = (".mdl", ".xmile")


def oracle_path(model: Path) -> Path:
    """``stock_teacup.mdl`` -> ``stock_teacup.csv``; ``stock_teacup.xmile`` -> ``stock_teacup.xmile.csv``."""
    if model.suffix == ".mdl":
        return HERE / f"{model.stem}.csv"
    return HERE / f"{model.name}.csv"


def run_pysd(model: Path):
    """Translate and run one model with PySD in a scratch directory; return the DataFrame."""
    import pysd

    with tempfile.TemporaryDirectory(prefix="simsys_oracle_") as tmp:
        tmp = Path(tmp)
        if DATA.is_dir():
            shutil.copytree(DATA, tmp / "data")
        target = tmp / model.name
        shutil.copy2(model, target)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if model.suffix == ".mdl":
                pysd_model = pysd.read_vensim(str(target))
            else:
                pysd_model = pysd.read_xmile(str(target))
            frame = pysd_model.run()
    frame.index.name = "time"
    # A comparison used directly as a variable comes back as bool; store it as 0/1 floats.
    bool_cols = [c for c in frame.columns if frame[c].dtype == bool]
    if bool_cols:
        frame[bool_cols] = frame[bool_cols].astype(float)
    return frame


def compare_with_mdl(frame, twin: Path) -> str:
    """Compare an XMILE run with the oracle of the .mdl model of the same stem."""
    import numpy as np
    import pandas as pd

    ref = pd.read_csv(twin, index_col=0)
    common = [c for c in ref.columns if c in frame.columns]
    missing = sorted(set(ref.columns) ^ set(frame.columns))
    if len(ref.index) != len(frame.index):
        return f"[differs from {twin.name}: {len(frame.index)} rows vs {len(ref.index)}]"
    diff = float(np.nanmax(np.abs(frame[common].to_numpy(float) - ref[common].to_numpy(float))))
    text = f"[max |diff| vs {twin.name} = {diff:.3g}"
    if missing:
        text += f"; columns not in both: {missing}"
    return text + "]"


def resolve(names: list[str]) -> list[Path]:
    if not names:
        return sorted(p for p in MODELS.iterdir() if p.suffix in SUFFIXES)
    out = []
    for name in names:
        path = MODELS / name
        if path.suffix not in SUFFIXES:
            path = MODELS / f"{name}.mdl"
        if not path.is_file():
            raise SystemExit(f"no such model: {path}")
        out.append(path)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="model names (default: all of tests/models)")
    args = parser.parse_args(argv)

    import pysd

    print(f"PySD {pysd.__version__}")
    failures = []
    start = time.perf_counter()
    for model in resolve(args.names):
        if model.name in SKIP:
            print(f"skip  {model.name}: {SKIP[model.name]}")
            continue
        t0 = time.perf_counter()
        source = HERE / "twins" / model.name if model.name in TWINS else model
        try:
            frame = run_pysd(source)
        except Exception as exc:  # report and carry on with the rest
            failures.append(model.name)
            print(f"FAIL  {model.name}: {type(exc).__name__}: {exc}")
            continue
        out = oracle_path(model)
        frame.to_csv(out, float_format="%.17g")
        note = ""
        twin = HERE / f"{model.stem}.csv"
        if model.suffix == ".xmile" and twin.is_file():
            note = " " + compare_with_mdl(frame, twin)
        print(f"ok    {model.name} -> {out.name} {frame.shape} {time.perf_counter() - t0:.2f}s{note}")
    print(f"total {time.perf_counter() - start:.1f}s")
    if failures:
        print("failed: " + ", ".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
