"""GraphML, GEXF and Cytoscape JSON: what is written is what networkx reads back."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from hkfactor.chain import EXPORTERS, as_of, read_graph, write_graph
from hkfactor.chain._export import _for_export
from hkfactor.errors import InputError, MethodNotFoundError

FORMATS = sorted(EXPORTERS)


def test_all_three_formats_are_registered() -> None:
    assert FORMATS == ["cyjs", "gexf", "graphml"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_round_trip_keeps_nodes_edges_and_attributes(g, tmp_path: Path, fmt: str, lang: str) -> None:
    p = write_graph(g, tmp_path / f"chain.{fmt}", fmt=fmt, lang=lang)
    back = read_graph(p, fmt=fmt)
    written = _for_export(g, lang)
    assert set(back.nodes) == set(written.nodes)
    assert sorted(back.edges(keys=True)) == sorted(written.edges(keys=True))
    for n, d in written.nodes(data=True):
        assert back.nodes[n] == d, n
    for u, v, k, d in written.edges(keys=True, data=True):
        assert back.edges[u, v, k] == d, k
    assert back.nodes["E-DJI"]["label"] == ("大疆" if lang == "zh" else "DJI")
    assert back.nodes["E-DJI"]["label_zh"] == "大疆"
    assert isinstance(back.nodes["E-SVUP"]["since"], int) and back.nodes["E-SVUP"]["since"] == 1999
    # Written atomically: nothing but the file itself is left in the folder.
    assert [x.name for x in tmp_path.iterdir()] == [f"chain.{fmt}"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_time_slice_exports_too(g, tmp_path: Path, fmt: str) -> None:
    h = as_of(g, 1995)
    back = read_graph(write_graph(h, tmp_path / f"s.{fmt}", fmt=fmt), fmt=fmt)
    assert (back.number_of_nodes(), back.number_of_edges()) == (11, 12)


def test_cytoscape_json_has_unique_edge_ids_and_utf8(g, tmp_path: Path) -> None:
    p = write_graph(g, tmp_path / "c.cyjs", fmt="cyjs", lang="zh")
    text = p.read_text(encoding="utf-8")
    assert "大疆" in text  # not \\u-escaped
    ids = [e["data"]["id"] for e in json.loads(text)["elements"]["edges"]]
    assert len(ids) == len(set(ids)) == g.number_of_edges()


def test_unknown_format_and_lang_and_missing_file(g, tmp_path: Path) -> None:
    with pytest.raises(MethodNotFoundError, match="valid: cyjs, gexf, graphml"):
        write_graph(g, tmp_path / "x", fmt="dot")
    with pytest.raises(InputError, match="lang"):
        write_graph(g, tmp_path / "x.graphml", fmt="graphml", lang="fr")
    with pytest.raises(InputError, match="file not found"):
        read_graph(tmp_path / "nope.graphml", fmt="graphml")


def test_edge_labels_are_bilingual_and_cover_every_predicate(g, tmp_path: Path) -> None:
    from hkfactor.chain import PREDICATE_LABELS

    assert {d["predicate"] for *_, d in g.edges(data=True)} <= set(PREDICATE_LABELS)
    back = read_graph(write_graph(g, tmp_path / "zh.graphml", fmt="graphml", lang="zh"), fmt="graphml")
    (d,) = back.get_edge_data("E-WANG-TAO", "E-DJI").values()
    assert (d["predicate"], d["label"]) == ("founded", "创立")


def test_unwritable_target_is_a_domain_error(g, tmp_path: Path) -> None:
    from hkfactor.chain import draw_chain

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InputError, match="cannot write"):
        write_graph(g, blocker / "chain.graphml", fmt="graphml")
    with pytest.raises(InputError, match="cannot create the folder"):
        draw_chain(g, blocker / "pictures")


@pytest.mark.needs_r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript is not installed")
def test_graphml_opens_in_r_igraph_and_sna_agrees(g, tmp_path: Path) -> None:
    """An R user reads the GraphML with igraph; sna::brokerage on it equals ours."""
    import numpy as np

    from hkfactor.chain import brokerage_of

    p = write_graph(g, tmp_path / "chain.graphml", fmt="graphml", lang="zh")
    proc = subprocess.run(
        ["Rscript", str(Path(__file__).parent / "reference" / "graphml_in_r.R"), str(p)],
        capture_output=True, text=True, encoding="utf-8", check=False,
    )
    if proc.returncode != 0 and "there is no package called" in proc.stderr:
        pytest.skip("R package igraph, sna or jsonlite is not installed")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert (out["n"], out["m"]) == (g.number_of_nodes(), g.number_of_edges())
    assert out["dji_label"] == "大疆"
    ours = brokerage_of(g, by="side")
    order = [ours.nodes.index(n) for n in out["ids"]]
    np.testing.assert_array_equal(np.array(out["raw"], dtype=float), ours.raw_nli[order])
    z = np.array([[float({"NaN": "nan"}.get(v, v)) if isinstance(v, str) else v for v in row] for row in out["z"]])
    np.testing.assert_allclose(z, ours.z_nli[order], rtol=1e-12, atol=1e-12, equal_nan=True)
