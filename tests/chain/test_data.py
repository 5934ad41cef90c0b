"""The chain evidence (entities, relations, events) encodes the paper's cases, with sources.

Every locator must be a verbatim snippet of the paper (≤ 30 characters) when the paper is
among its sources; every relation cites at least one source; every source id exists.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hkfactor.chain import SIDES, STAGES

DATA = Path(__file__).resolve().parents[2] / "src" / "hkfactor" / "evidence" / "data"


def _source_ids() -> set[str]:
    ids: set[str] = set()
    for p in sorted((DATA / "sources").glob("*.csv")):
        ids |= set(pd.read_csv(p, dtype=str, keep_default_na=False)["id"])
    return ids


@pytest.mark.parametrize("table", ["entities", "relations", "events"])
def test_every_row_cites_existing_sources_with_a_short_locator(tables, table) -> None:
    df = dict(zip(("entities", "relations", "events"), tables, strict=True))[table]
    known = _source_ids()
    assert "S-PAPER" in known, "sources/paper.csv must define S-PAPER"
    bad = []
    for r in df.itertuples():
        ids = [x for x in str(r.source_ids).split(";") if x]
        if not ids or any(x not in known for x in ids):
            bad.append((r.id, r.source_ids))
        if not r.locator or len(str(r.locator)) > 30:
            bad.append((r.id, r.locator))
    assert not bad, bad


@pytest.mark.parametrize("table", ["entities", "relations", "events"])
def test_locators_are_verbatim_in_the_paper(tables, paper, table) -> None:
    df = dict(zip(("entities", "relations", "events"), tables, strict=True))[table]
    missing = [(r.id, r.locator) for r in df.itertuples() if "S-PAPER" in str(r.source_ids) and r.locator not in paper]
    assert not missing, missing


def test_every_node_is_typed_and_placed(g) -> None:
    for n, d in g.nodes(data=True):
        assert d["type"], n
        assert d["channel"], n
        assert d["side"] in SIDES, (n, d["side"])
        assert d["stage"] in STAGES, (n, d["stage"])  # §7: upstream / midstream / downstream
        assert d["label_zh"] and d["label_en"], n


def test_counts(g) -> None:
    # Pinned so that a lost or duplicated row is noticed; update with the data.
    assert (g.number_of_nodes(), g.number_of_edges()) == (104, 164)


def test_six_hk_universities_joined_the_virtual_university_park(g) -> None:
    joined = {u for u, v, d in g.in_edges("E-SVUP", data=True) if d["predicate"] == "joined"}
    assert joined == {"E-HKUST", "E-HKBU", "E-CITYU", "E-POLYU", "E-CUHK", "E-HKU"}
    assert all(g.nodes[u]["type"] == "university" and g.nodes[u]["side"] == "HK" for u in joined)


def test_table1_dream_hub_founders_firms_and_financing_as_printed(g) -> None:
    # Table 1 of the paper: (founder(s), university or None for "港青", firm, 获得融资 in 万元).
    table1 = [
        (("苏孝宇", "张健钢"), "香港科技大学", "音科技术有限公司", "457"),
        (("李德豪",), "香港大学", "云端容灾信息技术公司", "258"),
        (("张龙华",), "香港中文大学", "秀妙科技发展有限公司", "1 000"),
        (("郭伟强",), "香港中文大学", "前海随身宝科技有限公司", "1 200"),
        (("岑棓琛",), "香港中文大学", "视野机器人有限公司", "3 000"),
        (("陈升",), None, "前海学学科技有限公司", "5 000"),
    ]
    by_zh = {d["label_zh"]: n for n, d in g.nodes(data=True)}
    for founders, uni, firm, money in table1:
        f = by_zh[firm]
        hub = [d for _, v, d in g.out_edges(f, data=True) if v == "E-DREAM-HUB" and d["predicate"] == "incubated_in"]
        assert len(hub) == 1 and hub[0]["value"] == money and hub[0]["unit"] == "万元", firm
        for person in founders:
            p = by_zh[person]
            assert g.has_edge(p, f), (person, firm)
            unis = [v for _, v, d in g.out_edges(p, data=True) if d["predicate"] == "studied_at"]
            assert unis == ([by_zh[uni]] if uni else []), person


def test_table2_drone_materials_supplied_by_industries_since_sanlai_yibu(g) -> None:
    table2 = {
        "碳纤维材料": "网球拍、高尔夫球杆、钓鱼杆等碳纤维加工",
        "铝合金": "手机外壳制造",
        "特种塑料": "小家电",
        "电池、电驱、电控技术": "伺服电机、磁性材料",
    }
    by_zh = {d["label_zh"]: n for n, d in g.nodes(data=True)}
    for material, industry in table2.items():
        m, i = by_zh[material], by_zh[industry]
        assert any(d["predicate"] == "supplies" for d in g.get_edge_data(i, m).values())
        assert g.has_edge(m, "E-SZ-DRONE-INDUSTRY")
        assert g.has_edge("E-SANLAI-YIBU", i)


def test_case_amounts_on_edges_as_printed(g) -> None:
    def edge(u: str, v: str) -> dict:
        (d,) = g.get_edge_data(u, v).values()
        return d

    assert (edge("E-PCCW", "E-TENCENT")["value"], edge("E-PCCW", "E-TENCENT")["unit"]) == ("110", "万美金")
    assert edge("E-PCCW", "E-TENCENT")["start"] == "2000"
    assert (edge("E-TENCENT", "E-HKEX")["value"], edge("E-TENCENT", "E-HKEX")["start"]) == ("1.99", "2004")
    assert (edge("E-DJI", "E-WORLD-DRONE-MARKET")["value"], edge("E-DJI", "E-WORLD-DRONE-MARKET")["unit"]) == ("70", "%")
    assert edge("E-SZ-DRONE-INDUSTRY", "E-SZ-INNOVATION-INDUSTRY")["value"] == "360"


def test_chronology_has_the_papers_dates(tables) -> None:
    events = tables[2]
    dates = set(events["date"])
    for d in ("1978-12", "1979", "1981", "1981/1994", "1985", "1995", "1999", "2000", "2004", "2007", "2008", "2009/2011", "2010", "2014-12",
              "2017", "2018"):
        assert d in dates, d


def test_finance_trade_and_electronics_actors_present(g) -> None:
    for n in ("E-HSBC", "E-SCB", "E-PINGAN-SEC", "E-BEA", "E-HANG-SENG", "E-HKEX", "E-SZSE", "E-CHTF",
              "E-PORT-LUOHU", "E-PORT-HUANGGANG", "E-PORT-FUTIAN", "E-PORT-SZ-BAY",
              "E-AVIC", "E-CEC", "E-SEG", "E-HUAQIANG", "E-HUAQIANGBEI", "E-DUPONT-PROJECT"):
        assert n in g, n
