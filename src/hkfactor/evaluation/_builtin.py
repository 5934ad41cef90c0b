"""The built-in Shenzhen–Hong Kong inputs: the sourced panel and the framework.

The panel is :func:`hkfactor.panel.build` — the sourced observations resolved to one value
per series × year (the panel decides which observation wins and records why); only
calendar-year periods enter the evaluation.

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
    """The built-in sourced panel (:func:`hkfactor.panel.build`): one value per series × year.

    Each cell keeps the winning observation's id, grade, source and locator; the panel's
    resolution reason (and the losing observations, if any) becomes the cell's note.
    """
    from hkfactor.panel import build

    panel = build()
    c = panel.cells
    c = c[c["period"].astype(str).str.fullmatch(_YEAR.pattern)]
    obs = panel.observations.set_index("id")
    locator = obs["locator"].fillna("").astype(str).to_dict() if "locator" in obs else {}
    notes = [
        (f"{reason}; other candidates: {losers}" if str(losers).strip() else str(reason))
        for reason, losers in zip(c["reason"].fillna(""), c["losers"].fillna(""), strict=True)
    ]
    cells = pd.DataFrame({
        "series": c["series"].astype(str).to_numpy(), "year": c["period"].astype(int).to_numpy(),
        "value": c["value"].astype(float).to_numpy(), "grade": c["grade"].fillna("").astype(str).to_numpy(),
        "source_id": c["source_id"].fillna("").astype(str).to_numpy(),
        "observation_id": c["observation_id"].astype(str).to_numpy(),
        "locator": [locator.get(o, "") for o in c["observation_id"].astype(str)],
        "note": notes,
        "qualifier": (c["qualifier"].fillna("").astype(str).to_numpy() if "qualifier" in c else ""),
    }, columns=list(CELL_COLUMNS)).sort_values(["series", "year"], ignore_index=True)
    src = panel.sources
    sources = pd.DataFrame({col: (src[col].fillna("").astype(str) if col in src else "") for col in SOURCE_COLUMNS})
    br = panel.breaks
    breaks = pd.DataFrame({
        "id": br["id"].astype(str), "series": br["series"].astype(str),
        "year": pd.to_numeric(br["from_period"].astype(str).str[:4], errors="coerce"),
        "description_zh": br["description_zh"].fillna("").astype(str),
        "description_en": br["description_en"].fillna("").astype(str),
    }).dropna(subset=["year"]) if not br.empty else None
    return EvalPanel(cells=cells, sources=sources, label="built-in (hkfactor.panel)", breaks=breaks)
