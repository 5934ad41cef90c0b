"""`hkfactor panel …` run as a real command: coverage listings and the Frictionless data package."""

from __future__ import annotations

import json
import os
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


def _wide(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hkfactor", "panel", *args], capture_output=True, text=True,
                          timeout=300, check=False, env={**os.environ, "COLUMNS": "200"})


def test_coverage_grid_table_is_compact_and_one_line_a_series() -> None:
    proc = _wide("coverage", "--grid")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if line.startswith("序列"))
    assert header.split()[1:4] == ["85", "86", "87"] and header.split()[-1] == "25"
    assert "1985" not in header
    gerd = [line for line in lines if line.strip().startswith("hk_gerd ")]
    assert len(gerd) == 1  # a series is one line: nothing wraps
    assert max(len(line) for line in lines) <= 170
    assert "金融" in proc.stdout and "科研与人才" in proc.stdout  # channels group the rows, labelled in zh
    en = _wide("coverage", "--grid", "--lang", "en")
    assert "research & talent" in en.stdout and "series" in en.stdout


def test_coverage_summary_headers_in_chinese() -> None:
    proc = _wide("coverage")
    assert proc.returncode == 0, proc.stderr
    for head in ("序列", "渠道", "起", "止", "年数", "推算", "剔除"):
        assert head in proc.stdout
    assert "科研与人才" in proc.stdout and "research_talent" not in proc.stdout
