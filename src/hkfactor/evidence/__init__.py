"""The paper's evidence as data: claims, sources, actors, relations, timeline, observations.

The evidence lives in plain UTF-8 CSV files (``hkfactor/evidence/data/``, described in
``docs/evidence-schema.md``). :func:`load` reads and validates them all — reporting every
problem at once — and returns an :class:`Evidence` with typed records, DataFrames, filters
and an in-memory DuckDB view. :mod:`hkfactor.evidence.audit` recomputes the paper's arithmetic
and compares its claims with independent sources.

Examples
--------
>>> from hkfactor.evidence import load
>>> ev = load()                        # the evidence shipped with hkfactor
>>> trade = ev.facts(channel="trade", year=1997)
>>> trade.loc[trade["printed_value"] == "600", ["printed_unit", "value", "unit", "status"]].to_dict("records")
[{'printed_unit': '亿元', 'value': 60000000000.0, 'unit': 'CNY', 'status': 'conflicts'}]
"""

from __future__ import annotations

from hkfactor.evidence._evidence import TABLE_NAMES, Evidence, Records, load
from hkfactor.evidence._loader import DATA_DIR
from hkfactor.evidence.model import (
    Claim,
    ClaimSeries,
    Corroboration,
    Derivation,
    Entity,
    Event,
    Geography,
    Observation,
    Relation,
    Source,
)

__all__ = [
    "DATA_DIR",
    "TABLE_NAMES",
    "Claim",
    "ClaimSeries",
    "Corroboration",
    "Derivation",
    "Entity",
    "Event",
    "Evidence",
    "Geography",
    "Observation",
    "Records",
    "Relation",
    "Source",
    "load",
]
