"""The built-in Shenzhen–Hong Kong inputs: the sourced panel and the framework.

The panel is :func:`hkfactor.panel.build` — the sourced observations resolved to one value
per series × year (the panel decides which observation wins and records why); only
calendar-year periods enter the evaluation. The framework is
``hkfactor/frameworks/shenzhen_hk.yaml``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from hkfactor.evaluation._framework import EvalFramework, read_framework
from hkfactor.evaluation._spec import CELL_COLUMNS, SOURCE_COLUMNS, EvalPanel

__all__ = ["FRAMEWORK_FILE", "builtin_framework", "builtin_panel"]

FRAMEWORK_FILE = Path(__file__).resolve().parent.parent / "frameworks" / "shenzhen_hk.yaml"
_YEAR = re.compile(r"^\d{4}$")


def builtin_framework() -> EvalFramework:
    """The Shenzhen–Hong Kong framework (the shipped YAML)."""
    return read_framework(FRAMEWORK_FILE)


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
        "unit": "",
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
