"""Validate a model, scenario or sweep file without running it (``simsys check``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .wording import count

__all__ = ["CheckReport", "check_file"]


@dataclass
class CheckReport:
    ok: bool = True
    lines: list = field(default_factory=list)


def check_file(path: Path, *, units: bool = False) -> CheckReport:
    """Check one file; model files are also compiled (undefined names, loops, lookups).

    Raises
    ------
    SimsysError
        The first problem found, naming file, line and variable.
    """
    from .model.load import load_model
    path = Path(path)
    report = CheckReport()
    if path.suffix.lower() == ".toml":
        import tomllib
        try:
            head = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            head = {}
        if "sweep" in head:
            from .sweep.spec import load_sweep, validate_sweep
            spec = load_sweep(path)
            model = load_model(spec.scenario.model_path)
            validate_sweep(spec, model)
            report.lines.append(f"{path}: sweep OK ({count(len(spec.parameters), 'parameter')}, "
                                f"sampler {spec.sampler})")
            return report
        from .scenario import load_scenario, validate_scenario
        sc = load_scenario(path)
        model = load_model(sc.model_path)
        validate_scenario(sc, model)
        report.lines.append(f"{path}: scenario OK ({count(len(sc.levers), 'lever setting')} on {model.path.name})")
        return report
    model = load_model(path)
    cm = model.compile("numpy")
    report.lines.append(f"{path}: model OK ({count(len(model.elements), 'variable')}, "
                        f"{count(len(cm.layout.y_label), 'state')}, {count(len(model.levers), 'lever')})")
    if units:
        from .model.units import check_units
        problems = check_units(model)
        for p in problems:
            report.lines.append(str(p))
        report.ok = not problems
        report.lines.append(f"units: {len(problems)} inconsistent equation(s)")
    return report
