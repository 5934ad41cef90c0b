"""hkfactor.detect_layout on generated tables (synthetic data, labelled as such)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from hkfactor import InputError, Layout, detect_layout, read_table

CITIES = ["广州", "深圳", "珠海", "佛山", "惠州", "东莞", "中山", "江门", "肇庆", "香港", "澳门"]


def csv(tmp_path: Path, text: str, name: str = "t.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def layout(p: Path) -> Layout:
    return detect_layout(read_table(p))


def test_cross_section_11_cities_8_indicators_xlsx(tmp_path: Path) -> None:
    # SYNTHETIC values
    inds = ["GDP（亿元）", "R&D（亿元）", "研发强度", "专利", "高企", "外贸", "金融", "高校"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "大湾区城市指标（合成数据）"
    ws.merge_cells("A1:I1")
    ws.append(["城市", *inds])
    for i, c in enumerate(CITIES):
        ws.append([c, *[i * 10.0 + k for k in range(8)]])
    ws.append([])
    ws.append(["注：合成数据"])
    p = tmp_path / "cs.xlsx"
    wb.save(p)
    t = read_table(p)
    assert t.frame.shape == (11, 9) and t.source_rows == tuple(range(3, 14))
    lay = detect_layout(t)
    assert (lay.kind, lay.study, lay.unit, lay.period) == ("wide_indicators", "cross_section", "城市", None)
    assert lay.indicators == tuple(inds)
    assert [m.code for m in lay.decisions] == ["table.layout"]


def test_cross_section_without_named_unit_column(tmp_path: Path) -> None:
    lay = layout(csv(tmp_path, "名目,a,b\n深圳,1,2\n香港,3,4\n"))
    assert (lay.kind, lay.study, lay.unit) == ("wide_indicators", "cross_section", "名目")
    assert [m.code for m in lay.decisions] == ["table.layout", "table.layout.guessed"]


def test_panel_unit_year_rows(tmp_path: Path) -> None:
    lay = layout(csv(tmp_path, "City,Year,GDP,RD\nShenzhen,2020,1,2\nShenzhen,2021,1,2\nHong Kong,2020,3,4\n"))
    assert (lay.kind, lay.study, lay.unit, lay.period, lay.indicators) == (
        "wide_indicators", "panel", "City", "Year", ("GDP", "RD"))


def test_long_panel(tmp_path: Path) -> None:
    text = "地区,年份,指标,数值,备注\n深圳,2020年,GDP,2.8,\n深圳,2021,GDP,3.0,合成\n香港,2020,GDP,2.7,\n"
    lay = layout(csv(tmp_path, text, encoding="gbk"))
    assert (lay.kind, lay.study, lay.unit, lay.period, lay.indicator, lay.value) == (
        "long", "panel", "地区", "年份", "指标", "数值")
    assert lay.other == ("备注",)


def test_time_series_years_as_rows_and_as_columns(tmp_path: Path) -> None:
    lay = layout(csv(tmp_path, "年份,GDP,研发\n2019,1,2\n2020,3,4\n", "a.csv"))
    assert (lay.kind, lay.study, lay.period, lay.indicators) == ("wide_indicators", "time_series", "年份",
                                                                 ("GDP", "研发"))
    lay = layout(csv(tmp_path, "指标,2019,2020年,2021\nGDP,1,2,3\n研发,4,5,6\n", "b.csv"))
    assert (lay.kind, lay.study, lay.indicator) == ("wide_years", "time_series", "指标")
    assert dict(lay.periods) == {"2019": 2019, "2020年": 2020, "2021": 2021}


def test_wide_years_with_units_rows_is_a_panel(tmp_path: Path) -> None:
    lay = layout(csv(tmp_path, ",2019,2020\n深圳市,1,2\n香港,3,4\n".replace(",2019", "地方,2019", 1)))
    assert (lay.kind, lay.study, lay.unit) == ("wide_years", "panel", "地方")
    lay = layout(csv(tmp_path, "城市,指标,2019,2020\n深圳,GDP,1,2\n香港,GDP,3,4\n", "c.csv"))
    assert (lay.kind, lay.study, lay.unit, lay.indicator) == ("wide_years", "panel", "城市", "指标")


def test_wide_units(tmp_path: Path) -> None:
    lay = layout(csv(tmp_path, "年份,深圳,香港,东莞市\n2019,1,2,3\n2020,4,5,6\n"))
    assert (lay.kind, lay.study, lay.period, lay.units) == ("wide_units", "panel", "年份", ("深圳", "香港", "东莞市"))


def test_key_problems_name_rows(tmp_path: Path) -> None:
    text = "表（合成）\n城市,年份,GDP\n深圳,2020,1\n深圳,2020,2\n香港,二〇二〇,3\n,2021,4\n"
    t = read_table(csv(tmp_path, text))
    with pytest.raises(InputError) as exc:
        detect_layout(t)
    got = {(p.code, p.row, p.field) for p in exc.value.problems}
    assert got == {("table.layout.duplicate_key", 4, "城市"), ("table.layout.bad_period", 5, "年份"),
                   ("table.layout.missing_key", 6, "城市")}
    for p in exc.value.problems:
        assert "{" not in p.render("zh") and "{" not in p.render("en")


def test_unknown_layout(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        layout(csv(tmp_path, "a,b\n1,2\n3,4\n"))
    assert {p.code for p in exc.value.problems} == {"table.layout.unknown"}
