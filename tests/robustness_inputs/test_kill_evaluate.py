"""A kill at a random moment during ``hkfactor evaluate`` leaves the old report or the new one, complete.

Each trial starts from a complete *old* report of the SYNTHETIC example pair (equal weights), runs
the real command with entropy weights over it, and SIGKILLs it after a random delay. The report
folder must then be the old one or the new one (every table, figure and the page; the Excel
workbook compared by content), never a mixture.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ._kill import _env, _snapshot

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
TRIALS = 3  # each about two seconds


def _cmd(out: Path, weighting: str) -> list[str]:
    return [sys.executable, "-m", "hkfactor", "evaluate", "--data", str(EXAMPLES / "synthetic_pair.csv"),
            "--framework", str(EXAMPLES / "synthetic_pair.yaml"), "--weighting", weighting, "--no-robustness",
            "--out", str(out), "--lang", "en"]


def _report(p: Path) -> dict[str, object] | None:
    snap = _snapshot(p)
    if snap is None:
        return None
    # the page names the --out it was written to in the command to reproduce it: compare without it
    out = {k: (re.sub(rb"--out \S+", b"--out OUT", v) if isinstance(v, bytes) else v) for k, v in snap.items()
           if not k.endswith(".xlsx") and not k.startswith(".")}
    xlsx = p / "tables" / "evaluation.xlsx"
    out["xlsx"] = _snapshot(xlsx) if xlsx.is_file() else None
    return out


@pytest.mark.slow
def test_kill_during_evaluate_leaves_old_or_new(tmp_path: Path) -> None:
    ref_old, ref_new = tmp_path / "ref" / "old", tmp_path / "ref" / "new"
    durations = []
    for out, weighting in ((ref_old, "equal"), (ref_new, "entropy")):
        t0 = time.perf_counter()
        subprocess.run(_cmd(out, weighting), check=True, capture_output=True, env=_env(), timeout=300)
        durations.append(time.perf_counter() - t0)
    old, new = _report(ref_old), _report(ref_new)
    assert old and new and old != new
    rng = random.Random()
    work = tmp_path / "work"
    for trial in range(TRIALS):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        target = work / "report"
        shutil.copytree(ref_old, target)
        delay = rng.uniform(0.3, 1.1) * durations[1]
        proc = subprocess.Popen(_cmd(target, "entropy"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=_env())
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        state = _report(target)
        assert state in (old, new), f"trial {trial}: killed after {delay:.2f} s, the report is neither old nor new"
