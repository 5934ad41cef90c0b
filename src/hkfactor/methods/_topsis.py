"""TOPSIS (Technique for Order of Preference by Similarity to Ideal Solution)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from hkfactor.errors import SpecError
from hkfactor.methods._common import (
    Directions,
    FloatArray,
    as_matrix,
    check_finite,
    minmax_core,
    parse_directions,
    parse_weights,
    wrap_rows,
)

__all__ = ["TopsisResult", "rank_descending", "topsis"]

Normalisation = Literal["vector", "minmax"]


@dataclass(frozen=True)
class TopsisResult:
    """What :func:`topsis` returns.

    Attributes
    ----------
    d_plus : ndarray (..., n) or Series
        Euclidean distance of each alternative to the positive ideal solution, :math:`D^+_i`.
    d_minus : ndarray (..., n) or Series
        Distance to the negative ideal solution, :math:`D^-_i`.
    closeness : ndarray (..., n) or Series
        Relative closeness :math:`C_i = D^-_i / (D^+_i + D^-_i)` in [0, 1]; larger is better.
    rank : ndarray (..., n) of int or Series
        1 = best (largest closeness); ties share the smallest rank ("1224" ranking).
    """

    d_plus: Any
    d_minus: Any
    closeness: Any
    rank: Any


def rank_descending(score: FloatArray) -> np.ndarray:
    """Competition ranks along the last axis, 1 = largest score; ties share the best rank."""
    from hkfactor.methods._common import ranks

    return np.asarray(ranks(-np.asarray(score, dtype=np.float64), axis=-1, ties="min"), dtype=np.int64)


def topsis_core(arr: FloatArray, w: FloatArray, dirs: FloatArray, normalisation: str) -> tuple[FloatArray, ...]:
    """Return ``(d_plus, d_minus, closeness)`` for a finite ``(..., n, m)`` matrix."""
    if normalisation == "vector":
        norm = np.sqrt((arr**2).sum(axis=-2, keepdims=True))
        r = arr / np.where(norm > 0, norm, 1.0)
        v = r * w[..., None, :]
        hi = v.max(axis=-2, keepdims=True)
        lo = v.min(axis=-2, keepdims=True)
        best = np.where(dirs > 0, hi, lo)
        worst = np.where(dirs > 0, lo, hi)
    else:
        v = minmax_core(arr, dirs, constant_value=1.0) * w[..., None, :]
        best = v.max(axis=-2, keepdims=True)
        worst = v.min(axis=-2, keepdims=True)
    d_plus = np.sqrt(((v - best) ** 2).sum(axis=-1))
    d_minus = np.sqrt(((v - worst) ** 2).sum(axis=-1))
    total = d_plus + d_minus
    closeness = np.where(total > 0, d_minus / np.where(total > 0, total, 1.0), 0.5)
    return d_plus, d_minus, closeness


def topsis(
    X: Any,
    weights: Any,
    *,
    directions: Directions = None,
    normalisation: Normalisation = "vector",
) -> TopsisResult:
    r"""Rank alternatives by TOPSIS (Hwang & Yoon 1981).

    Formula:

    1. normalise: ``"vector"`` :math:`r_{ij} = x_{ij} / \sqrt{\sum_i x_{ij}^2}` (the
       original); ``"minmax"`` the direction-aware min-max of the Chinese 熵权-TOPSIS papers,
       after which every column is positive;
    2. weight: :math:`v_{ij} = w_j r_{ij}` with :math:`\sum_j w_j = 1` (weights are rescaled
       to sum to 1; this changes no closeness or rank);
    3. ideal solutions: :math:`A^+_j = \max_i v_{ij}` for a benefit criterion,
       :math:`\min_i v_{ij}` for a cost one, and :math:`A^-_j` the opposite;
    4. distances :math:`D^\pm_i = \sqrt{\sum_j (v_{ij} - A^\pm_j)^2}`;
    5. closeness :math:`C_i = D^-_i / (D^+_i + D^-_i)`, rank 1 = largest :math:`C_i`.

    Parameters
    ----------
    X : array_like of shape (..., n, m), or DataFrame
        ``n`` alternatives by ``m`` criteria; leading axes are batches.
    weights : array_like of shape (m,) or (..., m), Series, or mapping
        Non-negative criterion weights; a Series or mapping is matched to the columns by
        label.
    directions : sequence or mapping, optional
        1 (benefit) / -1 (cost) per column; ``None`` = all benefit.
    normalisation : {"vector", "minmax"}, default "vector"

    Returns
    -------
    TopsisResult
        ``d_plus``, ``d_minus``, ``closeness``, ``rank``: arrays of shape (..., n), or
        Series indexed by the DataFrame's rows.

    Raises
    ------
    InputError
        NaN or infinite values (per column, named): the ideal solutions depend on every row.
    SpecError
        Bad weights, unknown normalisation.

    Notes
    -----
    Vector normalisation is invariant to a positive rescaling of a column (change of
    units without offset); min-max to any positive affine change. A constant column adds
    nothing to either distance. If every alternative is identical on every weighted
    criterion, :math:`D^+ = D^- = 0` and all closeness values are set to 0.5 (a full tie).

    References
    ----------
    Hwang, C.-L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
    Applications*. Lecture Notes in Economics and Mathematical Systems 186, Springer,
    pp. 128–140 (the fighter-aircraft example on p. 133 is pinned in the tests).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[250.0, 16, 12, 5], [200, 16, 8, 3], [300, 32, 16, 4], [275, 32, 8, 4]])
    >>> res = topsis(X, [0.25, 0.25, 0.25, 0.25], directions=[-1, 1, 1, 1])
    >>> res.closeness.round(4)
    array([0.4587, 0.2667, 0.6798, 0.4635])
    >>> res.rank
    array([3, 4, 1, 2])
    """
    if normalisation not in ("vector", "minmax"):
        raise SpecError(f"unknown TOPSIS normalisation {normalisation!r}; valid: minmax, vector")
    arr, labels = as_matrix(X)
    check_finite(arr, labels, what="TOPSIS")
    m = arr.shape[-1]
    w = parse_weights(weights, m, labels)
    dirs = parse_directions(directions, m, labels)
    d_plus, d_minus, closeness = topsis_core(arr, w, dirs, normalisation)
    rank = rank_descending(closeness)
    return TopsisResult(
        d_plus=wrap_rows(d_plus, labels, "d_plus"),
        d_minus=wrap_rows(d_minus, labels, "d_minus"),
        closeness=wrap_rows(closeness, labels, "closeness"),
        rank=wrap_rows(rank, labels, "rank"),
    )
