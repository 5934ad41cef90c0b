"""DataFrame wrappers: the middle of the three layers.

Each wrapper validates labels, calls the NumPy kernel and puts the labels back. Rows are
units, columns indicators; non-numeric columns are refused (pass only indicator columns).
Directions, weights and denominators may be given as mappings keyed by column name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hkfactor.engine._numeric import ValueDomainError
from hkfactor.engine.kernels import ImputeContext, aggregate, impute, normalise, screen_units, treat, weigh
from hkfactor.errors import SpecError

__all__ = [
    "aggregate_frame",
    "impute_frame",
    "normalise_frame",
    "screen_frame",
    "treat_frame",
    "weigh_frame",
]


def _values(df: pd.DataFrame) -> np.ndarray:
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise SpecError(f"non-numeric column(s) {', '.join(map(str, bad))}; pass indicator columns only")
    return df.to_numpy(np.float64)


def _per_column(df: pd.DataFrame, v: Mapping[str, float] | Sequence[float] | None, name: str, default: float) -> np.ndarray:
    if v is None:
        return np.full(df.shape[1], default)
    if isinstance(v, Mapping):
        missing = [c for c in df.columns if c not in v]
        if missing and default is np.nan:
            raise SpecError(f"{name} missing for column(s) {', '.join(map(str, missing))}")
        return np.array([float(v.get(c, default)) for c in df.columns])
    arr = np.asarray(v, dtype=np.float64)
    if arr.shape != (df.shape[1],):
        raise SpecError(f"{name}: expected {df.shape[1]} values (one per column), got shape {arr.shape}")
    return arr


def _named(exc: ValueDomainError, df: pd.DataFrame) -> SpecError:
    parts = [f"column {df.columns[p[-1]]!r}, row {df.index[p[-2]]!r}" for p in exc.positions[:5]]
    return SpecError(f"{exc} — offending: " + "; ".join(parts))


def normalise_frame(
    df: pd.DataFrame,
    method: str = "minmax",
    *,
    directions: Mapping[str, float] | Sequence[float] | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Normalise each column with ``NORMALISERS[method]`` (see :func:`kernels.normalise`).

    Examples
    --------
    >>> normalise_frame(pd.DataFrame({"a": [1.0, 3.0]}), "minmax")["a"].tolist()
    [0.0, 100.0]
    """
    d = _per_column(df, directions, "direction", 1.0)
    return pd.DataFrame(normalise(_values(df), method, directions=d, **params), index=df.index, columns=df.columns)


def aggregate_frame(
    df: pd.DataFrame,
    weights: Mapping[str, float] | Sequence[float] | None = None,
    method: str = "amean",
    **params: Any,
) -> pd.Series:
    """Aggregate the columns of ``df`` into one score per row (:func:`kernels.aggregate`).

    Examples
    --------
    >>> aggregate_frame(pd.DataFrame({"a": [20.0], "b": [50.0]}), {"a": 1, "b": 3}).tolist()
    [42.5]
    """
    w = _per_column(df, weights, "weight", 1.0)
    try:
        y = aggregate(_values(df), w, method, **params)
    except ValueDomainError as exc:
        raise _named(exc, df) from None
    return pd.Series(y, index=df.index, name=method)


def weigh_frame(
    df: pd.DataFrame,
    weights: Mapping[str, float] | Sequence[float] | None = None,
    method: str = "equal",
    **params: Any,
) -> pd.Series:
    """Weights of the columns by ``WEIGHTERS[method]`` (:func:`kernels.weigh`)."""
    w = _per_column(df, weights, "weight", 1.0)
    return pd.Series(weigh(_values(df), w, method, **params), index=df.columns, name="Weight")


def treat_frame(df: pd.DataFrame, **params: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """COINr two-stage outlier treatment (:func:`kernels.treat`).

    Returns the treated table and a details table (one row per column: ``Pass0``, ``Skew0``,
    ``Kurt0``, ``nwin``, ``Pass1``, ``Skew1``, ``Kurt1``, ``Transformed``).
    """
    r = treat(_values(df), **params)
    details = pd.DataFrame(
        {
            "Pass0": r.pass0,
            "Skew0": r.skew0,
            "Kurt0": r.kurt0,
            "nwin": r.nwin,
            "Pass1": r.pass1,
            "Skew1": r.skew1,
            "Kurt1": r.kurt1,
            "Transformed": r.transformed,
        },
        index=pd.Index(df.columns, name="iCode"),
    )
    return pd.DataFrame(r.x, index=df.index, columns=df.columns), details


def impute_frame(
    df: pd.DataFrame,
    method: str = "mean",
    *,
    groups: pd.Series | Sequence[Any] | None = None,
    units: pd.Series | Sequence[Any] | None = None,
    times: pd.Series | Sequence[float] | None = None,
    **params: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Impute missing values (:func:`kernels.impute`); returns ``(imputed, flags)``.

    ``groups`` (group label per row) for group methods; ``units`` and ``times`` (per row) for
    ``locf`` and ``linear``.
    """
    g = u = t = None
    if groups is not None:
        g = np.asarray(pd.factorize(pd.Series(list(groups)), use_na_sentinel=True)[0], dtype=np.int64)
    if units is not None:
        u = np.asarray(pd.factorize(pd.Series(list(units)))[0], dtype=np.int64)
    if times is not None:
        t = np.asarray(times, dtype=np.float64)
    y, f = impute(_values(df), method, ctx=ImputeContext(groups=g, units=u, times=t), **params)
    return (
        pd.DataFrame(y, index=df.index, columns=df.columns),
        pd.DataFrame(f, index=df.index, columns=df.columns),
    )


def screen_frame(df: pd.DataFrame, *, dat_thresh: float | None = 0.9, nonzero_thresh: float | None = None) -> pd.DataFrame:
    """Rows kept by :func:`kernels.screen_units`."""
    keep = screen_units(_values(df), dat_thresh=dat_thresh, nonzero_thresh=nonzero_thresh)
    return df.loc[keep]
