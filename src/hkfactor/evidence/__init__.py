"""The paper's evidence as data: claims, sources, actors, relations, timeline, observations.

The evidence lives in plain UTF-8 CSV files (``hkfactor/evidence/data/``, described in
``docs/evidence-schema.md``). :func:`load` reads and validates them all — reporting every
problem at once — and returns an :class:`Evidence` with typed records, DataFrames, filters
and an in-memory DuckDB view. :mod:`hkfactor.evidence.audit` recomputes the paper's arithmetic
and compares its claims with independent sources.

Examples
--------
>>> from hkfactor.evidence import load
>>> ev = load()                                   # doctest: +SKIP
>>> ev.facts(channel="trade")                     # doctest: +SKIP
>>> ev.audit_.summary()                           # doctest: +SKIP
"""

from __future__ import annotations

from hkfactor.evidence._evidence import TABLE_NAMES, Evidence, Records, load
from hkfactor.evidence._loader import DATA_DIR
from hkfactor.evidence.model import (
    Claim,
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
