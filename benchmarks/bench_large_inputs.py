"""Benchmark: ``Index.from_files`` on a large SYNTHETIC unit table (time and peak memory).

Run:  .venv/bin/python benchmarks/bench_large_inputs.py [n_units] [n_indicators]

Writes a synthetic, clearly labelled data set (default 1 000 000 units × 10 indicators, random
numbers, 2 % blank cells, one text group column; NOT real data) and its metadata into a
temporary folder, then — each in a fresh subprocess, so peak RSS is that of the step alone —
measures:

* ``Index.from_files(meta, data, build=False)``: read + validate;
* the same with the recipe ``normalise minmax → aggregate amean`` built;
* ``Index.export(folder)``: formula-safe CSV export of every stage table.

Prints wall time and peak resident memory (``ru_maxrss``) of each. Goal (issue 9): reading
a 1-million-unit CSV in under 10 s and under 2 GB. Not a test: numbers vary by machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd


def make_inputs(folder: Path, n_units: int, n_ind: int, seed: int = 0) -> tuple[Path, Path]:
    """Write SYNTHETIC ``meta.csv`` and ``data.csv`` (random values; labelled as synthetic)."""
    rng = np.random.default_rng(seed)
    codes = [f"x{j}" for j in range(n_ind)]
    half = n_ind // 2
    meta = pd.DataFrame(
        {
            "iCode": [*codes, "P1", "P2", "Index", "grp"],
            "iName": [f"synthetic indicator {j}" for j in range(n_ind)] + ["pillar 1", "pillar 2", "synthetic index",
                                                                           "synthetic group"],
            "Parent": ["P1"] * half + ["P2"] * (n_ind - half) + ["Index", "Index", None, None],
            "Direction": [1, -1] * (n_ind // 2) + [1] * (n_ind % 2) + [1, 1, 1, None],
            "Weight": [1.0] * n_ind + [1.0, 1.0, 1.0, None],
            "Type": ["Indicator"] * n_ind + ["Aggregate", "Aggregate", "Aggregate", "Group"],
        }
    )
    meta.to_csv(folder / "meta.csv", index=False)
    data = pd.DataFrame({"uCode": [f"U{i:07d}" for i in range(n_units)],
                         "uName": [f"synthetic unit {i}" for i in range(n_units)],
                         "grp": rng.choice(["a", "b", "c"], n_units)})
    for c in codes:
        v = np.round(rng.lognormal(3, 1, n_units), 4)
        v[rng.random(n_units) < 0.02] = np.nan
        data[c] = v
    data.to_csv(folder / "data.csv", index=False)
    return folder / "meta.csv", folder / "data.csv"


_CHILD = textwrap.dedent(
    """
    import json, resource, sys, time
    from hkfactor.engine import Index, Recipe, Step
    meta, data, what, out = sys.argv[1:5]
    t0 = time.perf_counter()
    if what == "read":
        idx = Index.from_files(meta, data, build=False)
    else:
        idx = Index.from_files(meta, data, Recipe([Step("normalise", "minmax"), Step("aggregate", "amean")]))
        if what == "export":
            t0 = time.perf_counter()
            idx.export(out)
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": dt, "peak_rss_mb": rss, "rows": len(idx.data_)}))
    """
)


def run(meta: Path, data: Path, what: str, out: Path) -> dict[str, float]:
    res = subprocess.run([sys.executable, "-c", _CHILD, str(meta), str(data), what, str(out)],
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(n_units: int = 1_000_000, n_ind: int = 10) -> None:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        meta, data = make_inputs(folder, n_units, n_ind)
        size = data.stat().st_size / 1e6
        print(f"SYNTHETIC data: {n_units} units × {n_ind} indicators, data.csv {size:.0f} MB")
        for what, label in (("read", "from_files (read + validate)"), ("build", "from_files + build (minmax, amean)"),
                            ("export", "export CSV folder (after build)")):
            r = run(meta, data, what, folder / "export")
            print(f"{label:38s} {r['seconds']:6.2f} s   peak RSS {r['peak_rss_mb']:7.0f} MB")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    main(*args)
