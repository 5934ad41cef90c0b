"""hkfactor.read_table: every fixture is generated here (synthetic data, labelled as such).

Each test asserts the frame, the spreadsheet rows the data came from, the decisions (by code)
and the problems (by code, row and column).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hkfactor import InputError, Table, read_table
from hkfactor._io import read_table as io_read_table
from hkfactor._io import read_text
from hkfactor.messages import CATALOGUE

# SYNTHETIC: 11 cities × 8 indicators, made-up values for tests only.
CITIES = ["广州", "深圳", "珠海", "佛山", "惠州", "东莞", "中山", "江门", "肇庆", "香港", "澳门"]
INDICATORS = ["地区生产总值", "研发经费", "研发强度", "发明专利", "高新企业", "外贸", "金融增加值", "高校数"]


def codes(t: Table) -> list[str]:
    return [m.code for m in t.decisions]


def problems(exc: pytest.ExceptionInfo[InputError]) -> set[tuple[str, int | None, str | None]]:
    for p in exc.value.problems:  # every problem renders in both languages, with no hole left
        for lang in ("en", "zh"):
            text = p.render(lang)
            assert "{" not in text, text
    return {(p.code, p.row, p.field) for p in exc.value.problems}


def write_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8", bom: bool = False) -> Path:
    text = "\n".join(",".join(str(c) for c in r) for r in rows) + "\n"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def cross_section_rows() -> list[list[Any]]:
    rows: list[list[Any]] = [["2022年粤港澳大湾区城市创新指标（合成数据）", *[""] * 8], ["城市", *INDICATORS]]
    for i, c in enumerate(CITIES):
        rows.append([c, *[round(100 * (i + 1) + k * 1.5, 2) for k in range(8)]])
    return rows


# --------------------------------------------------------------------------------------------- CSV


def test_cross_section_gbk_with_title_row(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "cs.csv", cross_section_rows(), "gbk")
    t = read_table(p)
    assert list(t.frame.columns) == ["城市", *INDICATORS]
    assert t.frame.shape == (11, 9)
    assert t.frame["城市"].tolist() == CITIES
    assert t.frame["研发经费"].dtype == "float64"
    assert t.frame["研发经费"].iloc[1] == 201.5
    assert t.source_rows == tuple(range(3, 14))
    assert t.header_row == 2
    assert t.encoding == "gb18030"
    assert t.notes == ("2022年粤港澳大湾区城市创新指标（合成数据）",)
    assert codes(t) == ["table.encoding", "table.header", "table.title"]
    assert t.cell(0, "研发经费") == "C3"


@pytest.mark.parametrize(("encoding", "bom", "expected", "how"), [
    ("utf-8", False, "utf-8", "detected"), ("utf-8", True, "utf-8-sig", "bom"),
    ("gbk", False, "gb18030", "detected"), ("gb18030", False, "gb18030", "detected"),
    ("utf-16", False, "utf-16", "bom"),
])
def test_encodings_detected_and_recorded(tmp_path: Path, encoding: str, bom: bool, expected: str, how: str) -> None:
    p = write_csv(tmp_path / "e.csv", [["城市", "数值"], ["香港", "1.5"], ["深圳", "2"]], encoding, bom)
    t = read_table(p)
    assert t.encoding == expected
    assert t.frame["城市"].tolist() == ["香港", "深圳"]
    assert t.frame["数值"].tolist() == [1.5, 2.0]
    enc = t.decisions[0]
    assert enc.code == "table.encoding" and enc.params["encoding"] == expected
    assert enc.params["how"]["en"].startswith({"bom": "byte", "detected": "detected"}[how])


@pytest.mark.parametrize(("text", "encoding", "code", "guess"), [
    ("地區,本地生產總值\n香港統計處,2\n", "big5", "table.encoding.implausible", "big5"),
    ("機構\n香港統計處\n", "big5", "table.encoding.implausible", "big5"),
    ("city,value\nZürich,1\nMünchen,2\n", "latin-1", "table.encoding.implausible", "cp1252"),
    ("city,value\nSão Paulo,1\nMálaga,2\n", "latin-1", "table.encoding.implausible", "cp1252"),
    ("année,prix\nété,3\n", "cp1252", "table.encoding.undecodable", "cp1252"),
    ("都市,値\n東京,1\nカテゴリ,2\n", "shift_jis", "table.encoding.implausible", "shift_jis"),
])
def test_other_encodings_refused_not_mojibake(tmp_path: Path, text: str, encoding: str, code: str,
                                             guess: str) -> None:
    p = tmp_path / "x.csv"
    p.write_bytes(text.encode(encoding))
    with pytest.raises(InputError) as exc:
        read_table(p)
    assert problems(exc) == {(code, None, None)}
    assert f"encoding='{guess}'" in exc.value.problems[0].render("en")
    with pytest.raises(InputError):  # the shared text reader refuses it too
        read_text(p)
    t = read_table(p, encoding=guess)  # declared, it reads
    assert t.encoding in {guess, "cp1252", "big5", "shift_jis"}
    assert t.decisions[0].params["how"]["en"] == "given with encoding="
    assert str(t.frame.columns[0]) == text.split(",")[0].split("\n")[0]


def test_big5_with_encoding_override_reads_traditional(tmp_path: Path) -> None:
    p = tmp_path / "hk.csv"
    p.write_bytes("機構,數值\n香港統計處,2.5\n".encode("big5"))
    t = read_table(p, encoding="big5")
    assert t.frame["機構"].tolist() == ["香港統計處"]
    assert t.frame["數值"].tolist() == [2.5]


def test_bad_encoding_names_and_wrong_declared_encoding(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "u.csv", [["城市", "值"], ["深圳", 1]], "gbk")
    with pytest.raises(InputError) as exc:
        read_table(p, encoding="no-such-codec")
    assert problems(exc) == {("table.encoding.unknown", None, None)}
    with pytest.raises(InputError) as exc:
        read_table(p, encoding="utf-8")
    assert problems(exc) == {("table.encoding.wrong", None, None)}
    with pytest.raises(InputError) as exc:
        read_table(p, encoding="base64")
    assert problems(exc) == {("table.encoding.unknown", None, None)}


def test_replacement_characters_refused(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "r.csv", [["城市", "值"], ["\ufffd\ufffd", 1]])
    with pytest.raises(InputError) as exc:
        read_table(p)
    assert problems(exc) == {("table.encoding.replacement", None, None)}


def test_layout_rows_title_units_notes_blank(tmp_path: Path) -> None:
    rows = [
        ["表1 主要指标", "", ""],
        ["", "", ""],
        ["城市", "GDP", "研发强度"],
        ["单位", "（亿元）", "%"],
        ["深圳", "\"32,387.7\"", "5.81%"],
        ["", "", ""],
        ["香港", "..", "—"],
        ["澳门", "", "n.a."],
        ["", "", ""],
        ["注：合成数据，仅供测试。", "", ""],
        ["资料来源：无", "", ""],
    ]
    t = read_table(write_csv(tmp_path / "l.csv", rows))
    assert t.header_row == 3
    assert t.source_rows == (5, 7, 8)
    assert dict(t.units) == {"城市": "", "GDP": "亿元", "研发强度": "%"}
    assert t.notes == ("表1 主要指标", "注：合成数据，仅供测试。", "资料来源：无")
    assert t.frame["GDP"].iloc[0] == 32387.7 and math.isnan(t.frame["GDP"].iloc[1])
    assert t.frame["研发强度"].iloc[0] == pytest.approx(0.0581)
    assert codes(t) == ["table.encoding", "table.header", "table.title", "table.units", "table.notes",
                        "table.blank_rows", "table.grouped", "table.percent", "table.missing", "table.missing",
                        "table.missing", "table.missing"]
    missing = {m.subject: m.params["count"] for m in t.decisions if m.code == "table.missing"}
    assert missing == {"..": 1, "—": 1, "": 1, "n.a.": 1}


def test_header_row_override(tmp_path: Path) -> None:
    rows = [["a", "b", "c"], ["x", "1", "2"], ["城市", "年份", "值"], ["深圳", "2020", "3"]]
    p = write_csv(tmp_path / "h.csv", rows)
    assert read_table(p).header_row == 1
    t = read_table(p, header_row=3)
    assert t.header_row == 3 and list(t.frame.columns) == ["城市", "年份", "值"]
    assert t.source_rows == (4,)
    assert t.notes == ("a b c", "x 1 2")
    header = next(m for m in t.decisions if m.code == "table.header")
    assert header.params["how"]["en"] == "given with header_row="
    with pytest.raises(InputError) as exc:
        read_table(p, header_row=9)
    assert problems(exc) == {("table.header.out_of_range", None, None)}


def test_missing_markers_each_kind_one_decision(tmp_path: Path) -> None:
    markers = ["..", "…", "—", "-", "N/A", "NA", "n.a.", "NaN", "无", "缺失", "na", ""]
    rows = [["城市", "值"], *[[f"c{i}", m] for i, m in enumerate(markers)], ["z", "1"]]
    t = read_table(write_csv(tmp_path / "m.csv", rows))
    assert t.frame["值"].isna().sum() == len(markers)
    got = {m.subject: m.params["count"] for m in t.decisions if m.code == "table.missing"}
    assert got == {"..": 1, "…": 1, "—": 1, "-": 1, "N/A": 1, "NA": 2, "n.a.": 1, "NaN": 1, "无": 1, "缺失": 1, "": 1}
    assert t.frame["值"].dtype == "float64"


def test_csv_cell_and_row_problems_named(tmp_path: Path) -> None:
    text = (
        "城市,GDP,比重,专利\n"
        "深圳,1,234,5%,7\n"        # row 2: unquoted thousands separator → one cell too many
        "香港,\"1,23\",6%\n"        # row 3: bad grouping, and the row is cut short
        "广州,1_000,7,8\n"          # row 4: underscore; 7 is a plain number in a percent column
        "珠海,#DIV/0!,8%,\"3,35\"\n"  # row 5: an Excel error exported as text; decimal comma
        "佛山,1e400,9%,1\n"          # row 6: overflow
    )
    p = tmp_path / "bad.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(p)
    assert problems(exc) == {
        ("table.row.long", 2, None),
        ("table.cell.grouping", 3, "GDP"),
        ("table.row.short", 3, None),
        ("table.cell.underscore", 4, "GDP"),
        ("table.cell.error", 5, "GDP"),
        ("table.cell.grouping", 5, "专利"),
        ("table.cell.overflow", 6, "GDP"),
        ("table.column.percent_mixed", None, "比重"),
    }
    err = next(p for p in exc.value.problems if p.code == "table.cell.error")
    assert err.params["cell"] == "B5"


def test_header_problems_duplicate_and_empty(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "d.csv", [["城市", "值", "值", "", ""], ["深圳", 1, 2, 3, ""], ["香港", 4, 5, "", ""]])
    with pytest.raises(InputError) as exc:
        read_table(p)
    assert problems(exc) == {("table.header.duplicate", 1, "值"), ("table.header.empty", 1, None)}
    empty = next(p for p in exc.value.problems if p.code == "table.header.empty")
    assert empty.params["letter"] == "D"


def test_number_rules(tmp_path: Path) -> None:
    rows = [["k", "v"], ["a", "1,234"], ["b", "1,234,567.5"], ["c", "１２．５"], ["d", "-3"], ["e", "+.5"],
            ["f", "2e3"], ["g", "abc"], ["h", "(1,234)"], ["i", "2019年"], ["j", "1 234"]]
    t = read_table(write_csv(tmp_path / "n.csv", [[r[0], f'"{r[1]}"'] for r in rows]))
    assert t.frame["v"].tolist() == [1234, 1234567.5, 12.5, -3, 0.5, 2000.0, "abc", "(1,234)", "2019年", 1234]
    assert {m.code for m in t.decisions} >= {"table.grouped", "table.fullwidth"}
    grouped = next(m for m in t.decisions if m.code == "table.grouped")
    assert grouped.params["count"] == 3


def test_percent_text_and_excel_format_agree(tmp_path: Path) -> None:
    csv_t = read_table(write_csv(tmp_path / "p.csv", [["城市", "比重"], ["深圳", "3.47%"], ["香港", "12％"]]))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["城市", "比重"])
    ws.append(["深圳", 0.0347])
    ws.append(["香港", "12%"])  # a text cell in a workbook follows the text rule
    ws["B2"].number_format = "0.00%"
    wb.save(tmp_path / "p.xlsx")
    xl_t = read_table(tmp_path / "p.xlsx")
    for t in (csv_t, xl_t):
        assert t.frame["比重"].tolist() == pytest.approx([0.0347, 0.12])
        pct = next(m for m in t.decisions if m.code == "table.percent")
        assert pct.params == {"column": "比重", "count": 2}


def test_io_read_table_keeps_its_contract(tmp_path: Path) -> None:
    p = write_csv(tmp_path / "io.csv", [["城市", "值"], ["深圳", "1.5"]], "gbk")
    df = io_read_table(p, dtype=str)
    assert isinstance(df, pd.DataFrame) and df["值"].tolist() == ["1.5"]
    assert df.attrs["encoding"] == "gb18030"


# --------------------------------------------------------------------------------------------- Excel


def _workbook(tmp_path: Path, name: str = "w.xlsx") -> tuple[openpyxl.Workbook, Path]:
    wb = openpyxl.Workbook()
    return wb, tmp_path / name


def test_xlsx_merged_title_units_notes_percent(tmp_path: Path) -> None:
    wb, p = _workbook(tmp_path)
    ws = wb.active
    ws.title = "指标"
    ws["A1"] = "2022年主要指标（合成数据）"
    ws.merge_cells("A1:D1")
    ws.append(["城市", "GDP", "研发强度", "专利"])
    ws.append([None, "亿元", "%", "件"])
    ws.append(["深圳", 32387.7, 0.0581, 1234])
    ws.append(["香港", 28000, 0.0099, "1,500"])
    ws.append(["广州", None, 0.0343, "—"])
    for r in (4, 5, 6):
        ws[f"C{r}"].number_format = "0.00%"
    ws.append([])
    ws.append(["资料来源：合成数据"])
    wb.create_sheet("其他")
    wb.save(p)
    t = read_table(p)
    assert t.sheet == "指标" and t.encoding == ""
    assert t.header_row == 2 and t.source_rows == (4, 5, 6)
    assert dict(t.units) == {"城市": "", "GDP": "亿元", "研发强度": "%", "专利": "件"}
    assert t.notes == ("2022年主要指标（合成数据）", "资料来源：合成数据")
    assert t.frame["GDP"].iloc[:2].tolist() == [32387.7, 28000] and math.isnan(t.frame["GDP"].iloc[2])
    assert t.frame["研发强度"].tolist() == pytest.approx([0.0581, 0.0099, 0.0343])
    assert t.frame["专利"].iloc[:2].tolist() == [1234, 1500] and math.isnan(t.frame["专利"].iloc[2])
    assert codes(t) == ["table.sheet", "table.header", "table.title", "table.units", "table.notes",
                        "table.grouped", "table.text_numbers", "table.percent", "table.missing", "table.missing"]
    assert t.decisions[0].params["sheets"] == ["指标", "其他"]


def test_xlsx_error_cells_and_uncached_formulas_are_problems(tmp_path: Path) -> None:
    wb, p = _workbook(tmp_path)
    ws = wb.active
    ws.title = "Data"
    ws["A1"] = "Title"
    ws.merge_cells("A1:C1")
    ws.append(["city", "gdp", "share"])
    ws.append(["Shenzhen", 1.5, 0.2])
    ws.append(["Hong Kong", "#DIV/0!", "=B4/B3"])  # an error value; a formula never calculated
    ws.append(["Macao", 2.5, "#N/A"])
    ws.append(["Zhuhai", "#VALUE!", 0.1])
    ws.append(["Foshan", 3, "#REF!"])
    ws.append(["Huizhou", 3, 0.4])
    ws["C7"].value = "#DIV/0!"
    wb.save(p)
    with pytest.raises(InputError) as exc:
        read_table(p)
    assert problems(exc) == {
        ("table.cell.error", 4, "gdp"), ("table.cell.formula", 4, "share"), ("table.cell.error", 5, "share"),
        ("table.cell.error", 6, "gdp"), ("table.cell.error", 7, "share"),
    }
    cells = {(p.params["cell"], p.params.get("value")) for p in exc.value.problems}
    assert cells == {("B4", "#DIV/0!"), ("C4", None), ("C5", "#N/A"), ("B6", "#VALUE!"), ("C7", "#DIV/0!")}
    assert all(p.params["sheet"]["en"] == "sheet 'Data'" for p in exc.value.problems)


def test_xlsx_sheets_by_name_and_number(tmp_path: Path) -> None:
    wb, p = _workbook(tmp_path)
    wb.active.title = "first"
    wb.active.append(["城市", "值"])
    wb.active.append(["深圳", 1])
    other = wb.create_sheet("2019")
    other.append(["城市", "值"])
    other.append(["香港", 2])
    wb.save(p)
    assert read_table(p).frame["城市"].tolist() == ["深圳"]
    assert read_table(p, sheet="2019").frame["城市"].tolist() == ["香港"]
    assert read_table(p, sheet=2).sheet == "2019"
    assert read_table(p, sheet=" FIRST ").sheet == "first"
    for bad in ("nope", 3):
        with pytest.raises(InputError) as exc:
            read_table(p, sheet=bad)
        assert problems(exc) == {("table.sheet.missing", None, None)}
    with pytest.raises(InputError) as exc:
        read_table(p, encoding="gbk")
    assert problems(exc) == {("table.encoding.not_text", None, None)}


def test_xlsx_dates_and_booleans_kept(tmp_path: Path) -> None:
    import datetime as dt

    wb, p = _workbook(tmp_path)
    ws = wb.active
    ws.append(["city", "date", "flag"])
    ws.append(["SZ", dt.datetime(2020, 1, 31), True])
    wb.save(p)
    t = read_table(p)
    assert t.frame["date"].iloc[0] == dt.datetime(2020, 1, 31)
    assert t.frame["flag"].iloc[0] is True or t.frame["flag"].iloc[0] == True  # noqa: E712


# --------------------------------------------------------------------------------------------- files


@pytest.mark.parametrize(("name", "content", "kwargs", "code"), [
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, {}, "table.file.old_excel"),
    ("renamed.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, {}, "table.file.old_excel"),
    ("zip.csv", b"PK\x03\x04rest", {}, "table.file.misnamed"),
    ("text.xlsx", b"a,b\n1,2\n", {}, "table.file.misnamed"),
    ("broken.xlsx", b"PK\x03\x04garbage", {}, "table.file.not_workbook"),
    ("data.json", b"{}", {}, "table.file.type"),
    ("empty.csv", b"", {}, "table.file.empty"),
    ("blank.csv", b",,\n\n , \n", {}, "table.file.empty"),
    ("nul.csv", b"a,b\n\x00\x01,2\n", {}, "table.file.binary"),
    ("header_only.csv", b"a,b\n", {}, "table.no_data"),
    ("sheet.csv", b"a,b\n1,2\n", {"sheet": 1}, "table.sheet.not_excel"),
])
def test_file_level_problems(tmp_path: Path, name: str, content: bytes, kwargs: dict[str, Any], code: str) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(InputError) as exc:
        read_table(p, **kwargs)
    assert {c for c, _r, _f in problems(exc)} == {code}


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_table(tmp_path / "none.csv")
    assert problems(exc) == {("table.file.missing", None, None)}


def test_tab_and_semicolon_delimiters(tmp_path: Path) -> None:
    for delim, name in (("\t", "t.csv"), (";", "s.csv")):
        p = tmp_path / name
        p.write_text(f"城市{delim}值\n深圳{delim}1.5\n", encoding="utf-8")
        t = read_table(p)
        assert t.frame["值"].tolist() == [1.5]
        assert "table.delimiter" in codes(t)
    p = tmp_path / "t.tsv"
    p.write_text("城市\t值\n深圳\t1,5\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(p)
    assert problems(exc) == {("table.cell.grouping", 2, "值")}


def test_every_table_message_has_both_languages() -> None:
    table_codes = [c for c in CATALOGUE if c.startswith("table.")]
    assert len(table_codes) > 40
    for c in table_codes:
        en, zh = CATALOGUE[c]
        assert en and zh and en != zh


def test_gbk_with_punctuation_outside_gb2312_is_accepted(tmp_path: Path) -> None:
    # genuine GBK text: en dash between Latin letters, middle dot, a traditional name
    p = write_csv(tmp_path / "g.csv", [["项目", "说明"], ["SZ–HK合作", "香港·深圳"], ["臺北", "1"]], "gbk")
    t = read_table(p)
    assert t.encoding == "gb18030"
    assert t.frame["项目"].tolist() == ["SZ–HK合作", "臺北"]


def test_two_row_header_is_a_problem_unless_declared(tmp_path: Path) -> None:
    rows = [["城市", "地区生产总值", "", "研发"], ["", "总量", "增速", "经费"], ["深圳", "3.2", "6%", "1.7"],
            ["香港", "2.8", "3%", "0.3"]]
    p = write_csv(tmp_path / "two.csv", rows)
    with pytest.raises(InputError) as exc:
        read_table(p)
    assert problems(exc) == {("table.header.second_row", 2, None), ("table.header.empty", 1, None)}
    second = next(p for p in exc.value.problems if p.code == "table.header.second_row")
    assert second.params["letters"] == ["B", "C", "D"]
    with pytest.raises(InputError) as exc:  # declared, the second row is the header; column A needs a name
        read_table(p, header_row=2)
    assert problems(exc) == {("table.header.empty", 2, None)}
    rows[1][0] = "城市"
    t = read_table(write_csv(tmp_path / "two.csv", rows), header_row=2)
    assert t.notes == ("城市 地区生产总值 研发",)
    assert list(t.frame.columns) == ["城市", "总量", "增速", "经费"]


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"\A[+-]?[0-9]{1,70}(\.[0-9]{1,12})?\Z") | st.sampled_from(["0", "-0", "+7", "007", "1.50"]))
def test_the_fast_number_path_reads_a_cell_exactly_as_the_general_one(s: str) -> None:
    import re

    from hkfactor import _table

    fast = _table._parse_text(s)
    saved = _table._FAST
    _table._FAST = re.compile(r"(?!)")  # switch the fast path off
    try:
        general = _table._parse_text(s)
    finally:
        _table._FAST = saved
    assert fast == general and type(fast.value) is type(general.value)
