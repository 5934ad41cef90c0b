"""End to end in a real browser: Debian's headless chromium driven by Playwright, the app served by Uvicorn.

Clicks through every page in both languages and checks what a person sees (text, the graph,
the charts, the upload result), not only status codes. Skipped only where chromium is absent.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import GBA_CITIES, MESSY_GBK, gba_expected_ranks, gba_gbk_csv, gba_xlsx

from hkfactor.web._i18n import TEXTS

pytestmark = pytest.mark.browser


def wait_until(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression (page.wait_for_function would need 'unsafe-eval', which our CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(50)


def T(key: str, lang: str) -> str:
    return TEXTS[key][0 if lang == "zh" else 1]


@pytest.fixture
def page(browser: Any, live_server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server)
    p = context.new_page()
    p.set_default_timeout(15_000)
    problems: list[str] = []
    p.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    p.on("pageerror", lambda e: problems.append(str(e)))
    p.on("dialog", lambda d: problems.append(f"dialog: {d.message}"))
    p.problems = problems  # type: ignore[attr-defined]
    yield p
    context.close()
    assert problems == [], problems  # no script error, no CSP violation, no alert()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_click_through_every_page(page: Any, lang: str) -> None:
    page.goto(f"/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == ("zh-CN" if lang == "zh" else "en")
    assert page.locator("h1").inner_text() == T("site.title", lang)

    # Evidence: filter trade claims, see the conflicting 1997 figure and the audit sections
    page.locator("nav.nav a", has_text=T("nav.evidence", lang)).click()
    assert page.locator("h1").inner_text() == T("evidence.title", lang)
    page.select_option("#claim-filters select[name=channel]", "trade")
    page.click("#claim-filters button[type=submit]")
    page.wait_for_url("**channel=trade**")
    assert page.locator("#claim-C084 .badge").inner_text() == ("与独立来源冲突" if lang == "zh" else "conflicts")
    n = page.locator("table.claims tbody tr").count()
    assert page.locator("#claim-count").inner_text() == T("common.results", lang).format(n=n)
    assert page.locator("#derivations tbody tr").count() > 0 and page.locator("ol.timeline li").count() > 10

    # Chain: the graph draws, a click on DJI shows its sourced relations, the year slider filters
    page.locator("nav.nav a", has_text=T("nav.chain", lang)).click()
    wait_until(page, "window.hkChain && window.hkChain.nodes().length > 100")
    total = page.evaluate("window.hkChain.nodes().not('.lane').length")
    assert total == 104
    page.evaluate("(window.hkChain.getElementById('E-DJI').emit('tap'), true)")  # do not serialise the collection
    page.wait_for_selector("#info h3")
    assert page.locator("#info h3").first.inner_text() == ("大疆" if lang == "zh" else "DJI")
    assert page.locator("#info li .sources a, #info li .sources span").count() > 0
    page.locator("#year-slider").evaluate("(s) => { s.value = 2005; s.dispatchEvent(new Event('change')); }")
    wait_until(page, "window.hkChain.nodes().not('.lane').length < 104")
    assert "2005" in page.locator("#year-out").inner_text()
    shown = page.evaluate("window.hkChain.nodes().not('.lane').length")
    assert page.locator("#graph-count").inner_text().startswith(str(shown))

    # Path HKUST → DJI via 汪滔, rendered and highlighted
    page.fill("#path-form input[name=a]", "HKUST")
    page.fill("#path-form input[name=b]", "DJI")
    page.fill("#path-form input[name=via]", "汪滔")
    page.click("#path-form button[type=submit]")
    page.wait_for_selector("#path-result ol.hops li")
    assert page.locator("#path-result ol.hops li").count() == 2
    assert ("汪滔" if lang == "zh" else "Wang Tao") in page.locator("#path-result").inner_text()
    wait_until(page, "window.hkChain && window.hkChain.$('node.hl').length === 3")
    assert page.locator("#brokerage tbody tr").count() == 15

    # Data: heatmap, a series with its chart and the reason each value won
    page.locator("nav.nav a", has_text=T("nav.data", lang)).click()
    assert page.locator("table.heat td.g-A").count() > 50
    page.fill("#series-filter", "sz_pct_applications")
    assert page.locator("#series-table tbody tr:visible").count() == 1
    page.locator("#series-table tbody tr:visible a").click()
    page.wait_for_selector(".chart svg")
    assert page.locator("h2", has_text=T("data.cells", lang)).count() == 1
    assert page.locator("table tbody tr").count() > 5

    # Evaluation: the identification headline, the band of D, benchmarks, designs and four charts
    page.locator("nav.nav a", has_text=T("nav.evaluation", lang)).click()
    page.wait_for_selector(".chart svg")
    wait_until(page, "document.querySelectorAll('.chart svg').length === 4")
    assert page.locator("#eval-headline").inner_text().startswith("数据所能支持的结论" if lang == "zh"
                                                                  else "What the data support")
    assert page.locator("#robustness-table tbody tr").count() >= 5
    assert page.locator("#designs-table tbody tr").count() >= 1

    # Language switch keeps the page
    page.click("#lang-switch")
    other = "en" if lang == "zh" else "zh"
    assert page.locator("h1").inner_text() == T("evaluation.title", other)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_upload_a_messy_gbk_csv(page: Any, lang: str, tmp_path: Path) -> None:
    f = tmp_path / "深圳数据.csv"
    f.write_bytes(MESSY_GBK)
    page.goto(f"/workbench?lang={lang}")
    page.set_input_files("#upload-form input[name=file]", str(f))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#problems")
    assert page.locator("#upload-name").inner_text() == "深圳数据.csv"
    assert page.locator("#problem-count").inner_text().startswith(T("workbench.problems", lang).format(n=3))
    text = page.locator("#problems").inner_text()
    assert "did you mean 'sz_pct_applications'" in text and "'abc' is not a number" in text
    assert "<script>alert(1)</script>" in text  # shown as text, never run (the fixture fails on a dialog)
    page.click("#close-form button")
    assert page.locator("#closed-msg").inner_text() == T("workbench.closed", lang)


def test_evaluation_method_switch_updates_without_reload(page: Any) -> None:
    page.goto("/evaluation?lang=en")
    page.wait_for_selector("[data-chart=variant-indices] svg")
    page.evaluate("window.__still_here = true")  # gone if the page reloaded

    def d_column() -> list[str]:
        heads = page.locator("#coupling-table thead th").all_inner_texts()
        j = heads.index("D")
        return [r[j] for r in page.evaluate(
            "Array.from(document.querySelectorAll('#coupling-table tbody tr')).map("
            "tr => Array.from(tr.cells).map(td => td.textContent))")]

    def grey_ranks() -> list[str]:
        return page.locator("#grey-table tbody tr td:nth-child(2)").all_inner_texts()

    before, ranks_before = d_column(), grey_ranks()
    page.select_option("#method-form select[name=aggregation]", "topsis")
    wait_until(page, "(document.body.dataset.recipe || '').includes('aggregation=topsis')")
    after = d_column()
    assert len(after) == len(before) and after != before
    assert page.evaluate("window.__still_here") is True
    assert "aggregation=topsis" in page.url
    assert page.locator("#method-status").inner_text() == T("evaluation.updated", "en")
    # the numbers are the API's (and the evaluation's) for this recipe
    api = page.evaluate("fetch('/api/evaluation/variant?normalisation=minmax&weighting=entropy&aggregation=topsis"
                        "&min_year_coverage=0.5&lang=en').then(r => r.json())")
    assert after == [f"{r['D']:.3f}" for r in api["coupling"]["rows"]]
    page.select_option("#method-form select[name=normalisation]", "rank")
    wait_until(page, "(document.body.dataset.recipe || '').includes('normalisation=rank')")
    assert grey_ranks() != ranks_before or d_column() != after
    # a coverage rule that leaves too little data: said in place, the old numbers hidden
    page.select_option("#method-form select[name=min_year_coverage]", "0.8")
    wait_until(page, "(document.body.dataset.recipe || '').includes('min_year_coverage=0.8')")
    assert page.locator("#method-problems").is_visible() and not page.locator("#variant-results").is_visible()
    assert "no span of 3 or more consecutive years" in page.locator("#method-problems").inner_text()
    page.select_option("#method-form select[name=min_year_coverage]", "0.3")
    wait_until(page, "(document.body.dataset.recipe || '').includes('min_year_coverage=0.3')")
    assert page.locator("#variant-results").is_visible() and len(d_column()) >= len(before)
    # the language switch keeps the chosen methods
    assert "aggregation=topsis" in (page.locator("#lang-switch").get_attribute("href") or "")
    assert page.evaluate("window.__still_here") is True


@pytest.mark.parametrize(("name", "data", "lang"), [("大湾区城市.csv", "csv", "zh"), ("gba cities.xlsx", "xlsx", "en")])
def test_workbench_cross_section_entropy_topsis(page: Any, tmp_path: Path, name: str, data: str, lang: str) -> None:
    import openpyxl

    from hkfactor.report.evaluation import sheet_name

    f = tmp_path / name
    f.write_bytes(gba_gbk_csv() if data == "csv" else gba_xlsx())
    page.goto(f"/workbench?lang={lang}")
    page.set_input_files("#upload-form input[name=file]", str(f))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#map-form")
    assert page.locator("#upload-name").inner_text() == name
    layout = page.locator("#layout-line").inner_text()
    assert ("截面数据" if lang == "zh" else "cross-section") in layout
    assert ("第 2 行" if lang == "zh" else "row 2") in layout  # the title row above the header was recognised
    assert page.locator("#mapping tbody tr").count() == 8
    page.select_option("#mapping select[aria-label$='单位GDP能耗']", "-")
    assert page.locator("#map-form select[name=weighting]").input_value() == "entropy"
    assert page.locator("#map-form select[name=aggregation]").input_value() == "topsis"
    page.click("#map-form button[type=submit]")
    page.wait_for_selector("#ranking-table")
    rows = page.evaluate("Array.from(document.querySelectorAll('#ranking-table tbody tr'))"
                         ".map(tr => [tr.cells[0].textContent, tr.cells[1].textContent])")
    assert {city: int(rank) for rank, city in rows} == gba_expected_ranks()
    assert {city for _r, city in rows} == set(GBA_CITIES)
    assert page.locator("details.table-block").count() >= 15
    page.wait_for_selector("[data-chart=wb-ranking] svg")
    with page.expect_download() as dl:
        page.click("#downloads a[href*='evaluation.xlsx']")
    saved = tmp_path / "downloaded.xlsx"
    dl.value.save_as(saved)
    sheets = openpyxl.load_workbook(saved, read_only=True).sheetnames
    assert {sheet_name(k) for k in ("indicators", "normalised", "weights", "scores", "topsis")} <= set(sheets)
    page.click("#close-form button")
    assert page.locator("#closed-msg").inner_text() == T("workbench.closed", lang)


def test_phone_width_has_no_horizontal_scroll(browser: Any, live_server: str) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, base_url=live_server, is_mobile=True)
    p = ctx.new_page()
    try:
        for url in ("/", "/evidence", "/chain", "/data", "/evaluation", "/workbench"):
            p.goto(url + "?lang=en")
            width = p.evaluate("document.documentElement.scrollWidth")
            assert width <= 392, (url, width)  # wide tables scroll inside their own box
            assert p.locator("nav.nav a").first.is_visible()
    finally:
        ctx.close()


def test_error_page_in_the_browser(page: Any) -> None:
    resp = page.goto("/evidence?channel=nope&lang=en")
    assert resp.status == 422
    assert "'nope' is not a valid value" in page.locator(".error-box").inner_text()
    page.problems.clear()  # the browser logs the 422 of the document itself
