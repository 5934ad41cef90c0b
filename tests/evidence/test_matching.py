"""Automatic claim–observation matching (claim_series.csv), superlatives and the classes of check.

The synthetic tests extend the SYNTHETIC folder of _synthetic.py (made-up numbers, labelled as such);
the last tests run on the real evidence: the paper's 2018 Shenzhen–Hong Kong trade (7 266 亿元)
against Xinhua's "over 680 billion yuan" and its 22.6 % share against Xinhua's 22.7 %, found with
no hand-written corroborations.csv row.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from evidence._synthetic import SYNTHETIC, write_evidence
from hkfactor.errors import InputError
from hkfactor.evidence import Evidence, load
from hkfactor.evidence.audit import BASES, CHECK_CLASSES, STATUSES, AuditResult, audit
from hkfactor.units import normalise, truncation_step

# ----------------------------------------------------------------------------- synthetic folder

#: SYNTHETIC observations (made-up values) for the matching rule
_OBS = [
    # same series × geography × period as claim C002 (2018): compared
    {"id": "O-SYN-TRADE-2018", "series": "syn_trade", "geography": "SZHK", "period": "2018",
     "printed_value": "over 680", "printed_unit": "billion yuan", "source_id": "S-SYN-CUSTOMS",
     "locator": "over 680 billion", "grade": "B"},
    # another period: never compared with a 2018 mapping
    {"id": "O-SYN-TRADE-2017", "series": "syn_trade", "geography": "SZHK", "period": "2017",
     "printed_value": "7266", "printed_unit": "亿元", "source_id": "S-SYN-CUSTOMS", "locator": "7266亿元",
     "grade": "B"},
    # another unit (a share) in the same series slot: an 'equal' mapping becomes scope_differs
    {"id": "O-SYN-TRADE-2018-SHARE", "series": "syn_trade", "geography": "SZHK", "period": "2018",
     "printed_value": "22.7", "printed_unit": "%", "source_id": "S-SYN-CUSTOMS", "locator": "22.7%",
     "grade": "B"},
    # a related but different quantity, mapped as scope_differs
    {"id": "O-SYN-TOTAL-2018", "series": "syn_total", "geography": "SZ", "period": "2018",
     "printed_value": "3", "printed_unit": "万亿元", "source_id": "S-SYN-CUSTOMS", "locator": "3万亿元",
     "grade": "B"},
    # the figure K001 already links to C001, filed again under another id (a panel copy)
    {"id": "O-SYN-TRADE-1997-PANEL", "series": "sz_hk_trade", "geography": "SZHK", "period": "1997",
     "printed_value": "701.4", "printed_unit": "亿元", "source_id": "S-SYN-CUSTOMS", "locator": "701.4亿元",
     "grade": "B"},
]

_MAP = [
    {"id": "M001", "claim_id": "C002", "series": "syn_trade", "comparison": "equal"},
    {"id": "M002", "claim_id": "C002", "series": "syn_total", "geography": "SZ", "comparison": "scope_differs",
     "declared_status": "consistent", "note": "synthetic: city total, not the bilateral trade"},
    {"id": "M003", "claim_id": "C001", "series": "sz_hk_trade", "comparison": "equal"},
]


def _data(mapping: list[dict[str, str]] | None = None) -> dict[str, list[dict[str, str]]]:
    data = copy.deepcopy(SYNTHETIC)
    data["observations/corroboration.csv"] = data["observations/corroboration.csv"] + copy.deepcopy(_OBS)
    data["claim_series.csv"] = copy.deepcopy(_MAP if mapping is None else mapping)
    return data


@pytest.fixture
def matched(tmp_path: Path) -> pd.DataFrame:
    return audit(load(write_evidence(tmp_path / "ev", _data()))).corroborations.set_index("id")


def test_same_series_geography_and_period_is_compared(matched: pd.DataFrame) -> None:
    k = matched.loc["M001:O-SYN-TRADE-2018"]
    assert k["origin"] == "claim_series.csv" and k["comparison"] == "equal"
    assert k["status"] == "conflicts"  # 7 266 亿元 vs "over 680 billion" read as 680–690 billion
    assert k["check_class"] == "independent"
    assert k["rule"].startswith("M001: claim_series.csv — syn_trade × SZHK × 2018")
    assert "matched by M001" in k["detail_en"] and "M001 自动匹配" in k["detail_zh"]
    assert "read as CNY 680 bn–CNY 690 bn" in k["detail_en"] and "按末位截断" in k["detail_zh"]


def test_another_period_is_not_compared(matched: pd.DataFrame) -> None:
    assert not matched["observation_id"].eq("O-SYN-TRADE-2017").any()


def test_scope_mismatch_is_scope_differs(matched: pd.DataFrame) -> None:
    unit = matched.loc["M001:O-SYN-TRADE-2018-SHARE"]  # equal mapping, but a share against yuan
    assert unit["comparison"] == "scope_differs" and unit["status"] == "unverified"
    assert "unit share vs CNY" in unit["detail_en"]
    declared = matched.loc["M002:O-SYN-TOTAL-2018"]
    assert declared["comparison"] == "scope_differs" and declared["status"] == "consistent"
    assert "different scope" in declared["detail_en"] and "口径不同" in declared["detail_zh"]


def test_hand_written_links_win(matched: pd.DataFrame) -> None:
    # K001 links C001 to 701.4 亿元; the same figure under another id is not compared again
    assert not matched["observation_id"].eq("O-SYN-TRADE-1997-PANEL").any()
    assert matched.loc["K001", "origin"] == "corroborations.csv"
    assert (matched["claim_id"] == "C001").sum() == 1


def test_no_mapping_no_automatic_check(syn_dir: Path) -> None:
    res = audit(load(syn_dir))
    assert set(res.corroborations["origin"]) == {"corroborations.csv"}


def test_the_claim_period_is_the_default_and_an_undated_claim_needs_one(tmp_path: Path) -> None:
    ev = load(write_evidence(tmp_path / "a", _data()))
    periods = {m.id: m.period for m in ev.records.claim_series}
    assert periods == {"M001": "2018", "M002": "2018", "M003": "1997"}
    bad = _data([
        {"id": "M001", "claim_id": "C009", "series": "syn_trade", "comparison": "equal"},  # C009 is undated
        {"id": "M002", "claim_id": "C002", "series": "no_such_series", "comparison": "equal"},
        {"id": "M003", "claim_id": "C002", "series": "syn_trade", "comparison": "equal",
         "declared_status": "consistent"},
        {"id": "M004", "claim_id": "C002", "series": "syn_trade", "comparison": "majority"},
    ])
    with pytest.raises(InputError) as exc:
        load(write_evidence(tmp_path / "b", bad))
    text = str(exc.value)
    assert "claim_series.csv, row 2, column 'period'" in text and "C009 is undated" in text
    assert "unknown series 'no_such_series'" in text
    assert "declared_status is only for comparison 'scope_differs'" in text
    assert "'majority' needs a top-rank claim" in text


def test_saved_folder_keeps_the_mapping(tmp_path: Path) -> None:
    ev = load(write_evidence(tmp_path / "a", _data()))
    ev.save(tmp_path / "b")
    assert load(tmp_path / "b").records == ev.records


# ----------------------------------------------------------------------------- superlatives (synthetic)

_SUP = [
    {"id": "C011", "section": "5", "channel": "trade", "geography": "SZHK", "measure_en": "HK's rank as market",
     "printed_value": "最大", "period_kind": "undated", "source_ids": "S-PAPER", "locator": "香港是深圳最大的市场",
     "kind": "superlative"},
    {"id": "C012", "section": "1", "channel": "innovation_output", "geography": "SZ", "measure_en": "vague top",
     "printed_value": "前列", "qualifier": "under", "period_kind": "undated", "source_ids": "S-PAPER",
     "locator": "连续多年居全国前列", "kind": "superlative"},
]
_SUP_OBS = [
    {"id": "O-SYN-RANK-2018", "series": "syn_rank", "geography": "SZHK", "period": "2018", "printed_value": "2nd",
     "source_id": "S-SYN-CUSTOMS", "locator": "second", "grade": "B"},
    {"id": "O-SYN-SHARE-2018", "series": "syn_share", "geography": "SZHK", "period": "2018",
     "printed_value": "more than 70", "printed_unit": "%", "source_id": "S-SYN-CUSTOMS", "locator": "70%",
     "grade": "B"},
    {"id": "O-SYN-SHARE-2019", "series": "syn_share", "geography": "SZHK", "period": "2019",
     "printed_value": "40", "printed_unit": "%", "source_id": "S-SYN-CUSTOMS", "locator": "40%", "grade": "B"},
    {"id": "O-SYN-SZRANK-2018", "series": "syn_szrank", "geography": "SZ", "period": "2018", "printed_value": "第一",
     "source_id": "S-SYN-CUSTOMS", "locator": "第一", "grade": "B"},
    {"id": "O-SYN-SZRANK-2019", "series": "syn_szrank", "geography": "SZ", "period": "2019", "printed_value": "第二",
     "source_id": "S-SYN-CUSTOMS", "locator": "第二", "grade": "B"},
]
_SUP_MAP = [
    {"id": "M101", "claim_id": "C011", "series": "syn_rank", "period": "2018", "comparison": "equal"},
    {"id": "M102", "claim_id": "C011", "series": "syn_share", "period": "2018", "comparison": "majority"},
    {"id": "M103", "claim_id": "C011", "series": "syn_share", "period": "2019", "comparison": "majority"},
    {"id": "M104", "claim_id": "C012", "series": "syn_szrank", "period": "2018", "comparison": "equal"},
    {"id": "M105", "claim_id": "C012", "series": "syn_szrank", "period": "2019", "comparison": "equal"},
]


def test_superlatives_are_ranks_and_audited(tmp_path: Path) -> None:
    data = copy.deepcopy(SYNTHETIC)
    data["claims.csv"] += copy.deepcopy(_SUP)
    data["observations/corroboration.csv"] += copy.deepcopy(_SUP_OBS)
    data["claim_series.csv"] = copy.deepcopy(_SUP_MAP)
    res = audit(load(write_evidence(tmp_path, data)))
    claims = res.claims.set_index("claim_id")
    assert claims.loc["C011", "unit"] == "rank" and claims.loc["C011", "value"] == 1.0
    assert math.isnan(claims.loc["C012", "value"])
    k = res.corroborations.set_index("id")["status"].to_dict()
    assert k["M101:O-SYN-RANK-2018"] == "conflicts"  # "the largest" vs an observed 2nd place
    assert k["M102:O-SYN-SHARE-2018"] == "corroborated"  # more than 70 %: a majority is first
    assert k["M103:O-SYN-SHARE-2019"] == "unverified"  # 40 % does not decide first place
    assert k["M104:O-SYN-SZRANK-2018"] == "corroborated"  # a vague top and an observed first place
    assert k["M105:O-SYN-SZRANK-2019"] == "unverified"  # a vague top cannot be judged against #2
    assert claims.loc["C011", "status"] == "conflicts"


def test_a_superlative_needs_a_ranking_word(tmp_path: Path) -> None:
    data = copy.deepcopy(SYNTHETIC)
    data["claims.csv"][8]["kind"] = "superlative"  # C009: '40' 年
    with pytest.raises(InputError, match="a superlative claim needs a ranking word"):
        load(write_evidence(tmp_path, data))


@pytest.mark.parametrize(("value", "unit", "step"), [
    ("over 680", "billion yuan", 1e10), ("超过1.7", "万家", 1000.0), ("more than 70", "%", 0.1),
    (">14,000", "firms", 1000.0), ("超500", "亿元", 1e10), ("12.65", "%", 0.0001), ("七成", "", None),
])
def test_truncation_step(value: str, unit: str, step: float | None) -> None:
    got = truncation_step(value, unit)
    assert got == (None if step is None else pytest.approx(step))
    if got is not None:  # one unit of the last printed digit: much smaller than the value itself
        assert 0 < got <= normalise(value, unit).value


# ----------------------------------------------------------------------------- classes of check

def test_recounts_are_counted_apart(tmp_path: Path) -> None:
    data = copy.deepcopy(SYNTHETIC)
    data["derivations.csv"].append({"id": "D003", "claim_id": "C010", "expression": "3", "tolerance": "0",
                                    "note": "synthetic: three zones named"})
    res = audit(load(write_evidence(tmp_path, data)))
    d = res.derivations.set_index("id")["check_class"].to_dict()
    assert d == {"D001": "derivation", "D002": "derivation", "D003": "recount"}
    c = res.claims.set_index("claim_id")
    assert c.loc["C010", "status"] == "consistent" and c.loc["C010", "basis"] == "recount"
    assert c.loc["C003", "basis"] == "derivation" and c.loc["C008", "basis"] == "independent"
    assert c.loc["C002", "basis"] == "none"
    s = res.summary().set_index("status")
    assert s.loc["consistent", "n"] == 3
    assert (s.loc["consistent", "n_independent"], s.loc["consistent", "n_derivation"],
            s.loc["consistent", "n_recount"]) == (1, 1, 1)
    assert (s[[f"n_{b}" for b in BASES]].sum(axis=1) == s["n"]).all()
    cs = res.check_summary()
    assert list(cs.index) == list(CHECK_CLASSES) and cs.loc["recount", "consistent"] == 1
    assert cs.loc["recount", "total"] == 1 and cs.loc["independent", "total"] == 4


def test_a_source_of_kind_paper_is_a_recount(tmp_path: Path) -> None:
    data = copy.deepcopy(SYNTHETIC)
    data["sources/corroboration.csv"][0]["kind"] = "paper"  # the "customs" page turns out to be a copy of the paper
    res = audit(load(write_evidence(tmp_path, data)))
    k = res.corroborations.set_index("id")
    assert k.loc["K001", "check_class"] == "recount"
    assert k.loc["K001", "status"] == "inconsistent"  # disagreeing with itself, not with an independent source
    assert k.loc["K003", "status"] == "consistent"
    assert "not independent" in k.loc["K001", "detail_en"] and "非独立来源" in k.loc["K001", "detail_zh"]
    assert "corroborated" not in set(res.claims["status"])


# ----------------------------------------------------------------------------- real evidence

@pytest.fixture(scope="module")
def real() -> tuple[Evidence, AuditResult]:
    ev = load()
    return ev, ev.audit_


def test_2018_trade_conflict_and_share_are_found_automatically(real: tuple[Evidence, AuditResult]) -> None:
    ev, res = real
    hand = ev.corroborations
    k = res.corroborations
    claims = res.claims.set_index("claim_id")
    # C085 = 7 266 亿元 (2018), C087 = 22.6 % (2018): no hand-written corroborations.csv row for these observations
    for cid, oid in (("C085", "O-P-SZ_HK_TRADE-SZHK-2018"), ("C087", "O-P-SZ_HK_TRADE_SHARE-SZHK-2018")):
        assert claims.loc[cid, "printed"] in {"7 266亿元", "22.6%"}
        assert not ((hand["claim_id"] == cid) & (hand["observation_id"] == oid)).any()
        row = k[(k["claim_id"] == cid) & (k["observation_id"] == oid)]
        assert len(row) == 1 and row["origin"].iloc[0] == "claim_series.csv"
    trade = k[(k["claim_id"] == "C085") & (k["observation_id"] == "O-P-SZ_HK_TRADE-SZHK-2018")].iloc[0]
    assert trade["status"] == "conflicts" and trade["check_class"] == "independent"
    assert trade["observed"] == 6.8e11 and "S-P-XINHUA-ES-20190124" in trade["detail_en"]
    share = k[(k["claim_id"] == "C087") & (k["observation_id"] == "O-P-SZ_HK_TRADE_SHARE-SZHK-2018")].iloc[0]
    assert share["status"] == "corroborated"
    assert claims.loc["C085", "status"] == "conflicts" and claims.loc["C087", "status"] == "corroborated"


def test_real_summary_separates_recounts(real: tuple[Evidence, AuditResult]) -> None:
    _, res = real
    s = res.summary().set_index("status")
    assert s.loc["corroborated", "n"] == s.loc["corroborated", "n_independent"] > 0
    assert s.loc["conflicts", "n"] == s.loc["conflicts", "n_independent"] >= 4
    assert s.loc["consistent", "n_recount"] >= 10  # counted lists, "2 = 2", and a copy of the paper
    cs = res.check_summary()
    assert cs.loc["recount", "corroborated"] == cs.loc["recount", "conflicts"] == 0
    assert cs.loc["derivation", "corroborated"] == 0
    ch = res.checks()
    assert set(ch["check_class"]) == set(CHECK_CLASSES) and set(ch["status"]) <= set(STATUSES)


def test_real_superlatives_have_a_status_and_say_why(real: tuple[Evidence, AuditResult]) -> None:
    _, res = real
    c = res.claims.set_index("claim_id")
    sup = c[c["kind"] == "superlative"]
    assert len(sup) == 17
    assert c.loc["C112", "status"] == "corroborated"  # DJI 'leading': a 70 % share is a majority
    assert c.loc["C102", "status"] == "corroborated"  # Tencent, largest market value in 2016
    assert c.loc["C114", "status"] == "consistent"  # HK largest partner 1980–2007; 22.7 % in 2018 decides nothing
    unchecked = sup[sup["status"] == "unverified"]
    assert (unchecked["detail_en"].str.contains("ranking or superlative")).all()


def test_every_mapping_matches_or_says_why(real: tuple[Evidence, AuditResult]) -> None:
    ev, _ = real
    maps = ev.records.claim_series
    assert len(maps) >= 20
    claims = {c.id: c for c in ev.records.claims}
    for m in maps:
        assert m.claim_id in claims and m.period
        # a claim's own geography, unless the note explains the panel's coding
        if m.geography != claims[m.claim_id].geography:
            assert m.note, m.id


# ----------------------------------------------------------------------------- faces

def test_cli_html_and_csv_count_the_classes(run_cli: Any, tmp_path: Path) -> None:
    data = _data()
    data["derivations.csv"].append({"id": "D003", "claim_id": "C010", "expression": "3", "tolerance": "0"})
    root = write_evidence(tmp_path / "ev", data)
    out = tmp_path / "out"
    en = run_cli("audit", "--data", str(root), "--out", str(out), "--lang", "en")
    assert en.returncode == 0, en.stderr
    assert "basis: recount" in en.stdout and "Checks by class" in en.stdout
    zh = run_cli("audit", "--data", str(root), "--lang", "zh")
    assert "依据：原文自身复数" in zh.stdout and "核对项按类别" in zh.stdout
    df = pd.read_csv(out / "audit.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    row = df.set_index("claim_id").loc["C010"]
    assert (row["status"], row["basis"], row["n_recount"]) == ("consistent", "recount", "1")
    html = (out / "audit.html").read_text(encoding="utf-8")
    assert 'id="check-classes"' in html and "原文自身复数" in html and "recount" in html
    assert 'id="check-M001:O-SYN-TRADE-2018"' in html and "自动匹配" in html and "automatic" in html
