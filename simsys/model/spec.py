"""The loaded model as frozen data: what each element is, where it is written, what it means.

Nothing here knows how to simulate. The compiler reads these objects and
returns new ones; it never changes them.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Location

__all__ = ["ElementKind", "Component", "Element", "Lever", "Control", "Model", "name_key", "cell_label"]

_KEY_RE = re.compile(r"[\s_]+")


def name_key(name: str) -> str:
    """Normalise a model name the way Vensim compares names.

    Case, surrounding quotes and runs of spaces or underscores do not matter:
    ``"Evaluation  Reform"`` and ``evaluation_reform`` are the same variable.
    """
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return _KEY_RE.sub("_", name.strip().lower())


def cell_label(name: str, cell: tuple[str, ...]) -> str:
    """PySD's column name for one cell: ``Var`` or ``Var[a,b]``."""
    return f"{name}[{','.join(cell)}]" if cell else name


class ElementKind(enum.Enum):
    """What role an element plays in the simulation."""

    STOCK = "stock"
    FLOW = "flow"          # an auxiliary that appears in a stock's net flow
    AUXILIARY = "auxiliary"
    CONSTANT = "constant"
    LOOKUP = "lookup"
    DATA = "data"


@dataclass(frozen=True, slots=True, eq=False)
class Component:
    """One definition of (part of) an element: its subscripts and expression tree.

    ``ast`` is PySD's abstract expression, read but never modified.
    """

    subscripts: tuple[str, ...]
    excepts: tuple[tuple[str, ...], ...]
    ast: Any
    kind: str  # "normal", "lookup", "data"


@dataclass(frozen=True, slots=True, eq=False)
class Element:
    """A named model variable with all its definitions."""

    name: str
    key: str
    kind: ElementKind
    components: tuple[Component, ...]
    dims: tuple[str, ...]
    units: str
    limits: tuple[float | None, float | None, float | None]
    doc: str
    group: str
    location: Location


@dataclass(frozen=True, slots=True)
class Lever:
    """A constant with a declared ``[min, max, step]`` range: a policy a scenario may set."""

    name: str
    key: str
    dims: tuple[str, ...]
    default: Any  # float, or numpy array shaped by dims
    min: float | None
    max: float | None
    step: float | None
    units: str
    doc: str
    group: str
    location: Location


@dataclass(frozen=True, slots=True)
class Control:
    """Simulation control values, evaluated from the model's control equations."""

    initial_time: float
    final_time: float
    time_step: float
    saveper: float


@dataclass(frozen=True, slots=True, eq=False)
class Model:
    """A system-dynamics model loaded from a Vensim or XMILE file.

    Attributes
    ----------
    path : Path
        The model file.
    digest : str
        SHA-256 of the model file and every data file it reads.
    ranges : dict
        Subscript range name -> its elements, in order.
    elements : tuple of Element
        Every variable, lookup and constant (control variables excluded).
    control : Control
        INITIAL TIME, FINAL TIME, TIME STEP, SAVEPER.
    levers : tuple of Lever
        Constants that declare a ``[min, max, step]`` range.
    data_files : tuple of Path
        External files (CSV) the model reads.
    mappings : dict
        Subscript mappings: source range -> {target range: ((source element, target
        element), ...)}; a source element mapped onto a subrange has one pair per element.
    """

    path: Path
    digest: str
    ranges: dict[str, tuple[str, ...]]
    parents: dict[str, str]
    elements: tuple[Element, ...]
    control: Control
    levers: tuple[Lever, ...]
    data_files: tuple[Path, ...] = field(default=())
    mappings: dict[str, dict[str, tuple[tuple[str, str], ...]]] = field(default_factory=dict)

    def element(self, name: str) -> Element:
        """The element called ``name`` (any spelling :func:`name_key` folds together).

        Raises
        ------
        KeyError
            If there is no such element.
        """
        return _by_key(self.elements, name)

    def lever(self, name: str) -> Lever:
        """The lever called ``name``.

        Raises
        ------
        KeyError
            If there is no such lever.
        """
        return _by_key(self.levers, name)

    @property
    def stocks(self) -> tuple[Element, ...]:
        return tuple(e for e in self.elements if e.kind is ElementKind.STOCK)

    def compile(self, backend: str = "auto", kernel: str = "batch"):
        """Compile (once per process and backend) and return the compiled model; see
        :func:`simsys.compile.compile_model` for ``kernel``."""
        from ..compile import compile_model
        return compile_model(self, backend=backend, kernel=kernel)

    def run(self, params=None, **kwargs):
        """Run one scenario; see :meth:`simsys.compile.CompiledModel.run`.

        A subscripted lever may be given per element as in a scenario file:
        ``{"Reform": {"east": 0.9}}`` is ``{"Reform[east]": 0.9}``.
        """
        # one scenario: the C backend builds its one-scenario kernel first (a cold first
        # result no longer waits for the batch kernel, which a sweep builds when it needs it)
        cm = self.compile(kwargs.pop("backend", "auto"), kernel="one")
        return cm.run(per_element(params), **kwargs)

    def run_batch(self, params, **kwargs):
        """Run many scenarios at once; see :meth:`simsys.compile.CompiledModel.run_batch`.

        Per-element dicts are accepted as in :meth:`run` (values may be one per scenario).
        """
        return self.compile(kwargs.pop("backend", "auto")).run_batch(per_element(params), **kwargs)


def per_element(params):
    """Expand ``{lever: {element: value}}`` into ``{"lever[element]": value}`` keys.

    Anything else (None, a DataFrame, plain values) is returned unchanged.
    """
    from collections.abc import Mapping
    if not isinstance(params, Mapping) or not any(isinstance(v, Mapping) for v in params.values()):
        return params
    out = {}
    for name, value in params.items():
        if isinstance(value, Mapping):
            out.update({f"{name}[{elem}]": v for elem, v in value.items()})
        else:
            out[name] = value
    return out


def _by_key(items, name: str):
    """The item whose ``key`` is ``name``'s; KeyError when there is none."""
    key = name_key(name)
    for item in items:
        if item.key == key:
            return item
    raise KeyError(name)
