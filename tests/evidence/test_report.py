"""The audit page: self-contained, bilingual, deterministic (byte-identical renders)."""

from __future__ import annotations

import copy
import re
from pathlib import Path

from evidence._synthetic import SYNTHETIC, write_evidence
from hkfactor.evidence import load
from hkfactor.report.audit import render_audit_html, write_audit


def test_renders_are_byte_identical(syn_dir: Path, tmp_path: Path) -> None:
    a = render_audit_html(load(syn_dir))
    b = render_audit_html(load(syn_dir))  # a fresh load, a fresh audit
    assert a == b
    f1 = write_audit(load(syn_dir), tmp_path / "one")
    f2 = write_audit(load(syn_dir), tmp_path / "two")
    assert f1.html.read_bytes() == f2.html.read_bytes()
    assert f1.csv.read_bytes() == f2.csv.read_bytes()


def test_page_is_self_contained_and_has_no_timestamp(syn_dir: Path) -> None:
    html = render_audit_html(load(syn_dir))
    assert "<script" not in html
    assert "<link" not in html
    assert not re.search(r"""\ssrc=["']""", html)
    assert not re.search(r"url\(", html)  # no external CSS resource
    assert not re.search(r"\d{2}:\d{2}:\d{2}", html)  # no run time
    assert "<style>" in html


def test_page_content_in_both_languages(syn_dir: Path) -> None:
    ev = load(syn_dir)
    html = render_audit_html(ev)
    for c in ev.records.claims:
        assert f'id="claim-{c.id}"' in html
        assert f"<q class=\"loc\">{c.locator}</q>" in html
    # summary counts by status, in both languages
    assert re.search(r"与独立来源冲突 · conflicts</span></td><td class=\"num\">2<", html)
    assert re.search(r"未核实 · unverified</span></td><td class=\"num\">4<", html)
    assert "按渠道" in html and "By channel" in html
    assert "贸易" in html and "research &amp; talent" in html
    # every claim's sources are linked; the corroborating source shows its URL
    assert '<a href="#src-S-PAPER">S-PAPER</a>' in html
    assert 'id="src-S-SYN-CUSTOMS"' in html
    assert '<a href="https://example.org/customs">https://example.org/customs</a>' in html
    # detail in both languages, fixed float formats
    assert "conflicts with" in html and "冲突" in html
    assert "-14.46%" in html  # (600 − 701.4) / 701.4, two decimals
    assert "<code>cagr(C001, C002, 21)</code>" in html


def test_text_is_escaped(tmp_path: Path) -> None:
    data = copy.deepcopy(SYNTHETIC)
    data["claims.csv"][0]["measure_en"] = "<b>trade</b> & more"
    html = render_audit_html(load(write_evidence(tmp_path, data)))
    assert "<b>trade</b>" not in html
    assert "&lt;b&gt;trade&lt;/b&gt; &amp; more" in html


def test_builtin_page_renders_deterministically() -> None:
    assert render_audit_html(load()) == render_audit_html(load())


def test_printed_column_is_verbatim_and_rank_bounds_read_as_ranks() -> None:
    html = render_audit_html(load())
    row = html[html.index('id="claim-C010"'):]
    row = row[: row.index("</tr>")]
    assert '<td class="num">前20</td>' in row  # exactly as printed in the paper ("排名前20")
    assert "前20名以内" in row and "≤ #20" in row
    assert "不到" not in row
