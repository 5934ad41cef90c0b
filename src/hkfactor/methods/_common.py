"""Shared plumbing for :mod:`hkfactor.methods`: input conversion, directions, validation.

Every public method accepts either a NumPy array of shape ``(..., n, m)`` (``n`` rows —
units, alternatives or observations — and ``m`` columns — indicators or criteria, with
optional leading batch axes) or a :class:`pandas.DataFrame` (rows × columns). The helpers
here turn both into a float array plus the labels needed to wrap results back.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from hkfactor.errors import InputError, Problem, SpecError

__all__ = [
    "Directions",
    "Labels",
    "as_matrix",
    "check_finite",
    "parse_directions",
    "parse_weights",
    "ranks",
]

FloatArray = npt.NDArray[np.float64]

#: What a caller may pass as ``directions``.
Directions = Sequence[Any] | Mapping[Hashable, Any] | npt.ArrayLike | None

_POSITIVE = {"+", "benefit", "positive", "max", "正", "正向"}
_NEGATIVE = {"-", "cost", "negative", "min", "负", "负向", "逆向"}


@dataclass(frozen=True)
class Labels:
    """Row and column labels of a DataFrame input (``None`` for an array input)."""

    index: pd.Index | None
    columns: pd.Index | None

    @property
    def is_frame(self) -> bool:
        return self.columns is not None


def as_matrix(X: Any, *, name: str = "X", min_rows: int = 1, ndim_min: int = 2) -> tuple[FloatArray, Labels]:
    """Return ``X`` as a float array of at least ``ndim_min`` dimensions and its labels.

    A DataFrame must have numeric columns; a non-numeric column raises :class:`InputError`
    naming it.
    """
    if isinstance(X, pd.DataFrame):
        problems = [
            Problem(name, None, str(c), f"column is not numeric (dtype {X[c].dtype})")
            for c in X.columns
            if not (pd.api.types.is_numeric_dtype(X[c]) and not pd.api.types.is_bool_dtype(X[c]))
        ]
        if problems:
            raise InputError(problems, title=f"{name}: non-numeric columns")
        arr = X.to_numpy(dtype=np.float64, na_value=np.nan)
        labels = Labels(X.index, X.columns)
    else:
        try:
            arr = np.asarray(X, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError([Problem(name, None, None, f"not a numeric array: {exc}")]) from None
        labels = Labels(None, None)
    if arr.ndim < ndim_min:
        raise SpecError(f"{name} must have at least {ndim_min} dimension(s), got shape {arr.shape}")
    if ndim_min >= 2 and arr.shape[-2] < min_rows:
        raise SpecError(f"{name} needs at least {min_rows} row(s), got shape {arr.shape}")
    if arr.shape[-1] < 1:
        raise SpecError(f"{name} has no columns (shape {arr.shape})")
    return arr, labels


def _column_name(labels: Labels, j: int) -> str:
    if labels.columns is not None:
        return str(labels.columns[j])
    return f"column {j}"


def check_finite(arr: FloatArray, labels: Labels, *, name: str = "X", what: str = "this method") -> None:
    """Raise :class:`InputError` listing every column that has a NaN or infinite value.

    Columns are the last axis; a column is reported once, with its count of bad values.
    """
    bad = ~np.isfinite(arr)
    if not bad.any():
        return
    per_col = bad.reshape(-1, arr.shape[-1]).sum(axis=0)
    problems = []
    for j in np.flatnonzero(per_col):
        col = bad.reshape(-1, arr.shape[-1])[:, j]
        first = int(np.flatnonzero(col)[0])
        row = first % arr.shape[-2] + 2 if arr.ndim >= 2 and labels.is_frame else None
        problems.append(
            Problem(
                name,
                row,
                _column_name(labels, int(j)),
                f"{int(per_col[j])} missing or infinite value(s); {what} needs complete data "
                "(impute or drop them first)",
            )
        )
    raise InputError(problems, title=f"{name}: missing values")


def parse_directions(directions: Directions, m: int, labels: Labels) -> FloatArray:
    """Turn ``directions`` into a ``(m,)`` array of ``+1.0`` (benefit) / ``-1.0`` (cost).

    Accepted: ``None`` (all benefit); a sequence of ``1``/``-1``, ``"+"``/``"-"``,
    ``"benefit"``/``"cost"``, ``"positive"``/``"negative"``, ``"正向"``/``"负向"``; or,
    for a DataFrame, a mapping ``{column: direction}`` where unlisted columns are benefit.
    """
    if directions is None:
        return np.ones(m)
    if isinstance(directions, Mapping):
        if labels.columns is None:
            raise SpecError("directions given as a mapping need a DataFrame input with column names")
        unknown = [k for k in directions if k not in labels.columns]
        if unknown:
            raise SpecError(
                f"directions name unknown column(s) {unknown!r}; columns are {list(labels.columns)!r}"
            )
        seq: list[Any] = [directions.get(c, 1) for c in labels.columns]
    elif isinstance(directions, str):
        raise SpecError("directions must be a sequence with one entry per column, not a string")
    else:
        seq = list(np.asarray(directions, dtype=object).ravel())
    if len(seq) != m:
        raise SpecError(f"directions has {len(seq)} entries for {m} columns")
    out = np.empty(m)
    for j, d in enumerate(seq):
        key = d.strip().lower() if isinstance(d, str) else d
        if isinstance(key, str):
            if key in _POSITIVE:
                out[j] = 1.0
                continue
            if key in _NEGATIVE:
                out[j] = -1.0
                continue
        elif isinstance(key, int | float | np.integer | np.floating) and key in (1, -1):
            out[j] = float(key)
            continue
        raise SpecError(
            f"direction {d!r} for {_column_name(labels, j)} is not one of 1/-1, '+'/'-', 'benefit'/'cost'"
        )
    return out


def parse_weights(
    weights: Any, m: int, labels: Labels, *, name: str = "weights", normalise: bool = True
) -> FloatArray:
    """Return weights as a float array of shape ``(..., m)``, non-negative, optionally summing to 1.

    A Series is aligned to the DataFrame's columns by label.
    """
    if isinstance(weights, pd.Series):
        if labels.columns is not None:
            missing = [c for c in labels.columns if c not in weights.index]
            if missing:
                raise SpecError(f"{name} lack column(s) {missing!r}")
            weights = weights.reindex(labels.columns)
        w = weights.to_numpy(dtype=np.float64)
    elif isinstance(weights, Mapping):
        if labels.columns is None:
            raise SpecError(f"{name} given as a mapping need a DataFrame input with column names")
        missing = [c for c in labels.columns if c not in weights]
        if missing:
            raise SpecError(f"{name} lack column(s) {missing!r}")
        w = np.array([float(weights[c]) for c in labels.columns])
    else:
        w = np.asarray(weights, dtype=np.float64)
    if w.ndim == 0 or w.shape[-1] != m:
        raise SpecError(f"{name} must have {m} entries on the last axis, got shape {w.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise SpecError(f"{name} must be finite and non-negative, got {w!r}")
    if normalise:
        total = w.sum(axis=-1, keepdims=True)
        if np.any(total <= 0):
            raise SpecError(f"{name} sum to zero")
        w = w / total
    return w


def minmax_core(
    x: FloatArray, dirs: FloatArray, *, constant_value: float = 1.0
) -> FloatArray:
    """Min-max per column along axis -2, direction-aware; NaN-aware; constant columns -> value.

    Positive: ``(x - min) / (max - min)``; negative: ``(max - x) / (max - min)``.
    """
    with np.errstate(all="ignore"):
        all_nan = np.all(np.isnan(x), axis=-2, keepdims=True)
        filled_lo = np.where(np.isnan(x), np.inf, x)
        filled_hi = np.where(np.isnan(x), -np.inf, x)
        lo = np.min(filled_lo, axis=-2, keepdims=True)
        hi = np.max(filled_hi, axis=-2, keepdims=True)
        lo = np.where(all_nan, np.nan, lo)
        hi = np.where(all_nan, np.nan, hi)
        rng = hi - lo
        const = rng == 0
        safe = np.where(const, 1.0, rng)
        pos = (x - lo) / safe
        neg = (hi - x) / safe
    out = np.where(dirs > 0, pos, neg)
    out = np.where(const & ~np.isnan(x), constant_value, out)
    return out


def wrap_columns(values: FloatArray, labels: Labels, name: str) -> Any:
    """A ``(m,)`` result as a Series over the columns for a DataFrame input, else the array."""
    if labels.columns is not None and values.ndim == 1:
        return pd.Series(values, index=labels.columns, name=name)
    return values


def wrap_rows(values: FloatArray, labels: Labels, name: str) -> Any:
    """A ``(n,)`` result as a Series over the rows for a DataFrame input, else the array."""
    if labels.index is not None and values.ndim == 1:
        return pd.Series(values, index=labels.index, name=name)
    return values


def wrap_frame(values: FloatArray, labels: Labels) -> Any:
    """A ``(n, m)`` result as a DataFrame with the input's labels, else the array."""
    if labels.columns is not None and values.ndim == 2:
        return pd.DataFrame(values, index=labels.index, columns=labels.columns)
    return values


def ranks(x: npt.ArrayLike, *, axis: int = -1, ties: str = "min") -> FloatArray:
    """Ranks (1 = smallest) along ``axis``; tied values share the ``"min"`` or ``"average"`` rank.

    The same as ``scipy.stats.rankdata(x, method=ties, axis=axis)`` for values without NaN (and
    as R's ``rank(x, ties.method = ties)``), in NumPy so that importing the methods does not pull
    in ``scipy.stats``. Callers mask NaN themselves.

    Examples
    --------
    >>> ranks([3.0, 1.0, 3.0, 2.0]).tolist()
    [3.0, 1.0, 3.0, 2.0]
    >>> ranks([3.0, 1.0, 3.0, 2.0], ties="average").tolist()
    [3.5, 1.0, 3.5, 2.0]
    """
    if ties not in ("min", "average"):
        raise SpecError(f"ties must be 'min' or 'average', got {ties!r}")
    xs = np.moveaxis(np.asarray(x, dtype=np.float64), axis, -1)
    if xs.shape[-1] == 0:
        return np.moveaxis(xs.copy(), -1, axis)
    order = np.argsort(xs, axis=-1, kind="stable")
    srt = np.take_along_axis(xs, order, axis=-1)
    n = srt.shape[-1]
    pos = np.broadcast_to(np.arange(n), srt.shape)
    start = np.ones(srt.shape, dtype=bool)
    start[..., 1:] = srt[..., 1:] != srt[..., :-1]
    first = np.maximum.accumulate(np.where(start, pos, 0), axis=-1)  # first index of each tie run
    if ties == "min":
        r = first + 1.0
    else:
        end = np.ones(srt.shape, dtype=bool)
        end[..., :-1] = start[..., 1:]
        last = np.flip(np.minimum.accumulate(np.flip(np.where(end, pos, n - 1), axis=-1), axis=-1), axis=-1)
        r = (first + last) / 2.0 + 1.0
    out = np.empty(srt.shape, dtype=np.float64)
    np.put_along_axis(out, order, r, axis=-1)
    return np.moveaxis(out, -1, axis)
