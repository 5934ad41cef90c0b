"""Every docstring example in the package runs and prints what it shows (documented examples are tests).

One test, run over every module of :mod:`hkfactor` except the CLI entry points.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import hkfactor

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(hkfactor.__path__, prefix="hkfactor.")
    if not m.name.startswith(("hkfactor.cli", "hkfactor.__main__"))
)
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def test_modules_found() -> None:
    assert {"hkfactor.engine.kernels", "hkfactor.methods._entropy", "hkfactor.units"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"

