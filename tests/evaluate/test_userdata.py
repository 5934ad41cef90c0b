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
    # each problem names the column it is in: series, year or value
    assert "not in the framework" in probs[(3, "series")] and "did you mean 'a_fdi'?" in probs[(3, "series")]
    assert "not a number" in probs[(4, "value")]
    assert "'20x4' is not a year" in probs[(5, "year")]
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
    odd.write_text("place,amount\nSZ,1\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot tell the layout"):
        read_data(odd, fw)
    # a unit column (city) makes it a cross-section: every other column must then be a series
    cross = tmp_path / "cross.csv"
    cross.write_text("city,amount\nSZ,1\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_data(cross, fw)
    (p,) = exc.value.problems
    assert (p.file, p.row, p.field) == (str(cross), 1, "amount") and "not a series of the framework" in p.message
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
    got = {(p.field, p.code) for p in exc.value.problems}
    assert {("channels[0].indicators[0].direction", "framework.bad_direction"),
            ("channels[1].id", "framework.duplicate"),
            ("channels[1].indicators[0].series", "framework.duplicate"),
            ("channels[1].indicators[0].direction", "framework.direction_required"),
            ("channels[2].indicators", "framework.empty_list"),
            ("innovation.indicators[0].series", "framework.missing")} <= got
    assert all(p.file == "fw.yaml" and p.row is None for p in exc.value.problems)
    dup = next(p for p in exc.value.problems if p.field == "channels[1].id")
    assert dup.params["id"] == "a" and dup.params["first"] == "channels[0].id"
    bad = tmp_path / "bad.yaml"
    bad.write_text("channels: [\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_framework(bad)
    (p,) = exc.value.problems
    assert p.code == "framework.invalid_yaml" and p.file == str(bad) and p.row is not None
    assert "not valid YAML" in p.render("en") and "不是有效的 YAML" in p.render("zh")


def test_link_is_optional_and_validated(fw, tmp_path: Path) -> None:
    links = {ind.series: ind.link for _s, _c, ind in fw.indicators()}
    assert links["a_fdi"] == "bilateral" and links["a_reexport"] == "partner" and links["b_energy"] == "context"
    doc = {"channels": [{"id": "a", "name_en": "A", "indicators": [
        {"series": "s1", "name_en": "S1", "direction": "+"},
        {"series": "s2", "name_en": "S2", "link": "bilaterial", "direction": "+"}]}],
           "innovation": {"indicators": [{"series": "s3", "name_en": "S3", "link": "focal", "direction": "-"}]}}
    with pytest.raises(InputError) as exc:
        framework_from_dict(doc, file="fw.yaml")
    (p,) = exc.value.problems
    assert p.file == "fw.yaml" and p.field == "channels[0].indicators[1].link" and p.code == "framework.bad_link"
    assert p.params["series"] == "s2" and p.params["value"] == "bilaterial" and "bilateral" in p.params["allowed"]
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
    # the legacy channels + innovation form: a partner subsystem of channels and a focal one
    assert [s.role for s in b.subsystems] == ["partner", "focal"]
    assert b.subsystems[0].groups and b.subsystems[1].all_indicators()
    assert b.partner == ("香港", "Hong Kong") and b.focal == ("深圳", "Shenzhen")
    if FRAMEWORK_FILE.exists():
        assert b.id == "shenzhen_hk"


def test_documented_python_example_runs(tmp_path: Path) -> None:
    import subprocess
    import sys

    script = EXAMPLES / "evaluate_synthetic.py"
    proc = subprocess.run([sys.executable, str(script), str(tmp_path / "out")], capture_output=True, text=True,
                          encoding="utf-8", timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "good coordination" in proc.stdout and "Group 'Platforms' dropped" in proc.stdout
    assert (tmp_path / "out" / "report.html").is_file()
    assert '"weighting": "critic"' in (tmp_path / "out" / "recipe.json").read_text(encoding="utf-8")


# --- QA walkthrough: every kind of bad input gives one clear problem, never silent coercion ---------------

def _fw_text() -> str:
    return (EXAMPLES / "synthetic_pair.yaml").read_text(encoding="utf-8")


def _long_rows() -> list[list[str]]:
    import csv

    with CSV.open(encoding="utf-8", newline="") as fh:
        return [list(r) for r in csv.reader(fh)]


def _write_rows(path: Path, rows: list[list[str]]) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_framework_key_typo_is_an_error_with_suggestion(tmp_path: Path) -> None:
    # synthetic: the example framework with `direction` misspelt on the first trade indicator
    text = _fw_text().replace("name_en: Re-exports via A, direction: +", "name_en: Re-exports via A, directon: +")
    bad = tmp_path / "typo.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_framework(bad)
    probs = {p.field: p for p in exc.value.problems}
    assert set(probs) == {"channels[2].indicators[0]", "channels[2].indicators[0].direction"}
    typo = probs["channels[2].indicators[0]"]
    assert typo.code == "framework.unknown_key" and typo.params["key"] == "directon"
    assert typo.params["suggestion"] == "direction" and "direction" in typo.params["allowed"]
    # the suggestion is given in the reader's language
    assert "did you mean 'direction'?" in typo.render("en") and "是否应为 'direction'" in typo.render("zh")
    assert "did you mean" not in typo.render("zh")
    # ... and the direction it was meant to give is missing, which is an error too (never "+" by default)
    req = probs["channels[2].indicators[0].direction"]
    assert req.code == "framework.direction_required" and req.params["series"] == "a_reexport"
    assert all(p.file == str(bad) for p in exc.value.problems)
    assert str(bad) in str(exc.value) and "channels[2].indicators[0]" in str(exc.value)


@pytest.mark.parametrize(("where", "edit"), [
    ("", lambda d: d.update(chanels=[])),
    ("partner", lambda d: d["partner"].update(zh_name="甲")),
    ("channels[1]", lambda d: d["channels"][1].update(indicator=[])),
    ("innovation", lambda d: d["innovation"].update(nmae_en="x")),
])
def test_unknown_keys_at_every_level(where: str, edit) -> None:
    import yaml

    doc = yaml.safe_load(_fw_text())
    edit(doc)
    with pytest.raises(InputError) as exc:
        framework_from_dict(doc, file="fw.yaml")
    (p,) = exc.value.problems
    assert p.field == (where or None) and p.code == "framework.unknown_key"
    assert p.params["allowed"] and p.params["key"] in {"chanels", "zh_name", "indicator", "nmae_en"}


def test_direction_is_required(tmp_path: Path) -> None:
    text = _fw_text().replace("name_en: Co-authored papers, direction: +,", "name_en: Co-authored papers,")
    with pytest.raises(InputError) as exc:
        framework_from_dict(__import__("yaml").safe_load(text), file="fw.yaml")
    (p,) = exc.value.problems
    assert p.field == "channels[1].indicators[0].direction" and p.code == "framework.direction_required"
    assert p.params["series"] == "a_copubs"


def test_non_finite_values_are_errors(fw, tmp_path: Path) -> None:
    rows = _long_rows()
    rows[3][2], rows[5][2], rows[7][2] = "inf", "1e400", "-Infinity"
    with pytest.raises(InputError) as exc:
        read_data(_write_rows(tmp_path / "inf.csv", rows), fw)
    got = {(p.row, p.field): p for p in exc.value.problems}
    # the reader refuses 1e400 (it overflows) before the cells are checked; fixed, the other two remain
    assert set(got) == {(6, "value")} and got[(6, "value")].code == "table.cell.overflow"
    rows[5][2] = "48"
    with pytest.raises(InputError) as exc:
        read_data(_write_rows(tmp_path / "inf2.csv", rows), fw)
    got2 = {(p.row, p.field): p.message for p in exc.value.problems}
    assert set(got2) == {(4, "value"), (8, "value")}
    assert all("not a finite number" in m for m in got2.values())


def test_evaluate_rejects_non_finite_panel_values(fw) -> None:
    from hkfactor.evaluation import evaluate

    panel = read_data(CSV, fw)
    cells = panel.cells.copy()
    cells.loc[0, "value"] = float("inf")
    with pytest.raises(InputError) as exc:
        evaluate(type(panel)(cells=cells, sources=panel.sources, label="synthetic"), fw)
    (p,) = exc.value.problems
    assert p.code == "prepare.not_finite" and p.file == "synthetic" and p.field == cells.loc[0, "series"]


def test_long_layout_year_and_series_problems_name_their_column(fw, tmp_path: Path) -> None:
    rows = _long_rows()
    for r in rows[1:]:
        r[1] = f"Y{r[1]}"
    rows[4][0] = "a_fdl"
    with pytest.raises(InputError) as exc:
        read_data(_write_rows(tmp_path / "y.csv", rows), fw)
    probs = exc.value.problems
    assert {p.field for p in probs} == {"year", "series"}
    assert not any(p.field == "value" for p in probs)
    # 80 bad years are summarised, not listed one line each
    assert len(probs) <= 8
    text = str(exc.value)
    assert "rows 3–" in text and "more problem(s) like these in this column" in text


def test_identical_problems_on_many_rows_are_one_line(fw, tmp_path: Path) -> None:
    rows = _long_rows()
    for r in rows[1:]:
        if r[0] == "a_fdi":
            r[0] = "a_fdl"
    with pytest.raises(InputError) as exc:
        read_data(_write_rows(tmp_path / "t.csv", rows), fw)
    (p,) = exc.value.problems
    assert p.field == "series" and "did you mean 'a_fdi'?" in p.message
    assert "rows 3, 11, 19, 27" in str(p) and "(10 rows)" in str(p)


def test_year_with_nian_is_read(fw, tmp_path: Path) -> None:
    rows = _long_rows()
    for r in rows[1:]:
        r[1] = f"{r[1]}年"
    got = _key(read_data(_write_rows(tmp_path / "nian.csv", rows), fw))
    pd.testing.assert_frame_equal(got, _key(read_data(CSV, fw)))


def test_missing_required_column_is_one_error(fw, tmp_path: Path) -> None:
    rows = [[r[0], r[1], r[3]] for r in _long_rows()]  # no value column
    with pytest.raises(InputError) as exc:
        read_data(_write_rows(tmp_path / "novalue.csv", rows), fw)
    (p,) = exc.value.problems
    assert p.message.startswith("required column 'value' is missing (found: series, year, note)")


def test_wide_extra_text_column_is_one_error(fw, tmp_path: Path) -> None:
    long = pd.read_csv(CSV)
    wide = long.pivot(index="year", columns="series", values="value").reset_index()
    wide["说明"] = "synthetic"
    wide.to_csv(tmp_path / "wide.csv", index=False)
    with pytest.raises(InputError) as exc:
        read_data(tmp_path / "wide.csv", fw)
    (p,) = exc.value.problems
    assert (p.row, p.field) == (1, "说明") and "not a series of the framework" in p.message
    # a known field (备注 = note) cannot be tied to one value in the wide layout: not read, and said so
    wide = wide.rename(columns={"说明": "备注"})
    wide.to_csv(tmp_path / "wide_note.csv", index=False)
    panel = read_data(tmp_path / "wide_note.csv", fw)
    assert len(panel.cells) == 80 and (panel.cells["note"] == "").all()
    (dec,) = [d for d in panel.input_decisions if d.code == "input.ignored_wide_columns"]
    assert dec.params["listed"] == "'备注'" and "'备注'" in dec.render("zh")


def test_csv_with_too_many_cells_is_explained(fw, tmp_path: Path) -> None:
    bad = tmp_path / "tok.csv"
    bad.write_text("series,year,value,note\na_fdi,2011,48,x\na_fdi,2012,50,x\na_fdi,2013,51,x\n"
                   "a_fdi,2014,1,200,x,y\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_data(bad, fw)
    (p,) = exc.value.problems
    assert (p.code, p.row, p.params["n"], p.params["expected"]) == ("table.row.long", 5, 6, 4)
    assert "1,234 must be quoted" in p.message and "C error" not in p.message and "tokenizing" not in p.message
    assert "第 5 行" in p.render("zh")


def test_missing_markers_are_listed_and_other_text_is_an_error(fw, tmp_path: Path) -> None:
    from hkfactor.evaluation import evaluate

    rows = _long_rows()
    marked = {3: "..", 11: "—", 12: "N/A", 19: "n.a.", 20: "NaN", 27: "-", 28: "…", 35: "NA"}
    for i, m in marked.items():
        rows[i][2] = m
    panel = read_data(_write_rows(tmp_path / "m.csv", rows), fw)
    assert len(panel.cells) == 80 - len(marked)
    # read_table reads the markers as missing: one decision per marker kind, with its count
    miss = {d.subject: d for d in panel.input_decisions if d.code == "table.missing"}
    assert {m for m in marked.values()} <= set(miss)
    assert sum(int(d.params["count"]) for k, d in miss.items() if k in marked.values()) == len(marked)
    assert all(d.render("zh") and d.render("en") for d in miss.values())
    ev = evaluate(panel, fw)
    # the reader's decisions come first among the evaluation's
    assert [d.code for d in ev.decisions[:len(panel.input_decisions)]] == [d.code for d in panel.input_decisions]
    # anything else that is not a number is an error, never missing
    for text in ("x", "n.a", "?", "3,35"):
        rows[3][2] = text
        with pytest.raises(InputError, match="is not a number") as exc:
            read_data(_write_rows(tmp_path / "m2.csv", rows), fw)
        assert exc.value.problems[0].row == 4
    assert "decimal comma" in str(exc.value)


def test_percent_only_for_share_and_percent_units(tmp_path: Path) -> None:
    # synthetic: R&D intensity declared as a share (0–1) in a copy of the example framework
    fw_share = framework_from_dict(__import__("yaml").safe_load(
        _fw_text().replace('direction: +, unit: "%"}', "direction: +, unit: share}")), file="share.yaml")
    fw_pct = read_framework(EXAMPLES / "synthetic_pair.yaml")  # unit "%"
    rows = _long_rows()
    i = next(k for k, r in enumerate(rows) if r[0] == "b_rd_share" and r[1] == "2013")
    rows[i][2] = "3.47%"
    path = _write_rows(tmp_path / "pct.csv", rows)
    share = read_data(path, fw_share)
    v = share.cells.set_index(["series", "year"]).loc[("b_rd_share", 2013), "value"]
    assert v == pytest.approx(0.0347)
    (dec,) = [d for d in share.input_decisions if d.code == "input.percent"]
    assert dec.params["n"] == 1
    assert f"b_rd_share 2013 (row {i + 1}, value: '3.47%')" in dec.render("en")
    assert f"b_rd_share 2013（第 {i + 1} 行" in dec.render("zh")
    pct = read_data(path, fw_pct)
    assert pct.cells.set_index(["series", "year"]).loc[("b_rd_share", 2013), "value"] == pytest.approx(3.47)
    assert [d.code for d in pct.input_decisions if d.code.startswith("input.")] == ["input.shape"]
    rows[i][2], rows[2][2] = "3.47", "48%"  # a_fdi is in 亿美元
    with pytest.raises(InputError) as exc:
        read_data(_write_rows(tmp_path / "pct2.csv", rows), fw_pct)
    (p,) = exc.value.problems
    assert (p.row, p.field) == (3, "value") and "percent sign" in p.message and "亿美元" in p.message


def test_sheet_counts_from_one_and_is_named_in_errors(fw, tmp_path: Path) -> None:
    long = pd.read_csv(CSV)
    book = tmp_path / "two.xlsx"
    with pd.ExcelWriter(book) as xw:
        pd.DataFrame({"说明": ["synthetic example"]}).to_excel(xw, sheet_name="说明", index=False)
        long.to_excel(xw, sheet_name="数据", index=False)
    ref = _key(read_data(CSV, fw))
    for sheet in (2, "2", "数据"):
        pd.testing.assert_frame_equal(_key(read_data(book, fw, sheet=sheet)), ref, obj=str(sheet))
    with pytest.raises(InputError) as exc:
        read_data(book, fw)  # the first sheet is the notes
    msg = str(exc.value)
    assert "cannot tell the layout" in msg and "sheet '说明' was read" in msg and "--sheet" in msg
    with pytest.raises(InputError, match=r"there is no sheet 3 \(sheets count from 1\)"):
        read_data(book, fw, sheet=3)
    with pytest.raises(InputError, match="there is no sheet 0"):
        read_data(book, fw, sheet=0)
    with pytest.raises(InputError, match="no sheet 'Data'"):
        read_data(book, fw, sheet="Data")
    with pytest.raises(InputError, match="sheet= applies only to Excel"):
        read_data(CSV, fw, sheet=1)


def test_documented_error_example(fw, tmp_path: Path) -> None:
    """The error block of docs/evaluate.md, reproduced (synthetic data)."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "evaluate.md").read_text(encoding="utf-8")
    block = doc[doc.index("error: invalid data — 3 problem(s)"):].split("```", 1)[0]
    expected = [line.strip().removeprefix("• ").split("(…)")[0] for line in block.splitlines()[1:] if line.strip()]
    bad = tmp_path / "bad.csv"
    bad.write_text("series,year,value\na_fdi,2011,48\na_fdi,2012,四十\na_listings,2011,23\na_fdl,2013,50\n"
                   "a_listings,2012,27\na_listings,2013,30\na_listings,2014,31\na_fdi,2014,inf\n"
                   "a_listings,2015,33\na_listings,2016,34\na_listings,2017,35\na_fdl,2015,50\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_data(bad, fw)
    got = [str(p).replace(str(bad), "bad.csv") for p in exc.value.problems]
    assert len(got) == len(expected) == 3
    for g, e in zip(got, expected, strict=True):
        assert g.startswith(e), (g, e)


def test_long_layout_unknown_column_is_reported_as_not_read(fw, tmp_path: Path) -> None:
    rows = _long_rows()
    for k, r in enumerate(rows):
        r.append("unit" if k == 0 else "亿")
    panel = read_data(_write_rows(tmp_path / "unit.csv", rows), fw)
    (dec,) = [d for d in panel.input_decisions if d.code == "input.ignored_columns"]
    assert dec.params["listed"] == "'unit'" and "not read" in dec.render("en") and "未读取" in dec.render("zh")
    assert [d.code for d in read_data(CSV, fw).input_decisions if d.code.startswith("input.")] == ["input.shape"]


def test_sheet_named_like_a_number_is_found_by_name(fw, tmp_path: Path) -> None:
    book = tmp_path / "years.xlsx"
    with pd.ExcelWriter(book) as xw:
        pd.read_csv(CSV).to_excel(xw, sheet_name="2019", index=False)
    assert len(read_data(book, fw, sheet="2019").cells) == 80
    assert len(read_data(book, fw, sheet=1).cells) == 80


def test_panel_and_cross_section_layouts_agree(tmp_path: Path) -> None:
    """SYNTHETIC: three invented units × three years of two series, in every layout with a unit column."""
    fw = framework_from_dict({"subsystems": [{"id": "S", "name_en": "S", "indicators": [
        {"series": "x1", "name_en": "x1", "direction": "+"}, {"series": "x2", "name_en": "x2", "direction": "-"}]}]},
        file="fw.yaml")
    long = pd.DataFrame([{"城市": u, "年份": y, "指标": s, "数值": float(10 * k + y - 2000 + (s == "x2"))}
                         for k, u in enumerate(["甲市", "乙市", "丙市"]) for y in (2001, 2002, 2003) for s in ("x1", "x2")])
    (tmp_path / "long.csv").write_bytes(long.to_csv(index=False).encode("gbk"))
    wide = long.pivot_table(index=["城市", "年份"], columns="指标", values="数值").reset_index()
    wide.columns = [str(c) for c in wide.columns]
    wide.to_excel(tmp_path / "wide.xlsx", index=False)
    ref = None
    for name, layout in (("long.csv", "long"), ("wide.xlsx", "wide")):
        panel = read_data(tmp_path / name, fw)
        assert panel.shape == "panel" and set(panel.units) == {"甲市", "乙市", "丙市"} and panel.years == [2001, 2002, 2003]
        shape = next(d for d in panel.input_decisions if d.code == "input.shape")
        assert shape.params["shape"]["en"] == "panel" and shape.params["layout"]["en"] == layout
        assert (shape.params["n_units"], shape.params["n_years"], shape.params["n_series"]) == (3, 3, 2)
        got = panel.cells[["unit", "series", "year", "value"]].sort_values(["unit", "series", "year"],
                                                                           ignore_index=True)
        if ref is None:
            ref = got
        else:
            pd.testing.assert_frame_equal(got, ref, check_dtype=False, obj=name)
    # one year only, with 地区 as the unit column: a cross-section (no year)
    one = wide[wide["年份"] == 2002].drop(columns="年份").rename(columns={"城市": "地区"})
    one.to_csv(tmp_path / "cross.csv", index=False)
    panel = read_data(tmp_path / "cross.csv", fw)
    assert panel.shape == "cross_section" and panel.years == [0] and len(panel.cells) == 6
    shape = next(d for d in panel.input_decisions if d.code == "input.shape")
    assert shape.params["shape"]["zh"] == "截面数据" and shape.params["n_years"] == 0
    # an empty unit cell is an error naming its row and column
    one.iloc[1, 0] = ""
    one.to_csv(tmp_path / "cross_bad.csv", index=False)
    with pytest.raises(InputError) as exc:
        read_data(tmp_path / "cross_bad.csv", fw)
    (p,) = exc.value.problems
    assert (p.row, p.field) == (3, "地区") and "unit" in p.message
