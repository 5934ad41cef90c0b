"""Server-rendered pages: content in both languages, the language switch, errors, escaping."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from hkfactor.web._i18n import TEXTS

PAGES = ["/", "/evidence", "/evidence/claims/C084", "/chain", "/chain/nodes/E-DJI", "/data",
         "/data/series/sz_pct_applications", "/evaluation", "/workbench", "/api"]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_in_both_languages(client: Any, url: str, lang: str) -> None:
    r = client.get(url, params={"lang": lang})
    assert r.status_code == 200
    i = 0 if lang == "zh" else 1
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in r.text
    for key in ("nav.evidence", "nav.chain", "nav.data", "nav.evaluation", "nav.workbench"):
        assert TEXTS[key][i] in r.text
    other = "en" if lang == "zh" else "zh"
    assert re.search(rf'id="lang-switch" href="{re.escape(url)}\?[^"]*lang={other}"', r.text)


def test_default_language_is_the_servers(client: Any) -> None:
    assert TEXTS["evidence.title"][0] in client.get("/evidence").text  # the fixture's app is zh


def test_evidence_page_filters_and_sections(client: Any) -> None:
    r = client.get("/evidence", params={"channel": "trade", "status": "conflicts", "lang": "en"})
    assert "C084" in r.text and "600亿元" in r.text
    assert "C001" not in r.text.split('id="audit"')[0]  # the filtered table lists only matching claims
    for section in ('id="audit"', 'id="derivations"', 'id="timeline"'):
        assert section in r.text
    assert "cagr(C084, C085, 21)" in r.text  # the recomputation is shown


def test_chain_page_renders_a_path_without_javascript(client: Any) -> None:
    r = client.get("/chain", params={"a": "HKUST", "b": "DJI", "via": "汪滔", "lang": "zh"})
    assert "2 步" in r.text and "汪滔" in r.text and "大疆" in r.text
    bad = client.get("/chain", params={"a": "HKUST", "b": "nobody-at-all", "lang": "en"})
    assert bad.status_code == 200 and "no actor 'nobody-at-all' in the chain" in html.unescape(bad.text)


def test_data_page_has_heatmap_and_downloads(client: Any) -> None:
    r = client.get("/data", params={"lang": "en"})
    assert r.text.count('class="cov g-') > 100
    for href in ("/api/data/download/panel.csv", "/api/data/download/observations.xlsx",
                 "/api/data/download/datapackage.zip"):
        assert href in r.text


def test_evaluation_page_shows_headline_band_benchmarks_designs(client: Any) -> None:
    for lang, needle in (("zh", "数据所能支持的结论"), ("en", "What the data support")):
        r = client.get("/evaluation", params={"lang": lang})
        assert r.status_code == 200 and needle in r.text
        for part in ('id="robustness-table"', 'id="benchmark-summary"', 'id="designs-table"', 'id="method-form"',
                     'id="variant-indices"', 'id="coupling-table"', 'id="grey-table"', "/static/evaluation.js"):
            assert part in r.text, part


def test_evaluation_page_renders_the_chosen_methods_without_script(client: Any) -> None:
    import re

    def coupling_rows(html: str) -> list[str]:
        table = html.split('id="coupling-table"')[1].split("</table>")[0]
        return re.findall(r"<strong>([0-9.]+)</strong>", table)

    base = client.get("/evaluation", params={"lang": "en"}).text
    other = client.get("/evaluation", params={"lang": "en", "aggregation": "geometric", "normalisation": "rank"}).text
    assert coupling_rows(base) and coupling_rows(base) != coupling_rows(other)
    assert '<option value="geometric" selected>' in other
    strict = client.get("/evaluation", params={"lang": "en", "min_year_coverage": 0.8}).text
    assert 'id="method-problems">' in strict and "no span of 3 or more consecutive years" in strict


@pytest.mark.parametrize(("url", "status", "zh", "en"), [
    ("/evidence?year=abc", 422, "参数 year", "parameter year"),
    ("/evidence?channel=nope", 422, "“nope” 不是有效值", "'nope' is not a valid value"),
    ("/evidence/claims/C999", 404, "没有编号为 C999 的论断", "no claim with id C999"),
    ("/chain?by=colour", 422, "参数 by", "parameter by"),
    ("/data/series/nope", 404, "没有代码为 nope 的序列", "no series with code nope"),
    ("/no/such/page", 404, "找不到这个页面", "does not exist"),
    ("/evidence?lang=fr", 422, "参数 lang", "parameter lang"),
])
def test_page_errors_in_the_pages_language(client: Any, url: str, status: int, zh: str, en: str) -> None:
    for lang, needle in (("zh", zh), ("en", en)):
        if "lang=" in url:
            r = client.get(url)
            needle = zh  # an invalid lang falls back to the server's language
        else:
            r = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
        assert r.status_code == status
        assert r.headers["content-type"].startswith("text/html")
        assert needle in r.text.replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
        assert "Traceback" not in r.text


def test_internal_errors_show_no_traceback(app: Any) -> None:
    from fastapi.testclient import TestClient

    from hkfactor.web import create_app

    boom = create_app(lang="en", warm=False)

    @boom.get("/api/boom")
    def _boom() -> None:
        raise RuntimeError("secret detail /etc/passwd")

    with TestClient(boom, raise_server_exceptions=False) as c:
        r = c.get("/api/boom")
    assert r.status_code == 500
    assert "secret detail" not in r.text and "Traceback" not in r.text
    assert r.json()["message_zh"].startswith("服务器内部错误")


def test_query_text_is_escaped(client: Any) -> None:
    r = client.get("/evidence", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
