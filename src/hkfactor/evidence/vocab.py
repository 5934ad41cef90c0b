"""Bilingual labels (zh-CN, English) of the evidence vocabularies, for everything a person reads.

:func:`label` returns the label of a code in a language and falls back to the code itself for
a value without a label (never an error: labels are presentation, validation is the loader's).
"""

from __future__ import annotations

__all__ = ["LABELS", "label"]

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
    "side": {
        "HK": ("香港", "Hong Kong"),
        "SZ": ("深圳", "Shenzhen"),
        "WORLD": ("国际", "world"),
        "MAINLAND": ("内地", "mainland"),
        "CROSS": ("深港共建", "joint"),
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
