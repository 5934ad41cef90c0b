from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import rankdata

from hkfactor.robustness import mean_abs_rank_shift, rank_desc, rank_stats


def test_ties_take_min_rank_and_nan_keeps() -> None:
    r = rank_desc([[3.0, 5.0, 5.0, 1.0], [1.0, np.nan, 2.0, 2.0]])
    np.testing.assert_array_equal(r, [[3, 1, 1, 4], [3, np.nan, 1, 1]])


@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 12)),
                  elements=st.sampled_from([0.0, 1.0, 2.5, -3.0, 7.0, np.nan])))
def test_matches_r_rank_min_keep(x: np.ndarray) -> None:
    """Per row equal to R's rank(-x, ties = 'min', na.last = 'keep') (scipy rankdata 'min')."""
    got = rank_desc(x)
    for row, g in zip(x, got, strict=True):
        ok = ~np.isnan(row)
        want = np.full(row.shape, np.nan)
        if ok.any():
            want[ok] = rankdata(-row[ok], method="min")
        np.testing.assert_array_equal(g, want)


def test_axis_argument() -> None:
    x = np.random.default_rng(0).random((5, 7))
    np.testing.assert_array_equal(rank_desc(x, axis=0), rank_desc(x.T).T)


def test_rank_stats_quantiles_are_r_type7() -> None:
    r = np.arange(1.0, 21.0)[:, None]  # 20 replications of one unit
    s = rank_stats(r)
    # R: quantile(1:20, c(.05, .5, .95)) = 1.95, 10.5, 19.05
    np.testing.assert_allclose([s["q5"][0], s["median"][0], s["q95"][0]], [1.95, 10.5, 19.05])
    assert s["mean"][0] == pytest.approx(10.5)


def test_rank_stats_ignore_failed_replications() -> None:
    r = np.array([[1.0, 2.0], [np.nan, np.nan], [3.0, 2.0]])
    s = rank_stats(r)
    np.testing.assert_allclose(s["mean"], [2.0, 2.0])


def test_mean_abs_rank_shift() -> None:
    nom = np.array([1.0, 2.0, 3.0])
    r = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [np.nan, np.nan, np.nan]])
    out = mean_abs_rank_shift(r, nom)
    np.testing.assert_allclose(out[:2], [0.0, 4.0 / 3.0])
    assert np.isnan(out[2])
