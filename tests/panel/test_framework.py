"""The shipped framework refers only to series that exist and agrees with series.csv."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

import hkfactor
from hkfactor.panel import DATA_DIR

FRAMEWORK = Path(hkfactor.__file__).parent / "frameworks" / "shenzhen_hk.yaml"
CHANNELS = {"finance", "research_talent", "manufacturing_chain", "trade", "platforms"}


def _indicators(doc):
    for ch in doc["channels"]:
        for ind in ch["indicators"]:
            yield ch["id"], ind
    for ind in doc["innovation"]["indicators"]:
        yield doc["innovation"]["id"], ind


def test_framework_structure():
    doc = yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))
    assert {c["id"] for c in doc["channels"]} == CHANNELS
    assert doc["innovation"]["id"] == "innovation_output"
    codes = [ind["series"] for _, ind in _indicators(doc)]
    assert len(codes) == len(set(codes)), "a series appears twice"
    for _, ind in _indicators(doc):
        assert ind["direction"] in {"+", "-"}
        assert ind["name_zh"] and ind["name_en"] and ind["section"] and ind["rationale"]


def test_framework_refers_only_to_existing_series(series):
    doc = yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))
    observed = set()
    for p in (DATA_DIR / "observations").glob("*.csv"):
        observed |= set(pd.read_csv(p, dtype=str, keep_default_na=False)["series"])
    known = dict(zip(series["code"], series["direction"], strict=True))
    for channel, ind in _indicators(doc):
        code = ind["series"]
        assert code in observed, f"{code} has no observation"
        if code in known:  # our series: direction and channel agree with series.csv
            assert known[code] == (1 if ind["direction"] == "+" else -1), code
            ch = series.set_index("code").loc[code, "channel"]
            assert ch == channel, (code, ch, channel)


def test_framework_indicators_have_annual_values(panel):
    doc = yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))
    filled = set(panel.cells["series"])
    empty = [ind["series"] for _, ind in _indicators(doc) if ind["series"] not in filled]
    assert not empty, f"indicators without any annual value: {empty}"


def test_framework_units_match_the_panel(panel):
    doc = yaml.safe_load(FRAMEWORK.read_text(encoding="utf-8"))
    units = panel.cells.groupby("series")["unit"].first().to_dict()
    for _, ind in _indicators(doc):
        assert units[ind["series"]] == ind["unit"], ind["series"]
