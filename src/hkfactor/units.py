"""Printed numbers and units → canonical values.

The evidence files keep every number *as printed* (``printed_value`` = ``"1 894"``,
``printed_unit`` = ``"亿美元"``). This module turns such a pair into a :class:`Quantity`:
a float in a canonical unit. The mapping lives here, never in the data.

Canonical units (:data:`CANONICAL_UNITS`)
-----------------------------------------
``CNY``, ``USD``, ``HKD``
    money, in single yuan / dollars (``"1 894"`` × ``"亿美元"`` → 1.894e11 USD).
``count``
    things counted (家, 件, 个, 项, 名, 人, 所, 位, 支, …).
``number``
    a bare number printed without a unit.
``share``
    a fraction in [0, 1] for ``%`` (``"22.6"`` × ``"%"`` → 0.226), ``1/4``, ``七成``, ``一半``.
``pct_per_year``
    a growth rate printed as ``%/年`` (``% p.a.``); the value stays **in percent** (12.6).
``trips_per_day``
    person-trips a day (``人次/日``, ``万人次/日``).
``year`` / ``years``
    a calendar year (``1999`` × ``年``) / a duration (``25`` × ``年``). A value printed with
    ``年`` is a calendar year when it is an integer from 1800 to 2100, otherwise a duration;
    ``年份`` forces a calendar year.
``months``, ``days``
    durations.
``rank``
    a position (``第二``, ``首位``, ``榜首``, ``2nd``, ``前20``); a superlative (``最大``, ``最多``,
    ``首选``, ``largest``) is rank 1; a vague top (``前列``, ``领先``, ``顶级``, ``一流``, ``leading``)
    is a rank with value NaN: "among the leaders", no rank or bound stated.
``times``
    a multiple (``倍``).

Parsing rules
-------------
* Every kind of space (normal, thin, no-break, ideographic) is ignored: ``"30 815"`` =
  ``"30815"``; full-width characters are folded (NFKC).
* ``,`` is a thousands separator only in groups of three (``"1,894"``); ``"1,89"`` is an error.
* Qualifiers are stripped **only when they are in the value text** and are reported in
  :attr:`Quantity.qualifier`: ``约``/``近``/``左右`` → ``about``; ``逾``/``超``/``多``/``余``/
  ``以上``/``>`` → ``over``; ``至少``/``不少于``/``≥`` → ``at_least``; ``不到``/``不足``/``<`` →
  ``under``; the English words nearly/almost/around/about/approximately, over/more than/above,
  at least, under/less than/below likewise.
* A scale printed in the value (``"1.7万"``, ``"12.6%"``) is moved in front of the unit.
* ``仅次于X`` ("second only to X") is rank 2; ``仅次于X和Y`` rank 3.
* A superlative word (``最`` followed by anything: ``最大``, ``最为密切``; ``首选``; the English
  largest/biggest/top) is rank 1 — the first of the population the sentence names. A vague top
  (``前列``, ``前茅``, ``领先``, ``顶级``, ``一流``, leading) is a rank whose value is NaN.
* :func:`truncation_step` gives the step of the last printed digit (``"680"`` → 10,
  ``"1.7万"`` → 1 000), used by the audit to read a source's ``over 680`` as 680–690.
* Ranges (``"3–5"``, ``"三五"``) give ``value`` = low end and ``high`` = high end.
* Anything else raises :class:`UnitParseError` naming what was given and what is accepted.

Examples
--------
>>> normalise("1 894", "亿美元")
Quantity(value=189400000000.0, unit='USD', qualifier=None, high=None)
>>> normalise("七成", "").value
0.7
>>> normalise("逾1/3", "")
Quantity(value=0.3333333333333333, unit='share', qualifier='over', high=None)
>>> format_quantity(1.894e11, "USD", lang="zh")
'1 894亿美元'
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from hkfactor.errors import HKFactorError

__all__ = [
    "CANONICAL_UNITS",
    "ParsedNumber",
    "Quantity",
    "UnitParseError",
    "format_number",
    "format_printed",
    "format_quantity",
    "normalise",
    "parse_number",
    "parse_unit",
    "truncation_step",
]

#: canonical unit → (Chinese label, English label)
CANONICAL_UNITS: dict[str, tuple[str, str]] = {
    "CNY": ("人民币元", "yuan (CNY)"),
    "USD": ("美元", "US dollars"),
    "HKD": ("港元", "HK dollars"),
    "count": ("个数", "count"),
    "number": ("数值", "number"),
    "share": ("比例", "share"),
    "pct_per_year": ("年均百分比", "% a year"),
    "trips_per_day": ("人次/日", "trips a day"),
    "year": ("年份", "calendar year"),
    "years": ("年", "years"),
    "months": ("月", "months"),
    "days": ("天", "days"),
    "rank": ("位次", "rank"),
    "times": ("倍", "times"),
}


class UnitParseError(HKFactorError, ValueError):
    """A printed value or unit that :mod:`hkfactor.units` cannot read.

    Attributes
    ----------
    given : str
        The text that was given.
    what : str
        ``"value"`` or ``"unit"``.
    """

    def __init__(self, what: str, given: str, accepted: str) -> None:
        self.what = what
        self.given = given
        super().__init__(f"cannot read printed {what} {given!r}; expected {accepted}")


@dataclass(frozen=True)
class Quantity:
    """A printed number in its canonical unit.

    Attributes
    ----------
    value : float
        The value (the low end of a range) in :attr:`unit`.
    unit : str
        A key of :data:`CANONICAL_UNITS`.
    qualifier : str or None
        ``about``, ``over``, ``at_least`` or ``under`` when the value text carried one.
    high : float or None
        High end of a printed range (``3–5``), else ``None``.
    """

    value: float
    unit: str
    qualifier: str | None = None
    high: float | None = None


# ---------------------------------------------------------------------------- values

_VALUE_ACCEPTED = (
    "a number such as '1 894', '1,894', '12.6', a fraction '1/4', '七成', '一半', a Chinese "
    "numeral ('两', '三'), a rank ('第二', '首位', '2nd'), a range ('3–5'), optionally with "
    "约/近/逾/超/多/余/以上/至少/不到"
)

_PREFIX_QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("不少于", "at_least"),
    ("至少", "at_least"),
    ("超过", "over"),
    ("突破", "over"),
    ("多于", "over"),
    ("大于", "over"),
    ("高于", "over"),
    ("将近", "about"),
    ("接近", "about"),
    ("大约", "about"),
    ("不到", "under"),
    ("不足", "under"),
    ("少于", "under"),
    ("低于", "under"),
    ("约", "about"),
    ("近", "about"),
    ("逾", "over"),
    ("超", "over"),
    ("≈", "about"),
    ("~", "about"),
    (">", "over"),
    ("≥", "at_least"),
    ("<", "under"),
    ("≤", "under"),
    ("approximately", "about"),
    ("approx.", "about"),
    ("nearly", "about"),
    ("almost", "about"),
    ("around", "about"),
    ("about", "about"),
    ("morethan", "over"),
    ("over", "over"),
    ("above", "over"),
    ("atleast", "at_least"),
    ("lessthan", "under"),
    ("under", "under"),
    ("below", "under"),
)
_SUFFIX_QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("以上", "over"),
    ("以下", "under"),
    ("左右", "about"),
    ("多", "over"),
    ("余", "over"),
    ("+", "over"),
)

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10_000, "亿": 100_000_000}

_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d+)?|\.\d+)")
_GROUPED = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_FRACTION = re.compile(r"(\d+(?:\.\d+)?)/(\d+(?:\.\d+)?)")
_RANGE = re.compile(r"(\d+(?:\.\d+)?)(?:–|—|-|~|至|到)(\d+(?:\.\d+)?)")
_ORDINAL_EN = re.compile(r"(\d+)(?:st|nd|rd|th)")
_SPACES = re.compile(r"\s+")


#: traditional characters (Hong Kong and Taiwan sources) that matter for numbers and units
_TRADITIONAL = str.maketrans({
    "億": "亿", "萬": "万", "個": "个", "間": "间", "項": "项", "約": "约", "餘": "余", "幣": "币",
    "兩": "两", "過": "过", "將": "将", "達": "达", "僅": "仅", "於": "于", "門": "门", "臺": "台",
})


def _fold(text: str) -> str:
    """NFKC-fold, read traditional characters as simplified (億→亿, 萬→万, 個→个 …) and drop every
    kind of whitespace (U+00A0, U+2009, U+202F, U+3000 …)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text).translate(_TRADITIONAL))


def _zh_integer(s: str) -> int | None:
    """Read a Chinese numeral such as ``两``, ``十二``, ``三百``, ``一万二千``; ``None`` if not one."""
    if not s or any(ch not in _ZH_DIGITS and ch not in _ZH_UNITS and ch not in _ZH_BIG for ch in s):
        return None
    total = section = 0
    digit: int | None = None
    for ch in s:
        if ch in _ZH_DIGITS:
            if digit is not None:
                return None  # two digits in a row: not a numeral (maybe a range)
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            section += (1 if digit is None else digit) * _ZH_UNITS[ch]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _ZH_BIG[ch]
            section = 0
            digit = None
    return total + section + (digit or 0)


def _plain_number(s: str) -> float | None:
    if _PLAIN.fullmatch(s):
        return float(s)
    if _GROUPED.fullmatch(s):
        return float(s.replace(",", ""))
    return None


@dataclass(frozen=True)
class ParsedNumber:
    """A printed value read by :func:`parse_number` (see there)."""

    value: float
    kind: str  # "number", "fraction" (already a share), "rank"
    qualifier: str | None = None
    high: float | None = None


#: rank 1 without a numeral: 首位, 榜首, 首选 (first choice), English superlatives; any word 最… is also rank 1
_TOP_WORDS = frozenset({"首", "首位", "榜首", "第一位", "冠军", "首选", "largest", "biggest", "top", "first"})
#: a vague top ("among the leaders"): a rank whose value is not stated (NaN)
_VAGUE_TOP_WORDS = frozenset({"前列", "前茅", "领先", "顶级", "一流", "leading"})


def _strip_qualifiers(s: str) -> tuple[str, str | None]:
    qualifier: str | None = None
    for word, q in _PREFIX_QUALIFIERS:
        if s.lower().startswith(word) and len(s) > len(word):
            s, qualifier = s[len(word) :], q
            break
    for word, q in _SUFFIX_QUALIFIERS:
        if s.endswith(word) and len(s) > len(word):
            s = s[: -len(word)]
            qualifier = qualifier or q
            break
    return s, qualifier


def parse_number(text: str) -> ParsedNumber:
    """Read a printed value (without its unit).

    Parameters
    ----------
    text : str
        The value as printed, e.g. ``"30 815"``, ``"1,894"``, ``"1/4"``, ``"七成"``, ``"第二"``.

    Returns
    -------
    ParsedNumber
        ``value``; ``kind`` = ``"number"``, ``"fraction"`` (a share already in [0, 1] for
        ``1/4``, ``七成``, ``一半``) or ``"rank"``; the ``qualifier`` found in the text; the
        ``high`` end of a range.

    Raises
    ------
    UnitParseError
        When the text is none of the accepted forms.
    """
    folded = _fold(text)
    # superlatives first: 最多 must not lose its 多 to the qualifier rule
    if folded in _TOP_WORDS or folded.lower() in _TOP_WORDS or (folded.startswith("最") and len(folded) > 1):
        return ParsedNumber(1.0, "rank")
    if folded in _VAGUE_TOP_WORDS or folded.lower() in _VAGUE_TOP_WORDS:
        return ParsedNumber(math.nan, "rank")
    s, qualifier = _strip_qualifiers(folded)
    if not s:
        raise UnitParseError("value", text, _VALUE_ACCEPTED)
    # ranks
    if s in _TOP_WORDS:
        return ParsedNumber(1.0, "rank", qualifier)
    if s.startswith("仅次于") and len(s) > 3:
        # "second only to X" = 2; "仅次于纽约和伦敦" (after X and Y) = 3
        return ParsedNumber(2.0 + len(re.findall(r"和|、|及|与", s[3:])), "rank", qualifier)
    m = _ORDINAL_EN.fullmatch(s.lower())
    if m:
        return ParsedNumber(float(m.group(1)), "rank", qualifier)
    if s.startswith("第") or s.startswith("前"):
        body = s[1:]
        for tail in ("大", "位", "名"):
            if body.endswith(tail) and len(body) > 1:
                body = body[: -len(tail)]
        n = _plain_number(body)
        if n is None:
            zh = _zh_integer(body)
            n = None if zh is None else float(zh)
        if n is None:
            raise UnitParseError("value", text, _VALUE_ACCEPTED)
        # 前20 = "within the top 20": an upper bound on the rank
        return ParsedNumber(n, "rank", qualifier if s.startswith("第") else (qualifier or "under"))
    # shares written as words
    if s in {"一半", "半数", "半", "过半"}:
        return ParsedNumber(0.5, "fraction", "over" if s == "过半" else qualifier)
    if s.endswith("成") and len(s) > 1:
        body = s[:-1]
        n = _plain_number(body)
        if n is None:
            zh = _zh_integer(body)
            n = None if zh is None else float(zh)
        if n is not None and 0 <= n <= 10:
            return ParsedNumber(n / 10, "fraction", qualifier)
        raise UnitParseError("value", text, _VALUE_ACCEPTED)
    if "分之" in s:
        den_s, num_s = s.split("分之", 1)
        den = _zh_integer(den_s) if _plain_number(den_s) is None else _plain_number(den_s)
        num = _zh_integer(num_s) if _plain_number(num_s) is None else _plain_number(num_s)
        if den and num is not None:
            return ParsedNumber(float(num) / float(den), "fraction", qualifier)
        raise UnitParseError("value", text, _VALUE_ACCEPTED)
    m = _FRACTION.fullmatch(s)
    if m:
        den = float(m.group(2))
        if den == 0:
            raise UnitParseError("value", text, "a fraction with a non-zero denominator")
        return ParsedNumber(float(m.group(1)) / den, "fraction", qualifier)
    n = _plain_number(s)
    if n is not None:
        return ParsedNumber(n, "number", qualifier)
    m = _RANGE.fullmatch(s)
    if m:
        lo, hi = float(m.group(1)), float(m.group(2))
        if lo <= hi:
            return ParsedNumber(lo, "number", qualifier, hi)
    zh = _zh_integer(s)
    if zh is not None:
        return ParsedNumber(float(zh), "number", qualifier)
    # 三五年, 七八个: two increasing digits = a range
    if len(s) == 2 and all(ch in _ZH_DIGITS for ch in s) and _ZH_DIGITS[s[0]] < _ZH_DIGITS[s[1]]:
        return ParsedNumber(float(_ZH_DIGITS[s[0]]), "number", qualifier, float(_ZH_DIGITS[s[1]]))
    raise UnitParseError("value", text, _VALUE_ACCEPTED)


# ----------------------------------------------------------------------------- units

_UNIT_ACCEPTED = (
    "'' (none), '%', '%/年', a scale (千, 万, 亿, 万亿; thousand, million, billion) with a "
    "currency (元, 美元, 美金, 港元, 港币, US$, HK$, RMB) or a counter (件, 家, 个, 项, 名, 人, 所, 位, "
    "支, 座, 次, 篇, 台, 人次), '人次/日', '年', '年份', '个月', '天', '倍', '成', or a rank word (位次, rank)"
)

_ZH_SCALES: tuple[tuple[str, float], ...] = (
    ("万亿", 1e12),
    ("千亿", 1e11),
    ("百亿", 1e10),
    ("十亿", 1e9),
    ("亿", 1e8),
    ("千万", 1e7),
    ("百万", 1e6),
    ("十万", 1e5),
    ("万", 1e4),
    ("千", 1e3),
    ("百", 1e2),
)
_EN_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9,
              "trillion": 1e12, "tn": 1e12}
_CURRENCIES: tuple[tuple[str, str], ...] = (
    ("人民币元", "CNY"),
    ("元人民币", "CNY"),
    ("人民币", "CNY"),
    ("hk$", "HKD"),
    ("us$", "USD"),
    ("港元", "HKD"),
    ("港币", "HKD"),
    ("美元", "USD"),
    ("美金", "USD"),
    ("hkd", "HKD"),
    ("usd", "USD"),
    ("cny", "CNY"),
    ("rmb", "CNY"),
    ("yuan", "CNY"),
    ("元", "CNY"),
    ("$", "USD"),
)
_COUNTERS = frozenset(
    "件 家 个 项 名 人 所 位 支 座 只 次 篇 条 台 架 套 款 户 间 种 批 届 场 处 人次 名次 "
    "firms firm people persons projects items units teams".split()
)
_TRIPS = frozenset({"人次/日", "人次/天", "人次每日", "人次每天", "trips/day", "persontrips/day"})
_PCT_PER_YEAR = frozenset({"%/年", "%每年", "%年均", "%p.a.", "%/yr", "%/year", "%ayear", "%pa"})
_RANK_UNITS = frozenset({"rank", "位次", "名次", "位", "名", "大", "强"})
_SIMPLE: dict[str, tuple[float, str]] = {
    "%": (0.01, "share"),
    "成": (0.1, "share"),
    "倍": (1.0, "times"),
    "times": (1.0, "times"),
    "年份": (1.0, "year"),
    "个月": (1.0, "months"),
    "月": (1.0, "months"),
    "天": (1.0, "days"),
    "日": (1.0, "days"),
    "years": (1.0, "years"),
    "year": (1.0, "year"),
    "rank": (1.0, "rank"),
    "位次": (1.0, "rank"),
}


def parse_unit(text: str) -> tuple[float, str]:
    """Read a printed unit into ``(scale, canonical unit)``.

    ``"亿美元"`` → ``(1e8, "USD")``; ``"万人次/日"`` → ``(1e4, "trips_per_day")``; ``"%"`` →
    ``(0.01, "share")``; ``""`` → ``(1.0, "number")``. The unit ``年`` gives ``"years"`` here
    (:func:`normalise` turns it into ``"year"`` for a calendar-year value).

    Raises
    ------
    UnitParseError
        For a unit outside the accepted list (the message lists it).
    """
    s = _fold(text).lower()
    if s == "":
        return 1.0, "number"
    if s in _SIMPLE:
        return _SIMPLE[s]
    if s in _PCT_PER_YEAR:
        return 1.0, "pct_per_year"
    if s == "年":
        return 1.0, "years"
    currency: str | None = None
    for marker, code in _CURRENCIES:
        if marker in s:
            s = s.replace(marker, "", 1)
            currency = code
            break
    scale = 1.0
    if s in _EN_SCALES:
        return _EN_SCALES[s], currency or "number"
    for word, factor in _ZH_SCALES:
        if s.startswith(word):
            scale, s = factor, s[len(word) :]
            break
    if currency is not None:
        if s == "":
            return scale, currency
        raise UnitParseError("unit", text, _UNIT_ACCEPTED)
    if s == "":
        return scale, "number"
    if s in _TRIPS:
        return scale, "trips_per_day"
    if s in _COUNTERS:
        return scale, "count"
    raise UnitParseError("unit", text, _UNIT_ACCEPTED)


_VALUE_SCALE_SUFFIX = re.compile(r"^(.*?\d)(万亿|千亿|百亿|亿|千万|百万|万|%)$")


def normalise(printed_value: str, printed_unit: str = "") -> Quantity:
    """Turn a printed value and unit into a :class:`Quantity` in a canonical unit.

    Formula: ``value = number(printed_value) × scale(printed_unit)``; a percentage is divided
    by 100 (a share), a fraction (``1/4``, ``七成``) is a share and takes an empty unit.

    Parameters
    ----------
    printed_value : str
        The number exactly as printed (spaces of any kind allowed).
    printed_unit : str, optional
        The unit exactly as printed (default: none).

    Returns
    -------
    Quantity

    Raises
    ------
    UnitParseError
        When either part cannot be read, or they do not fit together (a rank with a currency,
        a fraction with a counter).

    Examples
    --------
    >>> normalise("30 815", "家")
    Quantity(value=30815.0, unit='count', qualifier=None, high=None)
    >>> normalise("12.6", "%").value
    0.126
    """
    value_text, unit_text = _fold(printed_value), _fold(printed_unit)
    m = _VALUE_SCALE_SUFFIX.match(value_text)
    if m:
        value_text, unit_text = m.group(1), m.group(2) + unit_text
    try:
        parsed = parse_number(value_text)
    except UnitParseError:
        raise UnitParseError("value", printed_value, _VALUE_ACCEPTED) from None
    if parsed.kind == "rank":
        if unit_text.lower() in _RANK_UNITS or unit_text == "":
            return Quantity(parsed.value, "rank", parsed.qualifier)
        raise UnitParseError(
            "unit", printed_unit, f"an empty unit or a rank word ({', '.join(sorted(_RANK_UNITS))}) after a rank"
        )
    if parsed.kind == "fraction":
        if unit_text == "":
            return Quantity(parsed.value, "share", parsed.qualifier)
        raise UnitParseError("unit", printed_unit, "an empty unit after a fraction such as 1/4 or 七成 (it is a share)")
    scale, unit = parse_unit(unit_text)
    if unit == "years" and scale == 1.0 and _fold(printed_unit) == "年":
        v = parsed.value
        # a calendar year is printed without a thousands separator ("2018年"); "1 800 年" is a duration
        grouped = any(c in str(printed_value) for c in " ,，\u00a0\u2009\u202f'")
        if parsed.high is None and v == math.floor(v) and 1800 <= v <= 2100 and not grouped:
            unit = "year"
    if unit_text.lower() in {"rank", "位次", "名次"}:
        unit = "rank"
    high = None if parsed.high is None else parsed.high * scale
    return Quantity(_clean(parsed.value * scale), unit, parsed.qualifier, None if high is None else _clean(high))


def truncation_step(printed_value: str, printed_unit: str = "") -> float | None:
    """The step of the last significant printed digit, in the canonical unit.

    A source that prints a rounded-down figure with a bound word ("over 680 billion",
    "超过1.7万家") truncates the value at its last printed digit: the value lies in
    ``[v, v + step)``. The step is 10^k for the k trailing zeros of an integer (``680`` → 10,
    ``14,000`` → 1 000, ``7`` → 1) and 10^-d for d printed decimals (``1.7`` → 0.1), times the
    scale of the unit (``1.7万`` → 1 000; ``70%`` → 0.1 as a share).

    Returns
    -------
    float or None
        ``None`` when the value is not a plain printed number (a Chinese numeral, a fraction,
        a range, a rank) or zero.

    Examples
    --------
    >>> truncation_step("over 680", "billion yuan")
    10000000000.0
    >>> truncation_step("超过1.7", "万家")
    1000.0
    >>> truncation_step("more than 70", "%")
    0.1
    """
    value_text, unit_text = _fold(printed_value), _fold(printed_unit)
    m = _VALUE_SCALE_SUFFIX.match(value_text)
    if m:
        value_text, unit_text = m.group(1), m.group(2) + unit_text
    body, _ = _strip_qualifiers(value_text)
    n = _plain_number(body)
    if n is None or n == 0:
        return None
    try:
        q = normalise(printed_value, printed_unit)
    except UnitParseError:
        return None
    digits = body.replace(",", "").lstrip("+-")
    if "." in digits:
        step = 10.0 ** -len(digits.split(".", 1)[1])
    else:
        step = 10.0 ** (len(digits) - len(digits.rstrip("0")))
    return _clean(step * q.value / n)


def _clean(x: float) -> float:
    """Round away binary noise from a scale multiplication (12.6 × 0.01 → 0.126)."""
    if x == 0 or not math.isfinite(x):
        return x
    return float(f"{x:.15g}")


# ---------------------------------------------------------------------------- format


def format_number(x: float, *, sep: str = " ", max_decimals: int = 4) -> str:
    """Format a number as the paper prints it: thousands grouped by ``sep``, no trailing zeros.

    >>> format_number(30815)
    '30 815'
    >>> format_number(12.60)
    '12.6'
    """
    if not math.isfinite(x):
        return "NaN" if math.isnan(x) else ("∞" if x > 0 else "-∞")
    r = round(x, max_decimals)
    text = f"{r:,.{max_decimals}f}".rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text.replace(",", sep)


_MONEY_ZH = {"CNY": "元", "USD": "美元", "HKD": "港元"}
_MONEY_EN = {"CNY": "CNY ", "USD": "US$", "HKD": "HK$"}


def format_printed(value: float, unit: str, *, max_decimals: int = 12) -> tuple[str, str]:
    """The Chinese printed form ``(printed_value, printed_unit)`` of a canonical value.

    With the default ``max_decimals`` it is the inverse of :func:`normalise`:
    ``normalise(*format_printed(v, u))`` gives back ``v`` (to 12 decimals) and ``u``.

    >>> format_printed(6.0e10, "CNY")
    ('600', '亿元')
    """
    if unit in _MONEY_ZH:
        for word, factor in (("万亿", 1e12), ("亿", 1e8), ("万", 1e4)):
            if abs(value) >= factor:
                return format_number(value / factor, max_decimals=max_decimals), word + _MONEY_ZH[unit]
        return format_number(value, max_decimals=max_decimals), _MONEY_ZH[unit]
    if unit == "share":
        return format_number(value * 100, max_decimals=max_decimals), "%"
    if unit == "pct_per_year":
        return format_number(value, max_decimals=max_decimals), "%/年"
    if unit == "trips_per_day":
        if abs(value) >= 1e4:
            return format_number(value / 1e4, max_decimals=max_decimals), "万人次/日"
        return format_number(value, max_decimals=max_decimals), "人次/日"
    if unit == "rank":
        return format_number(value, max_decimals=max_decimals), "位次"
    words = {"count": "个", "number": "", "year": "年份", "years": "年", "months": "个月", "days": "天",
             "times": "倍"}
    if unit not in words:
        raise UnitParseError("unit", unit, f"a canonical unit: {', '.join(CANONICAL_UNITS)}")
    return format_number(value, max_decimals=max_decimals), words[unit]


def format_quantity(value: float, unit: str, *, lang: str = "en") -> str:
    """Format a canonical value for a reader, in Chinese (``lang="zh"``) or English.

    NaN prints as ``—``. Money uses 万/亿/万亿 in Chinese and million/billion in English.

    >>> format_quantity(7.014e10, "CNY", lang="en")
    'CNY 70.14 bn'
    >>> format_quantity(0.226, "share", lang="zh")
    '22.6%'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if lang == "zh":
        if unit == "rank":
            return f"第{format_number(value)}"
        if unit == "year":
            return f"{value:.0f}年"
        v, u = format_printed(value, unit, max_decimals=2 if unit in {"share", "pct_per_year"} else 4)
        if unit in {"count", "number"}:
            u = ""
        return f"{v}{u}"
    if unit in _MONEY_EN:
        for word, factor in ((" tn", 1e12), (" bn", 1e9), (" m", 1e6)):
            if abs(value) >= factor:
                return f"{_MONEY_EN[unit]}{format_number(value / factor, max_decimals=2)}{word}"
        return f"{_MONEY_EN[unit]}{format_number(value, max_decimals=2)}"
    if unit == "share":
        return f"{format_number(value * 100, max_decimals=2)}%"
    if unit == "pct_per_year":
        return f"{format_number(value, max_decimals=2)}% a year"
    if unit == "rank":
        return f"#{format_number(value)}"
    if unit == "year":
        return f"{value:.0f}"
    suffix = {"trips_per_day": " trips/day", "years": " years", "months": " months", "days": " days",
              "times": "×"}.get(unit, "")
    return f"{format_number(value, sep=',')}{suffix}"
