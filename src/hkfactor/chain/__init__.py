"""The innovation chain and actor network: the paper's mechanism as a graph.

Build the typed graph of actors (universities, people, firms, platforms, finance, places)
and their sourced relations, ask how one reaches another (every hop cites its sources),
slice it by channel, stage or year, measure degree, betweenness and Gould–Fernandez
brokerage (exactly as R's ``sna::brokerage``), export it for Gephi / Cytoscape / R, and draw
it by chain stage. The trade module tests the paper's "super-connector" claim on sourced
Hong Kong / Mainland / world trade flows.

Examples
--------
>>> from hkfactor.chain import default_graph, path
>>> g = default_graph()
>>> [h.predicate for h in path(g, "HKUST", "DJI", via=["李泽湘"]).hops]
['member_of', 'supervised', 'founded']
"""

from __future__ import annotations

from hkfactor.chain._brokerage import ROLE_LABELS, ROLES, BrokerageResult, brokerage
from hkfactor.chain._draw import MissingFontError, chain_layout, draw_chain, find_cjk_font
from hkfactor.chain._export import EXPORTERS, read_graph, write_graph
from hkfactor.chain._graph import (
    PREDICATE_LABELS,
    SIDES,
    STAGES,
    build_graph,
    default_graph,
    from_evidence,
    read_chain_tables,
    to_adjacency,
)
from hkfactor.chain._measures import GROUPINGS, brokerage_of, brokerage_table, measures
from hkfactor.chain._query import Hop, Path, as_of, neighbourhood, path, resolve, subgraph
from hkfactor.chain._trade import (
    SuperConnector,
    read_trade_observations,
    super_connector,
    super_connector_table,
    trade_network,
)

__all__ = [
    "EXPORTERS",
    "GROUPINGS",
    "PREDICATE_LABELS",
    "ROLES",
    "ROLE_LABELS",
    "SIDES",
    "STAGES",
    "BrokerageResult",
    "Hop",
    "MissingFontError",
    "Path",
    "SuperConnector",
    "as_of",
    "brokerage",
    "brokerage_of",
    "brokerage_table",
    "build_graph",
    "chain_layout",
    "default_graph",
    "draw_chain",
    "find_cjk_font",
    "from_evidence",
    "measures",
    "neighbourhood",
    "path",
    "read_chain_tables",
    "read_graph",
    "read_trade_observations",
    "resolve",
    "subgraph",
    "super_connector",
    "super_connector_table",
    "to_adjacency",
    "trade_network",
    "write_graph",
]
