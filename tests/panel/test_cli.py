"""`hkfactor panel …` run as a real command: coverage listings and the Frictionless data package."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import frictionless


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hkfactor", "panel", *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_coverage_json_counts_add_up() -> None:
    proc = _run("coverage", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    rows = {r["series"]: r for r in json.loads(proc.stdout)}
    gerd = rows["hk_gerd"]
    assert gerd["channel"] == "research_talent" and gerd["A"] >= 8
    for r in rows.values():
        assert r["years"] == r["A"] + r["B"] + r["C"] + r["derived"]


def test_coverage_grid_csv_has_years_as_columns() -> None:
    proc = _run("coverage", "--grid", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    header = proc.stdout.splitlines()[0].split(",")
    assert header[:2] == ["series", "channel"] and "2017" in header


def test_datapackage_command_writes_a_valid_package(tmp_path: Path) -> None:
    proc = _run("datapackage", "--out", str(tmp_path / "dp"), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    descriptor = tmp_path / "dp" / "datapackage.json"
    assert descriptor.is_file() and "wrote" in proc.stdout
    report = frictionless.validate(str(descriptor))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_bad_data_folder_is_a_clear_error(tmp_path: Path) -> None:
    proc = _run("coverage", "--data", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
