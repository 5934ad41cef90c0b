"""A user's own city pair: data in every layout and encoding, and every kind of bad input.

All data here is the SYNTHETIC example of docs/examples (invented, labelled as such).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hkfactor.errors import InputError
from hkfactor.evaluation import framework_from_dict, read_data, read_framework

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
CSV = EXAMPLES / "synthetic_pair.csv"


@pytest.fixture(scope="module")
def fw():
    return read_framework(EXAMPLES / "synthetic_pair.yaml")


def _key(panel) -> pd.DataFrame:
    return panel.cells[["series", "year", "value"]].sort_values(["series", "year"], ignore_index=True)


def test_example_is_labelled_synthetic(fw) -> None:
    assert "synthetic" in fw.name_en.lower() and "合成" in fw.name_zh
    assert "SYNTHETIC" in (EXAMPLES / "synthetic_pair.yaml").read_text(encoding="utf-8")
    assert pd.read_csv(CSV)["note"].str.contains("synthetic").all()


def test_layouts_and_encodings_agree(fw, tmp_path: Path) -> None:
    ref = _key(read_data(CSV, fw))
    assert len(ref) == 80
    long = pd.read_csv(CSV)
    variants: dict[str, Path] = {}
    # GBK (Excel on Chinese Windows), with Chinese headers and a thousands separator
    gbk = long.rename(columns={"series": "指标", "year": "年份", "value": "数值", "note": "备注"})
    gbk["数值"] = [f"{v:,}" if v >= 1000 else str(v) for v in long["value"]]
    variants["gbk"] = tmp_path / "gbk.csv"
    variants["gbk"].write_bytes(gbk.to_csv(index=False).encode("gbk"))
    # UTF-8 with byte-order mark
    variants["bom"] = tmp_path / "bom.csv"
    variants["bom"].write_bytes(b"\xef\xbb\xbf" + long.to_csv(index=False).encode("utf-8"))
    # wide, years as rows
    wide = long.pivot(index="year", columns="series", values="value").reset_index()
    variants["wide_years"] = tmp_path / "wide_years.csv"
    wide.to_csv(variants["wide_years"], index=False)
    # wide, series as rows (Excel)
    tall = long.pivot(index="series", columns="year", values="value").reset_index()
    tall.columns = [str(c) for c in tall.columns]
    variants["xlsx"] = tmp_path / "series_rows.xlsx"
    tall.to_excel(variants["xlsx"], index=False)
    for name, path in variants.items():
        got = _key(read_data(path, fw))
        pd.testing.assert_frame_equal(got, ref, check_dtype=False, obj=name)


def test_every_bad_cell_is_reported_with_row_and_column(fw, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "series,year,value\n"
        "a_fdi,2011,48\n"
        "a_fdl,2012,50\n"          # row 3: unknown series (typo)
        "a_fdi,2013,n/a?\n"        # row 4: not a number
        "a_fdi,20x4,47\n"          # row 5: not a year
        "a_fdi,2011,49\n",         # row 6: duplicate of row 2
        encoding="utf-8",
    )
    with pytest.raises(InputError) as exc:
        read_data(bad, fw)
    probs = {(p.row, p.field): p.message for p in exc.value.problems}
    assert len(exc.value.problems) == 4
    assert "not in the framework" in probs[(3, "value")]
    assert "not a number" in probs[(4, "value")]
    assert "4-digit year" in probs[(5, "value")]
    assert "first at row 2" in probs[(6, "value")]
    assert all(p.file == str(bad) for p in exc.value.problems)


def test_wide_bad_cell_names_its_column(fw, tmp_path: Path) -> None:
    bad = tmp_path / "wide.csv"
    bad.write_text("year,a_fdi,b_patents\n2011,48,1200\n2012,abc,1300\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_data(bad, fw)
    (p,) = exc.value.problems
    assert (p.row, p.field) == (3, "a_fdi") and "not a number" in p.message


def test_unknown_layout_and_empty_data(fw, tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("city,amount\nSZ,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the layout"):
        read_data(odd, fw)
    empty = tmp_path / "empty.csv"
    empty.write_text("series,year,value\na_fdi,2011,\n", encoding="utf-8")
    with pytest.raises(InputError, match="no values"):
        read_data(empty, fw)
    with pytest.raises(InputError, match=r"nope\.csv.*(cannot read|not found)"):
        read_data(tmp_path / "nope.csv", fw)


def test_sources_and_grades_in_user_data(fw, tmp_path: Path) -> None:
    p = tmp_path / "src.csv"
    p.write_text(
        "series,year,value,grade,source,source_url,locator\n"
        "a_fdi,2011,48,A,Stats Bureau,https://example.org/t1,table 1\n"
        "a_fdi,2012,50,B,Stats Bureau,https://example.org/t1,table 1\n"
        "b_patents,2011,1200,,,,\n",
        encoding="utf-8",
    )
    panel = read_data(p, fw)
    assert set(panel.sources["id"]) == {"U-STATS-BUREAU", "U-FILE"}
    c = panel.cells.set_index(["series", "year"])
    assert c.loc[("a_fdi", 2011), "grade"] == "A"
    assert c.loc[("b_patents", 2011), "locator"] == "src.csv row 4, value"
    p.write_text("series,year,value,grade\na_fdi,2011,48,Z\n", encoding="utf-8")
    with pytest.raises(InputError, match="grade 'Z'"):
        read_data(p, fw)


def test_framework_problems_are_all_reported(tmp_path: Path) -> None:
    doc = {
        "id": "x",
        "channels": [
            {"id": "a", "name_en": "A", "indicators": [{"series": "s1", "name_en": "S1", "direction": "up"}]},
            {"id": "a", "name_en": "A again", "indicators": [{"series": "s1", "name_en": "dup"}]},
            {"id": "b", "name_en": "B", "indicators": []},
        ],
        "innovation": {"name_en": "inn", "indicators": [{"name_en": "no series"}]},
    }
    with pytest.raises(InputError) as exc:
        framework_from_dict(doc, file="fw.yaml")
    fields = {p.field for p in exc.value.problems}
    assert {"channels[0].indicators[0].direction", "channels[1].id", "channels[1].indicators[0].series",
            "channels[2].indicators", "innovation.indicators[0].series"} <= fields
    bad = tmp_path / "bad.yaml"
    bad.write_text("channels: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid YAML"):
        read_framework(bad)


def test_link_is_optional_and_validated(fw, tmp_path: Path) -> None:
    links = {ind.series: ind.link for _s, _c, ind in fw.indicators()}
    assert links["a_fdi"] == "bilateral" and links["a_reexport"] == "partner" and links["b_energy"] == "context"
    doc = {"channels": [{"id": "a", "name_en": "A", "indicators": [
        {"series": "s1", "name_en": "S1"}, {"series": "s2", "name_en": "S2", "link": "bilaterial"}]}],
           "innovation": {"indicators": [{"series": "s3", "name_en": "S3", "link": "focal"}]}}
    with pytest.raises(InputError) as exc:
        framework_from_dict(doc, file="fw.yaml")
    (p,) = exc.value.problems
    assert p.file == "fw.yaml" and p.field == "channels[0].indicators[1].link"
    assert "'s2'" in p.message and "bilaterial" in p.message and "bilateral" in p.message
    doc["channels"][0]["indicators"][1]["link"] = "bilateral"
    ok = framework_from_dict(doc, file="fw.yaml")
    assert [i.link for _s, _c, i in ok.indicators()] == ["unspecified", "bilateral", "focal"]


def test_qualifier_column_is_read_and_checked(fw, tmp_path: Path) -> None:
    panel = read_data(CSV, fw)
    q = panel.cells.set_index(["series", "year"])["qualifier"]
    assert q[("a_listings", 2016)] == "over" and q[("a_reexport", 2013)] == "about" and q[("a_fdi", 2011)] == ""
    p = tmp_path / "q.csv"
    p.write_text("series,year,value,qualifier\na_fdi,2011,48,roughly\n", encoding="utf-8")
    with pytest.raises(InputError, match="qualifier 'roughly'"):
        read_data(p, fw)


def test_builtin_framework_reads(fw) -> None:
    from hkfactor.evaluation._builtin import FRAMEWORK_FILE, builtin_framework

    b = builtin_framework()
    assert b.channels and b.innovation.indicators
    if FRAMEWORK_FILE.exists():
        assert b.id == "shenzhen_hk"


def test_documented_python_example_runs(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = EXAMPLES / "evaluate_synthetic.py"
    proc = subprocess.run([sys.executable, str(script), str(tmp_path / "out")], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "good coordination" in proc.stdout and "Channel 'Platforms' dropped" in proc.stdout
    assert (tmp_path / "out" / "report.html").is_file()
    assert '"weighting": "critic"' in (tmp_path / "out" / "recipe.json").read_text(encoding="utf-8")
