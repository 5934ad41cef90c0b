"""Filters read what a person types (codes in any case, zh/en labels, lists, names) and refuse the impossible."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from hkfactor.errors import InputError, SpecError
from hkfactor.evidence import Evidence, load
from hkfactor.evidence._schema import ENUMS
from hkfactor.evidence.audit import STATUSES
from hkfactor.evidence.vocab import LABELS, match_codes, qualified_quantity, resolve_name


@functools.cache
def _ev() -> Evidence:
    return load()


# (Evidence method, keyword, vocabulary, valid codes): every enumerated filter of the evidence API
FILTERS = [
    ("facts", "channel", "channel", ENUMS["channel"]),
    ("facts", "status", "status", STATUSES),
    ("timeline", "channel", "channel", ENUMS["channel"]),
    ("find_entities", "type", "entity_type", ENUMS["entity_type"]),
    ("find_entities", "side", "side", ENUMS["side"]),
    ("find_entities", "channel", "channel", ENUMS["channel"]),
    ("find_relations", "predicate", "predicate", ENUMS["predicate"]),
]


@pytest.mark.parametrize(("method", "kw", "vocab", "codes"), FILTERS)
def test_every_code_any_case_and_both_labels_select_the_same_rows(method: str, kw: str, vocab: str,
                                                                  codes: tuple[str, ...]) -> None:
    f = getattr(_ev(), method)
    for code in codes:
        want = f(**{kw: code})["id"].tolist()
        assert f(**{kw: code.upper()})["id"].tolist() == want
        assert f(**{kw: code.title()})["id"].tolist() == want
        zh, en = LABELS[vocab][code]
        assert f(**{kw: zh})["id"].tolist() == want
        assert f(**{kw: en})["id"].tolist() == want


@pytest.mark.parametrize(("method", "kw", "vocab", "codes"), FILTERS)
def test_an_impossible_value_raises_and_lists_the_valid_ones(method: str, kw: str, vocab: str,
                                                             codes: tuple[str, ...]) -> None:
    with pytest.raises(SpecError, match="valid: ") as info:
        getattr(_ev(), method)(**{kw: ["foo"]})
    assert "'foo'" in str(info.value) and all(c in str(info.value) for c in codes)


def test_the_reported_silent_empties_now_raise() -> None:
    ev = _ev()
    with pytest.raises(SpecError, match="unknown status 'conflict'"):
        ev.facts(status="conflict")
    with pytest.raises(SpecError, match="unknown channel 'foo'"):
        ev.facts(channel="foo")
    with pytest.raises(SpecError, match="unknown geography 'xx'"):
        ev.facts(geography="xx")
    with pytest.raises(SpecError, match="after the last year"):
        ev.timeline(start=2020, end=2000)


def test_comma_separated_lists_and_geography_names() -> None:
    ev = _ev()
    assert ev.facts(channel="finance, 贸易")["id"].tolist() == ev.facts(channel=["finance", "trade"])["id"].tolist()
    sz = ev.facts(geography="SZ")["id"].tolist()
    assert sz and ev.facts(geography="sz")["id"].tolist() == sz == ev.facts(geography="深圳市")["id"].tolist()
    assert ev.facts(channel=[]).empty  # an empty set keeps nothing (set semantics)


def test_entity_names_resolve_like_the_chain_does() -> None:
    from hkfactor.chain import default_graph, resolve

    ev, g = _ev(), default_graph()
    for name in ("大疆", "DJI", "dji", "E-DJI", "HKUST", "李泽湘"):
        assert ev.resolve_entity(name) == resolve(g, name)
    assert ev.find_relations(entity="大疆")["id"].tolist() == ev.find_relations(entity="E-DJI")["id"].tolist()
    with pytest.raises(InputError, match="no entity matches 'Atlantis'"):
        ev.find_relations(entity="Atlantis")
    with pytest.raises(InputError, match="ambiguous"):
        ev.resolve_entity("大学")


def test_resolve_name_order_of_preference() -> None:
    items = [("E-A", "甲大学", "Alpha University"), ("E-AB", "甲乙", "Alpha Beta")]
    assert resolve_name(items, "e-a") == "E-A"  # the id in any case before any name
    assert resolve_name(items, "甲乙") == "E-AB"  # an exact name before a part of a name
    assert resolve_name(items, "beta") == "E-AB"  # a unique part


def test_match_codes_prefers_a_code_over_a_label() -> None:
    assert match_codes("channel", "context") == ("context",)
    assert match_codes("side", "hk,SZ,hk") == ("HK", "SZ")


@pytest.mark.parametrize(("q", "zh", "en"), [
    ("under", "前20名以内", "≤ #20"),
    ("exact", "第20", "#20"),
    ("over", "第20名之后", "> #20"),
])
def test_a_rank_bound_reads_as_a_rank(q: str, zh: str, en: str) -> None:
    assert qualified_quantity(20.0, "rank", q, lang="zh") == zh
    assert qualified_quantity(20.0, "rank", q, lang="en") == en


def test_top_20_claims_normalise_to_within_the_top_20() -> None:
    c = _ev().claims.set_index("id")
    for cid, n in (("C010", "20"), ("C029", "100")):
        r = c.loc[cid]
        assert r["printed_value"] + r["printed_unit"] == f"前{n}"
        assert (r["qualifier"], r["unit"]) == ("under", "rank")
        assert qualified_quantity(r["value"], r["unit"], r["qualifier"], lang="zh") == f"前{n}名以内"


def test_save_writes_a_folder_that_loads_back_identically(tmp_path: Path) -> None:
    ev = _ev()
    written = ev.save(tmp_path)
    assert {p.relative_to(tmp_path).as_posix() for p in written} >= set(ev.files)
    assert load(tmp_path).records == ev.records
    assert not any(p.read_bytes().startswith(b"\xef\xbb\xbf") for p in written)


def test_no_internal_marker_in_the_corroboration_notes() -> None:
    ev = _ev()
    assert not any("REQUIRED CONFLICT" in k.note for k in ev.records.corroborations)
    notes = {k.id: k.note for k in ev.records.corroborations}
    assert notes["K001"].startswith("Paper: 1997 SZ-HK trade 600 亿元")
    assert ev.audit_.status_of("C084") == "conflicts" and ev.audit_.status_of("C025") == "conflicts"
