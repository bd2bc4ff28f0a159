"""Draw the README's picture of the baseline scenario (docs/img/baseline.png).

    python docs/make_figures.py
"""
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from simsys.plot import trajectories  # noqa: E402
from simsys.scenario import run_scenario  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main():
    ds = run_scenario(ROOT / "scenarios" / "baseline.toml")
    fig = trajectories(ds, ["Talent innovation vitality", "Coupling coordination D"],
                       title="Baseline (China 2021, status-quo institutions)")
    out = ROOT / "docs" / "img" / "baseline.png"
    fig.savefig(out, dpi=100, bbox_inches="tight")
    print(out)


if __name__ == "__main__":
    main()
