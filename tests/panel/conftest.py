"""Fixtures: the built-in panel data, and SYNTHETIC observations for the resolution rule.

Synthetic rows are labelled ``SYNTH-…`` and never touch the built-in data.
"""

from __future__ import annotations

import pandas as pd
import pytest

from hkfactor.panel import DATA_DIR, build, read_breaks, read_series, read_sources


@pytest.fixture(scope="session")
def panel_files() -> pd.DataFrame:
    frames = []
    for p in sorted((DATA_DIR / "observations").glob("panel_*.csv")):
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
        df["file"] = p.name
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="session")
def all_observation_ids() -> set[str]:
    ids: set[str] = set()
    for p in sorted((DATA_DIR / "observations").glob("*.csv")):
        ids |= set(pd.read_csv(p, dtype=str, keep_default_na=False)["id"])
    return ids


@pytest.fixture(scope="session")
def sources() -> pd.DataFrame:
    return read_sources()


@pytest.fixture(scope="session")
def series() -> pd.DataFrame:
    return read_series()


@pytest.fixture(scope="session")
def breaks() -> pd.DataFrame:
    return read_breaks()


@pytest.fixture(scope="session")
def panel():
    return build()


def synth(rows: list[dict]) -> pd.DataFrame:
    """SYNTHETIC observations: fill the columns the resolver needs."""
    base = {"series": "synth_x", "period": "2020", "unit": "count", "grade": "A", "vintage": "2020",
            "source_id": "SYNTH-S1", "printed_value": "1", "derived_from": "", "qualifier": None}
    out = []
    for i, r in enumerate(rows):
        rec = {**base, "id": f"SYNTH-O{i}", **r}
        rec.setdefault("value", float(str(rec["printed_value"]).replace(",", "")))
        out.append(rec)
    return pd.DataFrame(out)
