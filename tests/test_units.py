"""Printed values and units → canonical quantities (hkfactor.units).

The fixed cases are printed in the seed paper 深圳创新城市建设中的香港因素 (§2: "30 815家",
"1 894亿美元", "48%", "超上市总数的1/4"; §3.2: "七成", "约22万人次/日", "51.72%"; §5: "600亿元",
"7 266亿元", "12.6%", "6.78万亿元").
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hkfactor.units import (
    CANONICAL_UNITS,
    UnitParseError,
    format_number,
    format_printed,
    format_quantity,
    normalise,
    parse_unit,
)

PAPER_CASES = [
    ("30 815", "家", 30815.0, "count", None),
    ("1 894", "亿美元", 1.894e11, "USD", None),
    ("1,894", "亿美元", 1.894e11, "USD", None),
    ("48", "%", 0.48, "share", None),
    ("1/4", "", 0.25, "share", None),
    ("逾1/3", "", 1 / 3, "share", "over"),
    ("2/3", "", 2 / 3, "share", None),
    ("1/2", "", 0.5, "share", None),
    ("七成", "", 0.7, "share", None),
    ("三成", "", 0.3, "share", None),
    ("一半", "", 0.5, "share", None),
    ("约22", "万人次/日", 220000.0, "trips_per_day", "about"),
    ("超45", "万人次/日", 450000.0, "trips_per_day", "over"),
    ("12.5", "%", 0.125, "share", None),
    ("51.72", "%", 0.5172, "share", None),
    ("600", "亿元", 6.0e10, "CNY", None),
    ("7 266", "亿元", 7.266e11, "CNY", None),
    ("12.6", "%/年", 12.6, "pct_per_year", None),
    ("6.78", "万亿元", 6.78e12, "CNY", None),
    ("110", "万美金", 1.1e6, "USD", None),
    ("1.99", "亿美元", 1.99e8, "USD", None),
    ("1.7万", "家", 17000.0, "count", None),
    ("457", "万元", 4.57e6, "CNY", None),
    ("43", "位", 43.0, "count", None),
    ("5", "所", 5.0, "count", None),
    ("9 211", "名", 9211.0, "count", None),
    ("两", "所", 2.0, "count", None),
    ("近20", "家", 20.0, "count", "about"),
    ("300多", "家", 300.0, "count", "over"),
    ("30余", "名", 30.0, "count", "over"),
    ("1999", "年", 1999.0, "year", None),
    ("25", "年", 25.0, "years", None),
    ("第二", "", 2.0, "rank", None),
    ("第三大", "", 3.0, "rank", None),
    ("首位", "", 1.0, "rank", None),
    ("榜首", "", 1.0, "rank", None),
    ("2nd", "", 2.0, "rank", None),
    ("第二名", "", 2.0, "rank", None),
    ("仅次于北京", "", 2.0, "rank", None),
    ("仅次于纽约和伦敦", "", 3.0, "rank", None),
    ("189.4", "US$ billion", 1.894e11, "USD", None),
    ("3", "HK$ million", 3e6, "HKD", None),
    ("10", "亿港元", 1e9, "HKD", None),
    ("2", "thousand", 2000.0, "number", None),
    ("5", "千", 5000.0, "number", None),
    ("1.5", "倍", 1.5, "times", None),
    ("nearly 3.24", "%", 0.0324, "share", "about"),
    ("more than 70", "%", 0.7, "share", "over"),
    ("at least 10", "%", 0.1, "share", "at_least"),
]


@pytest.mark.parametrize(("value", "unit", "expected", "canonical", "qualifier"), PAPER_CASES)
def test_paper_values(value: str, unit: str, expected: float, canonical: str, qualifier: str | None) -> None:
    q = normalise(value, unit)
    assert q.unit == canonical
    assert q.value == pytest.approx(expected, rel=1e-12)
    assert q.qualifier == qualifier
    assert q.unit in CANONICAL_UNITS


def test_ranges_keep_both_ends() -> None:
    assert normalise("3–5", "年").value == 3.0
    assert normalise("3–5", "年").high == 5.0
    assert normalise("三五", "年").high == 5.0


@pytest.mark.parametrize(
    ("value", "unit", "what"),
    [
        ("1,89", "家", "value"),
        ("abc", "家", "value"),
        ("", "家", "value"),
        ("1/0", "", "value"),
        ("12", "furlongs", "unit"),
        ("1/4", "家", "unit"),
        ("第二", "亿元", "unit"),
        ("5", "亿元家", "unit"),
    ],
)
def test_unreadable_names_input_and_accepted_forms(value: str, unit: str, what: str) -> None:
    with pytest.raises(UnitParseError) as info:
        normalise(value, unit)
    msg = str(info.value)
    assert info.value.what == what
    assert "expected" in msg
    assert repr(value if what == "value" else unit) in msg


SPACES = st.sampled_from([" ", "\u2009", "\u00a0", "\u202f", "\u3000", ""])
SCALES = [("", 1.0), ("万", 1e4), ("亿", 1e8), ("万亿", 1e12), ("千", 1e3)]


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(SCALES), st.sampled_from(["元", "美元", "港元"]))
def test_scaling(n: int, scale: tuple[str, float], currency: str) -> None:
    q = normalise(str(n), scale[0] + currency)
    assert q.value == pytest.approx(n * scale[1], rel=1e-12)
    assert q.unit == {"元": "CNY", "美元": "USD", "港元": "HKD"}[currency]


@given(st.integers(min_value=0, max_value=10**12), SPACES)
def test_spaces_never_change_the_value(n: int, sep: str) -> None:
    printed = format_number(n, sep=sep)
    assert normalise(printed, "家").value == n
    assert normalise(format_number(n, sep=","), "家").value == n


@given(st.integers(min_value=1, max_value=1000), st.integers(min_value=0, max_value=1000))
def test_fractions_are_shares_in_unit_interval(den: int, num: int) -> None:
    num = min(num, den)
    q = normalise(f"{num}/{den}", "")
    assert q.unit == "share"
    assert 0.0 <= q.value <= 1.0
    assert q.value == pytest.approx(num / den)


@given(st.integers(min_value=0, max_value=10))
def test_cheng_is_tenths(k: int) -> None:
    digits = "零一二三四五六七八九十"
    assert normalise(f"{digits[k]}成", "").value == pytest.approx(k / 10)


@given(
    st.floats(min_value=0, max_value=1e13, allow_nan=False).map(lambda x: float(f"{x:.6g}")),
    st.sampled_from(sorted(CANONICAL_UNITS)),
)
def test_format_printed_round_trips(x: float, unit: str) -> None:
    if unit in {"share"}:
        x = x / 1e13
    if unit == "year":
        x = float(round(x) % 300 + 1800)
    if unit == "rank":
        x = float(round(x) % 1000 + 1)
    v, u = format_printed(x, unit)
    q = normalise(v, u)
    assert q.unit == unit
    assert math.isclose(q.value, x, rel_tol=1e-9, abs_tol=1e-12)


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_format_number_round_trips(x: float) -> None:
    x = round(x, 4)
    assert float(format_number(x, sep="")) == pytest.approx(x, abs=1e-4)


def test_format_quantity_both_languages() -> None:
    assert format_quantity(7.014e10, "CNY", lang="en") == "CNY 70.14 bn"
    assert format_quantity(7.014e10, "CNY", lang="zh") == "701.4亿元"
    assert format_quantity(0.226, "share", lang="zh") == "22.6%"
    assert format_quantity(2, "rank", lang="zh") == "第2"
    assert format_quantity(2, "rank", lang="en") == "#2"
    assert format_quantity(float("nan"), "CNY", lang="en") == "—"


def test_parse_unit_table() -> None:
    assert parse_unit("亿美元") == (1e8, "USD")
    assert parse_unit("万人次/日") == (1e4, "trips_per_day")
    assert parse_unit("%") == (0.01, "share")
    assert parse_unit("") == (1.0, "number")


@pytest.mark.parametrize(
    ("value", "unit", "expected", "canonical", "qualifier"),
    [
        ("1.44", "萬家", 14_400.0, "count", None),  # Hong Kong / Taiwan sources print traditional characters
        ("330.06", "億港元", 33_006_000_000.0, "HKD", None),
        ("1,161", "個", 1_161.0, "count", None),
        ("突破1", "億人次", 1e8, "count", "over"),  # 突破 "broke through" = more than
        ("約22", "萬人次/日", 220_000.0, "trips_per_day", "about"),
    ],
)
def test_traditional_characters_and_breakthrough(
    value: str, unit: str, expected: float, canonical: str, qualifier: str | None
) -> None:
    q = normalise(value, unit)
    assert q.value == pytest.approx(expected) and q.unit == canonical and q.qualifier == qualifier


def test_a_grouped_number_of_years_is_a_duration_not_a_calendar_year() -> None:
    assert normalise("2018", "年").unit == "year"
    assert normalise("1 800", "年").unit == "years"
    assert normalise("2,000", "年").unit == "years"
    assert normalise(*format_printed(1800.0, "years")).unit == "years"
