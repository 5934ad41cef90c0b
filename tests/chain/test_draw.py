"""The chain picture: deterministic layout, bilingual labels, a CJK font or a clear error.

Snapshot: ``reference/chain_svg_snapshot.json`` holds, for every node, its two label lines
(zh, en) and the SVG position of its label, read from ``chain.svg``. Regenerate it with
``HKFACTOR_UPDATE_SNAPSHOTS=1 pytest tests/chain/test_draw.py`` after a deliberate change.
The x positions are exact; y positions are compared within 2 pt because vertical centring
uses the installed font's metrics.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hkfactor.chain import MissingFontError, as_of, chain_layout, draw_chain, find_cjk_font

SNAPSHOT = Path(__file__).parent / "reference" / "chain_svg_snapshot.json"
SVG_NS = "{http://www.w3.org/2000/svg}"

try:
    find_cjk_font()
    HAVE_CJK = True
except MissingFontError:
    HAVE_CJK = False
needs_cjk = pytest.mark.skipif(not HAVE_CJK, reason="no CJK font installed (fonts-noto-cjk)")


def _svg_labels(svg: Path) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for grp in ET.parse(svg).getroot().iter(f"{SVG_NS}g"):
        gid = grp.get("id", "")
        if not gid.startswith("label-"):
            continue
        texts = list(grp.iter(f"{SVG_NS}text"))
        m = re.match(r"translate\(([-\d.]+) ([-\d.]+)\)", texts[0].get("transform", ""))
        assert m, gid
        out[gid[len("label-"):]] = {
            "zh": texts[0].text,
            "en": texts[1].text,
            "x": round(float(m.group(1)), 2),
            "y": round(float(m.group(2)), 2),
        }
    return out


def test_layout_is_a_deterministic_grid(g) -> None:
    a, b = chain_layout(g), chain_layout(g)
    assert a == b
    assert a.columns == ("upstream", "midstream", "downstream")  # every node has a stage
    assert a.rows == ("HK", "CROSS", "SZ", "MAINLAND", "WORLD")
    # Columns follow the stage, rows the side.
    xs = {s: [a.positions[n][0] for n, d in g.nodes(data=True) if d["stage"] == s] for s in a.columns}
    assert max(xs["upstream"]) < min(xs["midstream"]) and max(xs["midstream"]) < min(xs["downstream"])
    ys = {s: [a.positions[n][1] for n, d in g.nodes(data=True) if d["side"] == s] for s in a.rows}
    assert max(ys["HK"]) < min(ys["CROSS"]) < min(ys["SZ"]) and max(ys["SZ"]) < min(ys["WORLD"])
    assert len(set(a.positions.values())) == g.number_of_nodes()  # no two nodes on one spot


@needs_cjk
def test_svg_snapshot_and_png_render(g, tmp_path: Path) -> None:
    out = draw_chain(g, tmp_path)
    labels = _svg_labels(out["svg"])
    assert set(labels) == set(g.nodes)
    for n, rec in labels.items():
        assert (rec["zh"], rec["en"]) == (g.nodes[n]["label_zh"], g.nodes[n]["label_en"])
    if os.environ.get("HKFACTOR_UPDATE_SNAPSHOTS") or not SNAPSHOT.exists():
        SNAPSHOT.write_text(json.dumps(labels, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    snap = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert set(snap) == set(labels)
    for n, rec in snap.items():
        got = labels[n]
        assert (got["zh"], got["en"]) == (rec["zh"], rec["en"]), n
        assert got["x"] == pytest.approx(rec["x"], abs=0.01), n
        assert got["y"] == pytest.approx(rec["y"], abs=2.0), n
    svg = out["svg"].read_text(encoding="utf-8")
    assert "<dc:date>" not in svg  # no timestamp in the metadata
    assert "Noto Sans CJK" in svg
    from PIL import Image

    with Image.open(out["png"]) as im:
        im.load()
        assert im.format == "PNG" and im.size[0] > 1000 and im.size[1] > 1000
        lo, hi = im.convert("L").getextrema()
        assert lo < 100 and hi == 255  # dark ink on a white page


@needs_cjk
def test_rendering_twice_gives_identical_svg(g, tmp_path: Path) -> None:
    a = draw_chain(g, tmp_path / "a", formats=("svg",))["svg"].read_bytes()
    b = draw_chain(g, tmp_path / "b", formats=("svg",))["svg"].read_bytes()
    assert a == b


@needs_cjk
def test_a_slice_draws(g, tmp_path: Path) -> None:
    out = draw_chain(as_of(g, 1985), tmp_path, formats=("svg",))
    assert set(_svg_labels(out["svg"])) == set(as_of(g, 1985))


def test_missing_cjk_font_is_a_clear_error(g, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib import font_manager

    monkeypatch.setattr(font_manager.fontManager, "ttflist", [])
    with pytest.raises(MissingFontError, match="fonts-noto-cjk"):
        draw_chain(g, tmp_path)
    assert not list(tmp_path.iterdir())
