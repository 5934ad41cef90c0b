"""Write the graphs on which R's sna::brokerage is the oracle (brokerage_inputs.json).

Run from the repository root:

    .venv/bin/python tests/chain/reference/make_brokerage_inputs.py
    Rscript tests/chain/reference/brokerage_reference.R \
        tests/chain/reference/brokerage_inputs.json tests/chain/reference/brokerage_r.json

Random graphs use fixed seeds (NumPy PCG64), so the inputs are reproducible; the stored
JSON is what the tests read.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def _random_case(name: str, seed: int, n: int, n_groups: int, density: float) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    adj = (rng.random((n, n)) < density).astype(int)
    np.fill_diagonal(adj, 0)
    groups = [f"g{int(g)}" for g in rng.integers(0, n_groups, size=n)]
    return {"name": name, "nodes": [f"v{i}" for i in range(n)], "groups": groups, "adjacency": adj.tolist()}


def cases() -> list[dict[str, object]]:
    out = [
        _random_case("random_2groups_n12", 1, 12, 2, 0.25),
        _random_case("random_3groups_n20", 2, 20, 3, 0.15),
        _random_case("random_4groups_n30", 3, 30, 4, 0.10),
        _random_case("random_3groups_dense_n15", 4, 15, 3, 0.45),
        _random_case("random_4groups_sparse_n40", 5, 40, 4, 0.05),
    ]
    # A hand-made star with a singleton group: sd 0 gives NaN z-scores in R.
    star = np.zeros((5, 5), dtype=int)
    star[0, 1] = star[1, 2] = star[3, 1] = star[1, 4] = star[4, 0] = 1
    out.append(
        {
            "name": "star_singleton_group",
            "nodes": ["a", "hub", "c", "d", "e"],
            "groups": ["L", "H", "R", "L", "R"],
            "adjacency": star.tolist(),
        }
    )
    # Edge cases: one group and a dense tiny graph (negative closed-form variance → NaN sd in
    # R), and self-loops (counted in the density m / (N (N - 1)) but never part of a two-path).
    out.append(
        {
            "name": "one_group_dense_n3",
            "nodes": ["a", "b", "c"],
            "groups": ["g", "g", "g"],
            "adjacency": [[0, 1, 1], [0, 0, 1], [1, 1, 0]],
        }
    )
    loops = np.array(_random_case("x", 6, 8, 2, 0.3)["adjacency"])
    np.fill_diagonal(loops, [1, 0, 1, 0, 0, 1, 0, 0])
    out.append(
        {
            "name": "self_loops_n8",
            "nodes": [f"v{i}" for i in range(8)],
            "groups": ["p", "q", "p", "q", "p", "q", "q", "p"],
            "adjacency": loops.tolist(),
        }
    )
    # Loops can push sna's density above 1 (7 cells of 3 x 2): negative variances, NaN sd.
    out.append(
        {
            "name": "loops_density_above_one_n3",
            "nodes": ["a", "b", "c"],
            "groups": ["g", "g", "g"],
            "adjacency": [[1, 1, 1], [1, 0, 0], [1, 1, 1]],
        }
    )
    # The chain graph of the built-in evidence, partitioned by side and by stage, and the
    # 2004 Hong Kong / Mainland / world trade networks.
    from hkfactor.chain import default_graph, read_trade_observations, to_adjacency, trade_network

    g = default_graph()
    nodes, adj = to_adjacency(g)
    for attr in ("side", "stage"):
        out.append(
            {
                "name": f"chain_by_{attr}",
                "nodes": list(nodes),
                "groups": [g.nodes[v][attr] or "-" for v in nodes],
                "adjacency": adj.astype(int).tolist(),
            }
        )
    obs = read_trade_observations()
    for direct in (False, True):
        t = trade_network(obs, 2004, direct_ties=direct)
        tn = list(t.nodes)
        out.append(
            {
                "name": f"trade_2004_{'with_direct_ties' if direct else 'recorded'}",
                "nodes": tn,
                "groups": [t.nodes[v]["group"] for v in tn],
                "adjacency": [[int(t.has_edge(a, b)) for b in tn] for a in tn],
            }
        )
    return out


if __name__ == "__main__":
    (HERE / "brokerage_inputs.json").write_text(json.dumps(cases(), ensure_ascii=False) + "\n", encoding="utf-8")
