"""The disk cache of lowered models (simsys.compile.ir_cache).

A second compile of the same model in a new process neither lowers the equations nor
generates C text: it reads the entry and loads the kernel by the hash of its text, with the
same numbers. A damaged, foreign or hostile entry is ignored and rewritten; an entry can
make simsys import or call nothing; an edited data file gives a new entry.
"""
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest

import simsys
import simsys.compile as compile_pkg
from simsys.compile import c_backend, ir_cache
from simsys.compile.backends import resolve_backend

MODELS = Path(__file__).resolve().parents[1] / "models"
HAS_C = resolve_backend("auto") == "c"


@pytest.fixture
def model(tmp_path, monkeypatch):
    """A copy of get_direct_constants.mdl (it reads two CSV files) and a private cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(compile_pkg, "_CACHE", {})
    shutil.copy(MODELS / "get_direct_constants.mdl", tmp_path / "m.mdl")
    shutil.copytree(MODELS / "data", tmp_path / "data")
    return tmp_path / "m.mdl"


def _fresh(path, backend="numpy"):
    """Compile as a new process would: nothing kept in memory from earlier compiles."""
    compile_pkg._CACHE.clear()
    return compile_pkg.compile_model(simsys.load_model(path), backend)


def _values(cm):
    return simsys.to_frame(cm.run())["result[south]"].to_numpy()


def _count_lowerings(monkeypatch) -> list:
    calls = []
    real = compile_pkg.lower_model

    def counting(model):
        calls.append(model.path)
        return real(model)
    monkeypatch.setattr(compile_pkg, "lower_model", counting)
    return calls


def _entries(model) -> list[Path]:
    return sorted((model.parent / "xdg" / "simsys" / "ir").glob("ir_*.pickle"))


def test_second_compile_reads_the_entry_and_gives_the_same_numbers(model, monkeypatch):
    calls = _count_lowerings(monkeypatch)
    first = _values(_fresh(model))
    [entry] = _entries(model)
    assert calls == [model] and entry.stat().st_mode & 0o777 == 0o600
    again = _fresh(model)
    assert calls == [model]  # not lowered again
    np.testing.assert_array_equal(_values(again), first)


@pytest.mark.skipif(not HAS_C, reason="needs a C compiler")
def test_cached_c_model_loads_its_kernel_without_generating_text(model, monkeypatch):
    first = _fresh(model, "c")
    assert first.c_hash and first.kernel_path.is_file()
    ref = _values(first)

    def refuse(*a, **k):
        raise AssertionError("C text was generated or compiled for a cached model")
    monkeypatch.setattr(c_backend, "c_source", refuse)
    monkeypatch.setattr(c_backend.subprocess, "run", refuse)
    again = _fresh(model, "c")
    assert again.kernel_path == first.kernel_path and again.c_hash == first.c_hash
    np.testing.assert_array_equal(_values(again), ref)


@pytest.mark.skipif(not HAS_C, reason="needs a C compiler")
def test_missing_kernel_is_rebuilt_from_a_cached_entry(model):
    first = _fresh(model, "c")
    ref = _values(first)
    first.kernel_path.unlink()
    again = _fresh(model, "c")
    assert again.kernel_path.is_file()
    np.testing.assert_array_equal(_values(again), ref)


@pytest.mark.parametrize("damage", [b"", b"\x80\x05\x95", b"not a pickle",
                                    pickle.dumps([1, 2, 3]), pickle.dumps({"format": 1})])
def test_damaged_entry_is_ignored_and_rewritten(model, monkeypatch, damage):
    first = _values(_fresh(model))
    [entry] = _entries(model)
    entry.write_bytes(damage)
    calls = _count_lowerings(monkeypatch)
    np.testing.assert_array_equal(_values(_fresh(model)), first)
    assert calls == [model]
    assert ir_cache.load_lowered(simsys.load_model(model), True) is not None  # rewritten whole


class _Hostile:
    """Unpickling this calls os.system: the cache must refuse to resolve the name."""

    def __init__(self, sentinel):
        self.sentinel = sentinel

    def __reduce__(self):
        return (os.system, (f"touch {self.sentinel}",))


def test_entry_naming_anything_off_the_whitelist_runs_nothing(model, monkeypatch, tmp_path):
    first = _values(_fresh(model))
    [entry] = _entries(model)
    doc = pickle.loads(entry.read_bytes())
    doc["aux_order"] = _Hostile(tmp_path / "SENTINEL")
    entry.write_bytes(pickle.dumps(doc))
    calls = _count_lowerings(monkeypatch)
    np.testing.assert_array_equal(_values(_fresh(model)), first)
    assert calls == [model] and not (tmp_path / "SENTINEL").exists()


def test_foreign_entry_is_ignored(model, tmp_path, monkeypatch):
    first = _values(_fresh(model))
    other = tmp_path / "other.mdl"
    shutil.copy(MODELS / "stock_teacup.mdl", other)
    before = set(_entries(model))
    _fresh(other)
    [theirs] = set(_entries(model)) - before
    [mine] = before
    shutil.copy(theirs, mine)
    calls = _count_lowerings(monkeypatch)
    np.testing.assert_array_equal(_values(_fresh(model)), first)
    assert calls == [model]


def test_symlinked_entry_is_not_followed(model, tmp_path, monkeypatch):
    first = _values(_fresh(model))
    [entry] = _entries(model)
    target = tmp_path / "elsewhere.pickle"
    shutil.move(entry, target)
    entry.symlink_to(target)
    calls = _count_lowerings(monkeypatch)
    np.testing.assert_array_equal(_values(_fresh(model)), first)
    assert calls == [model]


def test_edited_data_file_is_compiled_again(model, monkeypatch):
    first = _values(_fresh(model))
    (model.parent / "data" / "constants_vector.csv").write_text("name,north,south,east\nvector,1.5,10,3.5\n")
    calls = _count_lowerings(monkeypatch)
    assert not np.array_equal(_values(_fresh(model)), first)
    assert calls == [model] and len(_entries(model)) == 2
