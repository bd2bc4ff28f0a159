"""A per-user disk cache of lowered models, so a model compiled once compiles in milliseconds.

Lowering (:func:`.lower.lower_model`) and ordering take most of :func:`compile_model`'s time
(0.7 s of 0.8 s on the 31-province talent model), and their product -- the
:class:`~.lower.Layout`, the auxiliary order and the initialisation order -- is a function of
the model's text and data files (``Model.digest``) and of simsys's own code alone. An entry
holds that product and, once the C backend has built the kernel, the hash of the kernel's
C text, so a cached C model loads its shared library without generating the text again.

Entries live in ``$XDG_CACHE_HOME/simsys/ir`` (private, see :mod:`.cache`) as pickles read
by an unpickler that resolves only three names (``Layout`` and the two numpy functions
that rebuild an array); anything else in an entry is an error, so an entry cannot make
simsys import or call anything. They are keyed by the model digest, the versions of
Python, numpy and simsys and a hash of simsys's source, so a changed model, data file or
simsys gives a new entry. An entry that is unreadable, damaged, written for another key or
that names anything else is ignored and rewritten.
"""
from __future__ import annotations

import hashlib
import io
import logging
import pickle
import sys
from pathlib import Path

import numpy as np

from .cache import CacheError, private_dir, read_private, write_private
from .lower import Layout

__all__ = ["load_lowered", "store_lowered", "FORMAT"]

log = logging.getLogger(__name__)

#: bumped whenever the entry's contents change
FORMAT = 2
#: an entry larger than this is not read (the 31-province model's is ~2.5 MB)
MAX_ENTRY_BYTES = 512 * 1024 * 1024
_ALLOWED = frozenset({("simsys.compile.lower", "Layout"), ("numpy._core.numeric", "_frombuffer"),
                      ("numpy", "dtype")})
_CODE_HASH: str | None = None


class _Unpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a name the cache writes")
        return super().find_class(module, name)


def _code_hash() -> str:
    """A hash of simsys's own source (every module), computed once per process."""
    global _CODE_HASH
    if _CODE_HASH is None:
        h = hashlib.sha256()
        root = Path(__file__).resolve().parent.parent
        for f in sorted(root.rglob("*.py")):
            h.update(str(f.relative_to(root)).encode())
            try:
                h.update(hashlib.sha256(f.read_bytes()).digest())
            except OSError:
                h.update(b"?")
        _CODE_HASH = h.hexdigest()
    return _CODE_HASH


def _key(model, grouped: bool) -> str:
    from .. import __version__
    h = hashlib.sha256()
    for part in (f"format {FORMAT}", model.digest, str(bool(grouped)), __version__, np.__version__,
                 sys.version, _code_hash()):
        h.update(hashlib.sha256(part.encode("utf-8", "surrogatepass")).digest())
    return h.hexdigest()


def _entry(key: str) -> Path:
    return private_dir("ir") / f"ir_{key[:40]}.pickle"


def load_lowered(model, grouped: bool):
    """``(layout, aux_order, init_nodes, c_hashes)`` of an earlier compile of ``model``, or None.

    ``c_hashes`` maps each C kernel variant (``"batch"``, ``"one"``) to the sha256 (hex) of
    its text; empty when no C kernel was built.
    """
    key = _key(model, grouped)
    try:
        raw = read_private(_entry(key), MAX_ENTRY_BYTES)
    except (CacheError, OSError) as exc:
        log.warning("compile cache not used: %s", exc)
        return None
    if raw is None:
        return None
    try:
        doc = _Unpickler(io.BytesIO(raw)).load()
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("key") != key:
            raise ValueError("written for another key or format")
        L, order, inits, hashes = doc["layout"], doc["aux_order"], doc["init_nodes"], doc["c_hashes"]
        if (type(L) is not Layout or not isinstance(order, list) or not isinstance(inits, list)
                or not isinstance(hashes, dict)
                or not all(isinstance(k, str) and isinstance(v, str) for k, v in hashes.items())):
            raise ValueError("unexpected contents")
        return L, order, inits, dict(hashes)
    except Exception as exc:  # noqa: BLE001 - any damage means: compile again
        log.info("compile cache entry for %s is damaged (%s); compiling again", model.path, exc)
        return None


def store_lowered(model, grouped: bool, layout, aux_order, init_nodes, c_hashes=None) -> None:
    """Remember the lowered ``model`` (a failure to write is logged, never raised)."""
    key = _key(model, grouped)
    doc = {"format": FORMAT, "key": key, "layout": layout, "aux_order": list(aux_order),
           "init_nodes": list(init_nodes), "c_hashes": dict(c_hashes or {})}
    try:
        data = pickle.dumps(doc, protocol=5)
        write_private(_entry(key), data)
    except (CacheError, OSError, pickle.PicklingError, TypeError, RecursionError) as exc:
        log.debug("compile cache entry for %s not written: %s", model.path, exc)
