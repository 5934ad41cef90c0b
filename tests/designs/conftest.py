"""Fixtures of the design tests: SYNTHETIC panels from :mod:`._synthetic` (labelled; no real data)."""

from __future__ import annotations

import pandas as pd
import pytest

from ._synthetic import make_panel


@pytest.fixture(scope="session")
def panel_effect() -> pd.DataFrame:
    """SYNTHETIC: 25 cities × 19 years, 10 treated from 2014, beta = 0.3."""
    return make_panel(beta=0.3, seed=11)


@pytest.fixture(scope="session")
def panel_null() -> pd.DataFrame:
    """SYNTHETIC: as ``panel_effect`` with beta = 0."""
    return make_panel(beta=0.0, seed=12)
