"""The built-in Shenzhen–Hong Kong inputs: the sourced panel and the framework.

The panel is the evidence base's yearly observations (``hkfactor.evidence.load()``), one
value per series × year with its source, grade and locator. Where the evidence holds
several observations for one series and year, :mod:`hkfactor.panel` decides which one
counts (when it is present); otherwise the best grade wins, then the latest vintage, and
the choice is noted on the cell.

The framework is ``hkfactor/frameworks/shenzhen_hk.yaml`` when present; otherwise one is
derived from the series definitions (``series.csv``): every channel of the paper is a
channel of the Hong Kong factor, and ``innovation_output`` is Shenzhen's innovation.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hkfactor.evaluation._spec import (
    CELL_COLUMNS,
    SOURCE_COLUMNS,
    ChannelSpec,
    EvalFramework,
    EvalPanel,
    IndicatorSpec,
)

__all__ = ["FRAMEWORK_FILE", "builtin_framework", "builtin_panel"]

FRAMEWORK_FILE = Path(__file__).resolve().parent.parent / "frameworks" / "shenzhen_hk.yaml"

_CHANNEL_NAMES = {
    "finance": ("金融环境", "Finance", "2"),
    "research_talent": ("科研与人才", "Research and talent", "3"),
    "manufacturing_chain": ("产业链提升", "Manufacturing chain", "4"),
    "trade": ("进出口贸易", "Trade", "5"),
    "platforms": ("合作平台", "Cooperation platforms", "6"),
    "innovation_output": ("深圳创新", "Shenzhen innovation", "1"),
}
_GRADE_ORDER = {"A": 0, "B": 1, "C": 2, "P": 3}
_YEAR = re.compile(r"^\d{4}$")


def builtin_framework() -> EvalFramework:
    """The Shenzhen–Hong Kong framework (the shipped YAML, or derived from ``series.csv``)."""
    if FRAMEWORK_FILE.exists():
        from hkfactor.evaluation._userdata import read_framework

        return read_framework(FRAMEWORK_FILE)
    from hkfactor._io import read_table
    from hkfactor.evidence import DATA_DIR

    series = read_table(Path(DATA_DIR) / "series.csv", dtype=str)
    channels: list[ChannelSpec] = []
    innovation: ChannelSpec | None = None
    for ch_id, (zh, en, sec) in _CHANNEL_NAMES.items():
        rows = series[series["channel"] == ch_id]
        inds = tuple(
            IndicatorSpec(str(r["code"]), str(r["name_zh"]), str(r["name_en"]),
                          -1 if str(r["direction"]).strip() in {"-1", "-"} else 1, str(r["unit"]), sec)
            for _i, r in rows.iterrows()
        )
        spec = ChannelSpec(ch_id, zh, en, inds, sec)
        if ch_id == "innovation_output":
            innovation = spec
        elif inds:
            channels.append(spec)
    assert innovation is not None  # the mapping above always contains it
    return EvalFramework(
        id="shenzhen_hk", name_zh="深圳创新城市建设中的香港因素", name_en="The Hong Kong factor in Shenzhen's innovation",
        channels=tuple(channels), innovation=innovation, source="series.csv",
    )


def builtin_panel() -> EvalPanel:
    """The built-in sourced panel: one value per series × calendar year."""
    from hkfactor.evidence import load

    ev = load()
    obs = ev.observations
    obs = obs[obs["period"].astype(str).str.fullmatch(_YEAR.pattern)].copy()
    obs["year"] = obs["period"].astype(int)
    obs["_g"] = obs["grade"].map(_GRADE_ORDER).fillna(9)
    obs = obs.sort_values(["series", "year", "_g", "vintage", "id"], ascending=[True, True, True, False, True])
    n_alt = obs.groupby(["series", "year"])["id"].transform("size")
    first = obs.drop_duplicates(["series", "year"], keep="first").copy()
    alt = n_alt.loc[first.index]
    first["note"] = [
        (f"{int(k) - 1} other observation(s) for this year; best grade, then latest vintage, chosen" if k > 1 else "")
        for k in alt
    ]
    cells = pd.DataFrame({
        "series": first["series"].astype(str), "year": first["year"].astype(int),
        "value": first["value"].astype(float), "grade": first["grade"].astype(str),
        "source_id": first["source_id"].astype(str), "observation_id": first["id"].astype(str),
        "locator": first["locator"].astype(str), "note": first["note"].astype(str),
    }, columns=list(CELL_COLUMNS)).reset_index(drop=True)
    src = ev.sources
    sources = pd.DataFrame({c: src[c].fillna("").astype(str) if c in src else "" for c in SOURCE_COLUMNS})
    return EvalPanel(cells=cells, sources=sources, label="built-in (hkfactor/evidence/data)")
