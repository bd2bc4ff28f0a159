"""Draw the README's pictures with the commands a user runs.

    python docs/make_figures.py

docs/img/baseline.png is what ``simsys run scenarios/baseline.toml`` draws (the main job);
docs/img/run_vs_parent.png is what ``simsys run scenarios/unified_market.toml`` draws (the
scenario solid, the baseline it extends dashed); docs/img/compare.png is what
``simsys compare scenarios/unified_market.toml scenarios/ip_protection.toml
--against scenarios/baseline.toml`` draws.
"""
import shutil
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from simsys.compare import compare_files, parent_run  # noqa: E402
from simsys.export import export_run  # noqa: E402
from simsys.scenario import load_scenario, run_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
IMG = ROOT / "docs" / "img"


def run_plot(scenario: Path, out: Path) -> Path:
    """The PNG ``simsys run SCENARIO`` writes, copied to ``out``."""
    sc = load_scenario(scenario)
    ds = run_scenario(scenario)
    ref = parent_run(scenario)
    with tempfile.TemporaryDirectory() as tmp:
        paths = export_run(ds, tmp, sc.name, title=sc.question or sc.description or sc.name,
                           reference=(ref.label, ref.data) if ref else None)
        shutil.copy(paths["plot"], out)
    return out


def main():
    print(run_plot(SCENARIOS / "baseline.toml", IMG / "baseline.png"))
    print(run_plot(SCENARIOS / "unified_market.toml", IMG / "run_vs_parent.png"))
    result = compare_files([SCENARIOS / "unified_market.toml", SCENARIOS / "ip_protection.toml"],
                           against=SCENARIOS / "baseline.toml", plot=IMG / "compare.png")
    print(result.plot)


if __name__ == "__main__":
    main()
