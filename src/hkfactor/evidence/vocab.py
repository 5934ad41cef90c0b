"""Bilingual labels (zh-CN, English) of the evidence vocabularies, for everything a person reads.

:func:`label` returns the label of a code in a language and falls back to the code itself for
a value without a label (never an error: labels are presentation, validation is the loader's).
:func:`match_codes` and :func:`match_values` read what a person types for a filter (a code in
any case, or its Chinese or English label; comma-separated lists) and reject a value that
cannot exist with a :class:`~hkfactor.errors.SpecError` listing the valid ones.
:func:`resolve_name` finds an actor by id or by its Chinese or English name.
:func:`qualified_quantity` shows a normalised value with its qualifier ("≤ #20", "前20名以内").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from hkfactor.errors import InputError, Problem, SpecError

__all__ = ["LABELS", "label", "match_codes", "match_values", "qualified_quantity", "resolve_name", "split_values"]

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "channel": {
        "finance": ("金融", "finance"),
        "research_talent": ("科研与人才", "research & talent"),
        "manufacturing_chain": ("制造业产业链", "manufacturing chain"),
        "trade": ("贸易", "trade"),
        "platforms": ("合作平台", "cooperation platforms"),
        "innovation_output": ("创新产出", "innovation output"),
        "context": ("背景", "context"),
    },
    "status": {
        "conflicts": ("与独立来源冲突", "conflicts"),
        "inconsistent": ("算术不一致", "arithmetic inconsistent"),
        "corroborated": ("独立来源证实", "corroborated"),
        "consistent": ("一致", "consistent"),
        "unverified": ("未核实", "unverified"),
    },
    "check_class": {
        "independent": ("独立来源", "independent"),
        "derivation": ("原文数值推算", "derivation"),
        "recount": ("原文自身复数", "recount"),
        "none": ("无核对", "no check"),
    },
    "comparison": {
        "equal": ("同一数量比对", "same quantity"),
        "scope_differs": ("口径不同", "different scope"),
        "declared": ("判断", "declared"),
        "majority": ("过半份额推断第一", "majority share implies first"),
    },
    "side": {
        "HK": ("香港", "Hong Kong"),
        "SZ": ("深圳", "Shenzhen"),
        "WORLD": ("国际", "world"),
        "MAINLAND": ("内地", "mainland"),
        "CROSS": ("深港共建", "joint"),
    },
    "chain_stage": {
        "upstream": ("上游", "upstream"),
        "midstream": ("中游", "midstream"),
        "downstream": ("下游", "downstream"),
    },
    "entity_type": {
        "university": ("高校", "university"),
        "institute": ("研究机构", "institute"),
        "platform": ("平台", "platform"),
        "firm": ("企业", "firm"),
        "person": ("人物", "person"),
        "fund": ("基金", "fund"),
        "programme": ("计划", "programme"),
        "place": ("地点", "place"),
        "industry": ("产业", "industry"),
        "market": ("市场", "market"),
        "government": ("政府", "government"),
        "chain_stage": ("产业链环节", "chain stage"),
        "channel": ("渠道", "channel"),
        "material": ("材料", "material"),
    },
    "predicate": {
        "founded": ("创立", "founded"),
        "hosts": ("承载", "hosts"),
        "incubated_in": ("孵化于", "incubated in"),
        "invested_in": ("投资", "invested in"),
        "financed": ("融资给", "financed"),
        "listed_on": ("上市于", "listed on"),
        "studied_at": ("就读于", "studied at"),
        "supervised": ("指导", "supervised"),
        "joined": ("加入", "joined"),
        "located_in": ("位于", "located in"),
        "partner_of": ("合作", "partner of"),
        "supplies": ("供给", "supplies"),
        "part_of": ("属于", "part of"),
        "co_built": ("共建", "co-built"),
        "member_of": ("成员", "member of"),
        "trained": ("培养", "trained"),
        "exports_via": ("经由出口", "exports via"),
        "relocated_to": ("转移至", "relocated to"),
        "belongs_to_stage": ("属于环节", "belongs to stage"),
        "belongs_to_channel": ("属于渠道", "belongs to channel"),
    },
    "qualifier": {
        "exact": ("", ""),
        "about": ("约", "about"),
        "over": ("超过", "over"),
        "at_least": ("至少", "at least"),
        "under": ("不到", "under"),
        "lower_bound_share": ("超过", "more than"),
    },
    "grade": {
        "A": ("A 官方统计", "A official statistics"),
        "B": ("B 政府或主流媒体转引", "B government / major media"),
        "C": ("C 二手资料", "C secondary"),
        "P": ("P 论文及其引文", "P the paper / its citations"),
    },
}


def label(vocab: str, code: str, lang: str) -> str:
    """The label of ``code`` in ``vocab`` for ``lang`` (``"zh"`` or ``"en"``); the code if unknown.

    >>> label("channel", "trade", "zh")
    '贸易'
    >>> label("channel", "nope", "en")
    'nope'
    """
    pair = LABELS.get(vocab, {}).get(code)
    if pair is None:
        return code
    return pair[0] if lang == "zh" else pair[1]


def split_values(given: str | Iterable[str]) -> list[str]:
    """The values of a filter: a string or strings, each possibly a comma-separated list.

    >>> split_values(["finance, trade", "HK"])
    ['finance', 'trade', 'HK']
    """
    items = [given] if isinstance(given, str) else list(given)
    out: list[str] = []
    for item in items:
        out += [x.strip() for x in str(item).replace("，", ",").split(",") if x.strip()]
    return out


def match_values(given: str | Iterable[str], choices: Mapping[str, Sequence[str]], *, what: str) -> tuple[str, ...]:
    """The codes meant by ``given``: each value is a code (any case) or one of its aliases.

    Parameters
    ----------
    given : str or iterable of str
        What a person typed; strings may be comma-separated lists (``"finance,trade"``).
    choices : mapping of code to aliases
        The valid codes, each with its aliases (labels, names); matching ignores case.
    what : str
        The name of the filter, for the message (``"channel"``).

    Returns
    -------
    tuple of str
        The codes, in the order given, without repeats. An empty ``given`` gives ``()``.

    Raises
    ------
    SpecError
        Naming every value that matches no code and listing the valid codes with their
        first alias.

    Examples
    --------
    >>> match_values("hk,Shenzhen", {"HK": ["Hong Kong"], "SZ": ["Shenzhen"]}, what="side")
    ('HK', 'SZ')
    """
    lookup: dict[str, str] = {}
    for code, aliases in choices.items():
        for a in aliases:
            if a:
                lookup.setdefault(a.casefold(), code)
    for code in choices:  # a code wins over an alias that happens to spell another code
        lookup[code.casefold()] = code
    out: list[str] = []
    bad: list[str] = []
    for v in split_values(given):
        hit = lookup.get(v.casefold())
        if hit is None:
            bad.append(v)
        elif hit not in out:
            out.append(hit)
    if bad:
        valid = ", ".join(f"{c} ({a[0]})" if a and a[0] and a[0] != c else c for c, a in choices.items())
        raise SpecError(f"unknown {what} {', '.join(repr(b) for b in bad)}; valid: {valid}")
    return tuple(out)


def match_codes(vocab: str, given: str | Iterable[str], *, valid: Sequence[str] | None = None,
                what: str | None = None) -> tuple[str, ...]:
    """:func:`match_values` over a vocabulary of :data:`LABELS`: codes, Chinese or English labels.

    ``valid`` restricts (or, for a vocabulary without labels, supplies) the codes.

    >>> match_codes("channel", "金融, Trade")
    ('finance', 'trade')
    """
    labels = LABELS.get(vocab, {})
    codes = tuple(valid) if valid is not None else tuple(labels)
    choices = {c: [x for x in labels.get(c, ()) if x] for c in codes}
    return match_values(given, choices, what=what or vocab.replace("_", " "))


def qualified_quantity(value: float, unit: str, qualifier: str, *, lang: str = "en") -> str:
    """A normalised value with its qualifier, as a reader should understand it.

    A rank bound reads as a rank: ``under`` on rank 20 (printed 前20, "top 20") is
    ``≤ #20`` / ``前20名以内``; ``over`` on a rank is ``> #20`` / ``第20名之后``. Other
    quantities get the qualifier label in front (``about CNY 60 bn``, ``约600亿元``).

    >>> qualified_quantity(20.0, "rank", "under", lang="zh")
    '前20名以内'
    >>> qualified_quantity(20.0, "rank", "under", lang="en")
    '≤ #20'
    >>> qualified_quantity(6e10, "CNY", "about", lang="en")
    'about CNY 60 bn'
    >>> qualified_quantity(float("nan"), "rank", "under", lang="en")
    'among the top (no rank stated)'
    """
    from hkfactor.units import format_number, format_quantity

    if unit == "rank" and isinstance(value, float) and math.isnan(value):
        # a vague top (前列, 领先): among the leaders, no rank or bound stated
        return "前列（未给名次）" if lang == "zh" else "among the top (no rank stated)"
    if unit == "rank" and isinstance(value, float | int) and not math.isnan(value):
        n = format_number(value)
        if qualifier == "under":  # rank ≤ n: within the top n (the audit reads it the same way)
            return f"前{n}名以内" if lang == "zh" else f"≤ #{n}"
        if qualifier == "at_least":
            return f"第{n}名或之后" if lang == "zh" else f"≥ #{n}"
        if qualifier in {"over", "lower_bound_share"}:
            return f"第{n}名之后" if lang == "zh" else f"> #{n}"
        if qualifier == "about":
            return f"约第{n}" if lang == "zh" else f"about #{n}"
    q = label("qualifier", qualifier, lang) if qualifier else ""
    text = format_quantity(value, unit, lang=lang)
    if not q or text == "—":
        return text
    return f"{q}{text}" if lang == "zh" else f"{q} {text}"


def resolve_name(
    candidates: Iterable[tuple[str, str, str]], name: str, *, where: str = "chain graph", what: str = "node"
) -> str:
    """The id meant by ``name``: an id, or a Chinese/English name (case-insensitive).

    Tried in order: the id as given; the id in any case, or with the ``E-`` prefix left
    off (``dji`` → ``E-DJI``); an exact name; a unique part of a name or id (``大疆`` →
    ``E-DJI``). Used by the chain queries and by the evidence filters alike.

    Parameters
    ----------
    candidates : iterable of (id, name_zh, name_en)
    name : str
    where, what : str
        Where the ids live and what they are, for the message.

    Raises
    ------
    InputError
        If nothing, or more than one id, matches; the message lists candidates.

    Examples
    --------
    >>> resolve_name([("E-DJI", "大疆创新", "DJI"), ("E-HKUST", "香港科技大学", "HKUST")], "大疆")
    'E-DJI'
    """
    items = [(i, zh or "", en or "") for i, zh, en in candidates]
    if any(i == name for i, _, _ in items):
        return name
    needle = name.strip().casefold()
    by_id = [i for i, _, _ in items if i.casefold() == needle or i.casefold() == f"e-{needle}"]
    if len(by_id) == 1:
        return by_id[0]
    exact = [i for i, zh, en in items if needle in (zh.casefold(), en.casefold())]
    if len(exact) == 1:
        return exact[0]
    part = [i for i, zh, en in items
            if needle and (needle in zh.casefold() or needle in en.casefold() or needle in i.casefold())]
    if len(part) == 1:
        return part[0]
    if not part:
        raise InputError([Problem(where, None, what, f"no {what} matches {name!r} (give an id, or a Chinese or "
                                                     "English name)")], title=f"unknown {what}")
    shown = ", ".join(sorted(part)[:12])
    raise InputError([Problem(where, None, what, f"{name!r} is ambiguous; candidates: {shown}")],
                     title=f"ambiguous {what}")
