"""The disk cache of PySD's abstract model (simsys.model.parse_cache).

A second load of the same text does not run PySD's parser; a damaged, foreign or hostile
entry is ignored and rebuilt with the same numbers; data files are read fresh every time.
"""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import simsys
from simsys.model import load as load_mod
from simsys.model import parse_cache

MODELS = Path(__file__).resolve().parents[1] / "models"


@pytest.fixture
def model(tmp_path, monkeypatch):
    """A copy of get_direct_constants.mdl (it reads two CSV files) and a private cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    shutil.copy(MODELS / "get_direct_constants.mdl", tmp_path / "m.mdl")
    shutil.copytree(MODELS / "data", tmp_path / "data")
    return tmp_path / "m.mdl"


def _entry(path: Path) -> Path:
    return parse_cache.entry_path(path, path.read_text(encoding="utf-8"))


def _result(path):
    return simsys.to_frame(simsys.load_model(path).run(backend="numpy"))["result[south]"].to_numpy()


def _count_parses(monkeypatch) -> list:
    calls = []
    real = load_mod.parse

    def counting(path, text):
        calls.append(path)
        return real(path, text)
    monkeypatch.setattr(load_mod, "parse", counting)
    return calls


def test_second_load_reads_the_entry_and_gives_the_same_model(model, monkeypatch):
    calls = _count_parses(monkeypatch)
    first = _result(model)
    entry = _entry(model)
    assert calls == [model] and entry.is_file()
    assert entry.stat().st_mode & 0o777 == 0o600 and entry.parent.stat().st_mode & 0o777 == 0o700
    again = simsys.load_model(model)
    assert calls == [model]  # PySD's parser did not run
    np.testing.assert_array_equal(_result(model), first)
    assert [e.name for e in again.elements] == [e.name for e in simsys.load_model(model).elements]
    assert again.element("vector constant").location.line == 12


@pytest.mark.parametrize("damage", [
    b"",                                   # truncated to nothing
    b"{\"format\": 1, \"key\": ",           # cut off mid-write
    b"\x00\x01binary",                     # not text
    b"[1, 2, 3]",                          # JSON, not an entry
])
def test_damaged_entry_is_ignored_and_rebuilt(model, monkeypatch, damage):
    first = _result(model)
    entry = _entry(model)
    entry.write_bytes(damage)
    calls = _count_parses(monkeypatch)
    np.testing.assert_array_equal(_result(model), first)
    assert calls == [model]  # parsed again ...
    doc = json.loads(entry.read_bytes())  # ... and the entry rewritten whole
    assert doc["format"] == parse_cache.FORMAT and doc["model"]["~c"] == "AbstractModel"


def test_foreign_entry_is_ignored(model, tmp_path, monkeypatch):
    """An entry of another model (or another key) under this model's name is not trusted."""
    first = _result(model)
    other = tmp_path / "other.mdl"
    shutil.copy(MODELS / "stock_teacup.mdl", other)
    simsys.load_model(other)
    shutil.copy(_entry(other), _entry(model))
    calls = _count_parses(monkeypatch)
    np.testing.assert_array_equal(_result(model), first)
    assert calls == [model]


@pytest.mark.parametrize("hostile", [
    {"~c": "Popen", "f": {"args": "touch SENTINEL"}},   # a class off the whitelist
    {"~c": "AbstractModel", "f": {"original_path": {"~p": "x"}}},  # fields missing
    {"~a": "|O", "shape": [1], "data": [1]},             # an object array
    {"~t": [1], "extra": 2},                              # unknown shape of tag
])
def test_entry_naming_anything_off_the_whitelist_is_ignored(model, monkeypatch, hostile, tmp_path):
    first = _result(model)
    entry = _entry(model)
    doc = json.loads(entry.read_bytes())
    doc["model"] = hostile
    entry.write_text(json.dumps(doc))
    calls = _count_parses(monkeypatch)
    np.testing.assert_array_equal(_result(model), first)
    assert calls == [model] and not (tmp_path / "SENTINEL").exists()


def test_data_files_are_read_fresh_with_a_cached_parse(model, monkeypatch):
    first = _result(model)
    (model.parent / "data" / "constants_vector.csv").write_text("name,north,south,east\nvector,1.5,10,3.5\n")
    calls = _count_parses(monkeypatch)
    m = simsys.load_model(model)
    assert calls == []  # the text did not change: the parse came from the cache
    np.testing.assert_array_equal(
        load_mod.constant_value(m.element("vector constant"), m.ranges, model), [1.5, 10.0, 3.5])
    assert not np.array_equal(_result(model), first)


def test_edited_model_text_is_parsed_again(model, monkeypatch):
    simsys.load_model(model)
    model.write_text(model.read_text(encoding="utf-8").replace("+ Time", "+ 2 * Time"), encoding="utf-8")
    calls = _count_parses(monkeypatch)
    f = simsys.to_frame(simsys.load_model(model).run(backend="numpy"))
    assert calls == [model]
    assert f["result[south]"].iloc[-1] == pytest.approx(2.5 * 7.5 + 2 * 5)


def test_cache_directory_others_can_write_is_not_used(model, tmp_path, monkeypatch):
    (tmp_path / "xdg" / "simsys").mkdir(parents=True)
    (tmp_path / "xdg" / "simsys").chmod(0o777)
    calls = _count_parses(monkeypatch)
    simsys.load_model(model)
    simsys.load_model(model)
    assert calls == [model, model]
    assert not (tmp_path / "xdg" / "simsys" / "parse").exists()
