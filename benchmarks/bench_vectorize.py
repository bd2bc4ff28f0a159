"""Grouped (vectorised) numpy generator against the per-cell one, side by side.

    python benchmarks/bench_vectorize.py            # talent model and bench_regions
    python benchmarks/bench_vectorize.py --n 1000   # scenarios of the batch run

For each model and generator, in a fresh process each: compile time (lowering, ordering,
code generation and Python's compile of the source; the model is loaded first and not
timed), wall time of one scenario (``run``) and of a batch (``run_batch``, n scenarios,
Euler, the model's own time settings, every variable kept), the generated source's line
count, and whether the two generators' results are bit-identical. Ratios are old / new.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODELS = [ROOT / "models" / "talent_ecosystem.mdl", ROOT / "tests" / "models" / "bench_regions.mdl"]


def worker(model: str, grouped: bool, n: int) -> dict:
    import hashlib
    import time
    import warnings

    import numpy as np
    warnings.filterwarnings("ignore")
    import simsys
    from simsys.compile import compile_model
    m = simsys.load_model(model)
    t0 = time.perf_counter()
    cm = compile_model(m, "numpy", grouped=grouped)
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    cm.run()
    one_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    ds = cm.run_batch({}, _n=n)
    batch_s = time.perf_counter() - t0
    h = hashlib.sha256()
    for v in sorted(ds.data_vars):
        a = np.ascontiguousarray(ds[v].values)
        if a.dtype == np.float64:
            h.update(a.tobytes())
    digest = h.hexdigest()
    return {"compile_s": compile_s, "one_s": one_s, "batch_s": batch_s,
            "lines": len(cm.source.splitlines()), "digest": digest}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="scenarios in the batch run")
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        model, grouped, n = args.worker
        print(json.dumps(worker(model, grouped == "1", int(n))))
        return
    print(f"{'model':<22}{'generator':<10}{'compile s':>10}{'1 scen. s':>11}"
          f"{f'{args.n} scen. s':>14}{'ms/scen.':>10}{'lines':>8}")
    for path in MODELS:
        res = {}
        for grouped in (False, True):
            out = subprocess.run([sys.executable, __file__, "--worker", str(path), str(int(grouped)),
                                  str(args.n)], capture_output=True, text=True, check=True)
            r = res[grouped] = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{path.stem:<22}{'grouped' if grouped else 'per-cell':<10}{r['compile_s']:>10.3f}"
                  f"{r['one_s']:>11.3f}{r['batch_s']:>14.3f}{1e3 * r['batch_s'] / args.n:>10.3f}"
                  f"{r['lines']:>8}")
        old, new = res[False], res[True]
        print(f"{'':<22}{'old/new':<10}{old['compile_s'] / new['compile_s']:>10.1f}"
              f"{old['one_s'] / new['one_s']:>11.1f}{old['batch_s'] / new['batch_s']:>14.1f}"
              f"{'':>10}{old['lines'] / new['lines']:>8.1f}"
              f"   bit-identical: {old['digest'] == new['digest']}")


if __name__ == "__main__":
    main()
