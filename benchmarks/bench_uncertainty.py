"""Uncertainty and sensitivity analysis on COINr's ASEM example: timings and agreement.

Run (on demand, not part of the tests)::

    .venv/bin/python benchmarks/bench_uncertainty.py            # pinned to 2 cores
    .venv/bin/python benchmarks/bench_uncertainty.py --cores 0  # no pinning

Problem (coinr_anchor.R): 51 units x 49 indicators, 4 levels; four uncertain inputs —
winsorisation limit 1-5, min-max(1, 100) vs z-score(10, 2), +/-25 % noise on level-2 and
level-3 weights, arithmetic vs geometric mean. COINr 1.1.14 on 2 cores: UA N=100 9.0 s,
N=500 47 s (reference timings.csv). Goals: UA N=10 000 < 2 s, Sobol' N=1 024 < 3 s.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests/robustness/asem.py (the four inputs; kernel-level ASEM model)


def _pin(cores: int) -> str:
    if cores <= 0 or not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    avail = sorted(os.sched_getaffinity(0))
    use = set(avail[:cores])
    os.sched_setaffinity(0, use)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(cores))
    return f"pinned to cores {sorted(use)}"


def _best(fn, repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cores", type=int, default=2, help="pin the process to this many cores (0: no pinning)")
    ap.add_argument("--repeat", type=int, default=3, help="best of this many runs")
    ap.add_argument("--workers", type=int, default=2, help="threads for the batched aggregation")
    args = ap.parse_args()
    pinned = _pin(args.cores)

    import numpy as np
    import pandas as pd
    from tests.robustness.asem import REF, AsemModel, asem_spec

    from hkfactor.engine import Index, asem_recipe
    from hkfactor.robustness import sensitivity, uncertainty

    # the public path: the engine's Index built from COINr's raw ASEM inputs with its recipe
    model = Index.from_coinr(REF / "input_ASEM_iData.csv", REF / "input_ASEM_iMeta.csv", asem_recipe())
    spec = asem_spec()
    coinr_t = pd.read_csv(REF / "timings.csv").set_index("what")["elapsed_s"]
    coinr_ua = {n: float(v) for k, v in coinr_t.items() for n in (100, 500) if f"UA N={n} " in k}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"ASEM Index: {len(model.stage('Aggregated'))} units x {len(model.framework.indicators)} indicators; "
          f"{pinned}; numpy {np.__version__}; workers={args.workers}; best of {args.repeat}; load avg {load:.1f}")
    print(f"{'analysis':<34}{'runs':>8}{'ours (s)':>11}{'COINr (s)':>11}{'per run (us)':>14}")

    def row(label: str, runs: int, t: float, coinr: float | None) -> None:
        c = f"{coinr:11.2f}" if coinr else f"{'-':>11}"
        print(f"{label:<34}{runs:>8}{t:11.3f}{c}{1e6 * t / runs:14.1f}")

    results = {}
    for n in (100, 500, 10_000):
        t, res = _best(lambda n=n: uncertainty(model, spec, n=n, seed=20240501, workers=args.workers), args.repeat)
        results[n] = res
        row(f"uncertainty N={n}", n, t, coinr_ua.get(n))
    t, sa = _best(lambda: sensitivity(model, spec, n=1024, n_boot=1000, seed=1, workers=args.workers), args.repeat)
    row("sensitivity (Sobol') N=1024", 1024 * 6, t, None)
    kernel = AsemModel()
    t, _ = _best(lambda: uncertainty(kernel, spec, n=10_000, seed=20240501, workers=args.workers), args.repeat)
    row("  kernel model, no sub-tree split", 10_000, t, None)
    coinr_sa50 = float(next(v for k, v in coinr_t.items() if "SA N=50" in k))
    print(f"  (COINr SA N=50, 300 runs: {coinr_sa50:.1f} s)")

    print("\nRank statistics vs COINr UA_N500_RankStats (random runs: loose comparison)")
    ref = pd.read_csv(REF / "UA_N500_RankStats.csv").set_index("uCode")
    for n in (500, 10_000):
        ours = results[n].rank_table().set_index("uCode").loc[ref.index]
        corr = np.corrcoef(ours["Mean"], ref["Mean"])[0, 1]
        mad = (ours["Mean"] - ref["Mean"]).abs()
        inside = ((ref["Median"] >= ours["Q5"]) & (ref["Median"] <= ours["Q95"])).mean()
        width = (ours["Q95"] - ours["Q5"]).mean() / (ref["Q95"] - ref["Q5"]).mean()
        same_nom = bool((ours["Nominal"] == ref["Nominal"]).all())
        print(f"  ours N={n:<6} nominal ranks identical={same_nom}  corr(mean ranks)={corr:.5f}  "
              f"mean|diff|={mad.mean():.3f} max|diff|={mad.max():.3f}  "
              f"COINr median inside our 5-95%: {inside:.0%}  band width ratio={width:.2f}")

    print("\nSensitivity of the mean absolute rank shift (ours: Sobol' N=1024, 6144 runs; COINr: random N=50)")
    coinr = pd.read_csv(REF / "SA_N50_Sensitivity.csv").set_index("Variable")
    tab = sa.table().set_index("Variable")
    both = pd.DataFrame({
        "S1": tab["Si"], "S1 q5-q95": [f"{a:.3f}-{b:.3f}" for a, b in zip(tab["Si_q5"], tab["Si_q95"], strict=True)],
        "ST": tab["STi"], "ST q5-q95": [f"{a:.3f}-{b:.3f}" for a, b in zip(tab["STi_q5"], tab["STi_q95"], strict=True)],
        "COINr S1": coinr["Si"], "COINr ST": coinr["STi"],
    })
    with pd.option_context("display.float_format", "{:.3f}".format, "display.width", 160):
        print(both.to_string())


if __name__ == "__main__":
    main()
