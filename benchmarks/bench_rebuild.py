"""Benchmark: full rebuild of COINr's ASEM example recipe with hkfactor.

Run:  .venv/bin/python benchmarks/bench_rebuild.py [repeats]

Prints the median and best time of ``Index.build()`` (denominate → impute → screen → treat →
normalise → aggregate, 51 units × 49 indicators, 4 levels), of ``what_if`` (copy + rebuild) and
of building the DataFrame stage tables too. COINr 1.1.14 ``Regen(coin)`` takes 80 ms on the
reference machine (tests/engine/reference/coinr-asem/timings.csv). Not a test: numbers vary
by machine.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

from hkfactor.engine import Index, aggregate_tree, asem_recipe, kernels

REF = Path(__file__).resolve().parents[1] / "tests" / "engine" / "reference" / "coinr-asem"


def _time(fn, repeats: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out) * 1e3, min(out) * 1e3


def main(repeats: int = 200) -> None:
    idx = Index.from_coinr(REF / "input_ASEM_iData.csv", REF / "input_ASEM_iMeta.csv", asem_recipe())
    for _ in range(10):  # warm-up
        idx.build()
    med, best = _time(idx.build, repeats)
    print(f"Index.build() full ASEM rebuild:        median {med:6.2f} ms   best {best:6.2f} ms   (COINr Regen: 80.3 ms)")
    med, best = _time(lambda: idx.what_if(aggregate={"method": "gmean"}, normalise={"method": "minmax", "params": {"l_u": [1, 100]}}), repeats)
    print(f"what_if(gmean, minmax 1-100) copy+build: median {med:6.2f} ms   best {best:6.2f} ms")

    def with_tables() -> None:
        idx.build()
        for name in idx.stages_:
            idx.stages_[name]

    med, best = _time(with_tables, max(repeats // 4, 5))
    print(f"build + all 7 DataFrame stage tables:   median {med:6.2f} ms   best {best:6.2f} ms")

    # one batch of N replications: treat (winmax drawn) → normalise → aggregate (noisy weights) → rank
    n_rep = 1000
    rng = np.random.default_rng(0)
    sa = idx.stage_arrays("Screened")
    d = np.array([idx.framework[c].direction for c in sa.columns])
    spec = idx.aggregation_spec()

    def batch() -> None:
        x = np.broadcast_to(sa.values, (n_rep, *sa.values.shape))
        t = kernels.treat(x, winmax=rng.integers(1, 6, size=(n_rep, 1)))
        xn = kernels.normalise(t.x, "minmax", directions=d, l_u=(0, 100))
        w = spec["weights"] * rng.uniform(0.75, 1.25, size=(n_rep, len(spec["weights"])))
        y = aggregate_tree(xn, idx.framework.plan, w, methods=spec["methods"])
        kernels.rank_desc(y[..., -1], axis=-1)

    med, best = _time(batch, 5)
    print(
        f"batch of {n_rep} replications (kernels):   median {med:6.1f} ms   best {best:6.1f} ms"
        f"   = {med / n_rep * 1e3:5.0f} µs per replication (COINr UA: 90 ms per replication)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
