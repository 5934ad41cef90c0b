"""Coverage table and the Frictionless data package (validated offline)."""

from __future__ import annotations

import json

import pytest

from hkfactor.panel import coverage, coverage_summary, to_datapackage


def test_coverage_marks_grades_by_year(panel):
    cov = coverage(panel, years=range(2014, 2025))
    assert cov.loc["hk_gerd", "2015"] == "A"
    assert cov.loc["sz_gdp", "2021"] == ""
    assert cov.loc["qianhai_zone_active", "2015"] == "d"
    assert cov.loc["hk_gerd", "channel"] == "research_talent"
    cells = set(cov.drop(columns="channel").to_numpy().ravel())
    assert cells <= {"", "A", "B", "C", "d"}


def test_coverage_summary_counts(panel):
    s = coverage_summary(panel)
    row = s.loc["hk_gerd"]
    assert row["years"] == row["A"] + row["B"] + row["C"] + row["derived"]
    assert s.loc["sz_pct_applications", "excluded"] >= 4  # the partial-year CNIPA tables


def test_datapackage_validates(panel, tmp_path):
    frictionless = pytest.importorskip("frictionless")
    path = to_datapackage(panel, tmp_path / "pkg")  # sources: the panel's own
    desc = json.loads(path.read_text(encoding="utf-8"))
    names = [r["name"] for r in desc["resources"]]
    assert names == ["observations", "panel", "provenance", "series", "breaks", "sources"]
    assert desc["licenses"] and desc["sources"]
    report = frictionless.validate(str(path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]
    prov = (tmp_path / "pkg" / "provenance.csv").read_text(encoding="utf-8")
    assert "excluded" in prov and "won" in prov


def test_panel_method_writes_the_same_package(panel, tmp_path):
    path = panel.to_datapackage(tmp_path / "m")
    assert path.name == "datapackage.json"
    assert (tmp_path / "m" / "panel.csv").read_text(encoding="utf-8").count("\n") == len(panel.cells) + 1
