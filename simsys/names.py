"""Variable names that files can hold: encode a model's names for NetCDF/Zarr and back.

NetCDF and Zarr treat ``/`` as a group separator and refuse control characters, and
``&``, quotes or ``%`` make names that other tools mangle. A name holding any of them is
stored under an encoded name (those characters as ``%XX`` of their UTF-8 bytes, with a
leading ``v`` when it would not start with a letter or digit) with the
original in the variable's ``simsys_name`` attribute; :func:`decode_names` restores the
names a user knows. Names without such characters are stored as they are.
"""
from __future__ import annotations

import re

import xarray as xr

__all__ = ["encode_name", "decode_names", "encode_names", "NAME_ATTR", "is_internal",
           "user_variables"]

NAME_ATTR = "simsys_name"
_UNSAFE = re.compile(r"[/\\&'\"%\x00-\x1f\x7f]|^[\s._]|\s$")


def encode_name(name: str) -> str:
    """``name`` with unsafe characters as ``%XX`` (unchanged when it has none)."""
    if not _UNSAFE.search(name):
        return name
    out = _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), name)
    # NetCDF wants a name to start with a letter or digit
    return out if out[0].isalnum() else "v" + out


def encode_names(ds: xr.Dataset) -> xr.Dataset:
    """``ds`` with every unsafe variable/dimension name encoded, the original in attrs."""
    names = [str(n) for n in (*ds.variables, *ds.dims)]
    mapping = {n: encode_name(n) for n in dict.fromkeys(names) if encode_name(n) != n}
    if not mapping:
        return ds
    taken = set(names) - set(mapping)
    for old, new in mapping.items():
        if new in taken:
            raise ValueError(f"encoded name {new!r} of {old!r} clashes with another variable")
    out = ds.rename(mapping)
    for old, new in mapping.items():
        if new in out.variables:
            out[new].attrs[NAME_ATTR] = old
    dims = {new: old for old, new in mapping.items() if new in out.dims and new not in out.variables}
    if dims:
        out.attrs["simsys_dim_names"] = repr(sorted(dims.items()))
    return out


def decode_names(ds: xr.Dataset) -> xr.Dataset:
    """Restore names stored by :func:`encode_names` (a Dataset without them is returned as is)."""
    mapping = {}
    for name, var in ds.variables.items():
        orig = var.attrs.get(NAME_ATTR)
        if isinstance(orig, str) and orig != name and encode_name(orig) == name:
            mapping[name] = orig
    if not mapping:
        return ds
    out = ds.rename(mapping)
    for new in mapping.values():
        out[new].attrs.pop(NAME_ATTR, None)
    return out


def is_internal(ds: xr.Dataset, name: object) -> bool:
    """True for simsys's bookkeeping in a results file or store, not a model variable.

    That is every ``simsys_*`` variable (chunk flags and digests, status and failure
    records) and a sweep's sampling ``design`` (the one over ``parameter``; a model
    variable that happens to be called "design" stays a model variable).
    """
    name = str(name)
    if name.startswith("simsys_"):
        return True
    return name == "design" and name in ds.variables and "parameter" in ds[name].dims


def user_variables(ds: xr.Dataset) -> list[str]:
    """The names of ``ds``'s data variables a user can ask for, bookkeeping left out."""
    return [str(v) for v in ds.data_vars if not is_internal(ds, v)]
