"""The documented examples of :mod:`hkfactor.chain` run, and its three layers agree."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from hkfactor.chain import brokerage, brokerage_of, brokerage_table, to_adjacency

MODULES = [
    "hkfactor.chain",
    "hkfactor.chain._brokerage",
    "hkfactor.chain._export",
    "hkfactor.chain._query",
    "hkfactor.chain._trade",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    mod = importlib.import_module(name)
    result = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


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
