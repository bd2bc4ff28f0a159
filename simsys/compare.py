"""Compare runs with a reference run: "compared with what?" answered in numbers.

A run is a scenario file (run here) or a results file written by ``simsys run``
(``.nc``) or a one-scenario Zarr store. The reference is the ``--against`` run, else
the parent of a single scenario that ``extends`` another, else the first run given.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import xarray as xr

from .errors import SimsysError
from .headline import aggregate

__all__ = ["Run", "Difference", "load_runs", "pick_reference", "common_variables",
           "differences", "parent_run", "as_mapping",
           "check_scenario_file",
           "Comparison", "compare_files"]

_RESULT_SUFFIXES = (".nc", ".zarr")


@dataclass(frozen=True, slots=True)
class Run:
    """One run to compare: its label, its results and the scenario file it extends (if any)."""

    label: str
    data: xr.Dataset
    path: Path
    parent: Path | None = None


@dataclass(frozen=True, slots=True)
class Difference:
    """One headline number of a run against the reference, at one time."""

    output: str
    units: str
    time: float
    run: str
    reference: float
    value: float

    @property
    def difference(self) -> float:
        return self.value - self.reference


_MODEL_SUFFIXES = (".mdl", ".xmile", ".xml", ".stmx", ".itmx")


def check_scenario_file(path: str | Path) -> None:
    """Refuse a model file where a scenario file is expected, saying how to write one.

    Raises
    ------
    SimsysError
        ``path`` is a Vensim or XMILE model.
    """
    p = Path(path)
    if p.suffix.lower() in _MODEL_SUFFIXES:
        raise SimsysError(
            "this is a model, not a scenario; write a scenario file (levers at their defaults): "
            f"echo 'scenario = {{ name = \"base\", model = \"{p.as_posix()}\" }}' > base.toml "
            "&& simsys run base.toml", location=p)


def _is_results(path: Path) -> bool:
    return path.suffix.lower() in _RESULT_SUFFIXES


def _open_results(path: Path) -> xr.Dataset:
    from .analysis.reports import open_run
    try:
        return open_run(path)
    except SimsysError:
        raise
    except Exception as exc:  # noqa: BLE001 - the readers raise many types
        raise SimsysError(f"cannot read results ({exc})", location=path) from None


def load_runs(paths: Sequence[str | Path], *, models: dict | None = None,
              every_variable: bool = False, **overrides) -> list[Run]:
    """Run each scenario file (one model load per model file) or open each results file.

    Parameters
    ----------
    paths : sequence of str or Path
        Scenario ``.toml`` files or results (``.nc``, ``.zarr``).
    models : dict, optional
        model path -> loaded model, shared between calls (filled in here).
    every_variable : bool
        Store every model variable, not just the scenario's ``[outputs]``.
    **overrides
        Run settings (``final_time``, ``time_step``, ...) for the scenario files.

    Returns
    -------
    list of Run
        In the order given; labels are scenario names (made unique).

    Raises
    ------
    SimsysError
        A file is missing or unreadable, or a scenario is invalid.
    """
    from .model.load import load_model
    from .scenario import load_scenario, run_scenario
    models = {} if models is None else models
    runs: list[Run] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise SimsysError("no such file", location=path)
        if _is_results(path):
            ds = _open_results(path)
            label, parent = path.stem, None
        else:
            sc = load_scenario(path)
            if sc.model_path not in models:
                models[sc.model_path] = load_model(sc.model_path)
            ds = run_scenario(path, model=models[sc.model_path], every_variable=every_variable,
                              **overrides)
            label, parent = sc.name, (sc.chain[0] if sc.chain else None)
        taken = {r.label for r in runs}
        unique, k = label, 2
        while unique in taken:
            unique, k = f"{label} ({k})", k + 1
        runs.append(Run(unique, ds, path, parent))
    return runs


def pick_reference(paths: Sequence[str | Path], against: str | Path | None) -> tuple[list[Path], Path]:
    """Split the files into the runs to compare and the reference.

    ``against`` when given; else, for one scenario that extends another, its parent;
    else the first file (compared with the rest).

    Raises
    ------
    SimsysError
        Nothing to compare (one file that extends nothing and no ``against``).
    """
    files = [Path(p) for p in paths]
    if against is not None:
        return files, Path(against)
    if len(files) == 1:
        parent = None if _is_results(files[0]) else _parent_file(files[0])
        if parent is None:
            raise SimsysError("nothing to compare it with: give a second file or "
                              "--against baseline.toml (this one extends no scenario)",
                              location=files[0])
        return files, parent
    return files[1:], files[0]


def _parent_file(path: Path) -> Path | None:
    from .scenario import load_scenario
    sc = load_scenario(path)
    return sc.chain[0] if sc.chain else None


def parent_run(path: str | Path, *, against: str | Path | None = None, model=None,
               **overrides) -> Run | None:
    """The run a scenario's plot is drawn against: ``against``, else the file it extends.

    Returns
    -------
    Run or None
        None when the scenario extends nothing and no ``against`` is given.
    """
    target = Path(against) if against is not None else _parent_file(Path(path))
    if target is None:
        return None
    models = {}
    if model is not None and not _is_results(target):
        from .scenario import load_scenario
        models[load_scenario(target).model_path] = model
    return load_runs([target], models=models, **overrides)[0]


def common_variables(runs: Sequence[Run], reference: Run,
                     variables: Sequence[str] | None = None) -> list[str]:
    """The variables to compare: ``variables``, else the reference's headline outputs.

    Raises
    ------
    SimsysError
        A named variable is missing from some run (the message names it and the run).
    """
    from .export import headline_variables
    from .names import user_variables
    names = list(variables) if variables else headline_variables(reference.data)
    for run in (reference, *runs):
        missing = [n for n in names if n not in run.data.data_vars]
        if missing and variables:
            raise SimsysError(f"{run.label} has no variable {missing[0]!r}; it has "
                              f"{', '.join(sorted(user_variables(run.data)))}",
                              location=run.path, variable=missing[0])
        names = [n for n in names if n in run.data.data_vars]
    if not names:
        raise SimsysError("the runs share no headline output; name one with --var",
                          location=reference.path)
    return names


def differences(runs: Sequence[Run], reference: Run, variables: Sequence[str], *,
                time: float | None = None) -> list[Difference]:
    """Each variable of each run against the reference at ``time`` (default: the last time).

    Regional variables are summed or averaged over their regions
    (:func:`simsys.headline.aggregation`); the output label says which.

    Raises
    ------
    SimsysError
        ``time`` is outside a run's saved times.
    """
    rows: list[Difference] = []
    for name in variables:
        ref, suffix = aggregate(reference.data[name])
        t = float(ref["time"].values[-1]) if time is None else float(time)
        for run in runs:
            da, _ = aggregate(run.data[name])
            rows.append(Difference(f"{name}{suffix}", str(ref.attrs.get("units", "")), t,
                                   run.label, _at(ref, t, reference), _at(da, t, run)))
    return rows


def _at(da: xr.DataArray, t: float, run: Run) -> float:
    times = da["time"].values
    if not (times.min() - 1e-9 <= t <= times.max() + 1e-9):
        raise SimsysError(f"time {t:g} is outside {run.label}'s saved times "
                          f"{times.min():g}..{times.max():g}", location=run.path)
    return float(da.sel(time=t, method="nearest"))


def as_mapping(runs: Sequence[Run]) -> Mapping[str, xr.Dataset]:
    """label -> Dataset, the form the plot functions take."""
    return {r.label: r.data for r in runs}


@dataclass(frozen=True, slots=True)
class Comparison:
    """What ``simsys compare`` shows: the table (headers, rows of text) and the figure file."""

    headers: list[str]
    rows: list[list[str]]
    differences: list[Difference]
    plot: Path | None


def compare_files(files: Sequence[str | Path], *, against: str | Path | None = None,
                  variables: Sequence[str] | None = None, time: float | None = None,
                  plot: str | Path | None = None, **overrides) -> Comparison:
    """Run or open ``files`` and the reference, tabulate the differences, draw them.

    Parameters
    ----------
    files : sequence of str or Path
        Scenario files or results files.
    against : str or Path, optional
        The reference (see :func:`pick_reference`).
    variables : sequence of str, optional
        Outputs to compare (default: the reference's headline outputs).
    time : float, optional
        Time of the tabulated values (default: the last saved time).
    plot : str or Path, optional
        Write the figure of :func:`simsys.plot.compare_plot` there (PNG, SVG, PDF).
    **overrides
        Run settings for the scenario files (``final_time``, ``method``, ...).

    Returns
    -------
    Comparison

    Raises
    ------
    SimsysError
        Unreadable or invalid files, nothing to compare with, unknown variables.
    """
    from .headline import percent, signed
    targets, ref_path = pick_reference(files, against)
    overrides = {k: v for k, v in overrides.items() if v is not None}
    models: dict = {}
    reference = load_runs([ref_path], models=models, **overrides)[0]
    runs = load_runs(targets, models=models, **overrides)
    runs = [r for r in runs if r.path.resolve() != ref_path.resolve()] or runs
    names = common_variables(runs, reference, variables)
    diffs = differences(runs, reference, names, time=time)
    t = diffs[0].time
    headers = ["output", "units", f"{reference.label} at {t:g}", "run", "value", "difference",
               "change"]
    rows, last = [], None
    for d in diffs:
        first = d.output != last
        rows.append([d.output if first else "", (d.units or "-") if first else "",
                     f"{d.reference:.4g}" if first else "", d.run, f"{d.value:.4g}",
                     signed(d.difference, scale=d.reference), percent(d.value, d.reference)])
        last = d.output
    written = None
    if plot is not None:
        written = _write_plot(runs, reference, names, Path(plot))
    return Comparison(headers, rows, diffs, written)


def _write_plot(runs: Sequence[Run], reference: Run, names: Sequence[str], path: Path) -> Path:
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from .plot.compare import compare_plot
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise SimsysError(f"cannot create the folder: {err.strerror}", location=path.parent) from None
    fig = compare_plot(as_mapping(runs), (reference.label, reference.data), names)
    try:
        fig.savefig(path, dpi=110, bbox_inches="tight")
    except (OSError, ValueError) as err:
        raise SimsysError(f"cannot write the figure ({err})", location=path) from None
    finally:
        plt.close(fig)
    return path
