"""SDEverywhere's C as a speed peer: install, translate, build and run it in a scratch folder.

The peer lives read-only in ``../shared/peers/sdeverywhere/`` (its README says how it was
pinned): ``gen.mjs`` translates a ``.mdl`` to C with ``@sdeverywhere/compile`` 0.7.28 and
``driver.c`` replaces the runtime's ``main.c`` with ``dump`` and ``bench`` commands. Nothing
from it is copied into this repository: :func:`prepare` copies the folder to a scratch
directory and runs ``npm install`` there; builds go to the scratch directory as well.

    sde = prepare(scratch)                                   # copy + npm install
    c_file, translate_s = translate(sde, model, inputs, outputs, build_dir)
    exe, gcc_s = build(sde, c_file, build_dir / "te_O3", "-O3")
    run = bench(exe, scen_file, n, dump_file)                # 1 process, n scenarios in-process
    run2 = bench_split(exe, scen_rows, build_dir, dump_file) # 2 processes, half each
"""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SOURCE = ROOT.parent / "shared" / "peers" / "sdeverywhere"

#: gcc flags per build name; -march=native only for the fast build, as in the peer's README
BUILDS = {"O3": ["-O3", "-march=native"], "O2": ["-O2"]}


class PeerError(RuntimeError):
    """The peer could not be installed, translated, built or run (the message says which step)."""


def _run(cmd, *, cwd=None, timeout=600) -> subprocess.CompletedProcess:
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise PeerError(f"{cmd[0]}: {err}") from None
    if r.returncode:
        tail = (r.stderr.strip() or r.stdout.strip()).splitlines()[-5:]
        raise PeerError(f"{' '.join(map(str, cmd[:3]))} ... exited {r.returncode}: " + " | ".join(tail))
    return r


def prepare(scratch: Path, source: Path = DEFAULT_SOURCE) -> Path:
    """Copy the peer folder to ``scratch/sde`` and ``npm install`` there (once per scratch folder).

    Raises
    ------
    PeerError
        The peer folder is missing, or node/npm is missing or the install failed.
    """
    if not (source / "gen.mjs").is_file():
        raise PeerError(f"SDEverywhere peer not found at {source} (expected gen.mjs there)")
    dest = Path(scratch) / "sde"
    if (dest / "node_modules" / "@sdeverywhere" / "compile").is_dir():
        return dest
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    for p in [dest, *dest.rglob("*")]:  # shared/ is read-only; the copy must be writable
        p.chmod(p.stat().st_mode | 0o200)
    _run(["npm", "install", "--no-audit", "--no-fund"], cwd=dest, timeout=900)
    return dest


def stage(model: Path, dest: Path) -> Path:
    """Copy ``model``'s folder to ``dest`` for SDEverywhere; returns the copied model file.

    SDEverywhere's CSV reader refuses a file whose rows differ in length ("Invalid Record
    Length"), as ``models/data/calibration.csv`` does (31 values per province row, one per
    common row); the copy pads such rows with empty cells, which changes no cell a GET
    DIRECT call reads. The model's own folder is never written to.
    """
    src = Path(model).resolve().parent
    dest = Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("__pycache__", "*.py", ".*"))
    for f in dest.rglob("*.csv"):
        rows = list(csv.reader(io.StringIO(f.read_text(encoding="utf-8"))))
        width = max((len(r) for r in rows), default=0)
        if any(len(r) != width for r in rows):
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(r + [""] * (width - len(r)) for r in rows)
            f.write_text(buf.getvalue(), encoding="utf-8")
    out = dest / Path(model).name
    out.write_text(hoist_initial(out.read_text(encoding="utf-8")), encoding="utf-8")
    return out


_INITIAL = re.compile(r"\bINITIAL\s*\(", re.IGNORECASE)


def hoist_initial(text: str) -> str:
    """Move each ``INITIAL(...)`` that is not a whole right-hand side into its own variable.

    SDEverywhere 0.7.28 mistranslates INITIAL inside an expression (traced on the 31-province
    model's ``Basic depth = BK / VA / INITIAL(SUM(BK) / SUM(VA))``): it drops the parentheses
    around the argument (``/ SUM(BK) / SUM(VA)``) and freezes the whole variable at its initial
    value, where Vensim freezes only the argument; its own check ("INITIAL must appear directly
    after the '=' sign") looks only at nesting in function calls. Its outputs then differed
    from simsys and PySD by up to 7%. ``x = a / INITIAL(e)`` becomes ``x = a / SDE initial 1``
    and ``SDE initial 1 = INITIAL(e)``: the same value in Vensim's semantics, and the same
    operations in the same order, so simsys computes the same bits on either text. Only an
    argument with no free subscripts (``[r!]`` sums are fine) can move to a scalar variable;
    another raises :class:`PeerError`.
    """
    out, extra = [], []
    for line in text.split("\n"):
        m = re.match(r"^([^=~|]*?[^:<>=!])=(?!=)(.*)$", line)
        rhs = m.group(2) if m else ""
        pos = [mt for mt in _INITIAL.finditer(rhs)]
        if not pos or rhs.strip().upper().startswith("INITIAL") and len(pos) == 1:
            out.append(line)
            continue
        new, last = [], 0
        for mt in pos:
            depth, i = 1, mt.end()
            while depth and i < len(rhs):
                depth += {"(": 1, ")": -1}.get(rhs[i], 0)
                i += 1
            arg = rhs[mt.end():i - 1]
            if re.search(r"\[[^\]!]*\]", arg):
                raise PeerError(f"cannot hoist INITIAL({arg.strip()}) of {m.group(1).strip()}: "
                                "its argument has free subscripts")
            name = f"SDE initial {len(extra) + 1}"
            extra.append(f"{name} = INITIAL({arg.strip()})\n\t~\t\n\t~\t(benchmark: hoisted "
                         "for SDEverywhere, see benchmarks/peers/sde.py)\n\t|\n")
            new.append(rhs[last:mt.start()] + name)
            last = i
        out.append(m.group(1) + "=" + "".join(new) + rhs[last:])
    if not extra:
        return text
    body = "\n".join(out)
    # the new equations go before the sketch (or at the end)
    cut = body.find("\\\\\\---///")
    head, tail = (body[:cut], body[cut:]) if cut >= 0 else (body, "")
    return head + "\n".join(extra) + "\n" + tail


def translate(sde: Path, model: Path, inputs: list[str], outputs: list[str], build_dir: Path):
    """Translate ``model`` to C; returns (path of the .c file, wall seconds including node start-up).

    ``model`` is read from a copy of its folder (:func:`stage`) in ``build_dir``; output goes
    to ``build_dir`` only.
    """
    build_dir = Path(build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    model = stage(model, build_dir / "model")
    spec = build_dir / "spec.json"
    spec.write_text(json.dumps({"inputVarNames": list(inputs), "outputVarNames": list(outputs)}))
    t = time.perf_counter()
    _run(["node", str(sde / "gen.mjs"), str(Path(model).resolve()), str(spec), str(build_dir)], cwd=sde)
    seconds = time.perf_counter() - t
    c_file = build_dir / f"{Path(model).stem}.c"
    if not c_file.is_file():
        raise PeerError(f"SDEverywhere wrote no {c_file.name} for {model}")
    return c_file, seconds


def build(sde: Path, c_file: Path, exe: Path, opt: str = "O3"):
    """Build the driver with gcc and the given :data:`BUILDS` flags; returns (exe, wall seconds)."""
    rt = sde / "c_runtime"
    cmd = ["gcc", *BUILDS[opt], f"-I{rt}", "-o", str(exe), str(sde / "driver.c"), str(rt / "vensim.c"),
           str(rt / "model.c"), str(rt / "macros.c"), str(c_file), "-lm"]
    t = time.perf_counter()
    _run(cmd)
    return Path(exe), time.perf_counter() - t


def write_scenarios(path: Path, rows: np.ndarray) -> Path:
    """One scenario per line, the input values in spec order, at full precision."""
    np.savetxt(path, np.atleast_2d(rows), fmt="%.17g", delimiter=" ")
    return Path(path)


def read_dump(path: Path) -> np.ndarray:
    """The driver's dump file: the last save point of every output, one row per scenario."""
    return np.atleast_2d(np.loadtxt(path, delimiter="\t", ndmin=2))


def bench(exe: Path, scen_file: Path, n: int, dump: Path | None = None, timeout=3600) -> dict:
    """``driver bench``: n scenarios in one process; the driver times only the model runs."""
    cmd = [str(exe), "bench", str(scen_file), str(n)] + ([str(dump)] if dump else [])
    t = time.perf_counter()
    r = _run(cmd, timeout=timeout)
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res["wall_s"] = time.perf_counter() - t  # process start, file reading and dump included
    return res


def bench_split(exe: Path, rows: np.ndarray, work: Path, dump: Path | None = None, parts: int = 2,
                timeout=3600) -> dict:
    """Run the scenarios as ``parts`` concurrent processes, each taking a contiguous share.

    ``total_s`` is the slowest process's own timing of its runs (comparable with
    :func:`bench`); ``wall_s`` is the wall time of the whole, process start-up included.
    """
    work = Path(work)
    shares = np.array_split(np.atleast_2d(rows), parts)
    procs = []
    t = time.perf_counter()
    for i, share in enumerate(shares):
        f = write_scenarios(work / f"split_{i}.txt", share)
        d = work / f"split_{i}.dump"
        procs.append((subprocess.Popen([str(exe), "bench", str(f), str(len(share)), str(d)],
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True), d))
    outs = []
    for p, d in procs:
        so, se = p.communicate(timeout=timeout)
        if p.returncode:
            raise PeerError(f"{exe.name} bench exited {p.returncode}: {se.strip()[-300:]}")
        outs.append(json.loads(so.strip().splitlines()[-1]))
    wall = time.perf_counter() - t
    n = len(np.atleast_2d(rows))
    slowest = max(o["total_s"] for o in outs)
    if dump:
        with open(dump, "w") as fh:
            for _, d in procs:
                fh.write(Path(d).read_text())
    return {"scenarios": n, "processes": parts, "total_s": slowest, "s_per_scenario": slowest / n,
            "wall_s": wall, "per_process": outs}
