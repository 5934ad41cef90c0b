"""The audit: derivations recomputed, corroborations compared, one status per claim.

The first tests run on the SYNTHETIC folder (tests/evidence/_synthetic.py); the last ones run on
the real evidence shipped in hkfactor/evidence/data and check the two known conflicts of the seed
paper (see /work/shared/research/seed-claims.md, "Main issues" 1 and 2).
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pytest

from evidence._synthetic import SYNTHETIC, write_evidence
from hkfactor.evidence import load
from hkfactor.evidence.audit import STATUSES, audit


def test_synthetic_statuses(syn_dir: Path) -> None:
    res = audit(load(syn_dir))
    st = dict(zip(res.claims["claim_id"], res.claims["status"], strict=True))
    assert st == {
        "C001": "conflicts",  # 600 vs 701.4 (synthetic customs), tolerance 1 %
        "C002": "unverified",
        "C003": "consistent",  # cagr(600, 7266, 21) = 12.61 % vs 12.6 %, tolerance 0.0005
        "C004": "conflicts",  # declared (scope differs)
        "C005": "unverified",
        "C006": "unverified",
        "C007": "inconsistent",  # 130 + 235 = 365 ≠ 366
        "C008": "corroborated",  # 七成 vs 68.4 %, tolerance 5 %
        "C009": "consistent",  # declared
        "C010": "unverified",
    }
    c1 = res.claims.set_index("claim_id").loc["C001"]
    assert "conflicts with" in c1["detail_en"] and "S-SYN-CUSTOMS" in c1["detail_en"]
    assert "冲突" in c1["detail_zh"] and "701.4亿元" in c1["detail_zh"]
    assert "CNY 70.14 bn" in c1["detail_en"] and "-14.5%" in c1["detail_en"]
    d = res.derivations.set_index("id")
    assert d.loc["D001", "computed"] == pytest.approx(0.126103, abs=1e-6)
    assert d.loc["D002", "abs_diff"] == -1.0
    assert "off by -1" in d.loc["D002", "detail_en"]
    k = res.corroborations.set_index("id")
    assert k.loc["K001", "rel_diff"] == pytest.approx((600 - 701.4) / 701.4)
    assert k.loc["K001", "source_id"] == "S-SYN-CUSTOMS"


def test_summary_and_channels(syn_dir: Path) -> None:
    res = audit(load(syn_dir))
    s = res.summary()
    assert s["status"].tolist() == list(STATUSES)
    assert dict(zip(s["status"], s["n"], strict=True)) == {
        "conflicts": 2, "inconsistent": 1, "corroborated": 1, "consistent": 2, "unverified": 4}
    ch = res.by_channel()
    assert ch.loc["trade", "conflicts"] == 1
    assert ch["total"].sum() == 10
    assert list(ch.index) == ["finance", "research_talent", "trade", "platforms", "context"]


def _variant(tmp_path: Path, **claim_c001: str) -> pd.DataFrame:
    data = copy.deepcopy(SYNTHETIC)
    data["claims.csv"][0].update(claim_c001)
    return audit(load(write_evidence(tmp_path, data))).corroborations.set_index("id")


def test_bounds_are_checked_as_bounds(tmp_path: Path) -> None:
    # "逾600亿元" (over): an observed 701.4 satisfies the bound
    k = _variant(tmp_path / "a", printed_value="逾600", locator="（逾600亿元）", qualifier="over")
    assert k.loc["K001", "status"] == "corroborated"
    # "不到600亿元" (under): it does not
    k = _variant(tmp_path / "b", printed_value="600", locator="（600亿元）", qualifier="under")
    assert k.loc["K001", "status"] == "conflicts"
    # a printed value within tolerance
    k = _variant(tmp_path / "c", printed_value="701", locator="（701亿元）")
    assert k.loc["K001", "status"] == "corroborated"


def test_an_observed_bound_is_consistent_not_corroborating(tmp_path: Path) -> None:
    data = copy.deepcopy(SYNTHETIC)
    obs = data["observations/corroboration.csv"][0]
    obs.update(printed_value="超500", locator="超500亿元")
    res = audit(load(write_evidence(tmp_path / "a", data)))
    k = res.corroborations.set_index("id").loc["K001"]
    assert k["status"] == "consistent"
    assert "consistent with" in k["detail_en"] and "over CNY 50 bn" in k["detail_en"]
    obs.update(printed_value="超700", locator="超700亿元")  # "over 700" contradicts 600
    res = audit(load(write_evidence(tmp_path / "b", data)))
    assert res.corroborations.set_index("id").loc["K001", "status"] == "conflicts"


def test_most_serious_status_wins(tmp_path: Path) -> None:
    data = copy.deepcopy(SYNTHETIC)
    data["corroborations.csv"].append(
        {"id": "K005", "claim_id": "C007", "comparison": "declared", "declared_status": "corroborated"})
    res = audit(load(write_evidence(tmp_path, data)))
    row = res.claims.set_index("claim_id").loc["C007"]
    assert row["status"] == "inconsistent"
    assert row["checks"] == "D002;K005"


def test_pct_per_year_claims_compare_in_percent(tmp_path: Path) -> None:
    data = copy.deepcopy(SYNTHETIC)
    data["claims.csv"][2].update(printed_unit="%/年")
    data["derivations.csv"][0]["tolerance"] = "0.05"
    res = audit(load(write_evidence(tmp_path, data)))
    d = res.derivations.set_index("id").loc["D001"]
    assert d["computed"] == pytest.approx(12.6103, abs=1e-4)
    assert d["status"] == "consistent"


# ----------------------------------------------------------------------------- real data

def test_real_evidence_loads_and_every_claim_has_a_status() -> None:
    ev = load()
    res = ev.audit_
    assert len(res.claims) == len(ev.records.claims) > 50
    assert set(res.claims["status"]) <= set(STATUSES)
    assert res.claims["detail_zh"].str.len().gt(0).all()
    assert res.claims["detail_en"].str.len().gt(0).all()


def test_real_known_conflicts_surface() -> None:
    res = load().audit_
    c = res.claims
    # 1. 1997 Shenzhen–HK trade: paper 600 亿元 vs Shenzhen Customs 701.4 亿元
    trade97 = c[(c["printed"] == "600亿元") & (c["channel"] == "trade")]
    assert len(trade97) == 1
    assert trade97["status"].iloc[0] == "conflicts"
    k = res.corroborations
    k97 = k[k["claim_id"] == trade97["claim_id"].iloc[0]]
    assert (k97["status"] == "conflicts").any()
    assert (k97["observed"].round(-6) == 701.4e8).any()
    # 2. Qianhai: "2/3 of firms HK-invested" vs 3,306 of ≈100,000 registered in mid-2016
    qh = c[(c["printed"] == "2/3") & (c["geography"] == "QH")]
    assert len(qh) == 1
    assert qh["status"].iloc[0] == "conflicts"


def test_shipped_evidence_is_valid() -> None:
    ev = load()  # raises InputError listing every problem in the shipped files
    assert len(ev.records.claims) > 0
