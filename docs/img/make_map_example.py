"""Redraw docs/img/map_rd_intensity.png: R&D intensity 2021 by province on the tile-grid map.

The values are the NBS 2021 communiqué's (``rd_intensity_2021.csv`` of the study's shared
provincial data set). Run from the repository root:
``python docs/img/make_map_example.py PATH/TO/rd_intensity_2021.csv``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

from simsys.plot.maps import tile_map  # noqa: E402

OUT = Path(__file__).resolve().parent / "map_rd_intensity.png"

if __name__ == "__main__":
    table = pd.read_csv(sys.argv[1])
    values = dict(zip(table["province_zh"], table["value"]))  # keyed by Chinese name
    ax = tile_map(values, cmap="YlGnBu", fmt="{:.2f}%",
                  title="R&D intensity 2021 (% of GDP), NBS communiqué", label="% of GDP")
    ax.figure.savefig(OUT, dpi=110, bbox_inches="tight")
    print(OUT)
