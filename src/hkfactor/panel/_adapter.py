"""Read the evidence files the panel needs into DataFrames.

Observations and sources come from :func:`hkfactor.evidence.load`, which validates every
evidence file and normalises ``printed_value`` × ``printed_unit`` with :mod:`hkfactor.units`
— one reader, one normalising path. ``series.csv`` and ``breaks.csv`` are panel files (not part
of the evidence schema) and are read here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hkfactor._io import read_table
from hkfactor.errors import InputError, Problem
from hkfactor.evidence import DATA_DIR, Evidence, load

__all__ = [
    "DATA_DIR",
    "OBSERVATION_COLUMNS",
    "observations_frame",
    "read_breaks",
    "read_observations",
    "read_series",
    "read_sources",
]


OBSERVATION_COLUMNS = (
    "id", "series", "geography", "period", "printed_value", "printed_unit", "source_id", "locator",
    "grade", "vintage", "derived_from", "note",
)
SERIES_COLUMNS = ("code", "name_zh", "name_en", "channel", "geography", "unit", "printed_unit",
                  "definition", "direction", "note")
BREAK_COLUMNS = ("id", "series", "from_period", "description_zh", "description_en", "source_id",
                 "locator", "note")


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


def observations_frame(ev: Evidence) -> pd.DataFrame:
    """Every observation of a loaded evidence base as a DataFrame, with its normalised value.

    Columns: the observation fields as strings plus ``value`` (float), ``unit`` (canonical),
    ``qualifier`` (``None``/``about``/``over``/…), ``file`` (name of the observation file) and
    ``row``.
    """
    rows = [
        {**{c: getattr(o, c) for c in OBSERVATION_COLUMNS}, "value": o.value, "unit": o.unit,
         "qualifier": o.qualifier, "file": Path(o.file).name, "row": o.row}
        for o in ev.records.observations
    ]
    return pd.DataFrame(rows, columns=[*OBSERVATION_COLUMNS, "file", "row", "value", "unit", "qualifier"])


def read_observations(root: str | Path | None = None) -> pd.DataFrame:
    """Every observation (all ``observations/*.csv``) of an evidence folder, validated and normalised.

    Parameters
    ----------
    root : path, optional
        The evidence data folder (default: the built-in one).
    """
    return observations_frame(load(root))


def read_sources(root: str | Path | None = None) -> pd.DataFrame:
    """All ``sources/*.csv`` records of an evidence folder (validated), one row per source."""
    return load(root).sources.copy()
