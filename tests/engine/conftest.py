"""Shared fixtures: the COINr ASEM example built by hkfactor."""

from __future__ import annotations

from pathlib import Path

import pytest

from hkfactor.engine import Index, asem_recipe

REF = Path(__file__).parent / "reference" / "coinr-asem"


@pytest.fixture(scope="session")
def asem() -> Index:
    """The ASEM example built with the recipe of COINr's ``build_example_coin()``."""
    return Index.from_coinr(REF / "input_ASEM_iData.csv", REF / "input_ASEM_iMeta.csv", asem_recipe())
