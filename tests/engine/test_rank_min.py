"""The engine's NumPy rank (ties = min, NaN kept) equals scipy's rankdata / R's rank(ties='min')."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import rankdata

from hkfactor.engine._numeric import rank_min


@given(hnp.arrays(np.float64, st.one_of(st.tuples(st.integers(1, 7)),
                                        st.tuples(st.integers(1, 6), st.integers(1, 8)),
                                        st.tuples(st.integers(1, 3), st.integers(1, 5), st.integers(1, 4))),
                  elements=st.sampled_from([0.0, 1.0, 2.5, -3.0, 7.0, np.inf, -np.inf, np.nan])),
       st.integers(0, 2))
def test_matches_scipy_rankdata_min(x: np.ndarray, axis_pick: int) -> None:
    axis = axis_pick % x.ndim
    nan = np.isnan(x)
    want = rankdata(np.where(nan, np.inf, x), method="min", axis=axis).astype(float)
    want = np.where(nan, np.nan, want)
    np.testing.assert_array_equal(rank_min(x, axis=axis), want)


def test_ties_and_missing_by_hand() -> None:
    x = np.array([[3.0, 1.0], [1.0, np.nan], [3.0, 2.0], [2.0, 2.0]])
    np.testing.assert_array_equal(rank_min(x), [[3, 1], [1, np.nan], [3, 2], [2, 2]])


def test_empty_axis() -> None:
    assert rank_min(np.empty((0, 3))).shape == (0, 3)


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 9)),
                  elements=st.sampled_from([0.0, -0.0, 1.0, 2.5, -3.0, 7.0])),
       st.sampled_from(["min", "average"]), st.integers(0, 1))
def test_methods_ranks_match_scipy(x: np.ndarray, ties: str, axis: int) -> None:
    from hkfactor.methods._common import ranks

    np.testing.assert_array_equal(ranks(x, axis=axis, ties=ties), rankdata(x, method=ties, axis=axis))
