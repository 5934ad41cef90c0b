"""Explicit method registries.

A :class:`Registry` maps a method name to a plain function. Entries are added with the
:meth:`Registry.register` decorator at import time of the module that defines them; there
is no package walking and nothing is attached at run time. Looking up an unknown name
raises :class:`~hkfactor.errors.MethodNotFoundError` listing the valid names.

Example
-------
>>> NORMALISERS: Registry = Registry("normalisation")
>>> @NORMALISERS.register("identity")
... def _identity(x, **params):
...     return x
>>> NORMALISERS["identity"](3)
3
>>> NORMALISERS["nope"]
Traceback (most recent call last):
...
hkfactor.errors.MethodNotFoundError: unknown normalisation method 'nope'; valid: identity
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from hkfactor.errors import MethodNotFoundError, SpecError

__all__ = ["Registry"]

F = TypeVar("F", bound=Callable[..., Any])


class Registry(Mapping[str, Callable[..., Any]]):
    """A named, read-only-after-import mapping of method names to functions."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Callable[..., Any]] = {}

    def register(self, name: str) -> Callable[[F], F]:
        """Decorator adding a function under ``name``; a duplicate name is an error."""

        def deco(fn: F) -> F:
            if name in self._entries:
                raise SpecError(f"{self.kind} method {name!r} registered twice")
            self._entries[name] = fn
            return fn

        return deco

    def __getitem__(self, name: str) -> Callable[..., Any]:
        try:
            return self._entries[name]
        except KeyError:
            raise MethodNotFoundError(self.kind, name, list(self._entries)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Registry({self.kind!r}, {sorted(self._entries)})"
