"""Read the evidence files the panel needs into DataFrames of strings plus normalised values.

The panel prefers :func:`hkfactor.evidence.load` (which validates every evidence file and
normalises ``printed_value`` × ``printed_unit`` with :mod:`hkfactor.units`). Where the evidence
package is not importable the adapter reads the CSV files itself with pandas (``dtype=str``)
and normalises with the same :func:`hkfactor.units.normalise`; that fallback is TEMPORARY and
exists only so the panel works while the evidence package is being written. Either way the
values agree, because both paths use one normalising function.

``series.csv`` and ``breaks.csv`` are panel files (not part of the evidence schema) and are
always read here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hkfactor._io import read_table
from hkfactor.errors import InputError, Problem

__all__ = [
    "DATA_DIR",
    "OBSERVATION_COLUMNS",
    "read_breaks",
    "read_observations",
    "read_series",
    "read_sources",
]

#: where the built-in evidence files live
DATA_DIR = Path(__file__).resolve().parent.parent / "evidence" / "data"

OBSERVATION_COLUMNS = (
    "id", "series", "geography", "period", "printed_value", "printed_unit", "source_id", "locator",
    "grade", "vintage", "derived_from", "note",
)
SERIES_COLUMNS = ("code", "name_zh", "name_en", "channel", "geography", "unit", "printed_unit",
                  "definition", "direction", "note")
BREAK_COLUMNS = ("id", "series", "from_period", "description_zh", "description_en", "source_id",
                 "locator", "note")
SOURCE_COLUMNS = ("id", "kind", "ref_label", "title_zh", "title_en", "publisher", "url", "date",
                  "grade", "note")


def _read_csv(path: Path, columns: tuple[str, ...], *, required: tuple[str, ...] = ("id",)) -> pd.DataFrame:
    df = read_table(path, dtype=str)
    unknown = [c for c in df.columns if c not in columns]
    missing = [c for c in required if c not in df.columns]
    problems = [Problem(str(path), 1, c, "unknown column") for c in unknown]
    problems += [Problem(str(path), 1, c, "required column missing") for c in missing]
    if problems:
        raise InputError(problems, title=f"invalid panel file {path.name}")
    for c in columns:
        if c not in df.columns:
            df[c] = ""
    df = df[list(columns)].apply(lambda s: s.str.strip())
    df = df[(df != "").any(axis=1)].reset_index(drop=True)
    df["file"] = path.name
    df["row"] = range(2, len(df) + 2)
    return df


def _glob(root: Path, sub: str) -> list[Path]:
    d = root / sub
    return sorted(d.glob("*.csv")) if d.is_dir() else []


def read_sources(root: str | Path | None = None) -> pd.DataFrame:
    """All ``sources/*.csv`` records as strings (one row per source)."""
    r = Path(root) if root is not None else DATA_DIR
    frames = [_read_csv(p, SOURCE_COLUMNS) for p in _glob(r, "sources")]
    if not frames:
        return pd.DataFrame(columns=[*SOURCE_COLUMNS, "file", "row"])
    return pd.concat(frames, ignore_index=True)


def read_series(root: str | Path | None = None) -> pd.DataFrame:
    """``series.csv``: one row per series code (``direction`` as an int, +1 or −1)."""
    r = Path(root) if root is not None else DATA_DIR
    p = r / "series.csv"
    if not p.exists():
        return pd.DataFrame(columns=[*SERIES_COLUMNS, "file", "row"])
    df = _read_csv(p, SERIES_COLUMNS, required=("code", "channel", "direction"))
    bad = df[~df["direction"].isin(["1", "-1", "+1"])]
    if len(bad):
        raise InputError([Problem(p.name, int(r_), "direction", "expected 1 or -1") for r_ in bad["row"]])
    dup = df[df["code"].duplicated()]
    if len(dup):
        raise InputError([Problem(p.name, int(r_), "code", "duplicate series code") for r_ in dup["row"]])
    df["direction"] = df["direction"].astype(int)
    return df


def read_breaks(root: str | Path | None = None) -> pd.DataFrame:
    """``breaks.csv``: declared series breaks (a series is not comparable across ``from_period``)."""
    r = Path(root) if root is not None else DATA_DIR
    p = r / "breaks.csv"
    if not p.exists():
        return pd.DataFrame(columns=[*BREAK_COLUMNS, "file", "row"])
    return _read_csv(p, BREAK_COLUMNS, required=("id", "series", "from_period"))


def _normalise_frame(df: pd.DataFrame) -> pd.DataFrame:
    # TEMPORARY fallback (see module docstring): the evidence loader does this when present.
    from hkfactor.units import UnitParseError, normalise

    values: list[float] = []
    units: list[str] = []
    quals: list[str | None] = []
    problems: list[Problem] = []
    for rec in df.to_dict("records"):
        try:
            q = normalise(str(rec["printed_value"]), str(rec["printed_unit"]))
        except UnitParseError as exc:
            problems.append(Problem(str(rec["file"]), int(str(rec["row"])), "printed_value", str(exc)))
            values.append(float("nan"))
            units.append("")
            quals.append(None)
            continue
        values.append(q.value)
        units.append(q.unit)
        quals.append(q.qualifier)
    if problems:
        raise InputError(problems, title="observations the unit parser cannot read")
    out = df.copy()
    out["value"] = values
    out["unit"] = units
    out["qualifier"] = quals
    return out


def read_observations(root: str | Path | None = None, *, via: str = "auto") -> pd.DataFrame:
    """Every observation (all ``observations/*.csv``) with its normalised value.

    Parameters
    ----------
    root : path, optional
        The evidence data folder (default: the built-in one).
    via : {"auto", "evidence", "csv"}
        ``"evidence"`` uses :func:`hkfactor.evidence.load` (validates every evidence file);
        ``"csv"`` reads the observation files directly (temporary fallback); ``"auto"`` uses the
        evidence loader when it can be imported, else the CSV reader.

    Returns
    -------
    pandas.DataFrame
        The observation columns as strings plus ``value`` (float), ``unit`` (canonical),
        ``qualifier`` (``None``/``about``/``over``/…) and ``file``.
    """
    if via not in {"auto", "evidence", "csv"}:
        raise ValueError(f"via must be 'auto', 'evidence' or 'csv', not {via!r}")
    r = Path(root) if root is not None else DATA_DIR
    if via in {"auto", "evidence"}:
        try:
            from hkfactor.evidence import load
        except ImportError:
            if via == "evidence":
                raise
        else:
            ev = load(r)
            rows = [
                {**{c: getattr(o, c) for c in OBSERVATION_COLUMNS}, "value": o.value, "unit": o.unit,
                 "qualifier": o.qualifier, "file": Path(o.file).name, "row": o.row}
                for o in ev.records.observations
            ]
            return pd.DataFrame(rows, columns=[*OBSERVATION_COLUMNS, "file", "row", "value", "unit", "qualifier"])
    frames = [_read_csv(p, OBSERVATION_COLUMNS) for p in _glob(r, "observations")]
    if not frames:
        return pd.DataFrame(columns=[*OBSERVATION_COLUMNS, "file", "row", "value", "unit", "qualifier"])
    return _normalise_frame(pd.concat(frames, ignore_index=True))
