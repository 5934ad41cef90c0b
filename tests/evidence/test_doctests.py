"""Every example in the evidence and units docstrings runs (documented examples are tests)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "hkfactor.units",
    "hkfactor.evidence",
    "hkfactor.evidence._evidence",
    "hkfactor.evidence._expr",
    "hkfactor.evidence.audit",
    "hkfactor.evidence.vocab",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
