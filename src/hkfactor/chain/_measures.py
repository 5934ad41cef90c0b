"""Centrality and brokerage of the chain graph, as tables."""

from __future__ import annotations

import networkx as nx
import pandas as pd

from hkfactor.chain._brokerage import ROLES, BrokerageResult, brokerage
from hkfactor.chain._graph import to_adjacency
from hkfactor.errors import InputError, Problem

__all__ = ["GROUPINGS", "brokerage_of", "brokerage_table", "measures"]

#: Node attributes that can group the nodes for brokerage.
GROUPINGS: tuple[str, ...] = ("side", "stage", "channel", "type")


def brokerage_of(g: nx.MultiDiGraph, *, by: str = "side") -> BrokerageResult:
    """Gould–Fernandez brokerage of every node, groups given by the node attribute ``by``.

    The graph is reduced to a simple directed graph (parallel relations collapsed) before
    counting, as ``sna`` does with an adjacency matrix. Nodes with an empty ``by`` value
    form their own group ``"-"``. ``by`` is one of :data:`GROUPINGS` (any case).
    """
    if by.strip().casefold() not in GROUPINGS:
        raise InputError([Problem("brokerage", None, "by", f"cannot group by {by!r}; valid: {', '.join(GROUPINGS)}")],
                         title="invalid grouping")
    by = by.strip().casefold()
    nodes, adj = to_adjacency(g)
    groups = [g.nodes[n][by] or "-" for n in nodes]
    return brokerage(adj, groups, nodes=nodes)


def brokerage_table(g: nx.MultiDiGraph, *, by: str = "side", lang: str = "en") -> pd.DataFrame:
    """One row per node: observed count, expected count and z-score of every role.

    Columns: ``id``, ``label``, ``group``, then ``<role>`` (observed), ``<role>_exp`` and
    ``<role>_z`` for each of :data:`hkfactor.chain.ROLES`. Sorted by total brokerage
    (descending) then id.
    """
    r = brokerage_of(g, by=by)
    key = "label_zh" if lang == "zh" else "label_en"
    data: dict[str, object] = {
        "id": list(r.nodes),
        "label": [g.nodes[n][key] for n in r.nodes],
        "group": list(r.cl),
    }
    for c, role in enumerate(ROLES):
        data[role] = r.raw_nli[:, c]
        data[f"{role}_exp"] = r.exp_nli[:, c]
        data[f"{role}_z"] = r.z_nli[:, c]
    df = pd.DataFrame(data)
    return df.sort_values(["t", "id"], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def measures(g: nx.MultiDiGraph, *, by: str = "side", lang: str = "en") -> pd.DataFrame:
    """Degree, betweenness and brokerage of every node.

    ``in_degree``/``out_degree`` count relations (parallel relations each count);
    ``betweenness`` is networkx's normalised betweenness centrality of the simple directed
    graph (Brandes' algorithm, exact); brokerage columns as in :func:`brokerage_table`.
    """
    simple = nx.DiGraph(g)
    btw = nx.betweenness_centrality(simple, normalized=True)
    br = brokerage_table(g, by=by, lang=lang)
    br.insert(3, "in_degree", [g.in_degree(n) for n in br["id"]])
    br.insert(4, "out_degree", [g.out_degree(n) for n in br["id"]])
    br.insert(5, "betweenness", [btw[n] for n in br["id"]])
    return br
