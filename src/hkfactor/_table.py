"""One reader for the tables people make: CSV or Excel, with titles, units, notes and markers.

:func:`read_table` reads a user's spreadsheet into a :class:`Table`: the data rows as a DataFrame
with the header as columns, the spreadsheet row each data row came from, the unit row, the notes,
and every decision the reader took (as :class:`~hkfactor.messages.Message` records). Everything
that cannot be read faithfully is a :class:`~hkfactor.errors.Problem` (with a catalogue ``code``
and ``params``); all of them are raised at once as one :class:`~hkfactor.errors.InputError`.
:func:`detect_layout` then says which columns hold the units (cities, firms), the periods and the
indicators. The rules are documented in ``docs/reading-data.md``; in short:

* **Encodings are declared, not guessed into mojibake.** UTF-8 (with or without BOM), UTF-16 with
  a BOM, and GBK/GB18030 are detected; bytes that decode as GB18030 only into implausible text
  (private-use or control characters, mostly rare characters, CJK glued inside Latin words —
  what Big5, Shift-JIS or Latin-1 files turn into) are refused with advice; ``encoding=``
  overrides. The encoding used is a decision.
* **Layout.** Title rows above the header (one filled cell, e.g. a merged title), blank rows, a
  unit row under the header (``亿元``, ``%``, ``（件）``) and notes below the table (``注：…``,
  ``资料来源：…``, or a lone text row after a blank row) are detected and recorded;
  ``header_row=`` overrides the header's position. Empty or duplicate header names are problems.
* **Cells as they are.** Numbers stay numbers, text stays text (trimmed). A percent is a
  fraction, as Excel stores it: a cell formatted ``0.00%`` holding 0.0347 and a text cell
  ``3.47%`` both read as 0.0347. ``1,234`` (groups of three) reads as 1234. :data:`MISSING_MARKERS`
  and empty cells read as NaN. Excel error values (``#DIV/0!``), formulas without a cached value,
  ``1_000``, ``3,35``, a column mixing percent and plain numbers and (CSV) rows cut short or too
  long are problems naming the sheet, cell and column.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "gdp.csv").write_bytes(
...     "2022年城市主要指标\\n城市,GDP,研发强度\\n,亿元,%\\n深圳,\\"32,387.7\\",5.81%\\n香港,..,\\n"
...     "资料来源：各市统计年鉴\\n".encode("gbk"))
>>> t = read_table(d / "gdp.csv")
>>> t.frame
   城市      GDP  研发强度
0  深圳  32387.7  0.0581
1  香港      NaN     NaN
>>> t.source_rows, t.header_row, dict(t.units), t.encoding
((4, 5), 2, {'城市': '', 'GDP': '亿元', '研发强度': '%'}, 'gb18030')
>>> t.notes
('2022年城市主要指标', '资料来源：各市统计年鉴')
>>> [m.code for m in t.decisions]  # doctest: +NORMALIZE_WHITESPACE
['table.encoding', 'table.header', 'table.title', 'table.units', 'table.notes', 'table.grouped',
 'table.percent', 'table.missing', 'table.missing']
>>> detect_layout(t).study, detect_layout(t).unit, detect_layout(t).indicators
('cross_section', '城市', ('GDP', '研发强度'))
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import functools
import io
import math
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import pandas as pd

from hkfactor.errors import InputError, Problem
from hkfactor.messages import Message, register

__all__ = [
    "EXCEL_ERRORS",
    "MISSING_MARKERS",
    "Layout",
    "Table",
    "decode_text",
    "detect_layout",
    "read_table",
]

#: Cell texts read as missing (compared case-insensitively after trimming), besides an empty cell.
MISSING_MARKERS: tuple[str, ...] = (
    "..", "...", "…", "……", "—", "——", "-", "--", "N/A", "NA", "n.a.", "NaN", "无", "缺失",
)
#: Excel's error values; in a workbook or as text in a CSV they are problems, never missing values.
EXCEL_ERRORS: tuple[str, ...] = (
    "#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
    "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
)
_MARKER_OF = {m.lower(): m for m in MISSING_MARKERS}
_ERRORS = {e.upper() for e in EXCEL_ERRORS}

_TEXT_SUFFIXES = {".csv", ".txt", ".tsv"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_OLD_SUFFIXES = {".xls", ".et", ".ods", ".numbers", ".wps"}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Refuse workbooks that would inflate beyond this (a defence against zip bombs).
_MAX_UNZIPPED = 512 * 1024 * 1024
#: At most this many problems of one code in one column are listed; then one "… and N more".
_MAX_PER_KIND = 10

register({
    # decisions
    "table.encoding": ("{file}: text read as {encoding} ({how})",
                       "{file}：按 {encoding} 编码读取（{how}）"),
    "table.delimiter": ("{file}: cells are separated by {delimiter}, not commas",
                        "{file}：单元格以 {delimiter} 分隔，而非逗号"),
    "table.sheet": ("sheet '{sheet}' read (the workbook has {n} sheets: {sheets}; choose another with sheet=)",
                    "读取工作表“{sheet}”（工作簿共 {n} 个工作表：{sheets}；可用 sheet= 另选）"),
    "table.macros": ("{file}: a macro-enabled workbook; only cell values were read, no macro was run",
                     "{file}：启用宏的工作簿；只读取单元格的值，未运行任何宏"),
    "table.header": ("row {row} is the header ({how})", "第 {row} 行为表头（{how}）"),
    "table.title": ("row(s) {rows} above the header read as title/notes: {texts}",
                    "表头上方第 {rows} 行作为标题/说明读取：{texts}"),
    "table.units": ("row {row} under the header read as units: {units}",
                    "表头下第 {row} 行作为单位行读取：{units}"),
    "table.notes": ("row(s) {rows} below the table read as notes: {texts}",
                    "表格下方第 {rows} 行作为注释读取：{texts}"),
    "table.blank_rows": ("{count} blank row(s) inside the table skipped (rows {rows})",
                         "跳过表内 {count} 个空行（第 {rows} 行）"),
    "table.empty_columns": ("{count} column(s) with neither a header nor data dropped ({columns})",
                            "删除 {count} 个既无表头也无数据的列（{columns}）"),
    "table.missing": ("{count} cell(s) holding {marker} read as missing (columns {columns})",
                      "{count} 个内容为 {marker} 的单元格按缺失值读取（列 {columns}）"),
    "table.percent": ("column '{column}': {count} percent cell(s) read as fractions (3.47% → 0.0347)",
                      "列“{column}”：{count} 个百分数按小数读取（3.47% → 0.0347）"),
    "table.grouped": ("column '{column}': {count} number(s) with thousands separators read (1,234 → 1234)",
                      "列“{column}”：{count} 个带千位分隔符的数字已读取（1,234 → 1234）"),
    "table.fullwidth": ("column '{column}': {count} number(s) in full-width characters read (１２．５ → 12.5)",
                        "列“{column}”：{count} 个全角数字已读取（１２．５ → 12.5）"),
    "table.text_numbers": ("column '{column}': {count} number(s) stored as text read as numbers",
                           "列“{column}”：{count} 个以文本存储的数字按数字读取"),
    "table.layout": ("layout: {kind} ({study}); units in {unit}, periods in {period}, indicators in {indicator}",
                     "表格结构：{kind}（{study}）；单位列 {unit}，时期列 {period}，指标列 {indicator}"),
    "table.layout.guessed": ("column '{column}' taken as the {role} column (its header is not a known name)",
                             "列“{column}”被视为{role}列（表头不是可识别的名称）"),
    # problems
    "table.file.missing": ("file not found", "找不到文件"),
    "table.file.unreadable": ("cannot read the file: {reason}", "无法读取文件：{reason}"),
    "table.file.empty": ("the file holds no table (it is empty)", "文件中没有表格（为空）"),
    "table.file.type": ("unsupported file type '{suffix}'; expected .csv, .tsv, .txt or .xlsx",
                        "不支持的文件类型“{suffix}”；应为 .csv、.tsv、.txt 或 .xlsx"),
    "table.file.old_excel": ("'{suffix}' workbooks are not read; open it in Excel/WPS and save as .xlsx "
                             "(Excel Workbook) or as 'CSV UTF-8'",
                             "不读取“{suffix}”格式；请在 Excel/WPS 中打开并另存为 .xlsx（Excel 工作簿）或“CSV UTF-8”"),
    "table.file.misnamed": ("the file is {actual} but is named '{suffix}'; rename it to {fix}",
                            "文件实际为 {actual}，但扩展名为“{suffix}”；请改名为 {fix}"),
    "table.file.binary": ("not a text file (it holds binary data); save the table as 'CSV UTF-8' or .xlsx",
                          "不是文本文件（含二进制数据）；请将表格另存为“CSV UTF-8”或 .xlsx"),
    "table.file.not_workbook": ("cannot read as an Excel workbook (.xlsx): {reason}; open and re-save it in Excel",
                                "无法作为 Excel 工作簿（.xlsx）读取：{reason}；请在 Excel 中打开并重新保存"),
    "table.file.too_large": ("the workbook would unpack to {size} MB, above the {limit} MB limit",
                             "工作簿解压后达 {size} MB，超过 {limit} MB 上限"),
    "table.file.csv": ("cannot split the text into cells: {reason}", "无法将文本拆分为单元格：{reason}"),
    "table.encoding.undecodable": ("not valid UTF-8 or GBK/GB18030 text (undecodable byte at line {line}){guess}; "
                                   "in Excel choose Save As → 'CSV UTF-8', or pass encoding=",
                                   "不是有效的 UTF-8 或 GBK/GB18030 文本（第 {line} 行有无法解码的字节）{guess}；"
                                   "请在 Excel 中“另存为 → CSV UTF-8”，或指定 encoding="),
    "table.encoding.implausible": ("the bytes decode as GBK/GB18030 only into implausible text (e.g. '{sample}')"
                                   "{guess}; save it as 'CSV UTF-8', or pass encoding= if it really is GBK",
                                   "按 GBK/GB18030 解码只得到不合理的文字（如“{sample}”）{guess}；请另存为"
                                   "“CSV UTF-8”，若确为 GBK 请指定 encoding="),
    "table.encoding.replacement": ("the text holds {count} replacement character(s) '\ufffd' (line {line}): it was "
                                   "damaged by an earlier wrong conversion; re-export it from the original",
                                   "文本含 {count} 个替换字符“\ufffd”（第 {line} 行）：此前的错误转码已损坏内容；"
                                   "请从原始文件重新导出"),
    "table.encoding.unknown": ("'{encoding}' is not an encoding Python knows (e.g. utf-8, gbk, gb18030, big5)",
                               "“{encoding}”不是可识别的编码（如 utf-8、gbk、gb18030、big5）"),
    "table.encoding.wrong": ("the file is not valid {encoding} (undecodable byte at line {line})",
                             "文件不是有效的 {encoding} 文本（第 {line} 行有无法解码的字节）"),
    "table.encoding.not_text": ("encoding= applies only to text files (CSV); an Excel workbook declares its own",
                                "encoding= 只适用于文本文件（CSV）；Excel 工作簿自带编码"),
    "table.sheet.missing": ("there is no sheet {want}; the workbook's sheets: {sheets}",
                            "没有工作表 {want}；工作簿的工作表：{sheets}"),
    "table.sheet.not_excel": ("sheet= applies only to Excel workbooks; a CSV file has no sheets",
                              "sheet= 只适用于 Excel 工作簿；CSV 文件没有工作表"),
    "table.sheet.chart": ("sheet '{sheet}' is a chart, not a table", "工作表“{sheet}”是图表，不是表格"),
    "table.sheet.empty": ("sheet '{sheet}' is empty", "工作表“{sheet}”为空"),
    "table.header.out_of_range": ("header_row={row} is not a filled row of the table (its filled rows: {first}–{last})",
                                  "header_row={row} 不是表格中有内容的行（有内容的行：{first}–{last}）"),
    "table.header.empty": ("column {letter} holds data but has no header name; name it (e.g. 城市, 年份)",
                           "第 {letter} 列有数据但没有表头名称；请为其命名（如 城市、年份）"),
    "table.header.second_row": ("row {row} holds text above numbers in columns {letters}: it looks like a second "
                                "header row; merge the header rows into one (e.g. 'GDP 增速'), or pass header_row={row}",
                                "第 {row} 行在第 {letters} 列中位于数字上方且为文字，像是第二行表头；请将多行表头合并为一行"
                                "（如“GDP 增速”），或指定 header_row={row}"),
    "table.header.duplicate": ("header name '{name}' is used by columns {letters}; give each column its own name",
                               "表头名称“{name}”被第 {letters} 列重复使用；请为每列取不同名称"),
    "table.no_data": ("there are no data rows under the header (row {row})", "表头（第 {row} 行）下没有数据行"),
    "table.row.short": ("row has {n} cell(s) but the header has {expected}: the row is cut short",
                        "该行只有 {n} 个单元格，而表头有 {expected} 个：该行不完整"),
    "table.row.long": ("row has {n} cells but the header has {expected} (a number with a comma like 1,234 must be "
                       "quoted, or a cell holds a stray separator)",
                       "该行有 {n} 个单元格，而表头只有 {expected} 个（含逗号的数字如 1,234 须加引号，或某单元格含多余分隔符）"),
    "table.cell.error": ("cell {cell} of {sheet} holds the error value {value}; fix the formula or enter the value",
                         "{sheet}的单元格 {cell} 为错误值 {value}；请修正公式或填入数值"),
    "table.cell.formula": ("cell {cell} of {sheet} holds a formula with no saved result; open the workbook in Excel "
                           "and save it (so results are stored), or paste values",
                           "{sheet}的单元格 {cell} 是没有保存计算结果的公式；请在 Excel 中打开并保存，或粘贴为数值"),
    "table.cell.grouping": ("cell {cell}: '{value}' is not a number: thousands separators must group three digits "
                            "(1,234.5); a decimal comma (3,35) must be written 3.35",
                            "单元格 {cell}：“{value}”不是数字：千位分隔符须每三位一组（1,234.5）；小数逗号（3,35）须写为 3.35"),
    "table.cell.underscore": ("cell {cell}: '{value}' is not a number a spreadsheet writes; remove the '_'",
                              "单元格 {cell}：“{value}”不是表格软件写出的数字；请删去“_”"),
    "table.cell.overflow": ("cell {cell}: '{value}' is not a finite number", "单元格 {cell}：“{value}”不是有限数"),
    "table.column.percent_mixed": ("column mixes {n_percent} percent cell(s) (e.g. {cell_percent}) with {n_plain} "
                                   "plain number(s) (e.g. {cell_plain}); write the whole column one way",
                                   "该列混有 {n_percent} 个百分数（如 {cell_percent}）和 {n_plain} 个普通数字"
                                   "（如 {cell_plain}）；请统一写法"),
    "table.more": ("… and {count} more problem(s) of this kind in this column",
                   "……该列另有 {count} 个同类问题"),
    "table.layout.unknown": ("cannot tell which columns name the units, periods and indicators (columns: {columns}); "
                             "name them, e.g. 城市/city, 年份/year, 指标/indicator, 数值/value",
                             "无法判断哪些列是单位、时期和指标（列：{columns}）；请命名，如 城市/city、年份/year、"
                             "指标/indicator、数值/value"),
    "table.layout.missing_key": ("the {role} is empty", "{role}为空"),
    "table.layout.bad_period": ("'{value}' is not a year (expected four digits such as 2019 or 2019年)",
                                "“{value}”不是年份（应为四位数字，如 2019 或 2019年）"),
    "table.layout.duplicate_key": ("{key} appears again (first at row {first})", "{key} 重复出现（首次在第 {first} 行）"),
})

_HOW = {
    "bom": {"en": "byte-order mark", "zh": "字节顺序标记"},
    "detected": {"en": "detected", "zh": "自动识别"},
    "given": {"en": "given with encoding=", "zh": "由 encoding= 指定"},
    "given_row": {"en": "given with header_row=", "zh": "由 header_row= 指定"},
}


# ---------------------------------------------------------------------------------------------
# result types
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Table:
    """A user's table as read by :func:`read_table`.

    Attributes
    ----------
    frame : pandas.DataFrame
        Header names as columns, one row per data row (index 0…n-1). Numbers are numbers
        (a column of numbers only is numeric), text is ``str`` (trimmed), percents are fractions,
        missing cells are NaN.
    source_rows : tuple[int, ...]
        The 1-based spreadsheet row of each frame row (``frame.iloc[i]`` is row
        ``source_rows[i]`` of the file), so later checks can name the row a user sees.
    header_row : int
        1-based row of the header.
    units : Mapping[str, str]
        Column → unit text from a detected unit row (parentheses and ``单位：`` removed);
        ``""`` for a column without one, and for every column when there is no unit row.
    notes : tuple[str, ...]
        Text of the title rows above the header, then of the note rows below the table.
    encoding : str
        Python codec name the text was decoded with (``""`` for a workbook).
    sheet : str
        Name of the worksheet read (``""`` for a text file).
    decisions : tuple[Message, ...]
        What the reader decided (codes ``table.*``), in the order taken.
    file : str
        The path read, as given.
    letters : Mapping[str, str]
        Column → its spreadsheet letter (``"C"``), so a cell can be named ``C7``.
    percent_cells : frozenset of (int, str)
        The cells read as percent (a ``%`` text or an Excel percent format), as ``(data row
        index, column)``: a reader that knows an indicator's unit can tell 3.47 % from 3.47.
    """

    frame: pd.DataFrame
    source_rows: tuple[int, ...]
    header_row: int
    units: Mapping[str, str]
    notes: tuple[str, ...]
    encoding: str
    sheet: str
    decisions: tuple[Message, ...]
    file: str = ""
    letters: Mapping[str, str] = field(default_factory=dict)
    percent_cells: frozenset[tuple[int, str]] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "units", MappingProxyType(dict(self.units)))
        object.__setattr__(self, "letters", MappingProxyType(dict(self.letters)))

    def cell(self, i: int, column: str) -> str:
        """Spreadsheet name of the cell of frame row ``i`` in ``column``, e.g. ``"C7"``."""
        return f"{self.letters.get(column, '?')}{self.source_rows[i]}"

    @property
    def label(self) -> str:
        """How problems name this table: the file, and the sheet for a workbook."""
        return f"{self.file} (sheet '{self.sheet}')" if self.sheet else self.file


Kind = Literal["long", "wide_indicators", "wide_years", "wide_units"]
Study = Literal["cross_section", "time_series", "panel"]


@dataclass(frozen=True)
class Layout:
    """Which columns of a :class:`Table` hold what (from :func:`detect_layout`).

    Attributes
    ----------
    kind : {"long", "wide_indicators", "wide_years", "wide_units"}
        What runs across the columns: nothing (``long``: one value column, with indicator and
        value columns), indicators, years, or units (cities, firms).
    study : {"cross_section", "time_series", "panel"}
        Units × indicators in one period; periods × indicators of one unit; units × periods.
    unit, period, indicator, value : str or None
        The column naming the units, the periods, the indicators (long, or rows of a wide-by-
        years/units table), and (long) holding the values.
    indicators : tuple[str, ...]
        ``wide_indicators``: the indicator columns.
    periods : Mapping[str, int]
        ``wide_years``: each year column and its year.
    units : tuple[str, ...]
        ``wide_units``: the columns that are units.
    other : tuple[str, ...]
        Columns that are none of these (notes, sources, a measurement-unit column).
    decisions : tuple[Message, ...]
        ``table.layout`` and, where a role was inferred from the data, ``table.layout.guessed``.
    """

    kind: Kind
    study: Study
    unit: str | None = None
    period: str | None = None
    indicator: str | None = None
    value: str | None = None
    indicators: tuple[str, ...] = ()
    periods: Mapping[str, int] = field(default_factory=dict)
    units: tuple[str, ...] = ()
    other: tuple[str, ...] = ()
    decisions: tuple[Message, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "periods", MappingProxyType(dict(self.periods)))


# ---------------------------------------------------------------------------------------------
# text decoding
# ---------------------------------------------------------------------------------------------


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _gb_class(c: str) -> str:
    """How plausible a character decoded from GB18030 is in a Chinese table."""
    o = ord(c)
    if o < 0x80:
        return "ascii"
    if 0xE000 <= o <= 0xF8FF or unicodedata.category(c) in {"Cc", "Cn", "Co", "Cs"} or c == "\ufffd":
        return "bad"
    try:
        b = c.encode("gb2312")
    except UnicodeEncodeError:
        try:
            c.encode("gbk")
        except UnicodeEncodeError:  # only a four-byte GB18030 sequence reaches it
            return "rare" if unicodedata.category(c) == "Lo" else "bad"
        return "rare"
    lead = b[0]
    if 0xA4 <= lead <= 0xA9:  # kana, Greek, Cyrillic, pinyin, box drawing: what mojibake is made of
        return "rare"
    return "common"


def _gb_implausible(text: str) -> str:
    """A sample of the implausible part of ``text`` decoded as GB18030, or ``""`` if it reads well."""
    counts: Counter[str] = Counter()
    first = ""
    for i, c in enumerate(text):
        k = _gb_class(c)
        if k == "ascii" or (k == "rare" and not unicodedata.category(c).startswith("L")):
            continue  # punctuation and symbols outside GB2312 ('–', '·', '™') say nothing either way
        if (k == "rare" and 0 < i < len(text) - 1 and text[i - 1].isascii() and text[i - 1].isalpha()
                and text[i + 1].isascii() and text[i + 1].isalpha()):
            k = "bad"  # a CJK character glued inside a Latin word: 'Z黵ich' is Zürich in Latin-1
        counts[k] += 1
        if k != "common" and not first:
            first = text[max(0, i - 4): i + 5].replace("\n", " ").replace("\r", " ")
    n = sum(counts.values())
    if counts["bad"] or (n and counts["rare"] / n > 0.5):
        return first
    return ""


def _glued(text: str) -> bool:
    """Whether an East Asian character sits between two ASCII letters ('M黱chen'): Latin text misread."""
    return re.search(r"[A-Za-z][\u2e80-\uffff][A-Za-z]", text) is not None


def _big5_common(c: str) -> bool:
    """Whether ``c`` is a Big5 frequently-used character (level 1) or full-width punctuation."""
    try:
        b = c.encode("big5")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and (0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E or b[0] in (0xA1, 0xA2))


def _guess(raw: bytes) -> str:
    """A likely other encoding of ``raw`` ('big5', 'shift_jis', 'cp1252') or ``""``."""
    for enc in ("big5", "shift_jis"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        wide = [c for c in text if ord(c) > 0x7F]
        if not wide or _glued(text) or any(unicodedata.category(c) in {"Cc", "Co", "Cn"} for c in wide):
            continue
        if enc == "shift_jis" and not any(0x3040 <= ord(c) <= 0x30FF for c in wide):
            continue  # no kana: not convincingly Japanese
        if enc == "big5" and sum(_big5_common(c) for c in wide) < 0.6 * len(wide):
            continue
        return enc
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        return ""
    wide = [c for c in text if ord(c) > 0x7F]
    if wide and sum(c.isalpha() for c in wide) >= 0.8 * len(wide):
        return "cp1252"
    return ""


_GUESS_TEXT = {
    "big5": ("; it looks like Big5 (traditional Chinese): pass encoding='big5'", "；看来是 Big5（繁体中文）：可指定 encoding='big5'"),
    "shift_jis": ("; it looks like Shift-JIS (Japanese): pass encoding='shift_jis'",
                  "；看来是 Shift-JIS（日文）：可指定 encoding='shift_jis'"),
    "cp1252": ("; it looks like Latin-1/Windows-1252 (Western European): pass encoding='cp1252'",
               "；看来是 Latin-1/Windows-1252（西欧文字）：可指定 encoding='cp1252'"),
}


def _guess_param(raw: bytes) -> dict[str, str]:
    g = _guess(raw)
    en, zh = _GUESS_TEXT.get(g, ("", ""))
    return {"en": en, "zh": zh}


def decode_text(raw: bytes, *, file: str = "", encoding: str | None = None) -> tuple[str, str, str]:
    """Decode the bytes of a text table; return ``(text, encoding, how)``.

    ``how`` is ``"bom"``, ``"detected"`` or ``"given"``. Without ``encoding``: a UTF-8, UTF-16
    or UTF-32 byte-order mark decides; else strict UTF-8; else strict GB18030 (a superset of GBK
    and GB2312) if the result is plausible Chinese text. Anything else raises
    :class:`~hkfactor.errors.InputError` with advice (naming Big5, Shift-JIS or Windows-1252
    when the bytes look like one). Text containing U+FFFD (damaged by an earlier conversion) is
    refused too. A leading BOM character is removed.

    Examples
    --------
    >>> decode_text("深圳".encode("gbk"))
    ('深圳', 'gb18030', 'detected')
    >>> decode_text("香港統計處".encode("big5"))
    Traceback (most recent call last):
    ...
    hkfactor.errors.InputError: invalid text file: 1 problem(s)
      - : the bytes decode as GBK/GB18030 only into implausible text (e.g. '...'); it looks like Big5 ...
    """

    def fail(code: str, **params: Any) -> InputError:
        return InputError([Problem(file, None, None, code=code, params=params)], title="invalid text file")

    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except (LookupError, TypeError, ValueError):
            raise fail("table.encoding.unknown", encoding=str(encoding)) from None
        if name == "utf-8" and raw.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        try:
            text = raw.decode(name)
        except UnicodeDecodeError as exc:
            raise fail("table.encoding.wrong", encoding=name, line=_line_of(raw, exc.start)) from None
        except Exception as exc:  # a codec that is not a text encoding (e.g. 'base64', 'zlib')
            raise fail("table.encoding.unknown", encoding=f"{encoding} ({type(exc).__name__})") from None
        if not isinstance(text, str):
            raise fail("table.encoding.unknown", encoding=str(encoding))
        return _no_replacement(text.removeprefix("\ufeff"), raw, file), name, "given"
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            try:
                text = raw.decode(name)
            except UnicodeDecodeError as exc:
                raise fail("table.encoding.wrong", encoding=name, line=_line_of(raw, exc.start)) from None
            return _no_replacement(text.removeprefix("\ufeff"), raw, file), name, "bom"
    try:
        return _no_replacement(raw.decode("utf-8"), raw, file), "utf-8", "detected"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise fail("table.encoding.undecodable", line=_line_of(raw, utf8_error.start),
                   guess=_guess_param(raw)) from None
    sample = _gb_implausible(text)
    if sample:
        raise fail("table.encoding.implausible", sample=sample, guess=_guess_param(raw))
    return text, "gb18030", "detected"


def _no_replacement(text: str, raw: bytes, file: str) -> str:
    n = text.count("\ufffd")
    if n:
        line = text[: text.index("\ufffd")].count("\n") + 1
        raise InputError([Problem(file, None, None, code="table.encoding.replacement",
                                  params={"count": n, "line": line})], title="invalid text file")
    return text


# ---------------------------------------------------------------------------------------------
# cells
# ---------------------------------------------------------------------------------------------

_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:(?P<sep>[, ])\d{3})(?:(?P=sep)\d{3})*(?:\.\d+)?")
_BAD_GROUPED = re.compile(r"[+-]?\d+(?:,\d+)+(?:\.\d*)?|[+-]?\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?")
_UNDERSCORE = re.compile(r"[+-]?[\d_]*\d_[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?\d+)?")
_WS = re.compile(r"\s+")


@dataclass(slots=True)
class _Cell:
    """A parsed cell. ``kind``: empty, missing, number, text, other, error, formula, bad."""

    kind: str
    value: Any = None
    flags: tuple[str, ...] = ()  # percent, grouped, fullwidth, textnum, pformat
    code: str = ""  # the problem code of a bad cell
    raw: str = ""


_EMPTY = _Cell("empty")


#: a plain ASCII decimal with nothing around it — by far the commonest cell; read without the
#: general path below (which gives exactly the same cell for it)
_FAST = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def _parse_text(s: str) -> _Cell:
    """Read one text cell (CSV, or a text cell of a workbook)."""
    if len(s) <= 64 and _FAST.fullmatch(s):
        return _Cell("number", int(s) if "." not in s and len(s) <= 15 else float(s), raw=s)
    t = s.strip()
    if not t:
        return _EMPTY
    low = t.lower()
    if low in _MARKER_OF:
        return _Cell("missing", _MARKER_OF[low], raw=t)
    if t.upper() in _ERRORS:
        return _Cell("error", t.upper(), raw=t)
    if len(t) > 64 or not any(ch.isdigit() for ch in t):
        return _Cell("text", t)
    n = unicodedata.normalize("NFKC", t).replace("\u2212", "-")
    flags: list[str] = []
    if n != t:
        flags.append("fullwidth")
    n = _WS.sub(" ", n)
    percent = n.endswith("%")
    body = n[:-1].rstrip() if percent else n
    if _PLAIN.fullmatch(body):
        num = body
    elif _GROUPED.fullmatch(body):
        num = body.replace(",", "").replace(" ", "")
        flags.append("grouped")
    elif _BAD_GROUPED.fullmatch(body):
        return _Cell("bad", code="table.cell.grouping", raw=t)
    elif "_" in body and _UNDERSCORE.fullmatch(body):
        return _Cell("bad", code="table.cell.underscore", raw=t)
    else:
        return _Cell("text", t)
    value: float | int
    if re.fullmatch(r"[+-]?\d+", num) and len(num) <= 15 and not percent:
        value = int(num)
    else:
        value = float(num)
        if not math.isfinite(value):
            return _Cell("bad", code="table.cell.overflow", raw=t)
        if percent:
            value = value / 100
            flags.append("percent")
    return _Cell("number", value, tuple(flags), raw=t)


def _parse_excel(value: Any, data_type: str, number_format: str) -> _Cell:
    """Read one workbook cell (values as openpyxl gives them with ``data_only=True``)."""
    if value is None:
        return _EMPTY
    if data_type == "e":
        return _Cell("error", str(value), raw=str(value))
    if isinstance(value, bool):
        return _Cell("other", value, raw=str(value).upper())
    if isinstance(value, int | float):
        if not math.isfinite(float(value)):
            return _Cell("bad", code="table.cell.overflow", raw=str(value))
        pct = "%" in number_format.replace('"%"', "").replace("\\%", "")
        return _Cell("number", value, ("pformat",) if pct else (), raw=str(value))
    if isinstance(value, str):
        c = _parse_text(value)
        if c.kind == "number":
            c.flags = (*c.flags, "textnum")
        return c
    if isinstance(value, _dt.datetime | _dt.date | _dt.time | _dt.timedelta):
        return _Cell("other", value, raw=str(value))
    return _Cell("text", str(value).strip(), raw=str(value))


def _header_text(c: _Cell, original: Any) -> str:
    if c.kind == "empty":
        return ""
    if isinstance(original, str):
        return _WS.sub(" ", original.strip())
    if isinstance(original, float) and original.is_integer():
        return str(int(original))
    if isinstance(original, _dt.datetime) and original.time() == _dt.time(0):
        return original.date().isoformat()
    if isinstance(original, _dt.date | _dt.datetime):
        return original.isoformat()
    if isinstance(original, bool):
        return str(original).upper()
    return str(original)


def _letter(j: int) -> str:
    """0-based column index → spreadsheet letters (0 → A, 26 → AA)."""
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


# ---------------------------------------------------------------------------------------------
# sources: text and workbook → a grid of (row number, originals, parsed cells)
# ---------------------------------------------------------------------------------------------


@dataclass
class _Grid:
    rows: list[tuple[int, list[Any], list[_Cell]]]  # non-blank rows only
    decisions: list[Message]
    encoding: str = ""
    sheet: str = ""
    csv: bool = False
    sheet_label: dict[str, str] = field(default_factory=dict)


def _fail(file: str, code: str, **params: Any) -> InputError:
    return InputError([Problem(file, None, None, code=code, params=params)], title="cannot read table")


def _read_csv(raw: bytes, file: str, suffix: str, encoding: str | None) -> _Grid:
    text, enc, how = decode_text(raw, file=file, encoding=encoding)
    decisions = [Message("table.encoding", Path(file).name, {"file": Path(file).name, "encoding": enc, "how": _HOW[how]})]
    if "\x00" in text:
        raise _fail(file, "table.file.binary")
    delim = "\t" if suffix == ".tsv" else ","
    if delim == ",":
        head = text[:20000].splitlines()[:50]
        width = {d: max((len(r) for r in csv.reader(head, delimiter=d)), default=0) for d in (",", "\t", ";")}
        if width[","] <= 1:
            best = max(("\t", ";"), key=lambda d: width[d])
            if width[best] > 1:
                delim = best
                decisions.append(Message("table.delimiter", Path(file).name, {
                    "file": Path(file).name,
                    "delimiter": {"en": "tabs", "zh": "制表符"} if best == "\t" else {"en": "semicolons", "zh": "分号"}}))
    rows: list[tuple[int, list[Any], list[_Cell]]] = []
    # the same text recurs down a long table (unit names, codes, years): read each once; the
    # cells are shared, so nothing below may change a _Cell of a CSV grid in place
    memo: dict[str, _Cell] = {}
    try:
        for i, fields in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delim), start=1):
            cells = [memo[f] if f in memo else memo.setdefault(f, _parse_text(f)) for f in fields]
            if any(c.kind != "empty" for c in cells):
                rows.append((i, list(fields), cells))
    except csv.Error as exc:
        raise _fail(file, "table.file.csv", reason=str(exc)) from None
    return _Grid(rows, decisions, encoding=enc, csv=True)


def _pick_sheet(names: list[str], sheet: str | int | None, file: str) -> str:
    listing = [f"{i} '{n}'" for i, n in enumerate(names, 1)]
    if sheet is None:
        return names[0]
    if isinstance(sheet, str) and sheet in names:
        return sheet
    if isinstance(sheet, int) or str(sheet).strip().isdigit():
        n = int(sheet)
        if 1 <= n <= len(names):
            return names[n - 1]
        raise _fail(file, "table.sheet.missing", want=f"{n} (sheets count from 1)", sheets=listing)
    loose = [n for n in names if n.strip().lower() == str(sheet).strip().lower()]
    if len(loose) == 1:
        return loose[0]
    raise _fail(file, "table.sheet.missing", want=f"'{sheet}'", sheets=listing)


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula (``<f>``); if none, one pass suffices."""
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.filename.startswith("xl/worksheets/"):
                    continue
                tail = b""
                with zf.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        if _FORMULA_TAG.search(tail + chunk):
                            return True
                        tail = chunk[-16:]
    except Exception:  # a damaged archive: let openpyxl say what is wrong
        return True
    return False


def _read_excel(path: Path, file: str, sheet: str | int | None) -> _Grid:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - openpyxl is in the 'excel' extra
        raise _fail(file, "table.file.unreadable", reason="reading .xlsx needs openpyxl: pip install 'hkfactor[excel]'") from None
    try:
        with zipfile.ZipFile(path) as zf:
            size = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        raise _fail(file, "table.file.not_workbook", reason=str(exc) or type(exc).__name__) from None
    if size > _MAX_UNZIPPED:
        raise _fail(file, "table.file.too_large", size=size // 2**20, limit=_MAX_UNZIPPED // 2**20)
    passes = (True, False) if _has_formulas(path) else (True,)
    decisions: list[Message] = []
    values: dict[tuple[int, int], tuple[Any, str, str]] = {}
    formulas: set[tuple[int, int]] = set()
    name = ""
    # openpyxl parses an untrusted file: a damaged one raises almost any exception type
    # (KeyError, ValueError, TypeError, IndexError, XML parse errors …); each is the user's
    # workbook being unreadable, reported as a problem, never a traceback.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for data_only in passes:
                wb = openpyxl.load_workbook(path, read_only=True, data_only=data_only, keep_links=False)
                try:
                    names = [str(n) for n in wb.sheetnames]
                    if not names:
                        raise _fail(file, "table.sheet.empty", sheet="")
                    name = _pick_sheet(names, sheet, file)
                    ws = wb[name]
                    if not hasattr(ws, "iter_rows"):
                        raise _fail(file, "table.sheet.chart", sheet=name)
                    if hasattr(ws, "reset_dimensions"):
                        ws.reset_dimensions()
                    for r, row in enumerate(ws.iter_rows(), start=1):
                        for j, c in enumerate(row):
                            v = getattr(c, "value", None)
                            if data_only:
                                if v is not None:
                                    fmt = c.number_format if isinstance(v, int | float) else "General"
                                    values[(r, j)] = (v, str(getattr(c, "data_type", "n")), str(fmt or ""))
                            elif getattr(c, "data_type", "") == "f" and (r, j) not in values:
                                formulas.add((r, j))
                    if data_only and len(names) > 1:
                        decisions.append(Message("table.sheet", name, {"sheet": name, "n": len(names),
                                                                       "sheets": names}))
                finally:
                    wb.close()
    except InputError:
        raise
    except Exception as exc:
        raise _fail(file, "table.file.not_workbook", reason=f"{type(exc).__name__}: {exc}"[:200]) from None
    if path.suffix.lower() == ".xlsm":
        decisions.append(Message("table.macros", Path(file).name, {"file": path.name}))
    by_row: dict[int, dict[int, tuple[Any, _Cell]]] = {}
    for (r, j), (v, dt, fmt) in values.items():
        c = _parse_excel(v, dt, fmt)
        if c.kind != "empty":
            by_row.setdefault(r, {})[j] = (v, c)
    for r, j in formulas:
        by_row.setdefault(r, {})[j] = (None, _Cell("formula", None, raw=""))
    rows: list[tuple[int, list[Any], list[_Cell]]] = []
    for r in sorted(by_row):
        cols = by_row[r]
        width = max(cols) + 1
        rows.append((r, [cols[j][0] if j in cols else None for j in range(width)],
                     [cols[j][1] if j in cols else _EMPTY for j in range(width)]))
    return _Grid(rows, decisions, sheet=name)


# ---------------------------------------------------------------------------------------------
# layout inside the grid: header, title, unit row, notes
# ---------------------------------------------------------------------------------------------

_NOTE = re.compile(
    r"^\s*[(（]?\s*(注|註|备注|備註|说明|說明|附注|附註|资料来源|資料來源|数据来源|數據來源|来源|來源|出处|出處"
    r"|notes?\b|sources?\b|remarks?\b|\*|※|#)", re.IGNORECASE)
_UNIT_WORDS = {
    "%", "‰", "pp", "百分比", "百分点", "元", "万元", "亿元", "千元", "百万元", "十亿元", "美元", "万美元", "亿美元",
    "千美元", "百万美元", "港元", "万港元", "亿港元", "百万港元", "港币", "人民币", "澳门元", "人", "万人", "人次",
    "万人次", "件", "万件", "个", "项", "家", "户", "所", "篇", "次", "台", "辆", "艘", "吨", "万吨", "千克",
    "公斤", "平方米", "平方公里", "公顷", "公里", "千米", "米", "小时", "天", "年", "岁", "倍", "亩", "套", "张",
    "部", "座", "个/万人", "件/万人", "人/万人", "元/人", "万元/人", "美元/人", "标准箱", "万标箱", "teu",
    "usd", "hkd", "rmb", "cny", "hk$", "us$", "$", "bn", "mn", "m", "million", "billion", "thousand", "persons",
    "people", "number", "no.", "units", "share", "ratio", "index", "percent", "years", "km", "km2", "km²",
    "tonnes", "hk$ million", "hk$ bn", "us$ million", "us$ bn", "rmb bn", "rmb 100m", "指数", "点", "比例",
    "份额",
}
_UNIT_LABELS = {"单位", "單位", "unit", "units", "计量单位", "計量單位"}
_UNIT_SHAPE = re.compile(r"(?:万|亿|千|百|十|百万|千万)?(?:元|美元|港元|人|件|个|项|家|吨|次|台|篇|户|所)(?:/.{1,4})?")


def _unit_text(c: _Cell) -> str | None:
    """The unit a unit-row cell names, or None if the cell does not look like a unit."""
    if c.kind != "text":
        return None
    s = str(c.value).strip()
    m = re.fullmatch(r"[(（\[【]\s*(.*?)\s*[)）\]】]", s)
    bracketed = m is not None
    if m:
        s = m.group(1)
    s = re.sub(r"^(单位|單位|unit|units)\s*[:：]\s*", "", s, flags=re.IGNORECASE)
    if not s:
        return None
    low = s.lower()
    if low in _UNIT_WORDS or _UNIT_SHAPE.fullmatch(s) or (bracketed and len(s) <= 12):
        return s
    return None


def _is_unit_row(cells: Sequence[_Cell]) -> bool:
    filled = [c for c in cells if c.kind != "empty"]
    if not filled or any(c.kind != "text" for c in filled):
        return False
    units = 0
    for c in filled:
        if _unit_text(c) is not None:
            units += 1
        elif str(c.value).strip().lower().rstrip(":：") not in _UNIT_LABELS:
            return False
    return units > 0


def _filled(cells: Sequence[_Cell]) -> int:
    return sum(c.kind != "empty" for c in cells)


def _row_text(originals: Sequence[Any], cells: Sequence[_Cell]) -> str:
    return " ".join(_header_text(c, o) for o, c in zip(originals, cells, strict=False) if c.kind != "empty")


def _ranges(rows: Sequence[int], most: int = 8) -> str:
    """``[2, 3, 4, 7]`` → ``2–4, 7`` (at most ``most`` runs, then ``…``)."""
    runs: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if runs and r == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], r)
        else:
            runs.append((r, r))
    text = [f"{a}" if a == b else f"{a}–{b}" for a, b in runs[:most]]
    return ", ".join(text) + (", …" if len(runs) > most else "")


def _find_header(rows: list[tuple[int, list[Any], list[_Cell]]]) -> int:
    """Index (into ``rows``) of the header: the first row filled enough among the top rows."""
    top = rows[:30]
    width = max(_filled(c) for _r, _o, c in top)
    need = 1 if width <= 1 else max(2, math.ceil(0.6 * width))
    for k, (_r, _o, cells) in enumerate(top):
        if _filled(cells) >= need:
            return k
    return 0  # pragma: no cover - the widest row always qualifies


def _second_header(body: list[tuple[int, list[Any], list[_Cell]]]) -> list[int]:
    """Columns where the first body row holds text above numbers only: a second header row."""
    _r, _o, first = body[0]
    if any(c.kind not in {"text", "empty"} for c in first):
        return []
    cols = []
    for j, c in enumerate(first):
        if c.kind != "text":
            continue
        below = [cells[j].kind if j < len(cells) else "empty" for _r2, _o2, cells in body[1:]]
        if "number" in below and all(k in {"number", "missing", "empty"} for k in below):
            cols.append(j)
    return cols if len(cols) >= 2 else []


def _notes_start(body: list[tuple[int, list[Any], list[_Cell]]]) -> int:
    """Index into ``body`` where the notes below the table begin (``len(body)`` if none)."""
    k = len(body)
    while k > 1:  # the first body row is always data
        _r, _o, cells = body[k - 1]
        filled = [c for c in cells if c.kind != "empty"]
        if not all(c.kind == "text" for c in filled):
            break
        if not (_NOTE.match(str(filled[0].value)) or len(filled) == 1):
            break
        k -= 1
    # the block body[k:] holds note-like rows; it starts at the first row that is clearly a note
    for i in range(k, len(body)):
        r, _o, cells = body[i]
        first = next(c for c in cells if c.kind != "empty")
        text = str(first.value)
        gap = r - body[i - 1][0] > 1
        if _NOTE.match(text) or gap or len(text) >= 20:
            return i
    return len(body)


# ---------------------------------------------------------------------------------------------
# the reader
# ---------------------------------------------------------------------------------------------


#: Header names of a long layout's value column, where percent and plain cells may mix.
_VALUE_COLUMNS = frozenset({"value", "values", "数值", "值", "取值"})


def read_table(
    path: str | Path,
    *,
    sheet: str | int | None = None,
    header_row: int | None = None,
    encoding: str | None = None,
) -> Table:
    """Read a user's CSV or Excel table, faithfully, into a :class:`Table`.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.tsv``/``.txt`` text file (UTF-8, UTF-8 with BOM, UTF-16 with BOM,
        GBK/GB18030) or an ``.xlsx``/``.xlsm`` workbook (``.xls`` is refused with advice to
        save as ``.xlsx``). Workbooks are opened read-only with the values Excel last saved;
        no formula is evaluated and no macro runs.
    sheet : str or int, optional
        Workbook only: a sheet name, or its position counting from 1 as Excel shows them
        (default: the first sheet).
    header_row : int, optional
        1-based row of the header, overriding detection (the rows above it are read as title).
    encoding : str, optional
        Text only: the file's encoding (e.g. ``"big5"``, ``"cp1252"``), overriding detection.

    Returns
    -------
    Table
        The data, their spreadsheet rows, units, notes and the reader's decisions.

    Raises
    ------
    InputError
        Every problem found, each a :class:`~hkfactor.errors.Problem` with a ``table.*`` code,
        the spreadsheet row and the column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_text("year,gdp\\n2019,\\"1,234\\"\\n2020,#DIV/0!\\n", encoding="utf-8")
    >>> read_table(p)
    Traceback (most recent call last):
    ...
    hkfactor.errors.InputError: cannot read table: 1 problem(s)
      - ...t.csv, row 3, column 'gdp': cell B3 of the file holds the error value #DIV/0!; ...
    """
    p = Path(path)
    file = str(path)
    suffix = p.suffix.lower()
    if header_row is not None and (isinstance(header_row, bool) or not isinstance(header_row, int)
                                   or header_row < 1):
        raise _fail(file, "table.header.out_of_range", row=str(header_row), first=1, last="…")
    try:
        with open(p, "rb") as fh:
            magic = fh.read(8)
    except FileNotFoundError:
        raise _fail(file, "table.file.missing") from None
    except IsADirectoryError:
        raise _fail(file, "table.file.unreadable", reason="it is a folder") from None
    except OSError as exc:
        raise _fail(file, "table.file.unreadable", reason=exc.strerror or type(exc).__name__) from None
    if suffix in _OLD_SUFFIXES or magic.startswith(_OLE_MAGIC):
        raise _fail(file, "table.file.old_excel", suffix=suffix or "(OLE2)")
    if suffix in _EXCEL_SUFFIXES:
        if encoding is not None:
            raise _fail(file, "table.encoding.not_text")
        if not magic:
            raise _fail(file, "table.file.empty")
        if not magic.startswith(_ZIP_MAGIC):
            raise _fail(file, "table.file.misnamed", actual={"en": "not a workbook (text?)", "zh": "非工作簿（文本？）"},
                        suffix=suffix, fix=".csv")
        grid = _read_excel(p, file, sheet)
    elif suffix in _TEXT_SUFFIXES:
        if sheet is not None:
            raise _fail(file, "table.sheet.not_excel")
        if magic.startswith(_ZIP_MAGIC):
            raise _fail(file, "table.file.misnamed", actual={"en": "an Excel workbook", "zh": "Excel 工作簿"},
                        suffix=suffix, fix=".xlsx")
        try:
            raw = p.read_bytes()
        except OSError as exc:
            raise _fail(file, "table.file.unreadable", reason=exc.strerror or type(exc).__name__) from None
        grid = _read_csv(raw, file, suffix, encoding)
    else:
        raise _fail(file, "table.file.type", suffix=suffix or "(none)")
    return _assemble(grid, file, header_row)


def _assemble(grid: _Grid, file: str, header_row: int | None) -> Table:
    decisions = grid.decisions
    rows = grid.rows
    where = {"en": "the file", "zh": "文件"} if grid.csv else {"en": f"sheet '{grid.sheet}'",
                                                              "zh": f"工作表“{grid.sheet}”"}
    if not rows:
        raise _fail(file, "table.sheet.empty" if grid.sheet else "table.file.empty", sheet=grid.sheet)
    # header
    if header_row is not None:
        hk = next((k for k, (r, _o, _c) in enumerate(rows) if r == header_row), None)
        if hk is None:
            raise _fail(file, "table.header.out_of_range", row=header_row, first=rows[0][0], last=rows[-1][0])
        how = _HOW["given_row"]
    else:
        hk = _find_header(rows)
        how = _HOW["detected"]
    hrow, horig, hcells = rows[hk]
    decisions.append(Message("table.header", Path(file).name, {"row": hrow, "how": how}))
    notes: list[str] = []
    if hk:
        above = rows[:hk]
        texts = [_row_text(o, c) for _r, o, c in above]
        notes += texts
        decisions.append(Message("table.title", Path(file).name, {"rows": _ranges([r for r, _o, _c in above]), "texts": texts}))
    body = rows[hk + 1:]
    # unit row
    unit_cells: list[_Cell] = []
    if body and _is_unit_row(body[0][2]):
        urow, _uo, unit_cells = body[0]
        body = body[1:]
    else:
        urow = 0
    # notes below
    ns = _notes_start(body) if body else 0
    if body and ns < len(body):
        below = body[ns:]
        texts = [_row_text(o, c) for _r, o, c in below]
        notes += texts
        body = body[:ns]
        note_decision = Message("table.notes", Path(file).name, {"rows": _ranges([r for r, _o, _c in below]), "texts": texts})
    else:
        note_decision = None
    problems: list[Problem] = []
    if not body:
        raise InputError([Problem(file, hrow, None, code="table.no_data", params={"row": hrow})],
                         title="cannot read table")
    if header_row is None and len(body) > 1:
        second = _second_header(body)
        if second:
            problems.append(Problem(file, body[0][0], None, code="table.header.second_row", params={
                "row": body[0][0], "letters": [_letter(j) for j in second]}))
    # columns
    names = [_header_text(c, o) for o, c in zip(horig, hcells, strict=True)]
    ncols = max([len(hcells)] + [len(c) for _r, _o, c in body])
    if grid.csv:
        ncols = len(hcells)  # cells beyond the header's fields are 'row too long'
    names += [""] * (ncols - len(names))
    has_data = [any(j < len(c) and c[j].kind != "empty" for _r, _o, c in body) for j in range(ncols)]
    keep: list[int] = []
    dropped: list[str] = []
    for j in range(ncols):
        if names[j]:
            keep.append(j)
        elif has_data[j]:
            problems.append(Problem(file, hrow, None, code="table.header.empty",
                                    params={"letter": _letter(j), "sheet": where}))
        elif j < max((k for k in range(ncols) if names[k]), default=-1):
            dropped.append(_letter(j))
    seen: dict[str, list[int]] = {}
    for j in keep:
        seen.setdefault(names[j], []).append(j)
    for name, js in seen.items():
        if len(js) > 1:
            problems.append(Problem(file, hrow, name, code="table.header.duplicate",
                                    params={"name": name, "letters": [_letter(j) for j in js]}))
    # header cells that are errors are problems too
    for j in keep:
        if hcells[j].kind == "error":
            problems.append(Problem(file, hrow, names[j], code="table.cell.error",
                                    params={"cell": f"{_letter(j)}{hrow}", "sheet": where, "value": hcells[j].value}))
    units = {names[j]: "" for j in keep}
    if urow:
        for j in keep:
            if j < len(unit_cells):
                units[names[j]] = _unit_text(unit_cells[j]) or ""
        decisions.append(Message("table.units", Path(file).name, {"row": urow, "units": {
            "en": ", ".join(f"{k}: {v}" for k, v in units.items() if v),
            "zh": "，".join(f"{k}：{v}" for k, v in units.items() if v)}}))
    if note_decision is not None:
        decisions.append(note_decision)
    filled_rows = {b[0] for b in body}
    blank = [r for r in range(body[0][0] + 1, body[-1][0]) if r not in filled_rows]
    if blank:
        decisions.append(Message("table.blank_rows", Path(file).name, {"count": len(blank), "rows": _ranges(blank)}))
    if dropped:
        decisions.append(Message("table.empty_columns", Path(file).name, {"count": len(dropped), "columns": dropped}))
    # cells
    data: dict[int, list[Any]] = {j: [] for j in keep}
    flags: dict[tuple[str, str], list[int]] = {}
    missing: dict[str, tuple[int, list[str]]] = {}
    pct_cells: dict[int, list[str]] = {}
    pct_positions: set[tuple[int, str]] = set()
    plain_cells: dict[int, list[str]] = {}
    hlen = len(hcells)
    named_width = max(keep, default=-1) + 1
    source_rows: list[int] = []
    letters = {j: _letter(j) for j in keep}
    for r, orig, cells in body:
        source_rows.append(r)
        if grid.csv:
            if len(orig) < named_width:
                problems.append(Problem(file, r, None, code="table.row.short",
                                        params={"n": len(orig), "expected": named_width}))
            elif len(orig) > hlen and any(c.kind != "empty" for c in cells[hlen:]):
                problems.append(Problem(file, r, None, code="table.row.long", params={"n": len(orig), "expected": hlen}))
                cells = []  # its cells are shifted: checking them would only add noise
        for j in keep:
            c = cells[j] if j < len(cells) else _EMPTY
            name = names[j]
            ref = f"{letters[j]}{r}"
            value: Any = float("nan")
            if c.kind in {"number", "text", "other"}:
                value = c.value
            elif c.kind in {"empty", "missing"}:
                marker = c.value if c.kind == "missing" else ""
                count, cols = missing.get(marker, (0, []))
                if name not in cols:
                    cols.append(name)
                missing[marker] = (count + 1, cols)
            elif c.kind == "error":
                problems.append(Problem(file, r, name, code="table.cell.error",
                                        params={"cell": ref, "sheet": where, "value": c.value}))
            elif c.kind == "formula":
                problems.append(Problem(file, r, name, code="table.cell.formula", params={"cell": ref, "sheet": where}))
            elif c.kind == "bad":
                problems.append(Problem(file, r, name, code=c.code, params={"cell": ref, "value": c.raw}))
            if c.kind == "number":
                for f in c.flags:
                    flags.setdefault((name, f), []).append(r)
                if "percent" in c.flags or "pformat" in c.flags:
                    pct_cells.setdefault(j, []).append(ref)
                    pct_positions.add((len(source_rows) - 1, names[j]))
                elif c.value != 0:
                    plain_cells.setdefault(j, []).append(ref)
            data[j].append(value)
    for j in keep:
        # a long layout's value column holds many indicators: shares and counts side by side
        if pct_cells.get(j) and plain_cells.get(j) and str(names[j]).strip().lower() not in _VALUE_COLUMNS:
            problems.append(Problem(file, None, names[j], code="table.column.percent_mixed", params={
                "n_percent": len(pct_cells[j]), "cell_percent": pct_cells[j][0],
                "n_plain": len(plain_cells[j]), "cell_plain": plain_cells[j][0]}))
    if problems:
        raise InputError(_cap(problems), title="cannot read table")
    for kind_code, flag in (("table.grouped", "grouped"), ("table.fullwidth", "fullwidth"),
                            ("table.text_numbers", "textnum")):
        for (name, f), rs in flags.items():
            if f == flag:
                decisions.append(Message(kind_code, name, {"column": name, "count": len(rs)}))
    for j in keep:
        if pct_cells.get(j):
            decisions.append(Message("table.percent", names[j], {"column": names[j], "count": len(pct_cells[j])}))
    for marker, (count, cols) in missing.items():
        shown = marker or {"en": "nothing (empty)", "zh": "空白"}
        decisions.append(Message("table.missing", marker, {"marker": shown, "count": count, "columns": cols}))
    frame = pd.DataFrame({names[j]: pd.Series(data[j], dtype=object) for j in keep})
    for name in frame.columns:
        col = frame[name]
        vals = col.dropna()
        if all(isinstance(v, int | float) and not isinstance(v, bool) for v in vals):  # all-missing too
            frame[name] = pd.to_numeric(col)
    return Table(
        percent_cells=frozenset(pct_positions),
        frame=frame,
        source_rows=tuple(source_rows),
        header_row=hrow,
        units=units,
        notes=tuple(notes),
        encoding=grid.encoding,
        sheet=grid.sheet,
        decisions=tuple(decisions),
        file=file,
        letters={names[j]: _letter(j) for j in keep},
    )


def _cap(problems: list[Problem]) -> list[Problem]:
    """At most :data:`_MAX_PER_KIND` problems of one code per column, then one ``table.more``."""
    count: Counter[tuple[str, str | None]] = Counter()
    out: list[Problem] = []
    extra: Counter[tuple[str, str | None]] = Counter()
    for pr in problems:
        key = (pr.code, pr.field)
        count[key] += 1
        if count[key] <= _MAX_PER_KIND:
            out.append(pr)
        else:
            extra[key] += 1
    for (code, fld), n in extra.items():
        out.append(Problem(problems[0].file, None, fld, code="table.more", params={"count": n, "kind": code}))
    return out


# ---------------------------------------------------------------------------------------------
# layout of the data: units, periods, indicators
# ---------------------------------------------------------------------------------------------

_UNIT_NAMES = {
    "城市", "城市名称", "城市名", "地区", "地区名称", "地区名", "地区/城市", "区域", "区域名称", "省份", "省", "省区市",
    "市", "地市", "行政区", "区", "县", "国家", "国家/地区", "国家或地区", "经济体", "企业", "企业名称", "公司",
    "公司名称", "公司代码", "股票代码", "证券代码", "机构", "高校", "主体", "样本", "名称", "地級市", "城市/地区",
    "地區", "地區名稱", "國家", "國家/地區", "經濟體", "公司名稱",
    "city", "cities", "region", "area", "province", "country", "economy", "firm", "company", "entity", "name",
    "district", "state", "location", "place", "geo", "geography", "id", "code_city", "stkcd", "ticker",
}
_PERIOD_NAMES = {"年份", "年", "年度", "时间", "時間", "时期", "時期", "期间", "期間", "统计年度", "year", "years",
                 "period", "time", "date", "yr", "fiscal year", "fy"}
_INDICATOR_NAMES = {"指标", "指标名称", "指标代码", "指標", "指標名稱", "变量", "變量", "变量名", "序列", "项目", "項目",
                    "indicator", "indicators", "series", "variable", "measure", "item", "code", "metric"}
_VALUE_NAMES = {"数值", "數值", "值", "数据", "數據", "数额", "value", "values", "val", "amount", "obs_value"}
_OTHER_NAMES = {"单位", "單位", "计量单位", "unit", "units", "备注", "備註", "注", "说明", "note", "notes", "来源",
                "來源", "资料来源", "数据来源", "source", "source_url", "url", "链接", "locator", "定位", "出处",
                "grade", "等级", "qualifier", "限定", "flag", "标记"}
_YEAR = re.compile(r"(?:fy|FY)?\s*(\d{4})(?:\.0)?\s*(?:年|年度)?")
_PLACE_SUFFIX = re.compile(r".{1,10}(市|省|区|區|县|縣|特别行政区|特別行政區|自治区|自治州|州|盟|地区|新区)")


def _canon(name: str) -> str:
    """Header name for matching: trimmed, lower-case, a trailing bracketed unit removed."""
    s = re.sub(r"\s*[(（\[【][^)）\]】]*[)）\]】]\s*$", "", name.strip())
    return s.strip().lower()


def _year(v: Any) -> int | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int | float) and not isinstance(v, bool):
        if isinstance(v, float) and (not math.isfinite(v) or not v.is_integer()):
            return None
        y = int(v)
    elif isinstance(v, _dt.date):
        y = v.year
    else:
        m = _YEAR.fullmatch(str(v).strip())
        if m is None:
            return None
        y = int(m.group(1))
    return y if 1900 <= y <= 2100 else None


@functools.cache
def _places() -> frozenset[str]:
    """Known place names (zh, en; with and without 市/省) from the evidence geographies."""
    out: set[str] = {"香港", "澳门", "澳門", "深圳", "广州", "廣州", "hong kong", "macao", "macau", "shenzhen",
                     "guangzhou", "台湾", "台灣", "新加坡", "singapore", "上海", "北京", "shanghai", "beijing"}
    geo = Path(__file__).parent / "evidence" / "data" / "geographies.csv"
    try:
        with open(geo, encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                for k in ("name_zh", "name_en"):
                    n = (rec.get(k) or "").strip()
                    if n:
                        out.add(n.lower())
                        out.add(re.sub(r"(市|省|特别行政区| SAR)$", "", n).lower())
    except OSError:  # pragma: no cover - the package ships its geographies
        pass
    return frozenset(out)


def _is_place(name: str) -> bool:
    s = name.strip()
    return s.lower() in _places() or bool(_PLACE_SUFFIX.fullmatch(s))


def detect_layout(table: Table) -> Layout:
    """Say which columns of ``table`` name the units, periods and indicators.

    Recognised header names (case-insensitive, a bracketed unit such as ``年份（年）`` ignored):
    units ``城市 地区 区域 省份 国家 经济体 企业 公司 名称 city region province country economy
    firm company name id …``; periods ``年份 年 年度 时间 year period time date``; indicators
    ``指标 指标名称 指标代码 变量 序列 项目 indicator series variable code``; values ``数值 值 数据
    value``; other (kept aside) ``单位 unit 备注 note 来源 source url …``. A header that is a year
    (``2019``, ``2019年``) is a period column.

    The shapes:

    * ``long`` — a value column and at least one of unit / period / indicator columns;
      study: panel with units and periods, time series with periods only, else cross-section.
    * ``wide_years`` — two or more year columns; rows keyed by a unit and/or an indicator
      column (a lone text column is taken as the indicator column, or the unit column when its
      entries are places). Units × years is a panel; indicators × years a time series.
    * ``wide_units`` — a period column and place-named columns (深圳, 香港, ``…市``): one indicator,
      units across (a panel); with an indicator column too.
    * ``wide_indicators`` — every other column is an indicator: with unit and period columns a
      panel (unit × year rows), with a period column a time series, with a unit column a
      cross-section. Without a named unit column the first column is taken when it holds text.

    Key cells are checked: an empty unit/period/indicator, a period that is not a year, and a
    repeated key (e.g. the same city and year twice) are problems naming the spreadsheet row.

    Raises
    ------
    InputError
        ``table.layout.unknown`` when no shape fits; ``table.layout.*`` key problems.

    Examples
    --------
    >>> import pandas as pd
    >>> t = Table(pd.DataFrame({"地区": ["深圳", "深圳"], "年份": [2020, 2021], "GDP": [2.8, 3.1]}),
    ...           (2, 3), 1, {}, (), "utf-8", "", ())
    >>> lay = detect_layout(t)
    >>> lay.kind, lay.study, lay.unit, lay.period, lay.indicators
    ('wide_indicators', 'panel', '地区', '年份', ('GDP',))
    """
    cols = [str(c) for c in table.frame.columns]
    canon = {c: _canon(c) for c in cols}
    decisions: list[Message] = []

    def first(names: set[str]) -> str | None:
        return next((c for c in cols if canon[c] in names), None)

    unit, period = first(_UNIT_NAMES), first(_PERIOD_NAMES)
    indicator, value = first(_INDICATOR_NAMES), first(_VALUE_NAMES)
    other = tuple(c for c in cols if canon[c] in _OTHER_NAMES)
    years = {c: y for c in cols if c not in {unit, period, indicator, value} and (y := _year(c)) is not None}
    frame = table.frame
    kind: Kind
    study: Study

    def texty(c: str) -> bool:
        vals = frame[c].dropna()
        return len(vals) > 0 and all(isinstance(v, str) for v in vals)

    def guessed(c: str, role: str) -> None:
        zh = {"unit": "单位（城市/企业）", "indicator": "指标", "period": "时期"}[role]
        decisions.append(Message("table.layout.guessed", c, {"column": c, "role": {"en": role, "zh": zh}}))

    ind_cols: tuple[str, ...] = ()
    unit_cols: tuple[str, ...] = ()
    if value is not None and (indicator or unit or period):
        kind = "long"
        study = "panel" if unit and period else "time_series" if period else "cross_section"
    elif len(years) >= 2:
        kind = "wide_years"
        if unit is None and indicator is None:
            rest = [c for c in cols if c not in years and c not in other and c != period]
            key = next((c for c in rest if texty(c)), None)
            if key is None:
                raise _layout_unknown(table, cols)
            if all(_is_place(str(v)) for v in frame[key].dropna()):
                unit = key
                guessed(key, "unit")
            else:
                indicator = key
                guessed(key, "indicator")
        study = "panel" if unit else "time_series"
        other = tuple(c for c in cols if c not in years and c not in {unit, indicator})
    elif period is not None:
        rest = [c for c in cols if c not in {unit, period, indicator} and c not in other]
        places = [c for c in rest if _is_place(c)]
        if unit is None and rest and len(places) == len(rest):
            kind, unit_cols = "wide_units", tuple(places)
            study = "panel" if len(places) > 1 else "time_series"
        else:
            kind, ind_cols = "wide_indicators", tuple(rest)
            study = "panel" if unit else "time_series"
    else:
        if unit is None:
            key = cols[0] if cols and texty(cols[0]) and cols[0] not in other else None
            if key is None:
                raise _layout_unknown(table, cols)
            unit = key
            guessed(key, "unit")
        kind, study = "wide_indicators", "cross_section"
        ind_cols = tuple(c for c in cols if c not in {unit, indicator} and c not in other)
    if kind == "wide_indicators" and not ind_cols:
        raise _layout_unknown(table, cols)
    _check_keys(table, unit, period, indicator)
    none = {"en": "—", "zh": "—"}
    decisions.insert(0, Message("table.layout", table.file, {
        "kind": kind, "study": study, "unit": unit or (unit_cols and ", ".join(unit_cols)) or none,
        "period": period or (years and ", ".join(years)) or none,
        "indicator": indicator or (ind_cols and ", ".join(ind_cols)) or none}))
    return Layout(kind=kind, study=study, unit=unit, period=period, indicator=indicator,
                  value=value if kind == "long" else None, indicators=ind_cols,
                  periods=years if kind == "wide_years" else {}, units=unit_cols, other=other,
                  decisions=tuple(decisions))


def _layout_unknown(table: Table, cols: Sequence[str]) -> InputError:
    return InputError([Problem(table.label, table.header_row, None, code="table.layout.unknown",
                               params={"columns": list(cols)})], title="cannot tell the table's layout")


def _check_keys(table: Table, unit: str | None, period: str | None, indicator: str | None) -> None:
    frame = table.frame
    keys = [c for c in (unit, period, indicator) if c is not None]
    if not keys:
        return
    roles = {unit: {"en": "unit (city/firm)", "zh": "单位（城市/企业）"}, period: {"en": "period", "zh": "时期"},
             indicator: {"en": "indicator", "zh": "指标"}}
    problems: list[Problem] = []
    seen: dict[tuple[Any, ...], int] = {}
    for i in range(len(frame)):
        row = table.source_rows[i] if i < len(table.source_rows) else i + 2
        key: list[Any] = []
        ok = True
        for c in keys:
            v = frame[c].iloc[i]
            if v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip()):
                problems.append(Problem(table.label, row, c, code="table.layout.missing_key",
                                        params={"role": roles[c]}))
                ok = False
                continue
            if c == period:
                y = _year(v)
                if y is None:
                    problems.append(Problem(table.label, row, c, code="table.layout.bad_period", params={"value": str(v)}))
                    ok = False
                    continue
                v = y
            key.append(v.strip() if isinstance(v, str) else v)
        if not ok:
            continue
        k = tuple(key)
        if k in seen:
            problems.append(Problem(table.label, row, keys[0], code="table.layout.duplicate_key",
                                    params={"key": " / ".join(str(x) for x in k), "first": seen[k]}))
        else:
            seen[k] = row
    if problems:
        raise InputError(_cap(problems), title="invalid table keys")

