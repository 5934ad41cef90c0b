"""Grey relational analysis (灰色关联分析, Deng Julong)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from hkfactor.errors import InputError, Problem, SpecError
from hkfactor.methods._common import (
    Directions,
    FloatArray,
    as_matrix,
    check_finite,
    minmax_core,
    parse_directions,
    parse_weights,
)
from hkfactor.methods._topsis import rank_descending

__all__ = ["GreyResult", "grey_relational"]

Preprocessing = Literal["minmax", "initial", "mean", "none"]
_PRE = ("minmax", "initial", "mean", "none")


@dataclass(frozen=True)
class GreyResult:
    """What :func:`grey_relational` returns.

    Attributes
    ----------
    coefficients : ndarray (..., n, m) or DataFrame
        Grey relational coefficients :math:`\\xi`, same shape and labels as ``X``.
    grades : ndarray or Series
        Grey relational grade of each compared series: shape (..., n) over rows for
        ``series="rows"``, (..., m) over columns for ``series="columns"``.
    rank : ndarray of int or Series
        1 = largest grade (closest to the reference); ties share the best rank.
    """

    coefficients: Any
    grades: Any
    rank: Any


def _preprocess(a: FloatArray, dirs: FloatArray, how: str) -> FloatArray:
    """Per-column operator along axis -2 (each column is one sequence over the rows)."""
    if how == "none":
        return a
    if how == "minmax":
        return minmax_core(a, dirs, constant_value=1.0)
    base = a[..., :1, :] if how == "initial" else a.mean(axis=-2, keepdims=True)
    if np.any(base == 0):
        which = "first value" if how == "initial" else "mean"
        raise InputError(
            [Problem("X", None, None, f"preprocessing={how!r} divides by each column's {which}, which is 0")]
        )
    return a / base


def grey_core(x0: FloatArray, x: FloatArray, rho: float) -> FloatArray:
    """Coefficients :math:`\\xi` for reference ``x0`` (broadcastable) and compared ``x`` (..., n, m)."""
    delta = np.abs(x - x0)
    dmin = delta.min(axis=(-2, -1), keepdims=True)
    dmax = delta.max(axis=(-2, -1), keepdims=True)
    denom = delta + rho * dmax
    # Every series equals the reference: all deltas 0, every coefficient is 1.
    return np.where(dmax > 0, (dmin + rho * dmax) / np.where(denom > 0, denom, 1.0), 1.0)


def grey_relational(
    X: Any,
    reference: Any = None,
    *,
    series: Literal["rows", "columns"] = "rows",
    preprocessing: Preprocessing = "minmax",
    directions: Directions = None,
    rho: float = 0.5,
    weights: Any = None,
) -> GreyResult:
    r"""Grey relational coefficients and grades (Deng 1982, 1989).

    Formula, for compared sequences :math:`x_i` and reference :math:`x_0` over points
    :math:`k`, after preprocessing:

    * :math:`\Delta_i(k) = |x_0(k) - x_i(k)|`, :math:`\Delta_{\min} = \min_i\min_k\Delta_i(k)`,
      :math:`\Delta_{\max} = \max_i\max_k\Delta_i(k)`;
    * coefficient :math:`\xi_i(k) = (\Delta_{\min} + \rho\Delta_{\max}) / (\Delta_i(k) + \rho\Delta_{\max})`,
      :math:`\rho \in (0, 1]`, default 0.5;
    * grade :math:`\gamma_i = \sum_k w_k \xi_i(k)` (plain mean when ``weights`` is None).

    Two layouts (preprocessing is always per column):

    ``series="rows"`` — multiple attribute decision making (Kuo, Yang & Huang 2008)
        Rows are alternatives, columns are attributes. Each attribute (column) is
        preprocessed over the alternatives; the reference is a row of ``m`` values, or
        ``None`` for the ideal sequence (best value of each column after preprocessing: the
        max for a positive column, the min for a negative one if ``preprocessing`` does not
        already reverse it). A given reference is preprocessed together with ``X`` (as its
        first row, so ``"initial"`` divides by the reference). Grades are per row, and
        ``weights`` are attribute weights (``m``).
    ``series="columns"`` — Deng's factor analysis of time series
        Rows are points (e.g. years), columns are factor sequences; the reference is the
        target sequence (``n`` values, required). Each sequence, the reference included, is
        preprocessed by its own first value / mean / range. Grades are per column, and
        ``weights`` are point weights (``n``).

    Preprocessing (灰色关联生成): ``"minmax"`` (区间值化; with ``directions``: positive
    :math:`(x-\min)/(\max-\min)`, negative :math:`(\max-x)/(\max-\min)`), ``"initial"``
    (初值化, :math:`x(k)/x(1)`), ``"mean"`` (均值化, :math:`x(k)/\bar x`), ``"none"``.

    Parameters
    ----------
    X : array_like of shape (..., n, m), or DataFrame
    reference : array_like, Series, optional
        See the layouts above.
    series : {"rows", "columns"}, default "rows"
    preprocessing : {"minmax", "initial", "mean", "none"}, default "minmax"
    directions : sequence or mapping, optional
        1 / -1 per column; used by ``"minmax"`` and by the ideal reference.
    rho : float, default 0.5
        Distinguishing coefficient (分辨系数).
    weights : array_like, optional
        Non-negative, rescaled to sum to 1.

    Returns
    -------
    GreyResult
        ``coefficients`` (..., n, m), ``grades`` and ``rank``; labelled for a DataFrame.

    Raises
    ------
    InputError
        NaN or infinite values (per column, named), since :math:`\Delta_{\min}` and
        :math:`\Delta_{\max}` range over every cell; a zero divisor for ``"initial"``/``"mean"``.
    SpecError
        Bad ``rho``, ``series``, ``preprocessing``, reference or weights.

    Notes
    -----
    Coefficients lie in :math:`(0, 1]`; if every sequence equals the reference all are 1.
    A constant column under ``"minmax"`` is mapped to 1.

    References
    ----------
    Deng, J.-L. (1982). Control problems of grey systems. *Systems & Control Letters* 1(5):
    288–294. Deng, J.-L. (1989). Introduction to grey system theory. *The Journal of Grey
    System* 1(1): 1–24. Kuo, Y., Yang, T. & Huang, G.-W. (2008). The use of grey relational
    analysis in solving multiple attribute decision-making problems. *Computers &
    Industrial Engineering* 55(1): 80–93.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 0.8], [0.5, 1.0], [0.0, 0.2]])
    >>> grey_relational(X, preprocessing="none").grades.round(4)
    array([0.8571, 0.75  , 0.359 ])
    """
    if preprocessing not in _PRE:
        raise SpecError(f"unknown preprocessing {preprocessing!r}; valid: {', '.join(_PRE)}")
    if series not in ("rows", "columns"):
        raise SpecError(f"series must be 'rows' or 'columns', got {series!r}")
    if not (np.isfinite(rho) and 0 < rho <= 1):
        raise SpecError(f"rho must lie in (0, 1], got {rho!r}")
    arr, labels = as_matrix(X)
    check_finite(arr, labels, what="grey relational analysis")
    n, m = arr.shape[-2], arr.shape[-1]
    dirs = parse_directions(directions, m, labels)

    if series == "rows":
        if reference is None:
            z = _preprocess(arr, dirs, preprocessing)
            hi = z.max(axis=-2, keepdims=True)
            lo = z.min(axis=-2, keepdims=True)
            x0 = hi if preprocessing == "minmax" else np.where(dirs > 0, hi, lo)
        else:
            ref = np.asarray(
                reference.reindex(labels.columns) if isinstance(reference, pd.Series) and labels.is_frame else reference,
                dtype=np.float64,
            )
            if ref.shape[-1:] != (m,):
                raise SpecError(f"a row reference needs {m} values, got shape {ref.shape}")
            if not np.all(np.isfinite(ref)):
                raise InputError([Problem("reference", None, None, "missing or infinite values")])
            ref_b = np.broadcast_to(ref[..., None, :], (*arr.shape[:-2], 1, m))
            z_all = _preprocess(np.concatenate([ref_b, arr], axis=-2), dirs, preprocessing)
            x0, z = z_all[..., :1, :], z_all[..., 1:, :]
        xi = grey_core(x0, z, rho)
        w = np.full(m, 1.0 / m) if weights is None else parse_weights(weights, m, labels)
        grades = (xi * w[..., None, :]).sum(axis=-1)
    else:
        if reference is None:
            raise SpecError("series='columns' needs the reference sequence (one value per row)")
        ref = np.asarray(
            reference.reindex(labels.index) if isinstance(reference, pd.Series) and labels.is_frame else reference,
            dtype=np.float64,
        )
        if ref.shape[-1:] != (n,):
            raise SpecError(f"a column reference needs {n} values (one per row), got shape {ref.shape}")
        if not np.all(np.isfinite(ref)):
            raise InputError([Problem("reference", None, None, "missing or infinite values")])
        ref_b = np.broadcast_to(ref[..., :, None], (*arr.shape[:-2], n, 1))
        x0 = _preprocess(ref_b, np.ones(1), preprocessing)
        z = _preprocess(arr, dirs, preprocessing)
        xi = grey_core(x0, z, rho)
        if weights is None:
            w = np.full(n, 1.0 / n)
        else:
            w = np.asarray(weights, dtype=np.float64)
            if w.shape[-1:] != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0) or np.any(w.sum(-1) <= 0):
                raise SpecError(f"point weights must be {n} non-negative numbers with a positive sum")
            w = w / w.sum(axis=-1, keepdims=True)
        grades = (xi * w[..., :, None]).sum(axis=-2)
    rank = rank_descending(grades)
    if labels.is_frame and xi.ndim == 2:
        axis_labels = labels.index if series == "rows" else labels.columns
        return GreyResult(
            coefficients=pd.DataFrame(xi, index=labels.index, columns=labels.columns),
            grades=pd.Series(grades, index=axis_labels, name="grade"),
            rank=pd.Series(rank, index=axis_labels, name="rank"),
        )
    return GreyResult(coefficients=xi, grades=grades, rank=rank)
