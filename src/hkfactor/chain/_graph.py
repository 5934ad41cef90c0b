"""Build the innovation-chain graph from the evidence tables.

Nodes are the entities of ``entities.csv``; edges are the relations of ``relations.csv``
(one edge per relation, keyed by its id, in a :class:`networkx.MultiDiGraph`). Every
attribute is a string or an int so that GraphML, GEXF and Cytoscape JSON keep it exactly.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import pandas as pd

from hkfactor._io import read_table
from hkfactor.errors import InputError, Problem

if TYPE_CHECKING:  # pragma: no cover
    from hkfactor.evidence import Evidence

__all__ = [
    "EDGE_ATTRS",
    "NODE_ATTRS",
    "PREDICATE_LABELS",
    "SIDES",
    "STAGES",
    "build_graph",
    "default_graph",
    "from_evidence",
    "read_chain_tables",
    "to_adjacency",
]

#: Node attributes, all strings except ``since`` (an int year, or -1 when undated).
NODE_ATTRS: tuple[str, ...] = (
    "type", "side", "channel", "stage", "label_zh", "label_en", "founded", "source_ids", "locator", "since",
)
#: Edge attributes (strings; ``since`` an int year or -1).
EDGE_ATTRS: tuple[str, ...] = (
    "relation", "predicate", "start", "end", "value", "unit", "source_ids", "locator", "note", "since",
)
#: Sides in drawing order (rows of the chain picture).
SIDES: tuple[str, ...] = ("HK", "CROSS", "SZ", "MAINLAND", "WORLD")
#: Chain stages per the paper's conclusion (§7), in drawing order.
STAGES: tuple[str, ...] = ("upstream", "midstream", "downstream")

#: Bilingual names of the relation predicates of ``relations.csv``.
PREDICATE_LABELS: dict[str, dict[str, str]] = {
    "founded": {"zh": "创立", "en": "founded"},
    "hosts": {"zh": "承载", "en": "hosts"},
    "incubated_in": {"zh": "孵化于", "en": "incubated in"},
    "invested_in": {"zh": "投资于", "en": "invested in"},
    "financed": {"zh": "融资给", "en": "financed"},
    "listed_on": {"zh": "上市于", "en": "listed on"},
    "studied_at": {"zh": "就读于", "en": "studied at"},
    "supervised": {"zh": "指导", "en": "supervised"},
    "joined": {"zh": "加入", "en": "joined"},
    "located_in": {"zh": "位于", "en": "located in"},
    "partner_of": {"zh": "合作", "en": "partner of"},
    "supplies": {"zh": "供给", "en": "supplies"},
    "part_of": {"zh": "属于", "en": "part of"},
    "co_built": {"zh": "共建", "en": "co-built"},
    "member_of": {"zh": "任职/成员", "en": "member of"},
    "trained": {"zh": "培养/带动", "en": "trained"},
    "exports_via": {"zh": "经由…进出口", "en": "trades via"},
    "relocated_to": {"zh": "转移至", "en": "relocated to"},
    "belongs_to_stage": {"zh": "属于环节", "en": "belongs to stage"},
    "belongs_to_channel": {"zh": "属于渠道", "en": "belongs to channel"},
}

_UNDATED = -1
_ENTITY_COLS = ("id", "type", "name_zh", "name_en", "side", "channel", "chain_stage", "founded", "source_ids", "locator")
_RELATION_COLS = ("id", "subject", "predicate", "object", "start", "end", "value", "unit", "source_ids", "locator")


def _data_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "evidence" / "data"


def read_chain_tables(data_dir: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read ``entities.csv``, ``relations.csv`` and ``events.csv`` as string DataFrames.

    This reads the files directly (no cross-file validation); use :func:`from_evidence` with
    :func:`hkfactor.evidence.load` for the fully validated route.

    Parameters
    ----------
    data_dir : str or Path, optional
        Folder holding the three files (default: the evidence shipped with hkfactor).
    """
    root = Path(data_dir) if data_dir is not None else _data_dir()
    frames = []
    for name in ("entities.csv", "relations.csv", "events.csv"):
        p = root / name
        if name == "events.csv" and not p.exists():
            frames.append(pd.DataFrame(columns=["id", "date", "entity_ids"]))
            continue
        frames.append(read_table(p, dtype=str))
    return frames[0], frames[1], frames[2]


def _year(text: object) -> int | None:
    s = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text).strip()
    if not s:
        return None
    head = s[:4]
    return int(head) if head.isdigit() else None


def _cell(row: Any, col: str) -> str:
    v = row.get(col, "")
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v).strip()


def build_graph(
    entities: pd.DataFrame,
    relations: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    name: str = "hkfactor innovation chain",
) -> nx.MultiDiGraph:
    """Build the typed innovation-chain graph.

    Parameters
    ----------
    entities : DataFrame
        Columns of ``entities.csv`` (``id``, ``type``, ``name_zh``, ``name_en``, ``side``,
        ``channel``, ``chain_stage``, ``founded``, ``source_ids``, ``locator``).
    relations : DataFrame
        Columns of ``relations.csv``; ``subject`` and ``object`` must be entity ids.
    events : DataFrame, optional
        ``events.csv``; its dates and ``entity_ids`` date the nodes they name.
    name : str
        Graph name.

    Returns
    -------
    networkx.MultiDiGraph
        Node attributes :data:`NODE_ATTRS`; edge attributes :data:`EDGE_ATTRS`, edge key =
        relation id. ``since`` is the first year an element is attested: for a node the
        earliest of ``founded``, the ``start`` of its dated relations and the dates of the
        events naming it; for an edge its ``start`` or, if undated, the later ``since`` of its
        endpoints; ``-1`` when nothing dates it.

    Raises
    ------
    InputError
        Every missing column, duplicate id or dangling reference, at once.
    """
    problems: list[Problem] = []
    for frame, file, cols in ((entities, "entities.csv", _ENTITY_COLS), (relations, "relations.csv", _RELATION_COLS)):
        missing = [c for c in cols if c not in frame.columns and c not in ("founded", "start", "value", "unit")]
        for c in missing:
            problems.append(Problem(file, None, c, "required column is missing"))
    if problems:
        raise InputError(problems, title="cannot build the chain graph")

    g = nx.MultiDiGraph(name=name)
    for i, row in enumerate(entities.to_dict("records"), start=2):
        nid = _cell(row, "id")
        if not nid:
            problems.append(Problem("entities.csv", i, "id", "empty id"))
            continue
        if nid in g:
            problems.append(Problem("entities.csv", i, "id", f"duplicate id {nid!r}"))
            continue
        zh, en = _cell(row, "name_zh"), _cell(row, "name_en")
        g.add_node(
            nid,
            type=_cell(row, "type"),
            side=_cell(row, "side"),
            channel=_cell(row, "channel"),
            stage=_cell(row, "chain_stage"),
            label_zh=zh or en,
            label_en=en or zh,
            founded=_cell(row, "founded"),
            source_ids=_cell(row, "source_ids"),
            locator=_cell(row, "locator"),
            since=_UNDATED,
        )
    for i, row in enumerate(relations.to_dict("records"), start=2):
        rid, s, o = _cell(row, "id"), _cell(row, "subject"), _cell(row, "object")
        bad = False
        for field, ref in (("subject", s), ("object", o)):
            if ref not in g:
                problems.append(Problem("relations.csv", i, field, f"unknown entity {ref!r}"))
                bad = True
        if not _cell(row, "source_ids"):
            problems.append(Problem("relations.csv", i, "source_ids", "every relation must cite a source"))
        if bad:
            continue
        g.add_edge(
            s,
            o,
            key=rid,
            relation=rid,
            predicate=_cell(row, "predicate"),
            start=_cell(row, "start"),
            end=_cell(row, "end"),
            value=_cell(row, "value"),
            unit=_cell(row, "unit"),
            source_ids=_cell(row, "source_ids"),
            locator=_cell(row, "locator"),
            note=_cell(row, "note"),
            since=_UNDATED,
        )
    if problems:
        raise InputError(problems, title="cannot build the chain graph")
    _date(g, events)
    return g


def _date(g: nx.MultiDiGraph, events: pd.DataFrame | None) -> None:
    """Fill ``since`` on nodes and edges (see :func:`build_graph`)."""
    first: dict[str, int] = {}

    def seen(node: str, year: int | None) -> None:
        if year is not None and (node not in first or year < first[node]):
            first[node] = year

    for n, data in g.nodes(data=True):
        seen(n, _year(data["founded"]))
    for u, v, data in g.edges(data=True):
        y = _year(data["start"])
        seen(u, y)
        seen(v, y)
    if events is not None and len(events):
        for row in events.to_dict("records"):
            y = _year(_cell(row, "date"))
            for n in _cell(row, "entity_ids").split(";"):
                if n.strip() in g:
                    seen(n.strip(), y)
    for n, y in first.items():
        g.nodes[n]["since"] = y
    for u, v, data in g.edges(data=True):
        y = _year(data["start"])
        if y is None and u in first and v in first:
            y = max(first[u], first[v])
        data["since"] = _UNDATED if y is None else y


def from_evidence(ev: Evidence) -> nx.MultiDiGraph:
    """Build the graph from a validated :class:`hkfactor.evidence.Evidence`."""
    return build_graph(ev.entities, ev.relations, ev.events)


def default_graph() -> nx.MultiDiGraph:
    """The chain graph of the evidence shipped with hkfactor (read directly from the CSVs)."""
    return build_graph(*read_chain_tables())


def to_adjacency(g: nx.MultiDiGraph, nodes: Iterable[str] | None = None) -> tuple[tuple[str, ...], npt.NDArray[np.bool_]]:
    """Binary directed adjacency (parallel edges collapsed, loops kept) in node order.

    Returns
    -------
    nodes : tuple of str
        Row/column order (default: the graph's node order).
    adjacency : ndarray of bool, shape (N, N)
        ``A[i, j]`` is True when there is at least one edge ``i -> j``.
    """
    order = tuple(nodes) if nodes is not None else tuple(g.nodes)
    pos = {n: i for i, n in enumerate(order)}
    adj = np.zeros((len(order), len(order)), dtype=bool)
    for u, v in g.edges():
        if u in pos and v in pos:
            adj[pos[u], pos[v]] = True
    return order, adj
