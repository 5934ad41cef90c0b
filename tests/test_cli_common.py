"""CLI-wide behaviour, run as the real command: version, piped width, read-only SQL."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hkfactor import __version__


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    # as from a shell pipe: no COLUMNS (pytest exports COLUMNS=80 to its children)
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    return subprocess.run([sys.executable, "-m", "hkfactor", *args], capture_output=True, text=True, timeout=300,
                          check=False, env=env)


def test_version() -> None:
    proc = _run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"hkfactor {__version__}"


def test_piped_tables_are_not_cut_at_80_columns() -> None:
    proc = _run("chain", "path", "E-HKUST", "E-DJI", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    assert "S-PAPER;S-REF-34" in proc.stdout  # the sources column is whole, not "S-PAPER;S-R…"
    assert max(len(line) for line in proc.stdout.splitlines()) > 80


def test_sql_cannot_write_files(tmp_path: Path) -> None:
    target = tmp_path / "leak.csv"
    proc = _run("sql", f"copy claims to '{target}'")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not target.exists()


def test_sql_statement_without_rows_is_not_a_crash() -> None:
    proc = _run("sql", "drop table claims", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() in {"[]", '[\n  {\n    "Success": true\n  }\n]'} or "Success" in proc.stdout
