"""Regenerate the SDEverywhere oracle CSVs: models PySD cannot run, run by SDEverywhere's C.

Usage::

    python tests/oracle/regenerate_sde.py                      # every model in SDE_MODELS
    python tests/oracle/regenerate_sde.py npv                  # some of them (suffix optional)
    python tests/oracle/regenerate_sde.py --scratch /tmp/sde   # keep the npm install for next time

Needs node, npm and gcc. SDEverywhere's compile package 0.7.28 (pinned in
``../shared/peers/sdeverywhere/``, read-only) is copied to the scratch folder and installed
there with npm (:func:`benchmarks.peers.sde.prepare`, once per scratch folder; without
``--scratch`` a temporary one is used and removed). Each model's folder (``tests/models/``,
data files included) is copied beside the build, the model is translated to C with the outputs
named in :data:`SDE_MODELS`, compiled with gcc ``-O2`` against SDEverywhere's own C runtime,
run once (``driver dump``: every saved time at ``%.17g``), and written to
``tests/oracle/<stem>.sde.csv``. The index ``time`` is INITIAL TIME + k * SAVEPER, one row per
line the driver prints; the columns are the Vensim names of the outputs.
"""
from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MODELS = HERE.parent / "models"

#: model -> the variables SDEverywhere writes (Vensim names, as simsys's columns)
SDE_MODELS = {
    "get_data_between_times.mdl": [
        "Forward", "Backward", "Interpolated", "Before data", "After data",
        "Backward after data", "Forward before data", "Big mode", "Small mode", "Switching"],
    "npv.mdl": ["Present value", "Scaled value"],
}


def oracle_path(model: Path) -> Path:
    """``npv.mdl`` -> ``tests/oracle/npv.sde.csv``."""
    return HERE / f"{Path(model).stem}.sde.csv"


def run_sde(peer: Path, model: Path, outputs: list[str], build_dir: Path):
    """Translate, build and run one model with SDEverywhere; return its saved values (DataFrame)."""
    import pandas as pd

    sde = _peers()
    c_file, _ = sde.translate(peer, model, [], outputs, build_dir)
    exe, _ = sde.build(peer, c_file, build_dir / "run", "O2")
    out = subprocess.run([str(exe), "dump"], capture_output=True, text=True, check=True)
    frame = pd.read_csv(io.StringIO(out.stdout), sep="\t")
    frame.index = _times(model, len(frame))
    frame.index.name = "time"
    return frame


def _peers():
    """benchmarks/peers/sde.py, which drives SDEverywhere's translate and gcc for the benchmarks."""
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    from peers import sde
    return sde


def _times(model: Path, rows: int):
    """INITIAL TIME + k * SAVEPER, k = 0 .. rows - 1 (the driver prints values only)."""
    import numpy as np
    import simsys

    ctl = simsys.load_model(model).control
    return ctl.initial_time + ctl.saveper * np.arange(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="models from SDE_MODELS (default: all)")
    parser.add_argument("--scratch", type=Path, help="folder for the npm install and builds "
                        "(kept; default: a temporary folder)")
    args = parser.parse_args(argv)
    names = [n if n.endswith(".mdl") else f"{n}.mdl" for n in args.names] or list(SDE_MODELS)
    unknown = [n for n in names if n not in SDE_MODELS]
    if unknown:
        raise SystemExit(f"not in SDE_MODELS: {unknown}; valid: {sorted(SDE_MODELS)}")
    sde = _peers()
    with tempfile.TemporaryDirectory(prefix="simsys_sde_") as tmp:
        scratch = args.scratch or Path(tmp)
        t0 = time.perf_counter()
        peer = sde.prepare(scratch)
        print(f"SDEverywhere at {peer} ({time.perf_counter() - t0:.1f} s)")
        for name in names:
            t0 = time.perf_counter()
            frame = run_sde(peer, MODELS / name, SDE_MODELS[name], scratch / f"build_{Path(name).stem}")
            out = oracle_path(MODELS / name)
            frame.to_csv(out, float_format="%.17g")
            print(f"ok    {name} -> {out.name} {frame.shape} {time.perf_counter() - t0:.2f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
