"""Run the numpydoc examples of the engine modules (every documented example is executed)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "hkfactor.engine.kernels",
    "hkfactor.engine.index",
    "hkfactor.engine.recipe",
    "hkfactor.engine.frames",
    "hkfactor.engine.coinr",
    "hkfactor.engine.tree",
    "hkfactor.engine.framework",
    "hkfactor.engine.analysis",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
