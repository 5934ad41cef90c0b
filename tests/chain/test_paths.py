"""Every case of the paper is reachable by a path query whose every hop cites a source."""

from __future__ import annotations

import pytest

from hkfactor.chain import path
from hkfactor.errors import InputError

# (from, to, via) — the paper's cases as chains of actors.
CASES = [
    ("E-HKUST", "E-GOOGOL", ("E-LI-ZEXIANG",)),                       # HKUST → Li Zexiang → Googol
    ("E-HKUST", "E-DJI", ("E-LI-ZEXIANG", "E-WANG-TAO")),             # → supervised Wang Tao → DJI
    ("E-WANG-TAO", "E-HKUST", ()),                                    # Wang Tao studied at HKUST
    ("E-HKUST", "E-DJI", ("E-BLUE-BAY",)),                            # DJI incubated in HKUST's Blue Bay
    ("E-BLUE-BAY", "E-SVUP", ()),                                     # … inside the Virtual University Park
    ("E-DJI", "E-SZ-DRONE-INDUSTRY", ()),                             # → the 360+ Shenzhen drone firms
    ("E-DJI", "E-WORLD-DRONE-MARKET", ()),                            # → 70% of the world market
    ("E-DJI", "E-ROBOMASTER", ()),
    ("E-PCCW", "E-TENCENT", ()),                                      # PCCW financed Tencent, 2000
    ("E-CHTF", "E-TENCENT", ("E-PCCW",)),                             # … at the Hi-Tech Fair
    ("E-TENCENT", "E-HKEX", ()),                                      # HK IPO 2004
    *[(u, "E-SVUP", ()) for u in ("E-HKUST", "E-HKBU", "E-CITYU", "E-POLYU", "E-CUHK", "E-HKU")],
    ("E-CUHK", "E-SIAT", ()),                                         # CUHK co-built SIAT
    ("E-CUHK-PROFESSORS", "E-SIAT", ()),                              # 30+ professors joined
    *[("E-SIAT", u, ()) for u in ("E-HKU", "E-POLYU", "E-HKUST")],    # partners
    ("E-SIAT", "E-SIAT-FIRM-LABS", ()),                               # labs with firms
    *[("E-SIAT", f, ()) for f in ("E-TENCENT", "E-HUAWEI", "E-MIDEA", "E-ZTE")],
    ("E-HKUST", "E-SZHK-IUR-BASE", ()),                               # 深港产学研基地 and its 4 labs
    *[("E-HKUST", lab, ("E-SZHK-IUR-BASE",)) for lab in (
        "E-LAB-INTELLIGENT-MEDIA", "E-LAB-MOTION-CONTROL", "E-LAB-COASTAL-ATMOSPHERE", "E-LAB-ENV-MATERIALS")],
    *[(p, "E-DREAM-HUB", (f,)) for p, f in (                           # Table 1
        ("E-SU-XIAOYU", "E-FIRM-YINKE"), ("E-ZHANG-JIANGANG", "E-FIRM-YINKE"), ("E-LI-DEHAO", "E-FIRM-CLOUD-DR"),
        ("E-ZHANG-LONGHUA", "E-FIRM-XIUMIAO"), ("E-GUO-WEIQIANG", "E-FIRM-SUISHENBAO"),
        ("E-CEN-BEICHEN", "E-FIRM-SHIYE-ROBOT"), ("E-CHEN-SHENG", "E-FIRM-XUEXUE"))],
    *[(i, "E-SZ-DRONE-INDUSTRY", (m,)) for i, m in (                   # Table 2
        ("E-IND-CARBON-FIBRE", "E-MAT-CARBON-FIBRE"), ("E-IND-PHONE-CASE", "E-MAT-ALUMINIUM"),
        ("E-IND-SMALL-APPLIANCES", "E-MAT-SPECIAL-PLASTIC"), ("E-IND-SERVO-MAGNETIC", "E-MAT-BATTERY-DRIVE"))],
    ("E-HK-MANUFACTURING", "E-SHENZHEN", ()),                         # relocation 1981–1994, 1995
    ("E-HK-MANUFACTURING", "E-SZ-ELECTRONICS", ("E-SANLAI-YIBU",)),   # 三来一补 → electronics
    ("E-HK-MANUFACTURING", "E-DONGGUAN", ()),
    ("E-HK-MANUFACTURING", "E-SANLAI-YIBU", ("E-SHANGWU-ELECTRIC",)),  # the first 三来一补 firm, 1978-12
    *[(f, "E-HUAQIANGBEI", ()) for f in ("E-AVIC", "E-CEC", "E-SEG", "E-HUAQIANG")],
    *[(f, "E-QIANHAI", ()) for f in ("E-BEA", "E-HSBC", "E-HANG-SENG")],
    ("E-HSBC", "E-SHENZHEN", ()), ("E-SCB", "E-SHENZHEN", ()), ("E-HK-FIN-MARKET", "E-PINGAN-SEC", ()),
    ("E-HK-FIN-MARKET", "E-SZSE", ()),
    ("E-CORE-COMPONENTS", "E-WORLD-MARKET", ("E-HONG-KONG", "E-SZ-INNOVATION-INDUSTRY")),  # super-connector
    *[("E-HK-PORT", p, ()) for p in ("E-PORT-LUOHU", "E-PORT-HUANGGANG", "E-PORT-FUTIAN", "E-PORT-SZ-BAY")],
    *[("E-HONG-KONG", p, ()) for p in (
        "E-SZHK-INNO-CIRCLE", "E-HETAO", "E-QIANHAI", "E-DREAM-HUB", "E-HSITP", "E-GSHM-CORRIDOR")],
    ("E-THREE-YEAR-PLAN", "E-SZHK-INNO-CIRCLE", ()),
    ("E-DUPONT", "E-DUPONT-PLANT-SZ", ("E-DUPONT-RD-HK",)),           # DuPont: R&D in HK, plant in SZ
]


@pytest.mark.parametrize(("a", "b", "via"), CASES, ids=lambda x: x if isinstance(x, str) else "-".join(x))
def test_case_is_reachable_and_every_hop_cites_a_source(g, a, b, via) -> None:
    p = path(g, a, b, via=via)
    assert p.nodes[0] == a and p.nodes[-1] == b
    for w in via:
        assert w in p.nodes
    assert p.hops, "a path of at least one hop"
    assert p.cites_every_hop()
    for h in p.hops:
        assert "S-PAPER" in h.source_ids or any(s.startswith("S-") for s in h.source_ids)
        assert 0 < len(h.locator) <= 30


def test_hkust_reaches_dji_through_the_professor_and_his_student(g) -> None:
    p = path(g, "香港科技大学", "大疆", via=["李泽湘"])
    assert p.nodes == ("E-HKUST", "E-LI-ZEXIANG", "E-WANG-TAO", "E-DJI")
    assert [(h.subject, h.predicate, h.object, h.forward) for h in p.hops] == [
        ("E-LI-ZEXIANG", "member_of", "E-HKUST", False),
        ("E-LI-ZEXIANG", "supervised", "E-WANG-TAO", True),
        ("E-WANG-TAO", "founded", "E-DJI", True),
    ]
    assert p.hops[1].locator == "在李教授的指导下，其学生汪滔创立了"


def test_shortest_path_is_deterministic(g) -> None:
    assert path(g, "HKUST", "DJI").nodes == ("E-HKUST", "E-BLUE-BAY", "E-DJI")


def test_directed_path_follows_relations_forward(g) -> None:
    p = path(g, "E-PCCW", "E-HKEX", directed=True)
    assert all(h.forward for h in p.hops)
    with pytest.raises(InputError, match="no directed path"):
        path(g, "E-DJI", "E-LI-ZEXIANG", directed=True)


def test_unknown_and_ambiguous_names_are_domain_errors(g) -> None:
    with pytest.raises(InputError, match="no node matches"):
        path(g, "nowhere", "DJI")
    with pytest.raises(InputError, match="ambiguous"):
        path(g, "大学", "DJI")
