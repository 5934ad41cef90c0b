"""Typed records of the evidence base, one frozen dataclass per file kind.

The fields follow ``docs/evidence-schema.md``. Lists of ids (``source_ids``, ``entity_ids``)
are tuples; printed numbers keep their printed text and carry the normalised ``value`` and
canonical ``unit`` computed by :func:`hkfactor.units.normalise`. Every record remembers the
file and 1-based spreadsheet row it came from (``file``, ``row``) so an audit can point back.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Claim",
    "ClaimSeries",
    "Corroboration",
    "Derivation",
    "Entity",
    "Event",
    "Geography",
    "Observation",
    "Relation",
    "Source",
]


@dataclass(frozen=True)
class Source:
    """A document a record rests on (``sources/*.csv``); ``grade`` is A, B, C or P."""

    id: str
    kind: str
    ref_label: str
    title_zh: str
    title_en: str
    publisher: str
    url: str
    date: str
    grade: str
    note: str
    file: str = ""
    row: int = 0

    @property
    def title(self) -> str:
        """The Chinese title, else the English one."""
        return self.title_zh or self.title_en


@dataclass(frozen=True)
class Geography:
    """A geography code (``geographies.csv``)."""

    id: str
    name_zh: str
    name_en: str
    parent: str
    note: str
    file: str = ""
    row: int = 0


@dataclass(frozen=True)
class Claim:
    """A quantitative statement of the paper (``claims.csv``).

    ``value``/``unit`` are the normalised ``printed_value``/``printed_unit``; ``value_high``
    is the high end of a printed range (else ``None``).
    """

    id: str
    section: str
    channel: str
    geography: str
    measure_zh: str
    measure_en: str
    printed_value: str
    printed_unit: str
    qualifier: str
    period_kind: str
    period_start: str
    period_end: str
    citation: str
    source_ids: tuple[str, ...]
    locator: str
    kind: str
    note: str
    value: float
    unit: str
    value_high: float | None = None
    file: str = ""
    row: int = 0

    @property
    def printed(self) -> str:
        """Value and unit as printed, e.g. ``"1 894亿美元"``."""
        return f"{self.printed_value}{self.printed_unit}"


@dataclass(frozen=True)
class Entity:
    """An actor or thing of the innovation chain (``entities.csv``)."""

    id: str
    type: str
    name_zh: str
    name_en: str
    side: str
    channel: str
    chain_stage: str
    founded: str
    source_ids: tuple[str, ...]
    locator: str
    note: str
    file: str = ""
    row: int = 0


@dataclass(frozen=True)
class Relation:
    """A typed edge between two entities (``relations.csv``).

    ``amount``/``amount_unit`` are the normalised ``value``/``unit`` when one is printed.
    """

    id: str
    subject: str
    predicate: str
    object: str
    start: str
    end: str
    value: str
    unit: str
    source_ids: tuple[str, ...]
    locator: str
    note: str
    amount: float | None = None
    amount_unit: str | None = None
    file: str = ""
    row: int = 0


@dataclass(frozen=True)
class Event:
    """A dated event of the chronology (``events.csv``); ``date`` may be a span ``1981/1994``."""

    id: str
    date: str
    label_zh: str
    label_en: str
    channel: str
    entity_ids: tuple[str, ...]
    source_ids: tuple[str, ...]
    locator: str
    note: str
    file: str = ""
    row: int = 0


@dataclass(frozen=True)
class Observation:
    """An independent figure from a source (``observations/*.csv``), normalised like a claim."""

    id: str
    series: str
    geography: str
    period: str
    printed_value: str
    printed_unit: str
    source_id: str
    locator: str
    grade: str
    vintage: str
    derived_from: str
    note: str
    value: float
    unit: str
    qualifier: str | None = None
    file: str = ""
    row: int = 0


@dataclass(frozen=True)
class Corroboration:
    """A claim linked to an independent observation or a declared judgement (``corroborations.csv``).

    ``tolerance`` is relative (default 0.005).
    """

    id: str
    claim_id: str
    observation_id: str
    comparison: str
    tolerance: float
    declared_status: str
    note: str
    file: str = ""
    row: int = 0


@dataclass(frozen=True)
class Derivation:
    """Arithmetic over claims that the audit recomputes (``derivations.csv``).

    ``tolerance`` is absolute, in the claim's canonical unit; ``None`` means 0.5 % of the
    claimed value.
    """

    id: str
    claim_id: str
    expression: str
    tolerance: float | None
    note: str
    file: str = ""
    row: int = 0


@dataclass(frozen=True)
class ClaimSeries:
    """A claim mapped to a panel series, geography and period (``claim_series.csv``).

    The audit compares the claim with every observation of ``series`` × ``geography`` ×
    ``period`` (see :mod:`hkfactor.evidence.audit`, "automatic matching"). ``geography`` and
    ``period`` are already resolved: an empty cell takes the claim's geography and period.
    ``tolerance`` is relative (default 0.005).
    """

    id: str
    claim_id: str
    series: str
    geography: str
    period: str
    comparison: str
    tolerance: float
    declared_status: str
    note: str
    file: str = ""
    row: int = 0
