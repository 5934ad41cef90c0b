"""Helpers of the kill tests: a snapshot of an output and the subprocess environment."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any


def _snapshot(p: Path) -> dict[str, object] | None:
    """Folder: every file's bytes. Workbook: every sheet's cell values (a workbook's zip entries
    carry time stamps, so two complete exports differ in bytes but not in content); a workbook
    that cannot be opened is reported as such."""
    if not p.exists():
        return None
    if p.is_file():
        import openpyxl

        try:
            wb = openpyxl.load_workbook(p, read_only=True)
        except Exception as exc:  # a torn file: anything openpyxl raises
            return {"unreadable": repr(exc)}
        try:
            return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
        finally:
            wb.close()
    return {q.relative_to(p).as_posix(): q.read_bytes() for q in sorted(p.rglob("*")) if q.is_file()}


def _env() -> dict[str, str]:
    src = str(Path(__file__).resolve().parents[2] / "src")
    return {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", ""), "NO_COLOR": "1"}




def _synthetic_module() -> Any:
    """``tests/evidence/_synthetic.py`` loaded by path (the test folders are not one package)."""
    path = Path(__file__).resolve().parents[1] / "evidence" / "_synthetic.py"
    spec = importlib.util.spec_from_file_location("hkfactor_tests_evidence_synthetic", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_evidence(folder: Path) -> Path:
    """The SYNTHETIC evidence folder of tests/evidence/_synthetic.py."""
    return Path(_synthetic_module().write_evidence(folder))
