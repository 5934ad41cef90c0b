"""The JSON API over the built-in data, through FastAPI's TestClient."""

from __future__ import annotations

from typing import Any

import pytest


def test_claims_filter_by_channel_and_status(client: Any) -> None:
    r = client.get("/api/evidence/claims", params={"channel": "trade", "lang": "en"})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == len(body["items"]) > 0
    assert {c["channel"] for c in body["items"]} == {"trade"}
    c084 = next(c for c in body["items"] if c["id"] == "C084")
    # the paper's 600 亿元 for 1997 conflicts with Shenzhen Customs' 701.4 亿元 (audit)
    assert c084["status"] == "conflicts" and c084["printed"] == "600亿元"
    assert any(s["id"] == "S-PAPER" for s in c084["sources"])
    conflicts = client.get("/api/evidence/claims", params={"status": "conflicts"}).json()
    n_conflicts = next(s["n"] for s in client.get("/api/evidence/audit").json()["statuses"]
                       if s["status"] == "conflicts")
    assert conflicts["total"] == n_conflicts >= 3 and all(c["status"] == "conflicts" for c in conflicts["items"])


def test_claims_year_search_and_paging(client: Any) -> None:
    y = client.get("/api/evidence/claims", params={"year": 1997}).json()
    assert y["total"] > 0
    for c in y["items"]:
        first, _, last = c["period"].partition("–")
        assert int(first[:4]) <= 1997 <= int((last or first)[:4])
    q = client.get("/api/evidence/claims", params={"q": "大疆"}).json()
    assert q["total"] >= 0
    page = client.get("/api/evidence/claims", params={"limit": 5, "offset": 5}).json()
    full = client.get("/api/evidence/claims", params={"limit": 10}).json()
    assert [c["id"] for c in page["items"]] == [c["id"] for c in full["items"][5:10]]


def test_claim_detail_has_recomputation(client: Any) -> None:
    d = client.get("/api/evidence/claims/C086", params={"lang": "en"}).json()
    assert d["derivations"] and d["derivations"][0]["expression"].startswith("cagr(")
    assert d["derivations"][0]["status"] == "consistent"


def test_audit_summary_counts_add_up(client: Any) -> None:
    a = client.get("/api/evidence/audit").json()
    from hkfactor.evidence import load

    assert sum(s["n"] for s in a["statuses"]) == a["total"] == len(load().facts())
    assert sum(r["total"] for r in a["by_channel"]) == a["total"]
    assert [s["status"] for s in a["statuses"]] == ["conflicts", "inconsistent", "corroborated", "consistent",
                                                    "unverified"]


def test_timeline_is_in_date_order(client: Any) -> None:
    t = client.get("/api/evidence/timeline").json()
    starts = [e["date"].split("/")[0] for e in t["items"]]
    assert starts == sorted(starts) and t["total"] == len(t["items"]) > 10
    part = client.get("/api/evidence/timeline", params={"start": 2000, "end": 2010}).json()
    assert all(e["year_end"] >= 2000 and e["year_start"] <= 2010 for e in part["items"])


def test_graph_filters_and_positions(client: Any) -> None:
    g = client.get("/api/chain/graph").json()
    assert g["counts"] == {"nodes": len(g["nodes"]), "edges": len(g["edges"])}
    ids = {n["id"] for n in g["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in g["edges"])
    x_of = {c["code"]: c["x"] for c in g["columns"]}
    # layout by stage: every upstream node sits left of every downstream node
    up = [n["x"] for n in g["nodes"] if n["stage"] == "upstream"]
    down = [n["x"] for n in g["nodes"] if n["stage"] == "downstream"]
    assert max(up) < min(down) and x_of["upstream"] < x_of["downstream"]
    hk = client.get("/api/chain/graph", params={"side": "HK"}).json()
    assert hk["nodes"] and {n["side"] for n in hk["nodes"]} == {"HK"}
    early = client.get("/api/chain/graph", params={"year": 2000, "undated": False}).json()
    assert 0 < early["counts"]["nodes"] < g["counts"]["nodes"]
    assert all(n["since"] is not None and n["since"] <= 2000 for n in early["nodes"])


def test_path_hkust_to_dji_via_wang_tao(client: Any) -> None:
    p = client.get("/api/chain/path", params={"a": "HKUST", "b": "DJI", "via": "汪滔", "lang": "zh"}).json()
    assert [n["id"] for n in p["nodes"]] == ["E-HKUST", "E-WANG-TAO", "E-DJI"]
    assert p["cites_every_hop"] and all(h["sources"] for h in p["hops"])
    assert p["nodes"][1]["label"] == "汪滔"


def test_node_relations_carry_sources(client: Any) -> None:
    n = client.get("/api/chain/nodes/大疆", params={"lang": "en"}).json()
    assert n["id"] == "E-DJI" and n["label"] == "DJI"
    assert n["relations"] and all(r["sources"] for r in n["relations"])


def test_brokerage_by_every_grouping(client: Any) -> None:
    for by in ("side", "stage", "channel", "type"):
        b = client.get("/api/chain/brokerage", params={"by": by, "limit": 5}).json()
        assert b["by"] == by and len(b["items"]) == 5
        totals = [r["roles"]["t"] for r in b["items"]]
        assert totals == sorted(totals, reverse=True)


def test_series_detail_explains_the_winner(client: Any) -> None:
    lst = client.get("/api/data/series").json()
    assert lst["total"] == len(lst["items"]) > 50
    code = next(s["code"] for s in lst["items"] if s["years"] >= 5)
    d = client.get(f"/api/data/series/{code}").json()
    won = {o["id"] for o in d["observations"] if o["role"] == "won"}
    assert {c["observation_id"] for c in d["cells"]} == won
    assert all(c["reason"] for c in d["cells"])


def test_coverage_grid_is_rectangular(client: Any) -> None:
    c = client.get("/api/data/coverage").json()
    assert all(len(r["cells"]) == len(c["years"]) for r in c["rows"])
    assert {x for r in c["rows"] for x in r["cells"]} <= {"", "A", "B", "C", "d", "P"}


@pytest.mark.parametrize(("name", "fmt", "magic"), [
    ("panel", "csv", b"\xef\xbb\xbfseries,period,value"),
    ("observations", "xlsx", b"PK"),
    ("coverage", "csv", b"\xef\xbb\xbfseries"),
    ("datapackage", "zip", b"PK"),
])
def test_downloads(client: Any, name: str, fmt: str, magic: bytes) -> None:
    r = client.get(f"/api/data/download/{name}.{fmt}")
    assert r.status_code == 200 and r.content.startswith(magic)
    assert f"hkfactor-{name}.{fmt}" in r.headers["content-disposition"]


def test_evaluation_headline_band_benchmarks_designs(client: Any) -> None:
    en = client.get("/api/evaluation", params={"lang": "en"}).json()
    zh = client.get("/api/evaluation", params={"lang": "zh"}).json()
    assert en["ok"] is True and zh["ok"] is True
    # the identification headline, in the language asked for
    assert en["headline"].startswith("What the data support") and zh["headline"].startswith("数据所能支持的结论")
    # the robustness band of D: one row per year, nominal inside the grid range, MC band ordered
    band = en["robustness"]["rows"]
    assert [int(b["row"]) for b in band] == en["years"]
    for b in band:
        assert b["min"] <= b["value"] <= b["max"] and b["q05"] <= b["q95"]
    # the placebo benchmarks name the groups beating the straight line; the designs were tried
    bm = en["benchmarks"]
    assert bm["rows"] and bm["level_groups"] >= 4 and bm["summary"].startswith("Single-pair benchmarks")
    assert set(bm["beat_trend"]) <= {r["label"] for r in bm["rows"]}
    assert en["designs"]["estimated"] and en["designs"]["not_estimable"]
    assert all(d["ci_low"] <= d["effect"] <= d["ci_high"] for d in en["designs"]["estimated"])
    # the default methods' results come with it
    v = en["variant"]
    assert v["ok"] and v["recipe"]["weighting"] == "entropy" and len(v["coupling"]["rows"]) == len(en["years"])


def test_evaluation_variant_changes_numbers_and_is_cached(client: Any) -> None:
    base = client.get("/api/evaluation/variant", params={"lang": "en"}).json()
    other = client.get("/api/evaluation/variant", params={"aggregation": "topsis", "weighting": "critic",
                                                           "lang": "en"}).json()
    assert base["ok"] and other["ok"] and other["recipe"]["aggregation"] == "topsis"
    d0 = [r["D"] for r in base["coupling"]["rows"]]
    d1 = [r["D"] for r in other["coupling"]["rows"]]
    assert len(d0) == len(d1) and d0 != d1 and all(0 <= x <= 1 for x in d1)
    ranks = sorted(r["rank"] for r in other["grey"]["rows"])
    assert ranks == list(range(1, len(ranks) + 1))
    # the page's display tables carry the same numbers
    disp = other["display"]["coupling"]
    j = disp["headers"].index("D")
    assert [r[j] for r in disp["rows"]] == [f"{x:.3f}" for x in d1]
    # the same numbers as the evaluation itself gives
    from hkfactor.web._evaluation import builtin_evaluation

    ev = builtin_evaluation().what_if(robustness=False, aggregation="topsis", weighting="critic")
    assert d1 == pytest.approx(ev.coupling.table["D"].tolist())
    import time

    t = time.perf_counter()
    again = client.get("/api/evaluation/variant", params={"aggregation": "grey", "normalisation": "rank"}).json()
    assert again["ok"] and time.perf_counter() - t < 5


def test_evaluation_variant_too_strict_and_invalid(client: Any) -> None:
    strict = client.get("/api/evaluation/variant", params={"min_year_coverage": 0.8, "lang": "zh"})
    assert strict.status_code == 200 and strict.json()["ok"] is False
    assert "80%" in strict.json()["problems"][0] and "没有任何连续" in strict.json()["problems"][0]
    wider = client.get("/api/evaluation/variant", params={"min_year_coverage": 0.3}).json()
    assert wider["ok"] and len(wider["rows"]) >= len(client.get("/api/evaluation/variant").json()["rows"])
    bad = client.get("/api/evaluation/variant", params={"min_year_coverage": 0.55, "lang": "en"})
    assert bad.status_code == 422 and "valid: 0.3, 0.4" in bad.json()["error"]
    assert client.get("/api/evaluation/variant", params={"weighting": "magic"}).status_code == 422


@pytest.mark.parametrize(("url", "status", "needle_zh", "needle_en"), [
    ("/api/evidence/claims?channel=nope", 422, "不是有效值", "is not a valid value"),
    ("/api/evidence/claims?year=3000", 422, "应不大于 2100", "must be at most 2100"),
    ("/api/evidence/claims?year=abc", 422, "应为整数", "must be a whole number"),
    ("/api/evidence/claims?q=" + "x" * 101, 422, "太长", "too long"),
    ("/api/evidence/claims/C999", 404, "没有编号为 C999 的论断", "no claim with id C999"),
    ("/api/chain/nodes/nobody-at-all", 404, "找不到", "no actor"),
    ("/api/chain/path?a=HKUST", 422, "缺少必填参数", "is required"),
    ("/api/chain/brokerage?by=colour", 422, "不是有效值", "is not a valid value"),
    ("/api/data/series/nope", 404, "没有代码为 nope 的序列", "no series with code nope"),
    ("/api/data/download/panel.zip", 404, "找不到", "does not exist"),
    ("/api/data/download/..%2F..%2Fsecrets.csv", 404, "找不到", "does not exist"),
    ("/api/data/download/secrets.csv", 422, "不是有效值", "is not a valid value"),
    ("/api/nothing-here", 404, "找不到", "does not exist"),
])
def test_bad_parameters_are_clear_4xx_in_both_languages(client: Any, url: str, status: int, needle_zh: str,
                                                         needle_en: str) -> None:
    for lang, needle in (("zh", needle_zh), ("en", needle_en)):
        sep = "&" if "?" in url else "?"
        r = client.get(f"{url}{sep}lang={lang}")
        assert r.status_code == status, r.text
        body = r.json()
        text = body["error"] + " ".join(body.get("problems", []))
        assert needle in text, text
        assert "Traceback" not in r.text


def test_security_headers_and_no_cdn(client: Any) -> None:
    r = client.get("/chain")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "http://" not in r.text.split("<body")[0] and "https://" not in r.text.split("<body")[0]
    assert "<script src=\"/static/vendor/cytoscape.min.js" in r.text


def test_static_files_cannot_escape(client: Any) -> None:
    for url in ("/static/../_app.py", "/static/%2e%2e/_app.py", "/static/vendor/../../_app.py"):
        r = client.get(url)
        assert r.status_code == 404 and "def create_app" not in r.text
    assert client.get("/static/vendor/cytoscape.LICENSE.txt").status_code == 200
    assert client.get("/static/vendor/echarts.LICENSE.txt").status_code == 200


def test_writes_are_refused_on_builtin_data(client: Any) -> None:
    for method in ("post", "put", "delete", "patch"):
        r = getattr(client, method)("/api/evidence/claims")
        assert r.status_code == 405
