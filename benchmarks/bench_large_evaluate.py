"""`hkfactor evaluate` on a large SYNTHETIC file: 100 000 rows (500 indicators × 20 units × 10 years, long).

Issue 9's goal: < 15 s and < 1 GB. Run on demand: ``.venv/bin/python benchmarks/bench_large_evaluate.py``.
The data are random walks (labelled synthetic), two subsystems of 250 indicators each.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def main() -> None:
    rng = np.random.default_rng(9)
    n_ind, n_units, n_years = 500, 20, 10
    years = np.arange(2005, 2005 + n_years)
    units = [f"U{k:02d}" for k in range(n_units)]
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        x = np.cumsum(rng.normal(0.1, 1.0, size=(n_units, n_years, n_ind)), axis=1) + 100
        codes = [f"x{k:03d}" for k in range(n_ind)]
        u, y, c = np.meshgrid(np.arange(n_units), np.arange(n_years), np.arange(n_ind), indexing="ij")
        long = pd.DataFrame({"city": np.array(units)[u.ravel()], "series": np.array(codes)[c.ravel()],
                             "year": years[y.ravel()], "value": x.ravel().round(4)})
        long.to_csv(root / "big.csv", index=False)
        half = n_ind // 2
        lines = ["id: big", "name_zh: 合成大数据", "name_en: SYNTHETIC large data", "subsystems:"]
        for s, part in (("A", codes[:half]), ("B", codes[half:])):
            lines += [f"  - id: {s}", f"    name_en: subsystem {s}", "    indicators:"]
            lines += [f"      - {{series: {c}, direction: +}}" for c in part]
        (root / "big.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for extra in ([], ["--no-robustness"]):
            t = time.perf_counter()
            proc = subprocess.run(["/usr/bin/time", "-f", "%M", sys.executable, "-m", "hkfactor", "evaluate", "--data",
                                   str(root / "big.csv"), "--framework", str(root / "big.yaml"), "--out",
                                   str(root / "out"), "--lang", "en", *extra], capture_output=True, text=True)
            wall = time.perf_counter() - t
            peak_kb = int(proc.stderr.strip().splitlines()[-1]) if proc.returncode == 0 else -1
            print(f"evaluate 100 000 rows {' '.join(extra) or '(with robustness)'}: {wall:.1f} s, peak "
                  f"{peak_kb / 1024:.0f} MB, exit {proc.returncode} (goal < 15 s, < 1 GB)")
            if proc.returncode:
                print(proc.stderr[-2000:])


if __name__ == "__main__":
    main()
