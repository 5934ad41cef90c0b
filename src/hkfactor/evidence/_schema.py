"""The evidence files as data: which files, which columns, which values are allowed.

This mirrors ``docs/evidence-schema.md``; the loader (:mod:`hkfactor.evidence._loader`) reads
these specs and never hard-codes a column elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ENUMS", "TABLES", "Column", "Table"]

ENUMS: dict[str, tuple[str, ...]] = {
    "section": ("abstract", "1", "2", "3", "3.1", "3.2", "4", "5", "6", "7", "table1", "table2", "note"),
    "channel": (
        "finance",
        "research_talent",
        "manufacturing_chain",
        "trade",
        "platforms",
        "innovation_output",
        "context",
    ),
    "qualifier": ("exact", "about", "over", "at_least", "under", "lower_bound_share"),
    "period_kind": ("year", "as_of", "cumulative", "range", "undated"),
    "claim_kind": ("stated", "derived", "superlative"),
    "source_kind": ("paper", "reference", "footnote", "document", "web", "dataset"),
    "source_grade": ("A", "B", "C", "P"),
    "observation_grade": ("A", "B", "C"),
    "entity_type": (
        "university",
        "institute",
        "platform",
        "firm",
        "person",
        "fund",
        "programme",
        "place",
        "industry",
        "market",
        "government",
        "chain_stage",
        "channel",
        "material",
    ),
    "side": ("HK", "SZ", "WORLD", "MAINLAND", "CROSS"),
    "chain_stage": ("upstream", "midstream", "downstream"),
    "predicate": (
        "founded",
        "hosts",
        "incubated_in",
        "invested_in",
        "financed",
        "listed_on",
        "studied_at",
        "supervised",
        "joined",
        "located_in",
        "partner_of",
        "supplies",
        "part_of",
        "co_built",
        "member_of",
        "trained",
        "exports_via",
        "relocated_to",
        "belongs_to_stage",
        "belongs_to_channel",
    ),
    "comparison": ("equal", "scope_differs", "declared", "majority"),
    "match_comparison": ("equal", "scope_differs", "majority"),
    "declared_status": ("corroborated", "conflicts", "consistent", "unverified"),
}

#: geography codes accepted when ``geographies.csv`` is absent (docs/evidence-schema.md)
DEFAULT_GEOGRAPHIES = ("SZ", "HK", "SZHK", "QH", "HT", "GD", "GBA", "CN", "WORLD", "SVUP", "SIAT")


@dataclass(frozen=True)
class Column:
    """One column of an evidence file.

    Attributes
    ----------
    name : str
        Header name.
    kind : str
        ``text``, ``id``, ``enum``, ``date`` (``YYYY[-MM[-DD]]``), ``period`` (a date or a span
        ``a/b``), ``ref`` (one id of ``target``), ``refs`` (``;``-separated ids of ``target``),
        ``float`` (a non-negative number), ``locator`` (≤ 30 characters).
    required : bool
        The cell may not be empty (and the column must be in the header).
    present : bool
        The column must be in the header even though a cell may be empty.
    enum : str
        Key of :data:`ENUMS` for ``kind="enum"``.
    target : str
        Table whose ids a ``ref``/``refs`` column points at.
    """

    name: str
    kind: str = "text"
    required: bool = False
    present: bool = False
    enum: str = ""
    target: str = ""


@dataclass(frozen=True)
class Table:
    """One kind of evidence file: ``path`` is a file, or a folder of ``*.csv`` files (``many``)."""

    name: str
    path: str
    columns: tuple[Column, ...]
    many: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _c(name: str, kind: str = "text", *, req: bool = False, present: bool = False, enum: str = "",
       target: str = "") -> Column:
    return Column(name, kind, req, present or req, enum, target)


TABLES: tuple[Table, ...] = (
    Table(
        "sources",
        "sources",
        (
            _c("id", "id", req=True),
            _c("kind", "enum", req=True, enum="source_kind"),
            _c("ref_label"),
            _c("title_zh"),
            _c("title_en"),
            _c("publisher"),
            _c("url"),
            _c("date", "date"),
            _c("grade", "enum", req=True, enum="source_grade"),
            _c("note"),
        ),
        many=True,
    ),
    Table(
        "geographies",
        "geographies.csv",
        (_c("id", "id", req=True), _c("name_zh"), _c("name_en"), _c("parent", "ref", target="geographies"),
         _c("note")),
    ),
    Table(
        "claims",
        "claims.csv",
        (
            _c("id", "id", req=True),
            _c("section", "enum", req=True, enum="section"),
            _c("channel", "enum", req=True, enum="channel"),
            _c("geography", "ref", req=True, target="geographies"),
            _c("measure_zh"),
            _c("measure_en"),
            _c("printed_value", req=True),
            _c("printed_unit", present=True),
            _c("qualifier", "enum", enum="qualifier"),
            _c("period_kind", "enum", req=True, enum="period_kind"),
            _c("period_start", "date"),
            _c("period_end", "date"),
            _c("citation"),
            _c("source_ids", "refs", req=True, target="sources"),
            _c("locator", "locator", req=True),
            _c("kind", "enum", req=True, enum="claim_kind"),
            _c("note"),
        ),
    ),
    Table(
        "entities",
        "entities.csv",
        (
            _c("id", "id", req=True),
            _c("type", "enum", req=True, enum="entity_type"),
            _c("name_zh"),
            _c("name_en"),
            _c("side", "enum", enum="side"),
            _c("channel", "enum", enum="channel"),
            _c("chain_stage", "enum", enum="chain_stage"),
            _c("founded", "date"),
            _c("source_ids", "refs", target="sources"),
            _c("locator", "locator"),
            _c("note"),
        ),
    ),
    Table(
        "relations",
        "relations.csv",
        (
            _c("id", "id", req=True),
            _c("subject", "ref", req=True, target="entities"),
            _c("predicate", "enum", req=True, enum="predicate"),
            _c("object", "ref", req=True, target="entities"),
            _c("start", "date"),
            _c("end", "date"),
            _c("value"),
            _c("unit"),
            _c("source_ids", "refs", target="sources"),
            _c("locator", "locator"),
            _c("note"),
        ),
    ),
    Table(
        "events",
        "events.csv",
        (
            _c("id", "id", req=True),
            _c("date", "period", req=True),
            _c("label_zh"),
            _c("label_en"),
            _c("channel", "enum", enum="channel"),
            _c("entity_ids", "refs", target="entities"),
            _c("source_ids", "refs", target="sources"),
            _c("locator", "locator"),
            _c("note"),
        ),
    ),
    Table(
        "observations",
        "observations",
        (
            _c("id", "id", req=True),
            _c("series", req=True),
            _c("geography", "ref", req=True, target="geographies"),
            _c("period", "period", req=True),
            _c("printed_value", req=True),
            _c("printed_unit", present=True),
            _c("source_id", "ref", req=True, target="sources"),
            _c("locator", "locator"),
            _c("grade", "enum", enum="observation_grade"),
            _c("vintage", "date"),
            _c("derived_from"),
            _c("note"),
        ),
        many=True,
    ),
    Table(
        "corroborations",
        "corroborations.csv",
        (
            _c("id", "id", req=True),
            _c("claim_id", "ref", req=True, target="claims"),
            _c("observation_id", "ref", target="observations"),
            _c("comparison", "enum", req=True, enum="comparison"),
            _c("tolerance", "float"),
            _c("declared_status", "enum", enum="declared_status"),
            _c("note"),
        ),
    ),
    Table(
        "claim_series",
        "claim_series.csv",
        (
            _c("id", "id", req=True),
            _c("claim_id", "ref", req=True, target="claims"),
            _c("series", req=True),
            _c("geography", "ref", target="geographies"),
            _c("period", "period"),
            _c("comparison", "enum", req=True, enum="match_comparison"),
            _c("tolerance", "float"),
            _c("declared_status", "enum", enum="declared_status"),
            _c("note"),
        ),
    ),
    Table(
        "derivations",
        "derivations.csv",
        (
            _c("id", "id", req=True),
            _c("claim_id", "ref", req=True, target="claims"),
            _c("expression", req=True),
            _c("tolerance", "float"),
            _c("note"),
        ),
    ),
)
