"""A kill at a random moment during ``hkfactor export`` leaves the old output or the new one, complete.

Each trial starts from a complete *old* export (of a SYNTHETIC evidence folder), runs the real
command exporting the built-in evidence over it, and SIGKILLs it after a random delay. The
output must then be byte-for-byte the old export or the new one (never a mixture, never half a
file). Leftovers of the killed run (``.NAME.partial-*``, ``.NAME.*.tmp``) are allowed beside the
output but must be gone after the next complete run.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ._kill import _env, _snapshot, write_evidence

TRIALS = 5  # per format: 10 in all, each about one second


def _cmd(fmt: str, out: Path, data: Path | None) -> list[str]:
    return [sys.executable, "-m", "hkfactor", "export", "--format", fmt, "--out", str(out), "--lang", "en",
            *(["--data", str(data)] if data else [])]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_kill_during_export_leaves_old_or_new(fmt: str, tmp_path: Path) -> None:
    pytest.importorskip("openpyxl")
    syn = write_evidence(tmp_path / "synthetic")
    ref_old, ref_new = tmp_path / "ref" / f"old.{fmt}", tmp_path / "ref" / f"new.{fmt}"
    for out, data in ((ref_old, syn), (ref_new, None)):
        t0 = time.perf_counter()
        subprocess.run(_cmd(fmt, out, data), check=True, capture_output=True, env=_env(), timeout=120)
        duration = time.perf_counter() - t0
    old, new = _snapshot(ref_old), _snapshot(ref_new)
    assert old and new and old != new
    rng = random.Random(int.from_bytes(os.urandom(4), "little"))
    work = tmp_path / "work"
    outcomes = []
    for trial in range(TRIALS):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        target = work / f"out.{fmt}"
        if ref_old.is_dir():
            shutil.copytree(ref_old, target)
        else:
            shutil.copyfile(ref_old, target)
        delay = rng.uniform(0.2, 1.1) * duration
        proc = subprocess.Popen(_cmd(fmt, target, None), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=_env())
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        snap = _snapshot(target)
        state = "old" if snap == old else "new" if snap == new else "MIXED"
        outcomes.append((round(delay, 2), state))
        assert state != "MIXED", f"trial {trial}: killed after {delay:.2f} s, the output is neither the old nor the new one"
    # the next complete run removes what the killed ones left
    subprocess.run(_cmd(fmt, work / f"out.{fmt}", None), check=True, capture_output=True, env=_env(), timeout=120)
    left = [p.name for p in work.iterdir() if p.name != f"out.{fmt}"]
    assert left == [], f"leftovers after a complete run: {left}"
    assert _snapshot(work / f"out.{fmt}") == new
    print(f"{fmt}: {outcomes}")
