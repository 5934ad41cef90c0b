"""Fuzz hkfactor.read_table: whatever the file, a Table or an InputError — never another exception,
never a hang.

Inputs are generated (synthetic): random bytes; tables made of random title, header, unit, data
and note rows, random cell kinds (numbers, percents, grouped numbers, markers, Excel errors, text,
full-width digits, formulas), written as CSV in random encodings and delimiters or as xlsx, then
also truncated or with bytes flipped. Over 400 inputs per run, within a few seconds.
"""

from __future__ import annotations

import csv
import io
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from hkfactor import InputError, Layout, Table, detect_layout, read_table


def fuzz_settings(n: int) -> settings:
    return settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
ENCODINGS = ["utf-8", "utf-8-sig", "gbk", "gb18030", "big5", "cp1252", "latin-1", "shift_jis", "utf-16"]
WORDS = ["城市", "年份", "深圳", "香港", "地区", "指标", "数值", "GDP", "year", "city", "香港統計處", "Zürich",
         "注：合成", "资料来源：无", "亿元", "%", "（件）", "单位", "value", "東京", "カテゴリ", "", " "]
CELLS = st.one_of(
    st.integers(-10**6, 10**6).map(str),
    st.floats(allow_nan=False, allow_infinity=False, width=32).map(lambda f: f"{f:g}"),
    st.floats(0, 100, width=32).map(lambda f: f"{f:.2f}%"),
    st.integers(1000, 10**9).map(lambda n: f"{n:,}"),
    st.sampled_from(["1,23", "3,35", "1_000", "1e400", "１２．５", "12％", "(1,234)", "2019年", "-", "..", "…",
                     "N/A", "NaN", "无", "缺失", "#DIV/0!", "#N/A", "#VALUE!", "=A1+1", "TRUE", "\n", '"', ",,"]),
    st.sampled_from(WORDS),
    st.text(max_size=8),
)
ROW = st.lists(CELLS, min_size=0, max_size=7)


@st.composite
def tables(draw: st.DrawFn) -> list[list[str]]:
    width = draw(st.integers(1, 6))
    rows: list[list[str]] = [[draw(st.sampled_from(WORDS))] for _ in range(draw(st.integers(0, 2)))]
    rows.append(draw(st.lists(st.sampled_from([*WORDS, "2019", "2020年", "a", "a"]), min_size=width,
                              max_size=width)))
    if draw(st.booleans()):
        rows.append(["", *draw(st.lists(st.sampled_from(["亿元", "%", "（件）", "", "人"]), min_size=width - 1,
                                        max_size=width - 1))])
    for _ in range(draw(st.integers(0, 8))):
        row = draw(st.lists(CELLS, min_size=width, max_size=width))
        if draw(st.integers(0, 9)) == 0:
            row = row[: draw(st.integers(0, width))] + draw(ROW)  # cut short or too long
        rows.append(row)
    for _ in range(draw(st.integers(0, 2))):
        rows.append([draw(st.sampled_from(["注：合成数据", "资料来源：无", "Source: none", "", "x"]))])
    return rows


class Hang(Exception):
    pass


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def boom(signum: int, frame: Any) -> None:
        raise Hang(f"read_table ran longer than {seconds} s")

    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def check(path: Path, **kwargs: Any) -> None:
    """The contract: a Table (whose layout is a Layout or an InputError) or an InputError."""
    with time_limit(10):
        try:
            t = read_table(path, **kwargs)
        except InputError as exc:
            assert exc.problems
            for p in exc.problems:
                assert p.code.startswith("table."), p
                p.render("zh")
            return
        assert isinstance(t, Table)
        assert len(t.source_rows) == len(t.frame)
        assert list(t.source_rows) == sorted(set(t.source_rows))
        assert t.header_row < t.source_rows[0]
        try:
            assert isinstance(detect_layout(t), Layout)
        except InputError:
            pass


def to_csv(rows: list[list[str]], delimiter: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def test_fuzz_csv() -> None:
    seen: list[int] = []
    with tempfile.TemporaryDirectory() as d:

        @fuzz_settings(150)
        @given(tables(), st.sampled_from(ENCODINGS), st.sampled_from([",", ",", ",", "\t", ";"]),
               st.sampled_from([".csv", ".tsv", ".txt"]), st.integers(0, 10**6), st.booleans())
        def run(rows: list[list[str]], encoding: str, delimiter: str, suffix: str, cut: int, declare: bool) -> None:
            raw = to_csv(rows, delimiter).encode(encoding, errors="replace")
            p = Path(d) / f"f{suffix}"
            p.write_bytes(raw)
            check(p, encoding=encoding if declare else None)
            p.write_bytes(raw[: cut % (len(raw) + 1)])
            check(p)
            seen.append(2)

        run()
    assert sum(seen) >= 300


def test_fuzz_random_bytes() -> None:
    seen: list[int] = []
    with tempfile.TemporaryDirectory() as d:

        @fuzz_settings(100)
        @given(st.binary(max_size=3000), st.sampled_from([".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls"]),
               st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"PK\x03\x04"]),
               st.sampled_from([None, 1, 2, 5]))
        def run(raw: bytes, suffix: str, prefix: bytes, header_row: int | None) -> None:
            p = Path(d) / f"b{suffix}"
            p.write_bytes(prefix + raw)
            check(p, header_row=header_row)
            seen.append(1)

        run()
    assert sum(seen) >= 100


def workbook(rows: list[list[str]], percent: bool, merge: bool) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        values: list[Any] = []
        for c in row:
            try:
                values.append(float(c) if c.strip().lower() not in {"", "nan", "inf", "-inf", "infinity"} else c)
            except ValueError:
                values.append(c)
        # openpyxl refuses control characters in strings: drop them
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
    if percent:
        for cell in ws["B"]:
            cell.number_format = "0.00%"
    if merge and ws.max_column > 1:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ws.max_column)
    return wb


def test_fuzz_xlsx() -> None:
    seen: list[int] = []
    with tempfile.TemporaryDirectory() as d:

        @fuzz_settings(60)
        @given(tables(), st.integers(0, 10**6), st.integers(0, 255), st.booleans(), st.booleans())
        def run(rows: list[list[str]], cut: int, byte: int, percent: bool, merge: bool) -> None:
            p = Path(d) / "w.xlsx"
            workbook(rows, percent, merge).save(p)
            raw = p.read_bytes()
            check(p)
            p.write_bytes(raw[: cut % (len(raw) + 1)])
            check(p)
            flipped = bytearray(raw)
            flipped[cut % len(raw)] = byte
            p.write_bytes(bytes(flipped))
            check(p, sheet=1)
            seen.append(3)

        run()
    assert sum(seen) >= 180
