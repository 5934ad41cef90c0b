"""The three layers of :mod:`hkfactor.chain` brokerage agree (its doctests run in tests/test_doctests.py)."""

from __future__ import annotations

import numpy as np

from hkfactor.chain import brokerage, brokerage_of, brokerage_table, to_adjacency


def test_array_graph_and_table_layers_agree(g) -> None:
    nodes, adj = to_adjacency(g)
    sides = [g.nodes[n]["side"] for n in nodes]
    a = brokerage(adj, sides, nodes=nodes)
    b = brokerage_of(g, by="side")
    np.testing.assert_array_equal(a.raw_nli, b.raw_nli)
    np.testing.assert_array_equal(a.z_nli, b.z_nli)
    t = brokerage_table(g, by="side").set_index("id").loc[list(nodes)]
    np.testing.assert_array_equal(t[["w_I", "w_O", "b_IO", "b_OI", "b_O", "t"]].to_numpy(), a.raw_nli)
    np.testing.assert_array_equal(t["b_O_z"].to_numpy(), a.z_nli[:, 4])
