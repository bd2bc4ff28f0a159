"""Draw the README's pictures with the commands a user runs.

    python docs/make_figures.py

docs/img/baseline.png is what ``simsys run scenarios/baseline.toml`` draws (the main job);
docs/img/run_vs_parent.png is what ``simsys run scenarios/evaluation_reform.toml`` draws (the
scenario solid, the baseline it extends dashed); docs/img/compare.png is what
``simsys compare scenarios/regional_synergy.toml scenarios/beggar_thy_neighbour.toml
--against scenarios/baseline.toml`` draws; docs/img/map_vitality.png is the tile-grid map of
talent innovation vitality by province in 2035 in the baseline (``simsys.plot.maps.tile_map``).
docs/img/history_fit.png (simulated against observed history) is drawn by
``models/calibrate_provinces.py``, not here.
"""
import shutil
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from simsys.compare import compare_files, parent_run  # noqa: E402
from simsys.export import export_run  # noqa: E402
from simsys.plot.maps import tile_map  # noqa: E402
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
                           reference=(ref.label, ref.data) if ref else None, observed=sc.observed)
        shutil.copy(paths["plot"], out)
    return out


def vitality_map(scenario: Path, year: float, out: Path) -> Path:
    """Talent innovation vitality by province in ``year`` on the tile-grid map."""
    ds = run_scenario(scenario)
    values = ds["Talent innovation vitality"].sel(time=year).to_series()
    ax = tile_map(values, cmap="YlGnBu", fmt="{:.0f}",
                  title=f"Talent innovation vitality {year:g}, baseline (China 2010 = 100)",
                  label="vitality index (China 2010 = 100)")
    ax.figure.savefig(out, dpi=110, bbox_inches="tight")
    return out


def main():
    print(run_plot(SCENARIOS / "baseline.toml", IMG / "baseline.png"))
    print(run_plot(SCENARIOS / "evaluation_reform.toml", IMG / "run_vs_parent.png"))
    result = compare_files([SCENARIOS / "regional_synergy.toml",
                            SCENARIOS / "beggar_thy_neighbour.toml"],
                           against=SCENARIOS / "baseline.toml", plot=IMG / "compare.png")
    print(result.plot)
    print(vitality_map(SCENARIOS / "baseline.toml", 2035.0, IMG / "map_vitality.png"))


if __name__ == "__main__":
    main()
