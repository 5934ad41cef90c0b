"""Time slices, subgraphs and neighbourhoods of the chain graph."""

from __future__ import annotations

import pandas as pd
import pytest

from hkfactor.chain import as_of, build_graph, neighbourhood, subgraph
from hkfactor.errors import InputError


def test_time_slices_follow_the_papers_chronology(g) -> None:
    sizes = {y: (as_of(g, y).number_of_nodes(), as_of(g, y).number_of_edges()) for y in (1985, 1995, 2007, 2018)}
    # 2018 includes the Shenzhen–Hong Kong Stock Connect (event V026, 2016: HKEX ↔ SZSE)
    assert sizes == {1985: (7, 10), 1995: (11, 12), 2007: (25, 37), 2018: (38, 58)}
    s85, s95, s07, s18 = (set(as_of(g, y)) for y in (1985, 1995, 2007, 2018))
    # 1985: Hong Kong manufacturing relocated as 三来一补 / 三资 firms (the first in 1978-12);
    # Shenzhen electronics at Huaqiangbei.
    assert s85 == {"E-HK-MANUFACTURING", "E-SANLAI-YIBU", "E-SANZI", "E-SHENZHEN", "E-SZ-ELECTRONICS", "E-HUAQIANGBEI",
                   "E-SHANGWU-ELECTRIC"}
    # 1995: the northward move, Dongguan, and the first indigenous innovators.
    assert {"E-DONGGUAN", "E-HUAWEI", "E-ZTE"} <= s95
    # 2007: Virtual University Park (1999), Tencent's financing (2000) and IPO (2004), the Circle.
    assert {"E-SVUP", "E-HKUST", "E-TENCENT", "E-PCCW", "E-HKEX", "E-SZHK-INNO-CIRCLE"} <= s07
    assert "E-QIANHAI" not in s07 and "E-QIANHAI" in s18
    assert {"E-HETAO", "E-HSITP", "E-GSHM-CORRIDOR", "E-THREE-YEAR-PLAN", "E-SZSE"} <= s18 and "E-SZSE" not in s07
    assert s85 <= s95 | {"E-SANZI"}


def test_ended_relations_leave_later_slices(g) -> None:
    # The 1981–1994 relocation edge is gone in 1995; the 1995 northward move replaces it.
    keys95 = {k for *_, k in as_of(g, 1995).edges(keys=True)}
    keys85 = {k for *_, k in as_of(g, 1985).edges(keys=True)}
    relocation = [k for u, v, k, d in g.edges(keys=True, data=True)
                  if d["predicate"] == "relocated_to" and d["start"] == "1981"]
    assert relocation and relocation[0] in keys85 and relocation[0] not in keys95


def test_undated_elements_can_be_kept(g) -> None:
    assert as_of(g, 2018, undated="keep").number_of_nodes() == g.number_of_nodes()
    with pytest.raises(InputError, match="undated"):
        as_of(g, 2018, undated="maybe")  # type: ignore[arg-type]


def test_subgraph_filters(g) -> None:
    fin = subgraph(g, channel="finance")
    assert {"E-PCCW", "E-HKEX", "E-HSBC", "E-SZSE"} <= set(fin)
    assert all(d["channel"] == "finance" for _, d in fin.nodes(data=True))
    up = subgraph(g, stage="upstream")
    assert all(d["stage"] == "upstream" for _, d in up.nodes(data=True))
    assert "E-HKUST" in up and "E-DJI" not in up
    assert set(subgraph(g, stage="downstream")) >= {"E-WORLD-MARKET", "E-HONG-KONG", "E-PORT-LUOHU"}
    both = subgraph(g, channel="finance", year=2007)
    assert set(both) == {"E-PCCW", "E-HKEX", "E-CHTF"}
    with pytest.raises(InputError, match="valid: "):
        subgraph(g, stage="sidestream")


def test_neighbourhood_of_dji(g) -> None:
    assert set(neighbourhood(g, "大疆")) == {
        "E-BLUE-BAY", "E-DJI", "E-HONG-KONG", "E-ROBOMASTER", "E-SZ-DRONE-INDUSTRY", "E-WANG-TAO",
        "E-WORLD-DRONE-MARKET",
    }
    assert len(neighbourhood(g, "E-DJI", radius=0)) == 1


def test_build_graph_reports_every_broken_row() -> None:
    ents = pd.DataFrame(
        {"id": ["E-A", "E-A", "E-B"], "type": ["firm"] * 3, "name_zh": ["甲", "甲", "乙"], "name_en": ["A", "A", "B"],
         "side": ["SZ"] * 3, "channel": [""] * 3, "chain_stage": [""] * 3, "founded": [""] * 3,
         "source_ids": ["S-PAPER"] * 3, "locator": ["x"] * 3}
    )
    rels = pd.DataFrame(
        {"id": ["R1", "R2"], "subject": ["E-A", "E-X"], "predicate": ["founded", "founded"], "object": ["E-B", "E-Y"],
         "start": ["", ""], "end": ["", ""], "value": ["", ""], "unit": ["", ""], "source_ids": ["", "S-PAPER"],
         "locator": ["x", "y"]}
    )
    with pytest.raises(InputError) as err:
        build_graph(ents, rels)
    msgs = [(p.file, p.row, p.field) for p in err.value.problems]
    assert ("entities.csv", 3, "id") in msgs
    assert ("relations.csv", 2, "source_ids") in msgs
    assert ("relations.csv", 3, "subject") in msgs and ("relations.csv", 3, "object") in msgs


def test_from_evidence_equals_direct_read(g) -> None:
    from hkfactor.chain import from_evidence
    from hkfactor.evidence import load

    h = from_evidence(load())
    assert set(h.nodes) == set(g.nodes)
    assert {k for *_, k in h.edges(keys=True)} == {k for *_, k in g.edges(keys=True)}
    for n in g:
        assert h.nodes[n] == g.nodes[n]
