"""``hkfactor chain …`` run as a real command in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

pytestmark = pytest.mark.slow


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hkfactor", "chain", *args],
        capture_output=True, text=True, encoding="utf-8", check=False, env={**os.environ, "COLUMNS": "200"},
    )


def test_path_json_cites_every_hop() -> None:
    r = run("path", "HKUST", "DJI", "--via", "李泽湘", "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["nodes"] == ["E-HKUST", "E-LI-ZEXIANG", "E-WANG-TAO", "E-DJI"]
    assert all(h["source_ids"] and h["locator"] for h in out["hops"])
    assert [h["direction"] for h in out["hops"]] == ["backward", "forward", "forward"]


def test_path_table_in_chinese_and_english() -> None:
    zh = run("path", "E-PCCW", "E-TENCENT", "--lang", "zh")
    assert zh.returncode == 0 and "香港盈科数码" in zh.stdout and "腾讯" in zh.stdout
    en = run("path", "E-PCCW", "E-TENCENT", "--lang", "en")
    assert en.returncode == 0 and "Tencent" in en.stdout and "Path" in en.stdout


def test_unknown_node_is_a_message_and_exit_2() -> None:
    r = run("path", "Atlantis", "DJI")
    assert r.returncode == 2
    assert "no node matches 'Atlantis'" in r.stderr and "Traceback" not in r.stderr


def test_subgraph_by_stage_and_year() -> None:
    r = run("subgraph", "--year", "1985", "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out["n_nodes"], out["n_edges"]) == (7, 10)
    r = run("subgraph", "--stage", "downstream", "--format", "csv")
    assert r.returncode == 0 and "E-WORLD-MARKET" in r.stdout
    bad = run("subgraph", "--stage", "sideways")
    assert bad.returncode == 2 and "valid:" in bad.stderr


def test_measures_csv_has_degree_betweenness_and_brokerage() -> None:
    r = run("measures", "--format", "csv")
    assert r.returncode == 0, r.stderr
    header = r.stdout.splitlines()[0].split(",")
    for col in ("in_degree", "out_degree", "betweenness", "w_I", "w_O", "b_IO", "b_OI", "b_O", "t", "b_O_exp", "b_O_z"):
        assert col in header
    assert r.stdout.splitlines()[1].startswith("E-SHENZHEN,")
    t = run("measures", "--lang", "en", "--top", "3")
    assert t.returncode == 0 and "liaison" in t.stdout


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cyjs"])
def test_export_writes_a_readable_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"chain.{fmt}"
    r = run("export", "--format", fmt, "--out", str(out), "--lang", "en")
    assert r.returncode == 0, r.stderr
    if fmt == "graphml":
        g = nx.read_graphml(out)
        assert g.number_of_nodes() == 104 and g.nodes["E-DJI"]["label"] == "DJI"
    else:
        assert out.stat().st_size > 10_000


def test_draw_writes_png_and_svg(tmp_path: Path) -> None:
    r = run("draw", "--out", str(tmp_path), "--year", "2007")
    if r.returncode == 2 and "CJK" in r.stderr:
        pytest.skip("no CJK font")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chain.png", "chain.svg"]


def test_super_connector_json() -> None:
    r = run("super-connector", "--year", "2004", "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["recorded"]["b_O"]["observed"] == 2.0
    assert out["with_direct_ties"]["b_O"]["observed"] == 0.0 and out["with_direct_ties"]["b_O"]["z"] is None


def test_super_connector_series_csv() -> None:
    r = run("super-connector", "--format", "csv")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("year,entrepot_share")
    assert [ln.split(",")[0] for ln in lines[1:]] == ["1997", "2000", "2001", "2002", "2004", "2005", "2006", "2009", "2010", "2011"]


def test_neighbours_lists_relations_with_sources() -> None:
    r = run("neighbours", "大疆", "--format", "json", "--lang", "en")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert {x["relation"] for x in rows} >= {"R006", "R009"}  # founded by Wang Tao; incubated in Blue Bay
    assert all(x["source_ids"] and x["locator"] for x in rows)


def test_keep_undated_widens_a_time_slice() -> None:
    narrow = json.loads(run("subgraph", "--year", "1985", "--format", "json").stdout)
    wide = json.loads(run("subgraph", "--year", "1985", "--keep-undated", "--format", "json").stdout)
    assert wide["n_nodes"] > narrow["n_nodes"]


def test_data_option_goes_through_the_validating_loader() -> None:
    data = Path(__file__).resolve().parents[2] / "src" / "hkfactor" / "evidence" / "data"
    r = run("subgraph", "--data", str(data), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["n_nodes"] == 104


def test_slice_filters_take_any_case_and_labels() -> None:
    ids = [n["id"] for n in json.loads(run("subgraph", "--side", "HK", "--format", "json").stdout)["nodes"]]
    assert ids
    for side in ("hk", "香港", "Hong Kong"):
        r = run("subgraph", "--side", side, "--format", "json")
        assert r.returncode == 0, r.stderr
        assert [n["id"] for n in json.loads(r.stdout)["nodes"]] == ids
    r = run("subgraph", "--channel", "金融", "--stage", "上游", "--format", "csv")
    assert r.returncode == 0 and "E-BEA" in r.stdout


def test_subgraph_and_measures_tables_are_translated() -> None:
    zh = run("subgraph", "--side", "hk", "--stage", "upstream")
    assert zh.returncode == 0, zh.stderr
    assert "│ 香港 " in zh.stdout and "上游" in zh.stdout and "科研与人才" in zh.stdout and "高校" in zh.stdout
    assert "research_talent" not in zh.stdout and "university" not in zh.stdout
    en = run("subgraph", "--side", "hk", "--stage", "upstream", "--lang", "en")
    assert "Hong Kong" in en.stdout and "research & talent" in en.stdout
    m = run("measures", "--top", "5")
    assert m.returncode == 0, m.stderr
    assert "按归属一方分组" in m.stdout and "按 side" not in m.stdout and "│ 深圳 " in m.stdout
    assert "按链环节分组" in run("measures", "--by", "Stage", "--top", "3").stdout


def test_measures_by_an_unknown_attribute_lists_the_valid_ones() -> None:
    r = run("measures", "--by", "foo")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "valid: side, stage, channel, type" in r.stderr


def test_draw_of_an_empty_slice_is_an_error_not_an_empty_picture(tmp_path: Path) -> None:
    r = run("draw", "--year", "1970", "--out", str(tmp_path / "pic"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "no nodes" in r.stderr
    assert not (tmp_path / "pic" / "chain.png").exists()


def test_help_says_the_picture_is_bilingual() -> None:
    r = run("draw", "--help")
    assert "bilingual" in " ".join(r.stdout.split()) and "terminal messages" in " ".join(r.stdout.split())
