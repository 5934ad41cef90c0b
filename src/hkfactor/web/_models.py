"""Response schemas of the JSON API (they document the OpenAPI schema; the data comes from the service layer)."""

from __future__ import annotations

import enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Aggregation",
    "AuditOut",
    "BrokerageOut",
    "ClaimDetailOut",
    "ClaimsOut",
    "CoverageOut",
    "Direction",
    "ErrorOut",
    "EvaluateIn",
    "EvaluationOut",
    "GraphOut",
    "IndicatorIn",
    "NodeOut",
    "Normalisation",
    "OptionsOut",
    "PathOut",
    "SeriesDetailOut",
    "SeriesListOut",
    "TimelineOut",
    "UploadOut",
    "VariantOut",
    "Weighting",
]


class Normalisation(enum.StrEnum):
    """How indicators are made comparable (pooled): min–max or percentile rank."""

    minmax = "minmax"
    rank = "rank"


class Weighting(enum.StrEnum):
    """Indicator weights within each subsystem."""

    entropy = "entropy"
    critic = "critic"
    equal = "equal"
    manual = "manual"


class Aggregation(enum.StrEnum):
    """How indicators are combined into group and subsystem scores."""

    arithmetic = "arithmetic"
    geometric = "geometric"
    topsis = "topsis"
    grey = "grey"


class Direction(enum.StrEnum):
    """An indicator's direction: more is better (+), less is better (-), or not used (0)."""

    benefit = "+"
    cost = "-"
    unused = "0"


class _M(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorOut(_M):
    """A client or server error: ``status``, the message in the request's language, and the other language."""

    status: int
    error: str
    message_zh: str
    message_en: str


class SourceRef(_M):
    id: str
    title: str
    url: str | None
    grade: str
    publisher: str


class Choice(_M):
    code: str
    label: str


class OptionsOut(_M):
    channels: list[Choice]
    years: list[int]


class Claim(_M):
    id: str
    section: str
    channel: str
    channel_label: str
    geography: str
    geography_label: str
    measure: str
    printed: str
    normalised: str
    value: float | None
    unit: str
    period: str
    status: str
    status_label: str
    detail: str
    checks: list[str]
    locator: str
    note: str
    sources: list[SourceRef]


class ClaimsOut(_M):
    total: int
    offset: int
    limit: int
    items: list[Claim]


class Derivation(_M):
    id: str
    claim_id: str
    expression: str
    claimed: float | None
    computed: float | None
    unit: str
    claimed_text: str
    computed_text: str
    rel_diff: float | None
    status: str
    status_label: str
    detail: str


class ClaimDetailOut(Claim):
    derivations: list[Derivation]
    corroborations: list[dict[str, Any]]


class StatusCount(_M):
    status: str
    label: str
    n: int


class AuditOut(_M):
    total: int
    statuses: list[StatusCount]
    by_channel: list[dict[str, Any]]
    derivations: list[Derivation]


class Event(_M):
    id: str
    date: str
    year_start: int
    year_end: int
    label: str
    channel: str
    channel_label: str
    entities: list[dict[str, str]]
    locator: str
    sources: list[SourceRef]


class TimelineOut(_M):
    total: int
    items: list[Event]


class Node(_M):
    id: str
    label: str
    type: str
    side: str
    stage: str
    channel: str
    since: int | None
    x: float
    y: float


class Edge(_M):
    id: str
    source: str
    target: str
    predicate: str
    label: str
    since: int | None


class GraphOut(_M):
    counts: dict[str, int]
    columns: list[dict[str, Any]]
    rows: list[dict[str, Any]]
    nodes: list[Node]
    edges: list[Edge]


class NodeOut(Node):
    name_zh: str
    name_en: str
    sources: list[SourceRef]
    relations: list[dict[str, Any]]
    events: list[dict[str, Any]]


class Hop(_M):
    relation: str
    subject: str
    subject_label: str
    object: str
    object_label: str
    predicate: str
    predicate_label: str
    forward: bool
    locator: str
    sources: list[SourceRef]


class PathOut(_M):
    nodes: list[dict[str, str]]
    hops: list[Hop]
    cites_every_hop: bool


class BrokerageRow(_M):
    id: str
    label: str
    group: str
    in_degree: int
    out_degree: int
    betweenness: float
    roles: dict[str, float]
    z: dict[str, float | None]


class BrokerageOut(_M):
    by: str
    roles: list[str]
    total: int
    items: list[BrokerageRow]


class SeriesRow(_M):
    code: str
    name: str
    channel: str
    channel_label: str
    geography: str
    unit: str
    first: str
    last: str
    years: int
    grades: dict[str, int]
    excluded: int


class SeriesListOut(_M):
    total: int
    items: list[SeriesRow]


class CoverageOut(_M):
    years: list[str]
    rows: list[dict[str, Any]]


class SeriesDetailOut(_M):
    code: str
    name: str
    channel: str
    unit: str
    cells: list[dict[str, Any]]
    observations: list[dict[str, Any]]
    breaks: list[dict[str, Any]]
    chart: dict[str, Any]


class EvaluationOut(_M):
    """The built-in evaluation (``ok: false`` and a ``reason`` when it cannot run)."""

    ok: bool


class VariantOut(_M):
    """The built-in evaluation with other methods: ``ok``, the ``recipe``, and indices, coupling, trend
    similarity (grey), ranking and chart specifications — or ``problems`` when it cannot run."""

    ok: bool
    recipe: dict[str, Any]


class IndicatorIn(BaseModel):
    """One column of the upload used as an indicator."""

    model_config = ConfigDict(extra="forbid")
    column: str = Field(min_length=1, max_length=200, description="column name (or indicator name, long layout)")
    direction: Direction = Direction.benefit


class EvaluateIn(BaseModel):
    """Map columns to one subsystem and choose the methods."""

    model_config = ConfigDict(extra="forbid")
    indicators: list[IndicatorIn] | None = Field(default=None, max_length=200,
                                                 description="omit to keep the framework in use")
    name: str = Field(default="", max_length=80, description="name of the index (\"中文 / English\")")
    normalisation: Normalisation | None = None
    weighting: Weighting | None = None
    aggregation: Aggregation | None = None


class UploadOut(_M):
    """An upload: the table read and its layout, the problems, the columns to map, the evaluation."""

    token: str
    filename: str
    problems: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    table: dict[str, Any] | None
    candidates: list[dict[str, Any]]
    summary: dict[str, Any] | None
    evaluation: dict[str, Any] | None
