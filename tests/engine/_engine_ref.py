"""Helpers for the engine tests: paths and loaders of the COINr ASEM reference tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

REF = Path(__file__).parent / "reference" / "coinr-asem"
RTOL = 1e-9


def ref(name: str) -> pd.DataFrame:
    """A reference CSV written by ``coinr_anchor.R`` (COINr 1.1.14)."""
    return pd.read_csv(REF / name)


def assert_table_close(got: pd.DataFrame, want: pd.DataFrame, key: str = "uCode", rtol: float = RTOL) -> None:
    """Compare by key and column names; NaN positions must agree; relative tolerance ``rtol``."""
    w = want.set_index(key)
    g = got.set_index(key)
    assert sorted(g.index) == sorted(w.index)
    missing = [c for c in w.columns if c not in g.columns]
    assert not missing, missing
    a = g.loc[w.index, list(w.columns)].to_numpy(np.float64)
    b = w.to_numpy(np.float64)
    np.testing.assert_array_equal(np.isnan(a), np.isnan(b))
    np.testing.assert_allclose(a, b, rtol=rtol, atol=1e-12, equal_nan=True)
