"""Compile a loaded model into batched functions (one pass, cached per process)."""
from __future__ import annotations

import re
import threading

import logging

from ..errors import SimsysError
from ..model.spec import Model
from .compiled import CompiledModel
from .graph import aux_order, init_order
from .lower import lower_model

__all__ = ["compile_model", "CompiledModel"]

log = logging.getLogger(__name__)
_CACHE: dict = {}
_LOCK = threading.Lock()


def compile_model(model: Model, backend: str = "auto", *, grouped: bool = True,
                  kernel: str = "batch") -> CompiledModel:
    """Compile ``model`` for the given backend (cached by model digest and backend).

    Parameters
    ----------
    model : Model
    backend : {"auto", "numpy", "c"}
        "auto" picks "c" when a working C compiler is present, numpy otherwise.
    grouped : bool
        Numpy code with one statement per group of like cells (:mod:`.vectorize`); False
        gives the per-cell generator, kept as the bit-for-bit reference.
    kernel : {"batch", "one"}
        Which C kernel to build now, so that a compiler failure shows here: "batch" (blocks
        of scenarios, what sweeps use) or "one" (a single scenario, what :meth:`Model.run`
        uses). The other is built on its first use; both give the same bits. Ignored by numpy.

    Returns
    -------
    CompiledModel

    Raises
    ------
    ModelStructureError, UnsupportedFeature
        Problems only visible when the equations are lowered (undefined names, loops...).
    """
    from .backends import BACKENDS, resolve_backend
    requested = backend
    backend = resolve_backend(backend)
    key = (str(model.path), model.digest, backend, grouped)
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None:
        return hit
    from . import ir_cache
    cached = ir_cache.load_lowered(model, grouped)
    if cached is not None:
        L, order, inits, c_hashes = cached
    else:
        L = lower_model(model)

        def where(label):
            base = re.sub(r"\[.*$", "", str(label))
            try:
                e = model.element(base)
                return e.location, e.name
            except KeyError:
                return None, str(label)

        order = aux_order(L, where)
        inits = init_order(L, where)
        c_hashes = {}
    cm = CompiledModel(model=model, layout=L, aux_order=order, init_nodes=inits,
                       backend="numpy", grouped=grouped)
    if backend != "numpy":
        try:
            cm = BACKENDS[backend](cm, c_hashes, kernel)
        except SimsysError as err:
            if requested != "auto" or backend != "c":
                raise
            # "auto" never fails for want of a compiled backend: numpy runs every model
            log.warning("%s: the C backend could not build this model (%s); using numpy",
                        model.path, err)
    if cm.backend == "numpy":
        cm.source  # generate now: a numpy model runs it at once  # noqa: B018
    new_hashes = getattr(cm, "c_hashes", {})
    if cached is None or (new_hashes and new_hashes != c_hashes):
        ir_cache.store_lowered(model, grouped, L, order, inits, new_hashes or c_hashes)
    with _LOCK:
        _CACHE[key] = cm
    return cm
