"""How counts read in messages: "1 lever", "2 levers", "1 worker process", "0 chunks"."""
from __future__ import annotations

__all__ = ["count", "plural"]

# nouns whose plural is not the singular + "s"
_IRREGULAR = {"analysis": "analyses", "index": "indices", "matrix": "matrices",
              "datum": "data", "criterion": "criteria"}


def plural(n: int | float, noun: str, plural_form: str | None = None) -> str:
    """``noun`` in the form that goes with ``n`` (singular only for exactly 1).

    The last word of a phrase is inflected: ``plural(2, "worker process")`` gives
    ``"worker processes"``.

    Parameters
    ----------
    n : int or float
        The count.
    noun : str
        The singular noun or noun phrase.
    plural_form : str, optional
        The plural, when it is neither in the table of irregular nouns nor ``noun + "s"``.

    Returns
    -------
    str
        ``noun`` or its plural.
    """
    if n == 1:
        return noun
    if plural_form is not None:
        return plural_form
    head, _, last = noun.rpartition(" ")
    if last in _IRREGULAR:
        many = _IRREGULAR[last]
    elif last.endswith("y") and last[-2:-1] not in tuple("aeiou"):
        many = last[:-1] + "ies"  # auxiliary -> auxiliaries, but day -> days
    elif last.endswith(("s", "x", "ch", "sh")):
        many = last + "es"
    else:
        many = last + "s"
    return f"{head} {many}" if head else many


def count(n: int | float, noun: str, plural_form: str | None = None) -> str:
    """``"<n> <noun>"`` with the noun agreeing: ``count(1, "lever") == "1 lever"``."""
    shown = str(n) if isinstance(n, int) else f"{n:g}"
    return f"{shown} {plural(n, noun, plural_form)}"
