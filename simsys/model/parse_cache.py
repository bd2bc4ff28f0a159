"""A per-user disk cache of PySD's abstract model, so a model parsed once loads in milliseconds.

PySD's parser (parsimonious) takes most of :func:`simsys.load_model`'s time, and its
product, the abstract model, is a function of the model file's text alone: data files
(GET DIRECT/XLS, CSV, .xlsx) are only named in it and are read after it, on every load,
by :mod:`.load`. So the entry is keyed by a hash of the text, the file's resolved path
(the abstract model records it), the versions of simsys, PySD and parsimonious, and the
source of the simsys modules that shape the parse (this one, :mod:`.parse` and
:mod:`.xmile_modules`).

Entries live in ``$XDG_CACHE_HOME/simsys/parse`` (private, see
:mod:`simsys.compile.cache`) as JSON that names classes only from a fixed whitelist
(PySD's abstract model and expression dataclasses); nothing in an entry can run code. An
entry that is unreadable, damaged, written for another key or that names anything off the
whitelist is ignored, and the model is parsed again and the entry rewritten.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from pathlib import Path, PurePosixPath, PureWindowsPath

import numpy as np

__all__ = ["cached_parse", "entry_path", "encode", "decode", "FORMAT"]

log = logging.getLogger(__name__)

#: bumped whenever the encoding below changes
FORMAT = 1
#: an entry larger than this is not read (the talent model's is ~1 MB)
MAX_ENTRY_BYTES = 256 * 1024 * 1024
_NUMERIC = {"b", "i", "u", "f"}


class EntryError(ValueError):
    """A cache entry is not what this module writes; it is ignored and rebuilt."""


def _classes() -> dict[str, type]:
    from pysd.translators.structures import abstract_expressions as ae
    from pysd.translators.structures import abstract_model as am
    out = {}
    for mod in (am, ae):
        for name, obj in vars(mod).items():
            if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == mod.__name__:
                out[name] = obj
    return out


_WHITELIST: dict[str, type] | None = None


def _whitelist() -> dict[str, type]:
    global _WHITELIST
    if _WHITELIST is None:
        _WHITELIST = _classes()
    return _WHITELIST


def encode(obj):
    """``obj`` (an abstract model) as JSON-ready data that :func:`decode` turns back into it.

    Raises
    ------
    TypeError
        ``obj`` holds something off the whitelist (then the model is simply not cached).
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, np.generic):
        if obj.dtype.kind not in _NUMERIC:
            raise TypeError(f"numpy scalar of dtype {obj.dtype}")
        return {"~n": obj.dtype.str, "v": obj.item()}
    if isinstance(obj, (int, float)):
        return obj
    if isinstance(obj, list):
        return [encode(x) for x in obj]
    if isinstance(obj, tuple):
        return {"~t": [encode(x) for x in obj]}
    if isinstance(obj, dict):
        return {"~d": [[encode(k), encode(v)] for k, v in obj.items()]}
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in _NUMERIC:
            raise TypeError(f"numpy array of dtype {obj.dtype}")
        return {"~a": obj.dtype.str, "shape": list(obj.shape), "data": obj.reshape(-1).tolist()}
    if isinstance(obj, (PurePosixPath, PureWindowsPath)):
        return {"~p": str(obj)}
    name = type(obj).__name__
    if dataclasses.is_dataclass(obj) and _whitelist().get(name) is type(obj):
        return {"~c": name, "f": {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}}
    raise TypeError(f"cannot cache a {type(obj).__module__}.{name}")


def decode(data):
    """The object :func:`encode` made ``data`` from.

    Raises
    ------
    EntryError
        ``data`` holds a tag, class, field or dtype :func:`encode` never writes.
    """
    if data is None or isinstance(data, (bool, str, int, float)):
        return data
    if isinstance(data, list):
        return [decode(x) for x in data]
    if not isinstance(data, dict) or len(data) not in (1, 2, 3):
        raise EntryError(f"unexpected {type(data).__name__}")
    if "~t" in data and len(data) == 1:
        return tuple(decode(x) for x in _list(data["~t"]))
    if "~d" in data and len(data) == 1:
        out = {}
        for pair in _list(data["~d"]):
            if not isinstance(pair, list) or len(pair) != 2:
                raise EntryError("bad dict item")
            key = decode(pair[0])
            if not isinstance(key, (str, int, float, bool, tuple, type(None))):
                raise EntryError("unhashable dict key")
            out[key] = decode(pair[1])
        return out
    if "~p" in data and len(data) == 1 and isinstance(data["~p"], str):
        return Path(data["~p"])
    if "~n" in data and set(data) == {"~n", "v"}:
        dt = _dtype(data["~n"])
        if not isinstance(data["v"], (int, float, bool)):
            raise EntryError("bad numpy scalar")
        return dt.type(data["v"])
    if "~a" in data and set(data) == {"~a", "shape", "data"}:
        dt = _dtype(data["~a"])
        shape = _list(data["shape"])
        flat = _list(data["data"])
        if not all(isinstance(n, int) and n >= 0 for n in shape) or int(np.prod(shape)) != len(flat):
            raise EntryError("bad array shape")
        if not all(isinstance(x, (int, float, bool)) for x in flat):
            raise EntryError("bad array data")
        return np.array(flat, dtype=dt).reshape(shape)
    if "~c" in data and set(data) == {"~c", "f"}:
        cls = _whitelist().get(data["~c"]) if isinstance(data["~c"], str) else None
        fields = data["f"]
        if cls is None or not isinstance(fields, dict):
            raise EntryError(f"class {data['~c']!r} is not one the cache writes")
        names = {f.name for f in dataclasses.fields(cls)}
        if set(fields) != names:
            raise EntryError(f"fields of {cls.__name__} differ")
        init = {f.name for f in dataclasses.fields(cls) if f.init}
        obj = cls(**{k: decode(v) for k, v in fields.items() if k in init})
        for k in names - init:
            object.__setattr__(obj, k, decode(fields[k]))
        return obj
    raise EntryError("unknown tag")


def _list(x) -> list:
    if not isinstance(x, list):
        raise EntryError("expected a list")
    return x


def _dtype(s) -> np.dtype:
    try:
        dt = np.dtype(s) if isinstance(s, str) and len(s) < 8 else None
    except TypeError:
        dt = None
    if dt is None or dt.kind not in _NUMERIC:
        raise EntryError(f"dtype {s!r} is not one the cache writes")
    return dt


def _key(path: Path, text: str) -> str:
    import parsimonious  # noqa: F401 - its version shapes the parse
    import pysd

    from .. import __version__
    from . import parse as parse_mod
    from . import xmile_modules
    h = hashlib.sha256()
    parts = [f"format {FORMAT}", __version__, getattr(pysd, "__version__", "?"),
             _dist_version("parsimonious"), str(path.resolve()), path.suffix.lower(), text]
    for mod_file in (__file__, parse_mod.__file__, xmile_modules.__file__):
        try:
            parts.append(Path(mod_file).read_text(encoding="utf-8"))
        except (OSError, TypeError, UnicodeDecodeError):  # no source (a frozen build): versions only
            parts.append("?")
    for part in parts:
        h.update(hashlib.sha256(part.encode("utf-8", "surrogatepass")).digest())
    return h.hexdigest()


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def entry_path(path: Path, text: str, key: str | None = None) -> Path:
    """Where the cache entry of this model file with this text lives (the directory is created).

    Raises
    ------
    CacheError
        The cache directory is not private to the current user.
    """
    from ..compile.cache import private_dir
    return private_dir("parse") / f"am_{(key or _key(path, text))[:40]}.json"


def _read(entry: Path, key: str):
    """The abstract model in ``entry``, or None when there is no usable entry."""
    from ..compile.cache import read_private
    raw = read_private(entry, MAX_ENTRY_BYTES)
    if raw is None:
        return None
    try:
        doc = json.loads(raw)
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("key") != key:
            raise EntryError("written for another key or format")
        am = decode(doc["model"])
        if type(am).__name__ != "AbstractModel":
            raise EntryError("not an abstract model")
        return am
    except (ValueError, KeyError, TypeError, RecursionError, OverflowError) as exc:
        log.info("parse cache entry %s is damaged (%s); parsing again", entry, exc)
        return None


def cached_parse(path: Path, text: str, parse):
    """``parse(path, text)``, or its cached result from an earlier call with the same text.

    Only successful parses are cached; an error is raised again by parsing. A cache
    directory that is not private to the user is not used (a warning is logged).
    """
    from ..compile.cache import CacheError
    key = _key(path, text)
    try:
        entry = entry_path(path, text, key)
    except (CacheError, OSError) as exc:
        log.warning("parse cache not used: %s", exc)
        return parse(path, text)
    am = _read(entry, key)
    if am is not None:
        return am
    am = parse(path, text)
    try:
        doc = {"format": FORMAT, "key": key, "model": encode(am)}
        data = json.dumps(doc, separators=(",", ":"), allow_nan=True).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        log.debug("abstract model of %s not cached: %s", path, exc)
        return am
    from ..compile.cache import write_private
    try:
        write_private(entry, data)
    except OSError as exc:
        log.debug("parse cache entry %s not written: %s", entry, exc)
    return am
