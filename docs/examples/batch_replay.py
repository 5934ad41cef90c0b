"""Replay treat → normalise → aggregate for 1000 replications in one batch (no Python loop).

Run from the repository root:  python docs/examples/batch_replay.py
"""

from pathlib import Path

import numpy as np

from hkfactor.engine import Index, aggregate_tree, asem_recipe, kernels

ref = Path(__file__).resolve().parents[2] / "tests" / "engine" / "reference" / "coinr-asem"
idx = Index.from_coinr(ref / "input_ASEM_iData.csv", ref / "input_ASEM_iMeta.csv", asem_recipe())
rng = np.random.default_rng(1)
N = 1000
sa = idx.stage_arrays("Screened")  # input of the treat step, (n_units, n_indicators)
x = np.broadcast_to(sa.values, (N, *sa.values.shape))
t = kernels.treat(x, winmax=rng.integers(1, 6, size=(N, 1)))  # winmax drawn per replication
d = np.array([idx.framework[c].direction for c in sa.columns])
xn = kernels.normalise(t.x, "minmax", directions=d, l_u=(0, 100))
spec = idx.aggregation_spec()
w = spec["weights"] * rng.uniform(0.75, 1.25, size=(N, len(spec["weights"])))  # noisy weights
y = aggregate_tree(xn, idx.framework.plan, w, methods=spec["methods"])
ranks = kernels.rank_desc(y[..., -1], axis=-1)  # (N, n_units), 1 = best
median = np.median(ranks, axis=0)
print("units:", len(sa.units), "replications:", N)
print("median rank of", sa.units[0], "=", median[0], "; nominal =", idx.ranks()["Index"].iloc[0])
