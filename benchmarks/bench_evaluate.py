"""`hkfactor evaluate` on the built-in data: end to end, in process, and a what-if re-evaluation.

Goals (issue 8): the whole command < 3 s on 2 cores; a what-if re-evaluation (another weighting or
normalisation, robustness off) < 100 ms in process, so a web page can call it. Run on demand:
``.venv/bin/python benchmarks/bench_evaluate.py``.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _median(f, n: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    exe = [sys.executable, "-m", "hkfactor", "evaluate", "--lang", "en"]
    with tempfile.TemporaryDirectory() as d:
        out = Path(d) / "out"
        walls = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([*exe, "--out", str(out)], check=True, capture_output=True)
            walls.append(time.perf_counter() - t)
    print(f"hkfactor evaluate (built-in, end to end, subprocess): median {statistics.median(walls):.2f} s "
          f"(runs {', '.join(f'{w:.2f}' for w in walls)}; goal < 3 s)")

    t = time.perf_counter()
    from hkfactor.evaluation import builtin_framework, builtin_panel, evaluate
    from hkfactor.report.evaluation import write_report

    print(f"import hkfactor.evaluation + report: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    panel, fw = builtin_panel(), builtin_framework()
    print(f"built-in inputs (evidence load + panel resolution): {time.perf_counter() - t:.2f} s")
    ev = evaluate(panel, fw)
    print(f"evaluate (with robustness: 12-variant grid, leave-one-out, 500 Monte Carlo runs): "
          f"median {_median(lambda: evaluate(panel, fw), 3):.3f} s")
    with tempfile.TemporaryDirectory() as d:
        print(f"write_report (HTML, CSV, Excel, SVG): median {_median(lambda: write_report(ev, Path(d) / 'r'), 3):.3f} s")
    for change in ({"weighting": "critic"}, {"normalisation": "rank"}, {"aggregation": "geometric"}):
        ms = 1000 * _median(lambda c=change: ev.what_if(robustness=False, **c), 7)  # type: ignore[misc]
        print(f"what-if {change} (robustness off): median {ms:.1f} ms (goal < 100 ms)")


if __name__ == "__main__":
    main()
