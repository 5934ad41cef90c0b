"""Private: validate and reshape unit data (cross-section, time series, panel; long or wide)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hkfactor._io import read_table
from hkfactor.errors import InputError, Problem

__all__ = ["load_table", "long_to_wide", "validate_wide"]


def load_table(
    src: str | Path | pd.DataFrame, *, sheet: str | int = 0, text_columns: Sequence[str] = ()
) -> tuple[pd.DataFrame, str]:
    """A DataFrame and a name for messages, from a DataFrame or a CSV/Excel/Parquet path.

    A CSV file larger than :data:`_ARROW_MIN_BYTES` is parsed by ``pyarrow.csv`` (multi-threaded,
    columnar) when pyarrow is installed — a million-row table in about a second instead of
    half a minute; ``text_columns`` (unit codes, names) are then always read as text, so a
    code such as ``007`` keeps its zeros.
    """
    if isinstance(src, pd.DataFrame):
        return src.copy(), "data"
    p = Path(src)
    if p.suffix.lower() in {".csv", ".txt", ".tsv"}:
        try:
            big = p.stat().st_size >= _ARROW_MIN_BYTES
        except OSError:
            big = False
        if big and _has_pyarrow():
            return _read_csv_arrow(p, text_columns=text_columns), str(src)
    return read_table(src, sheet=sheet), str(src)


#: CSV files at least this large go through pyarrow.csv (smaller ones: :func:`hkfactor._io.read_table`).
_ARROW_MIN_BYTES = 4_000_000


def _has_pyarrow() -> bool:
    import importlib.util

    return importlib.util.find_spec("pyarrow") is not None


def _read_csv_arrow(path: Path, *, text_columns: Sequence[str] = ()) -> pd.DataFrame:
    """Parse a CSV with pyarrow: UTF-8 (BOM allowed) or GBK/GB18030, every problem an InputError."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(name, None, None, f"cannot read file: {exc.strerror}")]) from None
    enc = "utf-8"
    if raw.startswith(b"\xef\xbb\xbf"):
        raw, enc = raw[3:], "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as first:
        try:
            raw = raw.decode("gb18030").encode("utf-8")
            enc = "gb18030"
        except UnicodeDecodeError:
            raise InputError([Problem(name, None, None, "not valid UTF-8 or GBK text (undecodable byte at offset "
                                      f"{first.start}); save it as UTF-8 CSV")]) from None
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    first_line = raw.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
    names = next(csv.reader([first_line], delimiter=sep), [])
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError([Problem(name, 1, d, "column name appears more than once in the header") for d in dup])
    nulls = ["", "NA", "N/A", "NaN", "nan", "NULL", "null", "#N/A", "n/a", "-NaN", "-nan", "None"]
    types = {c: pa.string() for c in text_columns if c in names}

    def parse(buf: bytes, all_text: bool) -> pa.Table:
        ct = {c: pa.string() for c in names} if all_text else types
        return pacsv.read_csv(
            pa.BufferReader(buf),
            parse_options=pacsv.ParseOptions(delimiter=sep),
            convert_options=pacsv.ConvertOptions(column_types=ct, null_values=nulls, strings_can_be_null=True,
                                                 quoted_strings_can_be_null=True),
        )

    try:
        try:
            table = parse(raw, False)
        except pa.ArrowInvalid as exc:
            if "conversion error" not in str(exc).lower():
                raise
            table = parse(raw, True)  # a text cell below the inferred block: let validation name every bad cell
    except pa.ArrowInvalid as exc:
        raise InputError([Problem(name, None, None, f"cannot parse as a table: {exc}")]) from None
    del raw
    df = table.to_pandas(split_blocks=True, self_destruct=True)  # no consolidation copy
    del table
    df.attrs["encoding"] = enc
    return df


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
    if not probs and len(df) == 0:
        probs.append(Problem(file, None, None, "the table has a header but no data rows"))
    if probs:
        raise InputError(probs, title=f"invalid data table {file}")
    out = df.copy(deep=False).reset_index(drop=True)  # columns are replaced, never changed in place
    ucol = out[unit]
    stripped = ucol.astype(str).str.strip()
    missing = ucol.isna() | (stripped == "")
    for i in out.index[missing][:_MAX_PER_COLUMN]:
        probs.append(Problem(file, int(i) + 2, unit, "missing unit code"))
    _more(probs, int(missing.sum()), file, unit, "missing")
    out[unit] = stripped
    keys = [unit] + ([time] if time else [])
    if time:
        t = pd.to_numeric(out[time], errors="coerce")
        tv = t.to_numpy(dtype=np.float64, na_value=np.nan)
        bad_t = ~np.isfinite(tv) | (np.mod(np.where(np.isfinite(tv), tv, 0.0), 1.0) != 0)
        for k in np.flatnonzero(bad_t)[:_MAX_PER_COLUMN]:
            probs.append(Problem(file, int(k) + 2, time, f"year must be a whole number, got {df[time].iloc[k]!r}"))
        _more(probs, int(bad_t.sum()), file, time, "invalid year")
        out[time] = t
    unique = out[unit].is_unique if not time else not out.duplicated(keys).any()
    if not unique:
        dup = out.duplicated(keys, keep=False)
        for i in out.index[dup][: 5 * _MAX_PER_COLUMN]:
            what = ", ".join(f"{k}={_show(out.at[i, k])}" for k in keys)
            probs.append(Problem(file, int(i) + 2, unit, f"duplicate {'unit-year' if time else 'unit'}: {what}"))
        _more(probs, int(dup.sum()) - 4 * _MAX_PER_COLUMN, file, unit, "duplicate")
    converted: dict[str, NDArray[np.float64]] = {}
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
        converted[c] = vals
    if probs:
        raise InputError(probs, title=f"invalid data table {file}")
    if out.columns.is_unique:  # one new frame: hundreds of column assignments each split pandas' blocks
        return pd.DataFrame({c: converted[c] if c in converted else out[c] for c in out.columns}, index=out.index)
    for c, vals in converted.items():
        out[c] = vals
    return out
