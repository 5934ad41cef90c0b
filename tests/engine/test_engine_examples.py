"""Every documented engine example is a file that a test runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_build_index_example_runs() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "examples" / "build_index.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["uCode", "Rank", "Index"]
    assert lines[1].split()[:3] == ["CHE", "1.0", "68.38"]  # COINr results_aggs_scores.csv, first row
    assert "LUX" in lines[7]  # largest rank change under the geometric mean (compare_nominal_vs_gmean.csv)


def test_batch_replay_example_runs() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "docs" / "examples" / "batch_replay.py")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    assert out.startswith("units: 51 replications: 1000")
