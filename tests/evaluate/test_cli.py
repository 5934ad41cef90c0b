"""``hkfactor evaluate`` end to end: the real command in a subprocess.

The key numbers of the report are checked against values recomputed here, independently,
from the tables the command wrote (``_oracle``: own formulas, no hkfactor import).
"""

from __future__ import annotations

import html as htmlmod
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from . import _oracle

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
#: the built-in framework's partner and focal (reference) subsystems
BUILTIN = ("partner_factor", "innovation_output")
TABLES = ("raw", "indicators", "coupling", "grey", "scores", "filled", "decisions", "coverage", "sources")

pytestmark = pytest.mark.slow


def _tables(out: Path) -> dict[str, pd.DataFrame]:
    return {t: pd.read_csv(out / "tables" / f"{t}.csv", encoding="utf-8-sig", keep_default_na=False,
                           na_values=[""]) for t in TABLES}


def _row_cells(page: str, row_id: str) -> list[str]:
    m = re.search(rf'<tr id="{re.escape(row_id)}"[^>]*>(.*?)</tr>', page, re.S)
    assert m, f"row {row_id} not in the report"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", m.group(1), re.S)
    return [htmlmod.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]


def _table_rows(page: str, table_id: str) -> list[str]:
    """The raw HTML of every body row of the report table whose heading has ``id=table_id``."""
    start = page.index(f'id="{table_id}"')
    body = page[page.index("<tbody>", start):page.index("</tbody>", start)]
    return re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)


def _text(cell_html: str) -> str:
    return htmlmod.unescape(re.sub(r"<[^>]+>", "", cell_html)).strip()


@pytest.fixture(scope="module")
def builtin_run(tmp_path_factory: pytest.TempPathFactory):
    import os
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("builtin") / "out"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "hkfactor", "evaluate", "--out", str(out), "--lang", "en"],
                          capture_output=True, text=True, encoding="utf-8", env=env, timeout=300)
    return proc, out


def test_builtin_run_writes_everything(builtin_run) -> None:
    proc, out = builtin_run
    assert proc.returncode == 0, proc.stderr
    assert "Coupling coordination D in" in proc.stdout
    # the figures are the report's own deterministic SVG, one file per language (no PNG any more)
    for name in ("report.html", "recipe.json", "tables/evaluation.xlsx", "tables/coupling.csv",
                 "figures/indices.zh.svg", "figures/indices.en.svg", "figures/coverage.zh.svg",
                 "figures/coverage.en.svg", "figures/trend-similarity.en.svg"):
        assert (out / name).is_file(), name
    assert not list((out / "figures").glob("*.png"))


def test_builtin_key_numbers_recomputed_independently(builtin_run) -> None:
    proc, out = builtin_run
    assert proc.returncode == 0, proc.stderr
    t = _tables(out)
    ref = _oracle.recompute(t, subsystems=BUILTIN)
    cp = t["coupling"]
    np.testing.assert_allclose(cp["year"], ref["years"])
    for key, col in (("U_hk", f"U_{BUILTIN[0]}"), ("U_sz", f"U_{BUILTIN[1]}"), ("C", "C"), ("T", "T"), ("D", "D")):
        np.testing.assert_allclose(cp[col].to_numpy(), ref[key], rtol=1e-7, atol=1e-9, err_msg=key)
    page = (out / "report.html").read_text(encoding="utf-8")
    # D of the last year and of a middle year, as printed in the report
    for year, d in ((int(cp["year"].iloc[-1]), ref["D"][-1]), (int(cp["year"].iloc[len(cp) // 2]), ref["D"][len(cp) // 2])):  # type: ignore[index]
        cells = _row_cells(page, f"cp-{year}")
        assert cells[5] == f"{d:.3f}", (year, cells)
    # each channel's grey relational grade, as printed in the report
    grey = ref["grey"]
    assert grey, "no channel evaluated"
    rows = {re.search(r'title="([^"]+)"', r).group(1): [_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]  # type: ignore[union-attr]
            for r in _table_rows(page, "attribution")}
    assert set(rows) == set(grey)  # type: ignore[arg-type]
    for ch, g in grey.items():  # type: ignore[union-attr]
        assert rows[ch][1] == f"{g:.3f}", (ch, rows[ch])
        assert t["grey"].set_index("group").loc[ch, "grade"] == pytest.approx(g, rel=1e-7)


def test_builtin_report_is_traceable_and_offline(builtin_run) -> None:
    _proc, out = builtin_run
    page = (out / "report.html").read_text(encoding="utf-8")
    # self-contained: nothing is loaded from outside
    assert not re.search(r"<script|<link |<img[^>]+src=\"http|@import|url\(http", page)
    # every observed value links to a source row that exists in the sources table
    targets = set(re.findall(r'href="#(src-[^"]+)"', page))
    assert targets
    for tgt in targets:
        assert f'id="{tgt}"' in page, tgt
    # every link inside the page lands somewhere (cards, filled cells → decisions, table of contents)
    ids = set(re.findall(r'id="([^"]+)"', page))
    assert set(re.findall(r'href="#([^"]+)"', page)) <= ids
    # the figures the page links to were written
    for fig in set(re.findall(r'href="(figures/[^"]+)"', page)):
        assert (out / fig).is_file(), fig
    # every source row with a web address links to it
    src = _tables(out)["sources"]
    for rec in src.to_dict("records"):
        if f'id="src-{rec["id"]}"' in page and str(rec["url"]).startswith("http"):
            assert f'href="{htmlmod.escape(str(rec["url"]))}"' in page, rec["id"]
    # both languages are in the page; --lang en selects English first
    assert 'id="lang-en" checked' in page and "耦合协调度" in page and "Coupling coordination" in page
    # decisions are printed in the appendix, in both languages
    appendix = _text(page[page.index('<section id="appendix">'):])
    dec = _tables(out)["decisions"]
    assert len(dec) and f"Decisions ({len(dec)}:" in appendix
    for zh, en in zip(dec["zh"], dec["en"], strict=True):
        assert zh in appendix and en in appendix
    # the stylesheet is inserted as is: real quotes, so browsers keep the CJK font declarations
    assert 'font-family:"Noto Sans CJK SC"' in page and "&#34;Noto" not in page


def _run(run_cli, *args: str):
    return run_cli("evaluate", *args)


def test_user_data_csv_gbk_excel_agree(run_cli, tmp_path: Path) -> None:
    fw = str(EXAMPLES / "synthetic_pair.yaml")
    long = pd.read_csv(EXAMPLES / "synthetic_pair.csv")
    gbk = tmp_path / "pair_gbk.csv"
    gbk.write_bytes(long.rename(columns={"series": "指标", "year": "年份", "value": "数值"})
                    .to_csv(index=False).encode("gbk"))
    xlsx = tmp_path / "pair.xlsx"
    long.pivot(index="year", columns="series", values="value").reset_index().to_excel(xlsx, index=False)
    results = {}
    for name, data in (("utf8", str(EXAMPLES / "synthetic_pair.csv")), ("gbk", str(gbk)), ("xlsx", str(xlsx))):
        out = tmp_path / f"out_{name}"
        proc = _run(run_cli, "--data", data, "--framework", fw, "--out", str(out), "--no-robustness")
        assert proc.returncode == 0, proc.stderr
        assert "耦合协调度" in proc.stdout
        results[name] = pd.read_csv(out / "tables" / "coupling.csv", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(results["gbk"], results["utf8"])
    # the wide Excel layout has no room for the qualifiers: everything but their count agrees
    assert results["utf8"]["n_approximate"].sum() == 2 and results["xlsx"]["n_approximate"].sum() == 0
    pd.testing.assert_frame_equal(results["xlsx"].drop(columns="n_approximate"),
                                  results["utf8"].drop(columns="n_approximate"))
    ref = _oracle.recompute(_tables(tmp_path / "out_utf8"))
    np.testing.assert_allclose(results["utf8"]["D"], ref["D"], rtol=1e-7)


def test_bad_input_exits_2_naming_file_row_column(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("series,year,value\na_fdi,2011,48\na_fdi,2012,四十\n", encoding="utf-8")
    proc = _run(run_cli, "--data", str(bad), "--framework", str(EXAMPLES / "synthetic_pair.yaml"),
                "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    # zh (the default): the place in Chinese; a problem without a catalogue code keeps its English text
    assert "bad.csv，第 3 行，列“value”" in proc.stderr and "not a number" in proc.stderr
    assert "Traceback" not in proc.stderr
    proc = _run(run_cli, "--data", str(bad), "--framework", str(EXAMPLES / "synthetic_pair.yaml"),
                "--out", str(tmp_path / "o"), "--lang", "en")
    assert proc.returncode == 2 and "bad.csv, row 3, column 'value'" in proc.stderr
    proc = _run(run_cli, "--framework", str(EXAMPLES / "synthetic_pair.yaml"), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "--data" in proc.stderr
    badfw = tmp_path / "fw.yaml"
    badfw.write_text("id: x\nchannels: []\ninnovation: {indicators: []}\n", encoding="utf-8")
    proc = _run(run_cli, "--data", str(EXAMPLES / "synthetic_pair.csv"), "--framework", str(badfw),
                "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "fw.yaml" in proc.stderr and "channels" in proc.stderr
    assert "innovation.indicators" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o" / "report.html").exists()


def test_report_is_deterministic(run_cli, tmp_path: Path) -> None:
    # the report prints the command (with --out) to reproduce it: both runs use the same relative --out,
    # each from its own working directory
    args = ("--data", str(EXAMPLES / "synthetic_pair.csv"), "--framework", str(EXAMPLES / "synthetic_pair.yaml"))
    for k in (1, 2):
        (tmp_path / f"cwd{k}").mkdir()
        proc = run_cli("evaluate", *args, "--out", "out", cwd=tmp_path / f"cwd{k}")
        assert proc.returncode == 0, proc.stderr
    a, b = tmp_path / "cwd1" / "out", tmp_path / "cwd2" / "out"
    assert "--out out --lang zh" in (a / "report.html").read_text(encoding="utf-8")
    assert (a / "report.html").read_bytes() == (b / "report.html").read_bytes()
    for svg in sorted((a / "figures").glob("*.svg")):
        assert svg.read_bytes() == (b / "figures" / svg.name).read_bytes(), svg.name
        assert b"<dc:date>" not in svg.read_bytes()
    for csv in sorted((a / "tables").glob("*.csv")):
        assert csv.read_bytes() == (b / "tables" / csv.name).read_bytes(), csv.name
    assert (a / "recipe.json").read_bytes() == (b / "recipe.json").read_bytes()


def test_builtin_report_labels_fills_and_caveats(builtin_run) -> None:
    proc, out = builtin_run
    page = (out / "report.html").read_text(encoding="utf-8")
    filled = pd.read_csv(out / "tables" / "filled.csv", encoding="utf-8-sig", keep_default_na=False).set_index("year")
    decisions = _tables(out)["decisions"]
    fills = set(zip(decisions["code"], decisions["subject"], strict=True))
    # every filled cell is labelled in the raw data table as what it is: * interpolated, † carried
    assert (filled == "carried").to_numpy().any() and (filled == "interpolated").to_numpy().any()
    for year in filled.index:
        cells = _row_cells(page, f"val-{year}")
        assert cells[0] == str(year)
        for series, text in zip(filled.columns, cells[1:], strict=True):
            label = filled.loc[year, series]
            if label == "carried":
                assert text.endswith("†"), (series, year, text)
                assert ("fill.carried", series) in fills
            elif label == "interpolated":
                assert text.endswith("*"), (series, year, text)
                assert ("fill.interpolated", series) in fills
            else:
                assert not text.endswith(("*", "†")), (series, year, text)
    # a carry is never described as interpolation
    for rec in decisions[decisions["code"] == "fill.interpolated"].to_dict("records"):
        carried = [str(y) for y in filled.index if filled.loc[y, rec["subject"]] == "carried"]
        assert not any(f"{y} (" in rec["en"] for y in carried), rec
    # years whose inputs include filled cells are marked in the indices chart (the coupling table of the
    # report no longer marks them: its CSV counts them in n_interpolated / n_carried)
    cp = _tables(out)["coupling"]
    svg = (out / "figures" / "indices.en.svg").read_text(encoding="utf-8")
    # the year labels sit at the bottom of the axis, the marks at the top, at the same x
    x_of = {m.group(2): m.group(1) for m in re.finditer(r'<text x="([\d.]+)" y="\d+" text-anchor="middle" '
                                                         r'font-size="10">(\d{4})</text>', svg)}
    mark_at = {m.group(1): m.group(2) for m in re.finditer(r'<text x="([\d.]+)"[^>]*fill="#a33">([^<]*)</text>', svg)}
    assert mark_at and set(mark_at) <= set(x_of.values())
    for rec in cp.to_dict("records"):
        mark = mark_at.get(x_of[str(rec["year"])], "")
        assert ("†" in mark) == (rec["n_carried"] > 0), (rec["year"], mark)
        assert ("*" in mark) == (rec["n_interpolated"] > 0), (rec["year"], mark)
    # the coupling caveat follows from C itself (recomputed from the table)
    c = cp["C"].to_numpy()
    if (c >= 0.99).sum() > len(c) / 2:
        assert "so D restates the average level T" in page and "所以 D 只是复述平均水平 T" in page
    assert f"C ≥ 0.99 in {(c >= 0.99).sum()} of {len(c)} rows" in page
    assert "Trend similarity (grey relational grade)" in page and "趋势相似度（灰色关联度）" in page
    assert "not attribution" in page
    # k of the framework's indicators, on the terminal and in the summary
    ind = _tables(out)["indicators"]
    used = f"{(ind['status'] == 'used').sum()}/{len(ind)}"
    assert f"indicators used {used}" in proc.stdout
    assert used.replace("/", " / ") in page[page.index('<section id="summary">'):page.index('<section id="results">')]
    # the command to reproduce the report includes --out
    assert "--out " in re.search(r"<code>(hkfactor evaluate[^<]*)</code>", page).group(1)  # type: ignore[union-attr]
    # leave one indicator out is reported, with its largest change of D recomputed from loo_runs
    loo_runs = pd.read_csv(out / "tables" / "loo_runs.csv", encoding="utf-8-sig")
    nominal = cp.set_index("year")["D"]
    biggest = (loo_runs["value"] - loo_runs["year"].map(nominal)).abs().max()
    assert f"the largest change of the headline is {biggest:.3f}" in page
    # runtime: the whole command well under 30 s
    secs = float(re.search(r"([\d.]+) s\s*$", proc.stdout.strip()).group(1))  # type: ignore[union-attr]
    assert secs < 30, secs


def test_invalid_link_exits_2_naming_file_and_indicator(run_cli, tmp_path: Path) -> None:
    text = (EXAMPLES / "synthetic_pair.yaml").read_text(encoding="utf-8")
    badfw = tmp_path / "links.yaml"
    badfw.write_text(text.replace("series: a_students, link: bilateral", "series: a_students, link: mutual"),
                     encoding="utf-8")
    proc = _run(run_cli, "--data", str(EXAMPLES / "synthetic_pair.csv"), "--framework", str(badfw),
                "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "links.yaml" in proc.stderr and "a_students" in proc.stderr and "mutual" in proc.stderr
    assert "bilateral" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o" / "report.html").exists()


def test_no_bilateral_indicator_is_in_the_summary(run_cli, tmp_path: Path) -> None:
    text = (EXAMPLES / "synthetic_pair.yaml").read_text(encoding="utf-8").replace("link: bilateral", "link: focal")
    fw = tmp_path / "nobilateral.yaml"
    fw.write_text(text, encoding="utf-8")
    proc = _run(run_cli, "--data", str(EXAMPLES / "synthetic_pair.csv"), "--framework", str(fw),
                "--out", str(tmp_path / "o"), "--lang", "en", "--no-robustness")
    assert proc.returncode == 0, proc.stderr
    assert "not a bilateral link" in proc.stdout
    page = (tmp_path / "o" / "report.html").read_text(encoding="utf-8")
    summary = page[page.index('<section id="summary">'):page.index('<section id="results">')]
    assert 'class="warn"' in summary and "not a bilateral link" in summary and "不是两城之间的联系" in summary


# --- QA walkthrough: bad input through the real command, exit 2, one clear report, no traceback ---------

def _synthetic(tmp_path: Path, name: str, edit) -> Path:
    """A copy of the SYNTHETIC example CSV with some cells changed: ``edit(rows)`` on the parsed rows."""
    import csv

    with (EXAMPLES / "synthetic_pair.csv").open(encoding="utf-8", newline="") as fh:
        rows = [list(r) for r in csv.reader(fh)]
    edit(rows)
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def _fails_cleanly(proc, *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    for n in needles:
        assert n in proc.stderr, (n, proc.stderr)


def test_framework_key_typo_exits_2(run_cli, tmp_path: Path) -> None:
    text = (EXAMPLES / "synthetic_pair.yaml").read_text(encoding="utf-8")
    fw = tmp_path / "typo.yaml"
    fw.write_text(text.replace("name_en: Re-exports via A, direction: +", "name_en: Re-exports via A, directon: +"),
                  encoding="utf-8")
    for lang, texts in (
        ("en", ("typo.yaml, at channels[2].indicators[0]: unknown key 'directon'", "did you mean 'direction'?",
                "'direction' is required")),
        ("zh", ("typo.yaml，位置 channels[2].indicators[0]：未知的键 'directon'", "是否应为 'direction'",
                "必须给出 direction")),
    ):
        proc = _run(run_cli, "--data", str(EXAMPLES / "synthetic_pair.csv"), "--framework", str(fw),
                    "--out", str(tmp_path / "o"), "--lang", lang)
        _fails_cleanly(proc, *texts)
        assert "2 problem(s)" in proc.stderr if lang == "en" else "2 个问题" in proc.stderr
    assert not (tmp_path / "o").exists()


def test_infinite_value_exits_2_and_writes_nothing(run_cli, tmp_path: Path) -> None:
    def edit(rows: list[list[str]]) -> None:
        rows[3][2], rows[5][2] = "inf", "-Infinity"

    data = _synthetic(tmp_path, "inf.csv", edit)
    proc = _run(run_cli, "--data", str(data), "--framework", str(EXAMPLES / "synthetic_pair.yaml"),
                "--out", str(tmp_path / "o"), "--lang", "en")
    _fails_cleanly(proc, "inf.csv, row 4, column 'value': value 'inf' is not a finite number",
                   "row 6, column 'value': value '-Infinity' is not a finite number")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inf.csv"]


def test_out_that_is_a_file_exits_2(run_cli, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    proc = _run(run_cli, "--data", str(EXAMPLES / "synthetic_pair.csv"), "--framework",
                str(EXAMPLES / "synthetic_pair.yaml"), "--out", str(tmp_path / "taken"))
    _fails_cleanly(proc, "is an existing file, not a folder")
    assert "FileExistsError" not in proc.stderr
    proc = _run(run_cli, "--out", str(tmp_path / "taken" / "sub"))
    _fails_cleanly(proc, "is an existing file, not a folder")


def test_data_without_framework_is_one_error(run_cli, tmp_path: Path) -> None:
    proc = _run(run_cli, "--data", str(EXAMPLES / "synthetic_pair.csv"), "--out", str(tmp_path / "o"), "--lang", "en")
    _fails_cleanly(proc, "your own data needs --framework FILE (the built-in framework's series are:")
    assert "1 problem(s)" in proc.stderr and "not in the framework" not in proc.stderr


def test_sheet_option_counts_from_1_and_is_for_excel_only(run_cli, tmp_path: Path) -> None:
    long = pd.read_csv(EXAMPLES / "synthetic_pair.csv")
    book = tmp_path / "two.xlsx"
    with pd.ExcelWriter(book) as xw:
        pd.DataFrame({"说明": ["synthetic example"]}).to_excel(xw, sheet_name="说明", index=False)
        long.to_excel(xw, sheet_name="数据", index=False)
    fw = str(EXAMPLES / "synthetic_pair.yaml")
    proc = _run(run_cli, "--data", str(book), "--framework", fw, "--out", str(tmp_path / "o"), "--lang", "en")
    _fails_cleanly(proc, "two.xlsx (sheet '说明')", "cannot tell the layout", "sheet '说明' was read",
                   "--sheet NAME or --sheet NUMBER, counting from 1")
    proc = _run(run_cli, "--data", str(book), "--framework", fw, "--out", str(tmp_path / "o"), "--sheet", "2",
                "--no-robustness")
    assert proc.returncode == 0, proc.stderr
    proc = _run(run_cli, "--data", str(EXAMPLES / "synthetic_pair.csv"), "--framework", fw,
                "--out", str(tmp_path / "o2"), "--sheet", "1")
    _fails_cleanly(proc, "--sheet applies only to Excel workbooks")
    proc = _run(run_cli, "--out", str(tmp_path / "o3"), "--sheet", "1")
    _fails_cleanly(proc, "--sheet picks a sheet of your Excel file: it needs --data")


def test_builtin_replay_is_byte_identical(builtin_run, tmp_path: Path) -> None:
    """``--recipe`` replays the built-in run exactly. The first run computed the city designs in a
    second process (the default on Linux with two CPUs), the replay in this one: the tables agree
    to the byte, so where the designs run changes nothing."""
    import os
    import subprocess
    import sys

    proc, out = builtin_run
    assert proc.returncode == 0, proc.stderr
    again = tmp_path / "again"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "HKFACTOR_PARALLEL": "0"}
    rep = subprocess.run([sys.executable, "-m", "hkfactor", "evaluate", "--recipe", str(out / "recipe.json"),
                          "--out", str(again), "--lang", "en"], capture_output=True, text=True, encoding="utf-8",
                         env=env, timeout=300)
    assert rep.returncode == 0, rep.stderr
    tables = sorted((out / "tables").glob("*.csv"))
    assert len(tables) > 10 and (out / "tables" / "identification.csv") in tables
    for csv in tables:
        assert csv.read_bytes() == (again / "tables" / csv.name).read_bytes(), csv.name
