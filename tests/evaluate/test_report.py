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


def test_report_is_complete_and_keeps_other_files(ev, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("a file of the user's", encoding="utf-8")
    files = write_report(ev, out, lang="en")
    assert files.html == out / "report.html" and files.html.is_file() and files.recipe.is_file()
    assert all(p.is_file() and out in p.parents for p in (*files.tables, *files.figures))
    assert (out / "mine.txt").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_css_is_inserted_unescaped(ev, tmp_path: Path) -> None:
    page = write_report(ev, tmp_path / "out").html.read_text(encoding="utf-8")
    css = CSS.read_text(encoding="utf-8")
    font = re.search(r"font-family:[^;]+;", css)
    assert font is not None and '"Noto Sans CJK SC"' in font.group(0)
    assert font.group(0) in page
    assert 'font-family:"Noto Sans CJK SC"' in page
    style = page[page.index("<style"):page.index("</style>")]
    assert "&#34;" not in style and "&quot;" not in style and "&gt;" not in style
