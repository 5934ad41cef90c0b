"""Private NumPy helpers shared by the kernels (NaN-aware moments, ranks, errors)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hkfactor.errors import SpecError

__all__ = [
    "FloatArray",
    "ValueDomainError",
    "as_float",
    "col_param",
    "nan_kurt",
    "nan_skew",
    "nan_skew_kurt",
    "rank_min",
]

FloatArray = NDArray[np.float64]


class ValueDomainError(SpecError):
    """A value is outside a method's domain (e.g. ``<= 0`` for a geometric mean).

    The kernels only know positions; the DataFrame and Index layers catch this and
    re-raise it naming the indicator and unit.

    Attributes
    ----------
    positions : tuple[tuple[int, ...], ...]
        Index tuples ``(..., unit, column)`` of the offending cells (at most 10).
    """

    def __init__(self, message: str, positions: Any = ()) -> None:
        self.positions = tuple(tuple(int(i) for i in p) for p in positions)[:10]
        super().__init__(message)


def as_float(x: ArrayLike, *, min_ndim: int = 2, name: str = "x") -> FloatArray:
    """Return ``x`` as a float64 array with at least ``min_ndim`` dimensions.

    Text, pandas ``NA`` or other non-numbers raise :class:`SpecError` (pandas ``NA`` in a
    nullable DataFrame or Series becomes NaN); an array with no units or no columns raises
    :class:`SpecError` too. Booleans are refused (``True`` is not a measurement).
    """
    if (hasattr(x, "to_numpy") and hasattr(x, "dtype")) or hasattr(x, "dtypes"):
        try:
            x = x.to_numpy(dtype=np.float64, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise SpecError(f"{name} must hold numbers only: {exc}") from None
    if not (isinstance(x, np.ndarray) and x.dtype == np.float64):
        try:
            raw = np.asarray(x)
        except (TypeError, ValueError) as exc:
            raise SpecError(f"{name} must be a rectangular array of numbers: {exc}") from None
        if raw.dtype.kind == "b":
            raise SpecError(f"{name} holds true/false values, not numbers")
        if raw.dtype.kind in "USMm":
            raise SpecError(f"{name} must hold numbers only, not {(raw.dtype.kind in 'US' and 'text') or 'dates'}")
        try:
            x = raw.astype(np.float64)
        except (TypeError, ValueError, OverflowError) as exc:
            raise SpecError(f"{name} must hold numbers only (no text or pandas NA): {exc}") from None
    a = np.asarray(x, dtype=np.float64)
    if a.ndim < min_ndim:
        raise SpecError(f"{name} must have at least {min_ndim} dimensions (..., n_units, n_indicators); got shape {a.shape}")
    if a.size == 0 and min_ndim >= 2 and (a.shape[-1] == 0 or a.shape[-2] == 0):
        raise SpecError(f"{name} is empty (shape {a.shape}): no units or no indicators")
    return a


def col_param(value: Any, x: FloatArray, name: str) -> FloatArray:
    """Broadcast a per-indicator parameter to shape ``(..., 1, n_indicators)``."""
    v = np.asarray(value, dtype=np.float64)
    if v.ndim == 0:
        return v
    try:
        return np.broadcast_to(v[..., None, :], (*np.broadcast_shapes(v.shape[:-1], x.shape[:-2]), 1, x.shape[-1]))
    except ValueError:
        raise SpecError(
            f"parameter {name!r} has shape {v.shape}; expected a scalar or one value per indicator "
            f"(last axis {x.shape[-1]})"
        ) from None


def _moments(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    x = np.ascontiguousarray(x)
    ok = ~np.isnan(x)
    if ok.all():  # fast path: no missing values
        n = np.full(x.shape[:-2] + x.shape[-1:], float(x.shape[-2]))
        d = x - x.mean(axis=-2, keepdims=True)
    else:
        n = ok.sum(axis=-2).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(ok, x, 0.0).sum(axis=-2) / n
            d = np.where(ok, x - mean[..., None, :], 0.0)
    d2 = d * d
    m2 = d2.sum(axis=-2)
    m3 = (d2 * d).sum(axis=-2)
    m4 = (d2 * d2).sum(axis=-2)
    return n, m2, m3, m4


def nan_skew_kurt(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    """:func:`nan_skew` and :func:`nan_kurt` from one pass over the data."""
    n, m2, m3, m4 = _moments(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        sk = np.sqrt(n) * m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
        r = n * m4 / (m2 * m2)
        kt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    sk = np.where((n < 3) | (m2 <= 0), np.nan, sk)
    kt = np.where((n < 4) | (m2 <= 0), np.nan, kt)
    return np.asarray(sk, dtype=np.float64), np.asarray(kt, dtype=np.float64)


def nan_skew(x: FloatArray) -> FloatArray:
    """Sample skewness of each column (axis ``-2``), NaN ignored; COINr ``skew()``.

    ``g = sqrt(n) * sum(d^3) / sum(d^2)^(3/2) * sqrt(n (n-1)) / (n-2)`` (e1071 type 2, Excel's
    SKEW). Fewer than 3 values or a constant column give NaN.
    """
    n, m2, m3, _ = _moments(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.sqrt(n) * m3 / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2)
    y = np.where((n < 3) | (m2 <= 0), np.nan, y)
    return np.asarray(y, dtype=np.float64)


def nan_kurt(x: FloatArray) -> FloatArray:
    """Sample excess kurtosis of each column (axis ``-2``), NaN ignored; COINr ``kurt()``.

    ``r = n sum(d^4) / sum(d^2)^2``; ``k = ((n+1)(r-3)+6)(n-1)/((n-2)(n-3))`` (e1071 type 2,
    Excel's KURT). Fewer than 4 values or a constant column give NaN.
    """
    n, m2, _, m4 = _moments(x)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n * m4 / (m2 * m2)
        y = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    y = np.where((n < 4) | (m2 <= 0), np.nan, y)
    return np.asarray(y, dtype=np.float64)


def rank_min(x: FloatArray, *, axis: int = -2) -> FloatArray:
    """Ranks (1 = smallest) along ``axis`` with ties given the minimum rank; NaN stays NaN.

    Same as R's ``rank(x, ties.method = "min", na.last = "keep")``.
    """
    if x.shape[axis] == 0:
        return x.copy()
    from hkfactor.methods._common import ranks

    nan = np.isnan(x)
    return np.where(nan, np.nan, ranks(np.where(nan, np.inf, x), axis=axis, ties="min"))
