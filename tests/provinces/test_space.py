"""Space layer: contiguity weights, Moran's I against esda, a staggered DiD on the simulated panel."""
import numpy as np
import pytest

from .conftest import DATA

pytest.importorskip("esda")


def weights():
    import csv
    with open(DATA / "weights.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0][1:], np.array([[float(x) for x in r[1:]] for r in rows[1:]])


def test_weights_row_standardised_and_hainan_linked_by_sea():
    names, W = weights()
    assert len(names) == 31 and np.allclose(W.sum(axis=1), 1, atol=1e-12)
    h = names.index("Hainan")
    assert {names[j] for j in np.nonzero(W[h])[0]} == {"Guangdong", "Guangxi"}
    assert np.array_equal(W > 0, (W > 0).T)


def test_morans_i_in_model_equals_esda_2021_and_2035(runs):
    import esda
    import libpysal
    names, W = weights()
    w = libpysal.weights.full2W((W > 0).astype(float), ids=names)
    w.transform = "r"
    for year in (2021, 2035):
        y = runs["Talent innovation vitality"].sel(scenario="baseline", time=year).sel(Province=names).values
        np.random.seed(1)  # esda draws its permutations from numpy's global generator
        mi = esda.Moran(y, w, permutations=999)
        assert float(runs["Morans I of vitality"].sel(scenario="baseline", time=year)) == pytest.approx(mi.I, rel=1e-9)
        assert mi.I > 0.2 and mi.p_sim < 0.01, (year, mi.I, mi.p_sim)
