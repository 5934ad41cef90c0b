"""Batched ranking and rank statistics (pure NumPy).

Replications are an array axis: every function here works on ``(..., n_units)`` arrays
at once, never in a Python loop over replications.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hkfactor.engine.kernels import rank_desc as _engine_rank_desc

__all__ = ["mean_abs_rank_shift", "rank_desc", "rank_stats"]


def rank_desc(scores: ArrayLike, *, axis: int = -1) -> NDArray[np.float64]:
    """Rank scores from highest (rank 1) to lowest, with COINr's tie rule.

    The rule is COINr ``rank_df``: ``rank(-x, ties.method = "min", na.last = "keep")``.
    Tied scores share the smallest rank of their block (1, 2, 2, 4); ``NaN`` scores get a
    ``NaN`` rank and do not take a rank from anyone.

    Parameters
    ----------
    scores : array_like, shape (..., n_units)
        Scores; leading axes are replications (or any batch).
    axis : int, default -1
        The units axis.

    Returns
    -------
    ndarray of float, same shape as ``scores``
        Ranks ``1 + #{j : x_j > x_i}`` (float so that ``NaN`` fits).

    Notes
    -----
    The engine's kernel (:func:`hkfactor.engine.kernels.rank_desc`) does the work: one
    call ranks every replication.

    Examples
    --------
    >>> rank_desc([[3.0, 5.0, 5.0, 1.0], [1.0, float("nan"), 2.0, 2.0]])
    array([[ 3.,  1.,  1.,  4.],
           [ 3., nan,  1.,  1.]])
    """
    return np.asarray(_engine_rank_desc(np.asarray(scores, dtype=float), axis=axis), dtype=float)


def rank_stats(ranks: ArrayLike, *, axis: int = 0) -> dict[str, NDArray[np.float64]]:
    """Summary statistics of each unit's rank over replications (COINr ``RankStats``).

    Parameters
    ----------
    ranks : array_like, shape (n_rep, n_units)
        Ranks per replication (``NaN`` for a failed replication, ignored as COINr's
        ``na.rm = TRUE`` does).
    axis : int, default 0
        The replications axis.

    Returns
    -------
    dict of str to ndarray, each shape (n_units,)
        ``mean``, ``median``, ``q5`` and ``q95``; quantiles use linear interpolation
        between order statistics, i.e. R's default ``quantile(type = 7)``.
    """
    r = np.asarray(ranks, dtype=float)
    if r.shape[axis] == 0 or np.all(np.isnan(r)):
        nan = np.full(np.delete(np.array(r.shape), axis), np.nan)
        return {"mean": nan, "median": nan.copy(), "q5": nan.copy(), "q95": nan.copy()}
    q = np.nanquantile(r, [0.05, 0.5, 0.95], axis=axis)
    return {"mean": np.nanmean(r, axis=axis), "median": q[1], "q5": q[0], "q95": q[2]}


def mean_abs_rank_shift(ranks: ArrayLike, nominal: ArrayLike) -> NDArray[np.float64]:
    r"""Mean absolute rank shift of each replication from the nominal ranks.

    .. math:: \bar{R}_s = \frac{1}{n}\sum_{i=1}^{n} |r_{s,i} - r^0_i|

    over the units with a rank in both (COINr ``get_sensitivity``'s SA target).

    Parameters
    ----------
    ranks : array_like, shape (..., n_units)
    nominal : array_like, shape (n_units,)

    Returns
    -------
    ndarray, shape (...)
    """
    d = np.abs(np.asarray(ranks, dtype=float) - np.asarray(nominal, dtype=float))
    ok = ~np.isnan(d)
    cnt = ok.sum(axis=-1)
    tot = np.where(ok, d, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 0, tot / np.maximum(cnt, 1), np.nan)
