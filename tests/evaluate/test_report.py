"""The report writer on the SYNTHETIC example: never a half-written folder, the CSS inserted as is."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from hkfactor.evaluation import evaluate, read_data, read_framework
from hkfactor.report import evaluation as report
from hkfactor.report.evaluation import fmt_value, write_report

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
CSS = Path(report.__file__).parent / "templates" / "evaluation.css"


@pytest.fixture(scope="module")
def ev():
    fw = read_framework(EXAMPLES / "synthetic_pair.yaml")
    return evaluate(read_data(EXAMPLES / "synthetic_pair.csv", fw), fw)


def test_fmt_value_never_crashes_on_non_finite() -> None:
    assert fmt_value(math.inf) == "∞" and fmt_value(-math.inf) == "−∞" and fmt_value(math.nan) == "—"
    assert fmt_value(1e400) == "∞" and fmt_value(1234.0) == "1,234"


def test_failed_report_leaves_no_half_written_folder(ev, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_a, **_k):
        raise OverflowError("simulated failure while rendering")

    monkeypatch.setattr(report, "render_html", boom)
    out = tmp_path / "out"
    with pytest.raises(OverflowError):
        write_report(ev, out)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # the temporary sibling folder is gone too
    # an existing report is left as it was
    out.mkdir()
    (out / "report.html").write_text("old", encoding="utf-8")
    (out / "mine.txt").write_text("a file of the user's", encoding="utf-8")
    with pytest.raises(OverflowError):
        write_report(ev, out)
    assert (out / "report.html").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in out.iterdir()) == ["mine.txt", "report.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_report_is_complete_and_never_replaces_a_users_folder(ev, tmp_path: Path) -> None:
    from hkfactor.errors import InputError

    out = tmp_path / "out"
    files = write_report(ev, out, lang="en")
    assert files.html == out / "report.html" and files.html.is_file() and files.recipe.is_file()
    assert all(p.is_file() and out in p.parents for p in (*files.tables, *files.figures))
    write_report(ev, out, lang="zh")  # a report folder is replaced as one unit
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    # a folder holding the user's own files is never replaced: one clear error, nothing lost
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("a file of the user's", encoding="utf-8")
    with pytest.raises(InputError, match="did not write"):
        write_report(ev, mine, lang="en")
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "out"]


def test_css_is_inserted_unescaped(ev, tmp_path: Path) -> None:
    page = write_report(ev, tmp_path / "out").html.read_text(encoding="utf-8")
    css = CSS.read_text(encoding="utf-8")
    font = re.search(r"font-family:[^;]+;", css)
    assert font is not None and '"Noto Sans CJK SC"' in font.group(0)
    assert font.group(0) in page
    assert 'font-family:"Noto Sans CJK SC"' in page
    style = page[page.index("<style"):page.index("</style>")]
    assert "&#34;" not in style and "&quot;" not in style and "&gt;" not in style


def test_recipe_json_is_the_recipe_alone_and_versioned(ev, tmp_path: Path) -> None:
    import json
    from dataclasses import fields

    from hkfactor.evaluation import RECIPE_VERSION, EvaluationRecipe

    files = write_report(ev, tmp_path / "out", lang="en")
    doc = json.loads(files.recipe.read_text(encoding="utf-8"))
    assert doc["version"] == RECIPE_VERSION
    assert set(doc) == {"version"} | {f.name for f in fields(EvaluationRecipe)}
    assert EvaluationRecipe.read(files.recipe) == ev.recipe
    assert files.recipe.read_text(encoding="utf-8") == ev.recipe.to_json()


def test_decisions_are_in_the_appendix_in_both_languages(ev) -> None:
    import html

    page = report.render_html(ev, report._charts(ev, report._Names(ev)), lang="zh")
    appendix = html.unescape(re.sub(r"<[^>]+>", "", page[page.index('<section id="appendix">'):]))
    assert ev.decisions
    for d in ev.decisions:
        assert d.render("zh") in appendix and d.render("en") in appendix, d.code


def test_rendering_is_deterministic(ev, tmp_path: Path) -> None:
    charts = report._charts(ev, report._Names(ev))
    assert report.render_html(ev, charts, lang="en") == report.render_html(ev, charts, lang="en")
    a, _ = report.write_tables(ev, tmp_path / "a", excel=False)
    b, _ = report.write_tables(ev, tmp_path / "b", excel=False)
    assert [p.name for p in a] == [p.name for p in b] and all(
        p.read_bytes() == q.read_bytes() for p, q in zip(a, b, strict=True))


def test_workbook_sheets_are_named_in_both_languages(ev, tmp_path: Path) -> None:
    import openpyxl

    from hkfactor.evaluation import TABLES

    _paths, xlsx = report.write_tables(ev, tmp_path / "t")
    assert xlsx is not None
    names = openpyxl.load_workbook(xlsx, read_only=True).sheetnames
    tables = ev.tables()
    assert names == [report.sheet_name(k) for k in tables]
    assert len(set(names)) == len(names) and all(len(n) <= 31 for n in names)
    for key in tables:
        zh, en = TABLES[key]
        assert report.sheet_name(key) == f"{zh} {en}"[:31]
    assert "权重 Weights" in names and "标准化矩阵 Standardised" in names and "耦合协调 Coupling" in names


def test_names_and_sources_are_escaped(tmp_path: Path) -> None:
    """SYNTHETIC: a framework whose names carry markup, and a source whose address is not a web link."""
    from hkfactor.evaluation import EvaluationRecipe, framework_from_dict

    evil = '<script>alert("x")</script> & co'
    fw = framework_from_dict({"name_en": evil, "name_zh": evil, "subsystems": [{
        "id": "S", "name_en": f"S {evil}", "name_zh": "子系统", "indicators": [
            {"series": f"x{k}", "name_en": f"x{k} {evil}", "name_zh": f"指标{k}", "direction": "+"} for k in range(3)]}]},
        file="evil.yaml")
    rows = ["year,series,value,source,source_url"]
    rows += [f"{y},x{k},{(y - 2000) * (k + 1) + (y % 3) * k},<b>bold</b> source,javascript:alert(1)"
             for y in range(2001, 2007) for k in range(3)]
    (tmp_path / "d.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    ev = evaluate(read_data(tmp_path / "d.csv", fw), fw, recipe=EvaluationRecipe(robustness=False))
    page = write_report(ev, tmp_path / "out", lang="en").html.read_text(encoding="utf-8")
    assert "<script" not in page and "<b>bold" not in page
    assert "&lt;script&gt;" in page and "&lt;b&gt;bold&lt;/b&gt; source" in page
    assert 'href="javascript:' not in page and "(javascript:alert(1))" in page
    for svg in (tmp_path / "out" / "figures").glob("*.svg"):
        assert "<script" not in svg.read_text(encoding="utf-8"), svg.name
