"""Every docstring example in hkfactor.methods runs and gives the printed result."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "hkfactor.methods._standardise",
    "hkfactor.methods._entropy",
    "hkfactor.methods._critic",
    "hkfactor.methods._topsis",
    "hkfactor.methods._coupling",
    "hkfactor.methods._grey",
    "hkfactor.methods._obstacle",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no runnable example"
    assert result.failed == 0


def test_public_surface_is_documented() -> None:
    import hkfactor.methods as m

    for name in m.__all__:
        obj = getattr(m, name)
        if callable(obj):
            assert (obj.__doc__ and "Examples" in obj.__doc__) or isinstance(obj, type), name
