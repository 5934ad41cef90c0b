"""Private: validate and reshape unit data (cross-section, time series, panel; long or wide)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hkfactor._io import read_table
from hkfactor.errors import InputError, Problem

__all__ = ["load_table", "long_to_wide", "validate_wide"]


def load_table(src: str | Path | pd.DataFrame, *, sheet: str | int = 0) -> tuple[pd.DataFrame, str]:
    """A DataFrame and a name for messages, from a DataFrame or a CSV/Excel/Parquet path."""
    if isinstance(src, pd.DataFrame):
        return src.copy(), "data"
    return read_table(src, sheet=sheet), str(src)


def long_to_wide(
    df: pd.DataFrame,
    *,
    unit: str,
    indicator: str,
    value: str,
    time: str | None,
    file: str,
) -> pd.DataFrame:
    """Pivot a long table (one row per unit[, year], indicator) to wide; duplicates are errors."""
    need = [unit, indicator, value] + ([time] if time else [])
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise InputError([Problem(file, None, c, "required column is missing") for c in missing])
    keys = [unit] + ([time] if time else []) + [indicator]
    dup = df.duplicated(keys, keep=False)
    if dup.any():
        probs = [
            Problem(file, int(i) + 2, indicator, "duplicate entry for " + ", ".join(f"{k}={_show(df.at[i, k])}" for k in keys))
            for i in df.index[dup]
        ]
        raise InputError(probs, title="duplicate rows in long data")
    idx = [unit] + ([time] if time else [])
    wide = df.pivot(index=idx, columns=indicator, values=value).reset_index()
    wide.columns.name = None
    return wide


def _show(v: object) -> str:
    """A cell as a user would type it (2020 not np.int64(2020), 2020.0 → 2020)."""
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    if isinstance(v, np.generic):
        return repr(v.item())
    return repr(v)


#: at most this many problems are listed per column (then one line with the count)
_MAX_PER_COLUMN = 20


def _more(probs: list[Problem], n: int, file: str, col: str, what: str) -> None:
    if n > _MAX_PER_COLUMN:
        probs.append(Problem(file, None, col, f"… and {n - _MAX_PER_COLUMN} more {what} cell(s) in this column"))


def validate_wide(
    df: pd.DataFrame,
    *,
    unit: str,
    time: str | None,
    indicators: Sequence[str],
    extra_numeric: Sequence[str],
    file: str,
) -> pd.DataFrame:
    """Check a wide table: unit (and time) present and unique, indicator columns numeric.

    Every problem is collected and raised together as an :class:`InputError`. Returns a copy
    with indicator and denominator columns as float64 (blank cells → NaN).
    """
    probs: list[Problem] = []
    for c in [unit, *([time] if time else [])]:
        if c not in df.columns:
            probs.append(Problem(file, None, c, "required column is missing"))
    for c in indicators:
        if c not in df.columns:
            probs.append(Problem(file, None, c, "indicator in the framework has no column in the data"))
    for c in extra_numeric:
        if c not in df.columns:
            probs.append(Problem(file, None, c, "denominator named in the framework has no column in the data"))
    if probs:
        raise InputError(probs, title=f"invalid data table {file}")
    out = df.copy()
    ucol = out[unit]
    for i in out.index[ucol.isna() | (ucol.astype(str).str.strip() == "")]:
        probs.append(Problem(file, int(i) + 2, unit, "missing unit code"))
    out[unit] = ucol.astype(str).str.strip()
    keys = [unit] + ([time] if time else [])
    if time:
        t = pd.to_numeric(out[time], errors="coerce")
        for i in out.index[t.isna()]:
            probs.append(Problem(file, int(i) + 2, time, f"year must be a number, got {out.at[i, time]!r}"))
        out[time] = t
    dup = out.duplicated(keys, keep=False)
    for i in out.index[dup]:
        what = ", ".join(f"{k}={_show(out.at[i, k])}" for k in keys)
        probs.append(Problem(file, int(i) + 2, unit, f"duplicate {'unit-year' if time else 'unit'}: {what}"))
    for c in [*indicators, *extra_numeric]:
        col = out[c]
        if pd.api.types.is_bool_dtype(col):
            probs.append(Problem(file, None, c, "column holds true/false values, not numbers"))
            continue
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_complex_dtype(col):
            vals = col.to_numpy(dtype=np.float64, na_value=np.nan)
        else:
            s = col.astype("string").str.strip().replace({"": pd.NA, "NA": pd.NA, "NaN": pd.NA, "nan": pd.NA})
            num = pd.to_numeric(s, errors="coerce")
            bad = s.notna() & num.isna()
            for i in out.index[bad][:_MAX_PER_COLUMN]:
                probs.append(Problem(file, int(i) + 2, c, f"not a number: {col.at[i]!r}"))
            _more(probs, int(bad.sum()), file, c, "non-numeric")
            vals = num.to_numpy(dtype=np.float64, na_value=np.nan)
        inf = np.isinf(vals)
        if inf.any():
            where = np.flatnonzero(inf)
            for k in where[:_MAX_PER_COLUMN]:
                probs.append(Problem(file, int(out.index[k]) + 2, c,
                                     f"infinite value ({vals[k]:g}); give a finite number or leave the cell blank"))
            _more(probs, len(where), file, c, "infinite")
        out[c] = vals
    if probs:
        raise InputError(probs, title=f"invalid data table {file}")
    return out.reset_index(drop=True)
