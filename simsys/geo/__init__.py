"""China's 31 provincial regions as package data: names, tile-grid places and adjacency.

``provinces.csv`` lists every province in the NBS order with its pinyin code
(the model's ``Province`` subscript elements), Chinese and English names and
its row and column on the tile-grid map. ``adjacency.csv`` lists the 68 land
borders and Hainan's two sea links (Guangdong, Guangxi) of list A in the
study's shared data set (``province_adjacency.csv``, checked against geometry).

Every function here accepts a province by code, Chinese or English name
(case-insensitive for the Latin names), so per-province values from any source
can be matched to the model's subscript.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, Mapping

import numpy as np

from ..errors import AnalysisError

__all__ = ["Province", "provinces", "province_codes", "to_code", "match_provinces",
           "by_province", "adjacency_pairs", "adjacency_matrix"]


@dataclass(frozen=True, slots=True)
class Province:
    """One provincial region: pinyin code, names and tile-grid place."""

    code: str
    zh: str
    en: str
    row: int
    col: int


def _read(name: str) -> list[dict[str, str]]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=None)
def provinces() -> tuple[Province, ...]:
    """The 31 provinces in NBS order (Beijing ... Xinjiang)."""
    return tuple(Province(r["code"], r["zh"], r["en"], int(r["row"]), int(r["col"]))
                 for r in _read("provinces.csv"))


def province_codes() -> list[str]:
    """The 31 pinyin codes in NBS order."""
    return [p.code for p in provinces()]


@lru_cache(maxsize=None)
def _lookup() -> dict[str, str]:
    out = {}
    for p in provinces():
        for name in (p.code, p.en, p.zh):
            out[_norm(name)] = p.code
    return out


def _norm(name: Any) -> str:
    return str(name).strip().lower().replace(" ", "").replace("_", "")


def to_code(name: Any) -> str:
    """The pinyin code of a province named by code, Chinese or English name.

    Raises
    ------
    AnalysisError
        If the name is not one of the 31 provinces.
    """
    code = _lookup().get(_norm(name))
    if code is None:
        raise AnalysisError(f"{name!r} is not a province code, Chinese or English name;"
                            f" codes are {', '.join(province_codes())}")
    return code


def match_provinces(names: Iterable[Any]) -> list[str] | None:
    """Codes of ``names`` when every one of them is a province, else None."""
    codes = [_lookup().get(_norm(n)) for n in names]
    return None if not codes or None in codes else codes


def by_province(values: Any) -> dict[str, float]:
    """Per-province values keyed by code, from a dict, a pandas Series or a 1-D DataArray.

    Keys may be codes, Chinese or English names; provinces not given are absent
    from the result.

    Raises
    ------
    AnalysisError
        If a key is not a province, or a DataArray is not 1-D.
    """
    if hasattr(values, "dims"):
        if values.ndim != 1:
            raise AnalysisError(f"a map needs one value per province; the DataArray has dims"
                                f" {tuple(values.dims)}: select one time and scenario first")
        dim = values.dims[0]
        items = zip(values[dim].values.tolist(), values.values.tolist())
    elif isinstance(values, Mapping):
        items = values.items()
    elif hasattr(values, "items"):
        items = values.items()
    else:
        raise AnalysisError(f"per-province values must be a dict, Series or DataArray, found"
                            f" {type(values).__name__}")
    return {to_code(k): v for k, v in items}


@lru_cache(maxsize=None)
def adjacency_pairs(hainan: tuple[str, ...] = ("Guangdong", "Guangxi")) -> tuple[tuple[str, str], ...]:
    """Neighbouring pairs of codes: the land borders plus Hainan's sea links to ``hainan``."""
    out = []
    for r in _read("adjacency.csv"):
        if r["kind"] == "sea":
            other = r["a"] if r["b"] == "Hainan" else r["b"]
            if other not in {to_code(h) for h in hainan}:
                continue
        out.append((r["a"], r["b"]))
    return tuple(out)


def adjacency_matrix(order: Iterable[Any] | None = None,
                     hainan: tuple[str, ...] = ("Guangdong", "Guangxi")) -> np.ndarray:
    """Binary symmetric 31 x 31 contiguity matrix in the order of ``order`` (NBS by default)."""
    codes = province_codes() if order is None else [to_code(n) for n in order]
    pos = {c: i for i, c in enumerate(codes)}
    w = np.zeros((len(codes), len(codes)))
    for a, b in adjacency_pairs(tuple(hainan)):
        if a in pos and b in pos:
            w[pos[a], pos[b]] = w[pos[b], pos[a]] = 1.0
    return w
