"""Peak memory and wall time of a large summary-only sweep (not a test).

Run from the repository root::

    python benchmarks/sweep_memory.py                      # 200,000 scenarios
    python benchmarks/sweep_memory.py --n 20000 --executor processes --workers 2

It samples every scalar lever of the model (Monte Carlo over each lever's range), keeps
only per-scenario summaries (final, max) of the outputs, and reports wall time and the
peak resident memory of this process and of its worker processes. Peak memory should
stay flat as ``--n`` grows: the sweep holds the design, never all the results.
"""
from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODELS = (ROOT / "models" / "talent_ecosystem.mdl",
                  ROOT / "tests" / "sweep" / "models" / "random_levers.mdl")


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def write_files(model_path: Path, n: int, chunk_size: int, outputs: list[str],
                folder: Path) -> Path:
    import simsys
    model = simsys.load_model(model_path)
    levers = [lv for lv in model.levers
              if not lv.dims and lv.min is not None and lv.max is not None and lv.min < lv.max]
    if not levers:
        raise SystemExit(f"{model_path} has no scalar lever with a range to sweep")
    (folder / "base.toml").write_text(
        f"[scenario]\nname = \"bench\"\nmodel = {_toml_str(str(model_path))}\n")
    params = "\n".join(f"{_toml_str(lv.name)} = {{ range = [{lv.min!r}, {lv.max!r}] }}"
                       for lv in levers)
    variables = outputs or [e.name for e in model.stocks][:5]
    sweep = folder / "sweep.toml"
    sweep.write_text(
        "[sweep]\nscenario = \"base.toml\"\nsampler = \"montecarlo\"\n"
        f"n = {n}\nseed = 1\nchunk_size = {chunk_size}\n\n[parameters]\n{params}\n\n"
        f"[outputs]\nvariables = [{', '.join(map(_toml_str, variables))}]\n"
        "summaries = [\"final\", \"max\"]\nkeep_series = false\n")
    return sweep


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=next((m for m in DEFAULT_MODELS if m.exists()),
                                                        DEFAULT_MODELS[-1]))
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--chunk-size", type=int, default=2000)
    ap.add_argument("--executor", default="inprocess")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--output", action="append", default=[],
                    help="variable to summarise (repeatable; default: up to 5 stocks)")
    args = ap.parse_args(argv)

    from simsys.sweep.run import run_sweep
    with tempfile.TemporaryDirectory(prefix="simsys-bench-") as tmp:
        folder = Path(tmp)
        sweep = write_files(args.model.resolve(), args.n, args.chunk_size, args.output, folder)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        t0 = time.perf_counter()
        report = run_sweep(sweep, folder / "results.zarr", executor=args.executor,
                           workers=args.workers, progress=sys.stderr.isatty())
        wall = time.perf_counter() - t0
        self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        store_mb = sum(p.stat().st_size for p in (folder / "results.zarr").rglob("*")
                       if p.is_file()) / 2**20
    print(json.dumps({
        "model": str(args.model), "scenarios": report.n_scenarios, "chunks": report.n_chunks,
        "executor": args.executor, "workers": args.workers, "chunk_size": args.chunk_size,
        "wall_seconds": round(wall, 2),
        "scenarios_per_second": round(report.n_scenarios / wall, 1),
        "peak_rss_mb": round(self_peak / 1024, 1),
        "peak_rss_before_sweep_mb": round(rss_before / 1024, 1),
        "peak_rss_workers_mb": round(child_peak / 1024, 1),
        "store_mb": round(store_mb, 1), "failed_scenarios": report.n_failed,
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
