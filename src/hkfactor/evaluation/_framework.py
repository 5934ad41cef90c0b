"""What an evaluation measures: a tree of subsystems, groups and indicators.

A framework has one or more **subsystems** (the systems whose coupling is studied, e.g. the
Hong Kong factor and Shenzhen's innovation; or one composite index). A subsystem holds
**groups** (channels, criteria — nested to any depth) and/or **indicators** (one data series
each). The evaluation turns it into one :class:`hkfactor.engine.Framework`
(``INDEX → subsystems → groups … → indicators``).

Two YAML forms are read (both strict: an unknown key is an error naming its path, with the
closest allowed key):

* the general form — ``subsystems: [{id, name_zh, name_en, groups: [...], indicators: [...]}]``;
* the partner/focal form of the built-in framework — ``channels: [...]`` (the partner city's
  channels: one subsystem) and ``innovation: {...}`` (the focal city's innovation: another).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hkfactor.errors import InputError, Problem
from hkfactor.messages import register

__all__ = [
    "LINKS",
    "EvalFramework",
    "Group",
    "IndicatorSpec",
    "framework_from_dict",
    "read_framework",
]

#: How an indicator relates the two cities of a partner/focal study (framework field ``link``).
LINKS = ("bilateral", "partner", "focal", "context", "unspecified")

_POS = {"+", "1", "+1", "benefit", "positive", "正", "正向"}
_NEG = {"-", "-1", "cost", "negative", "负", "负向", "逆向"}
_KEYS_TOP = ("id", "name_zh", "name_en", "partner", "focal", "channels", "innovation", "subsystems",
             "reference", "title_zh", "title_en", "description")
_KEYS_CITY = ("zh", "en")
_KEYS_GROUP = ("id", "name_zh", "name_en", "section", "indicators", "groups", "channels", "rationale", "weight",
               "role")
_KEYS_IND = ("series", "name_zh", "name_en", "direction", "unit", "section", "link", "rationale", "weight")

register({
    "framework.unknown_key": ("unknown key {key!r}{hint} (allowed here: {allowed})",
                              "未知的键 {key!r}{hint}（此处允许：{allowed}）"),
    "framework.not_mapping": ("expected a mapping ({what})", "应为映射（{what}）"),
    "framework.empty_list": ("expected a non-empty list of {what}", "应为非空的{what}列表"),
    "framework.missing": ("missing {what}", "缺少{what}"),
    "framework.duplicate": ("{what} {id!r} already used at {first}", "{what} {id!r} 已在 {first} 使用"),
    "framework.direction_required": (
        "indicator {series!r}: 'direction' is required — write direction: \"+\" (more is better, 正向) or "
        "direction: \"-\" (less is better, 负向)",
        "指标 {series!r}：必须给出 direction —— direction: \"+\"（越大越好，正向）或 direction: \"-\"（越小越好，负向）"),
    "framework.bad_direction": ("indicator {series!r}: {value!r} is not a direction; expected + or - "
                                "(benefit/cost, 正向/负向)",
                                "指标 {series!r}：{value!r} 不是方向；应为 + 或 -（正向/负向）"),
    "framework.bad_link": ("indicator {series!r}: link {value!r} is not one of {allowed}",
                           "指标 {series!r}：link {value!r} 不是 {allowed} 之一"),
    "framework.bad_weight": ("{what} {id!r}: weight {value!r} is not a positive number",
                             "{what} {id!r}：权重 {value!r} 不是正数"),
    "framework.both_forms": ("give either 'subsystems' or 'channels' + 'innovation', not both",
                             "只能给出 subsystems，或 channels 加 innovation，不能同时给出"),
    "framework.no_subsystems": ("expected 'subsystems' (a list), or 'channels' and 'innovation'",
                                "应给出 subsystems（列表），或 channels 与 innovation"),
    "framework.bad_reference": ("reference {value!r} is not a subsystem id ({allowed})",
                                "reference {value!r} 不是子系统编号（{allowed}）"),
    "framework.invalid_yaml": ("not valid YAML: {problem}", "不是有效的 YAML：{problem}"),
})


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator: a data series placed in a group.

    ``direction`` is ``+1`` when more is better (benefit) and ``-1`` when less is better (cost).
    ``link`` says what the indicator measures about a partner/focal pair (construct validity):
    ``bilateral`` (a flow or tie between the two cities), ``partner`` (the partner city itself),
    ``focal`` (the focal city's own openness), ``context``, or ``unspecified``. ``weight`` is the
    manual weight (used when the recipe's weighting is ``manual``; default 1).
    """

    series: str
    name_zh: str
    name_en: str
    direction: int = 1
    unit: str = ""
    section: str = ""
    link: str = "unspecified"
    weight: float = 1.0

    def name(self, lang: str) -> str:
        """The label in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en


@dataclass(frozen=True)
class Group:
    """A subsystem or a group of it (a channel, a criterion): indicators and/or sub-groups."""

    id: str
    name_zh: str
    name_en: str
    indicators: tuple[IndicatorSpec, ...] = ()
    groups: tuple[Group, ...] = ()
    section: str = ""
    weight: float = 1.0
    role: str = ""

    def name(self, lang: str) -> str:
        """The label in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en

    def walk(self) -> Iterator[Group]:
        """This group and every group below it, parents first."""
        yield self
        for g in self.groups:
            yield from g.walk()

    def all_indicators(self) -> list[IndicatorSpec]:
        """Every indicator at or below this group, in framework order."""
        out = list(self.indicators)
        for g in self.groups:
            out += g.all_indicators()
        return out


@dataclass(frozen=True)
class EvalFramework:
    """A framework: named subsystems (one or more), optional partner/focal city names.

    Attributes
    ----------
    subsystems : tuple of Group
        Each subsystem's groups and indicators.
    reference : str
        Id of the subsystem the others are compared with in the trend-similarity (grey
        relational) analysis — the outcome side; default the last subsystem.
    partner, focal : tuple (zh, en) or None
        City names of a partner/focal study (the Hong Kong factor in Shenzhen); ``None`` in a
        general study, whose wording then comes from the subsystems' names only.
    """

    id: str
    name_zh: str
    name_en: str
    subsystems: tuple[Group, ...]
    reference: str = ""
    partner: tuple[str, str] | None = None
    focal: tuple[str, str] | None = None
    source: str = ""

    def name(self, lang: str) -> str:
        """The framework's title in ``lang``."""
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def reference_id(self) -> str:
        """The reference subsystem's id (the last subsystem when none is named)."""
        return self.reference or self.subsystems[-1].id

    def indicators(self) -> list[tuple[str, str, IndicatorSpec]]:
        """Every indicator as ``(subsystem_id, group_id, spec)``; ``group_id`` is the innermost group."""
        out: list[tuple[str, str, IndicatorSpec]] = []

        def visit(sub: str, g: Group) -> None:
            out.extend((sub, g.id, ind) for ind in g.indicators)
            for child in g.groups:
                visit(sub, child)

        for s in self.subsystems:
            visit(s.id, s)
        return out

    def groups(self) -> list[tuple[str, Group]]:
        """Every group below a subsystem as ``(subsystem_id, group)``, parents first."""
        return [(s.id, g) for s in self.subsystems for g in s.walk() if g is not s]

    def node(self, code: str) -> Group:
        """The subsystem or group with this id."""
        for s in self.subsystems:
            for g in s.walk():
                if g.id == code:
                    return g
        raise KeyError(code)

    def top_groups(self, subsystem: str) -> tuple[Group, ...]:
        """The groups directly under a subsystem (its channels)."""
        return self.node(subsystem).groups


def _closest(word: str, choices: Sequence[str]) -> str:
    """The allowed key closest to ``word`` (``""`` when none is close)."""
    m = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return m[0] if m else ""


def _hint(suggestion: str) -> dict[str, str] | str:
    """`` — did you mean 'x'?`` in both languages (rendered in the reader's), or ``""``."""
    if not suggestion:
        return ""
    return {"en": f" — did you mean {suggestion!r}?", "zh": f"（是否应为 {suggestion!r}？）"}


def _text(d: dict[str, Any], key: str) -> str:
    v = d.get(key)
    return "" if v is None else str(v).strip()


def _direction(v: Any) -> int | None:
    s = str(v).strip().lower()
    if s in _POS:
        return 1
    if s in _NEG:
        return -1
    return None


def framework_from_dict(doc: Any, *, file: str) -> EvalFramework:
    """Validate a parsed framework document (either YAML form) and build an :class:`EvalFramework`.

    Every problem is collected and raised at once as one :class:`~hkfactor.errors.InputError`
    whose problems carry catalogue codes (``framework.*``) and the YAML path as their field.
    """
    problems: list[Problem] = []

    def bad(where: str, code: str, **params: Any) -> None:
        problems.append(Problem(file, None, where or None, code=code, params=params))

    def keys(d: dict[Any, Any], allowed: Sequence[str], where: str) -> None:
        for k in d:
            if str(k) not in allowed:
                near = _closest(str(k), allowed)
                bad(where, "framework.unknown_key", key=str(k), suggestion=near, hint=_hint(near),
                    allowed=", ".join(allowed))

    seen: dict[str, str] = {}

    def claim(code: str, where: str, what: str) -> None:
        if code in seen:
            bad(where, "framework.duplicate", what=what, id=code, first=seen[code])
        else:
            seen[code] = where

    def weight(raw: dict[str, Any], where: str, what: str, code: str) -> float:
        if raw.get("weight") is None:
            return 1.0
        v = raw.get("weight")
        try:
            f = float(str(v))
        except ValueError:
            f = float("nan")
        if isinstance(v, bool) or not (f > 0 and f < float("inf")):
            bad(f"{where}.weight", "framework.bad_weight", what=what, id=code, value=v)
            return 1.0
        return f

    def indicators(raw: Any, where: str) -> tuple[IndicatorSpec, ...]:
        if not isinstance(raw, list) or not raw:
            bad(where, "framework.empty_list", what="indicators")
            return ()
        out = []
        for i, item in enumerate(raw):
            w = f"{where}[{i}]"
            if not isinstance(item, dict):
                bad(w, "framework.not_mapping", what="series, name_zh, name_en, direction")
                continue
            keys(item, _KEYS_IND, w)
            series = _text(item, "series")
            if not series:
                bad(f"{w}.series", "framework.missing", what="series")
                continue
            claim(series, f"{w}.series", "series")
            link = _text(item, "link") or "unspecified"
            if link not in LINKS:
                bad(f"{w}.link", "framework.bad_link", series=series, value=item.get("link"), allowed=", ".join(LINKS))
                link = "unspecified"
            d = 1
            if _text(item, "direction") == "":
                bad(f"{w}.direction", "framework.direction_required", series=series)
            else:
                parsed = _direction(item.get("direction"))
                if parsed is None:
                    bad(f"{w}.direction", "framework.bad_direction", series=series, value=item.get("direction"))
                d = parsed or 1
            zh, en = _text(item, "name_zh"), _text(item, "name_en")  # without names, the code is the label
            zh_default = series if not series.isascii() else (en or series)  # a Chinese code is its own name
            out.append(IndicatorSpec(series, zh or zh_default, en or zh or series, d, _text(item, "unit"),
                                     _text(item, "section"), link, weight(item, w, "indicator", series)))
        return tuple(out)

    def group(raw: Any, where: str, default_id: str, role: str = "") -> Group | None:
        if not isinstance(raw, dict):
            bad(where, "framework.not_mapping", what="id, name_zh, name_en, indicators")
            return None
        keys(raw, _KEYS_GROUP, where)
        gid = _text(raw, "id") or default_id
        if not gid:
            bad(f"{where}.id", "framework.missing", what="id")
        else:
            claim(gid, f"{where}.id", "id")
        zh, en = _text(raw, "name_zh"), _text(raw, "name_en")
        subs_raw = raw.get("groups", raw.get("channels"))
        subs: list[Group] = []
        if subs_raw is not None:
            if not isinstance(subs_raw, list) or not subs_raw:
                bad(f"{where}.groups", "framework.empty_list", what="groups")
            else:
                for i, c in enumerate(subs_raw):
                    g = group(c, f"{where}.groups[{i}]", "")
                    if g is not None:
                        subs.append(g)
        inds: tuple[IndicatorSpec, ...] = ()
        if raw.get("indicators") is not None or not subs:
            inds = indicators(raw.get("indicators"), f"{where}.indicators")
        return Group(gid, zh or en or gid, en or zh or gid, inds, tuple(subs), _text(raw, "section"),
                     weight(raw, where, "group", gid), _text(raw, "role") or role)

    def city(key: str) -> tuple[str, str] | None:
        raw = doc.get(key)
        if raw is None:
            return None
        if not isinstance(raw, dict):
            bad(key, "framework.not_mapping", what="zh, en")
            return None
        keys(raw, _KEYS_CITY, key)
        zh, en = _text(raw, "zh"), _text(raw, "en")
        return (zh or en, en or zh)

    if not isinstance(doc, dict):
        raise InputError([Problem(file, None, None, code="framework.no_subsystems")], title="invalid framework")
    keys(doc, _KEYS_TOP, "")
    partner, focal = city("partner"), city("focal")
    subsystems: list[Group] = []
    legacy = "channels" in doc or "innovation" in doc
    if legacy and "subsystems" in doc:
        bad("", "framework.both_forms")
    elif legacy:
        p_zh, p_en = partner or ("香港", "Hong Kong")
        f_zh, f_en = focal or ("深圳", "Shenzhen")
        partner, focal = (p_zh, p_en), (f_zh, f_en)
        chans = doc.get("channels")
        kids: list[Group] = []
        if not isinstance(chans, list) or not chans:
            bad("channels", "framework.empty_list", what="channels")
        else:
            for i, c in enumerate(chans):
                g = group(c, f"channels[{i}]", "")
                if g is not None:
                    kids.append(g)
        hk_id = "partner_factor"
        claim(hk_id, "channels", "id")
        subsystems.append(Group(hk_id, f"{p_zh}因素", f"{p_en} factor", (), tuple(kids), role="partner"))
        inn = group(doc.get("innovation"), "innovation", "innovation", role="focal")
        if inn is None:
            bad("innovation", "framework.missing", what="innovation")
        else:
            subsystems.append(inn)
    else:
        raw = doc.get("subsystems")
        if not isinstance(raw, list) or not raw:
            bad("subsystems", "framework.no_subsystems")
        else:
            for i, s in enumerate(raw):
                g = group(s, f"subsystems[{i}]", f"S{i + 1}")
                if g is not None:
                    subsystems.append(g)
    reference = _text(doc, "reference")
    ids = [s.id for s in subsystems]
    if reference and subsystems and reference not in ids:
        bad("reference", "framework.bad_reference", value=reference, allowed=", ".join(ids))
    if problems or not subsystems:
        raise InputError(problems or [Problem(file, None, None, code="framework.no_subsystems")],
                         title="invalid framework")
    return EvalFramework(
        id=_text(doc, "id") or Path(file).stem,
        name_zh=_text(doc, "name_zh") or _text(doc, "name_en") or Path(file).stem,
        name_en=_text(doc, "name_en") or _text(doc, "name_zh") or Path(file).stem,
        subsystems=tuple(subsystems),
        reference=reference,
        partner=partner,
        focal=focal,
        source=file,
    )


def read_framework(path: str | Path) -> EvalFramework:
    """Read and validate a framework YAML file (UTF-8 or GBK)."""
    import yaml

    from hkfactor._io import read_text

    p = Path(path)
    text, _enc = read_text(p)
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InputError([Problem(str(p), row, None, code="framework.invalid_yaml",
                                  params={"problem": str(getattr(exc, "problem", exc))})],
                         title="invalid framework") from None
    return framework_from_dict(doc, file=str(p))
