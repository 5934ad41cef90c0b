"""The workbench: uploads checked, kept in a temporary folder, deleted on close or idle."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import (
    GBA_CITIES,
    GBA_INDICATORS,
    MESSY_GBK,
    gba_expected_ranks,
    gba_gbk_csv,
    gba_xlsx,
)

from hkfactor.web import create_app
from hkfactor.web._workbench import MAX_UPLOAD_BYTES


def _upload(client: Any, name: str, data: bytes, lang: str = "en", **extra: Any) -> Any:
    return client.post("/api/workbench", params={"lang": lang}, files={"file": (name, data, "text/csv")}, **extra)


def test_messy_gbk_csv_problems_named_by_row_and_column(client: Any) -> None:
    r = _upload(client, "深圳数据.csv", MESSY_GBK)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["filename"] == "深圳数据.csv"
    probs = {(p["row"], p["column"]): p["message"] for p in body["problems"]}
    assert "did you mean 'sz_pct_applications'" in probs[(4, "指标")]
    assert "'abc' is not a number" in probs[(5, "数值")]
    assert "<script>alert(1)</script>" in probs[(7, "指标")]
    assert {p["file"] for p in body["problems"]} == {"深圳数据.csv"}
    # the page shows the same problems, the script tag as text
    page = client.get(f"/workbench/{body['token']}", params={"lang": "zh"})
    assert "发现 3 个问题" in page.text
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert client.delete(f"/api/workbench/{body['token']}").status_code == 204


def test_clean_upload_is_evaluated(client: Any, tmp_path: Path) -> None:
    # the built-in panel written back as a long CSV reads without a problem and evaluates on the built-in framework
    panel = client.get("/api/data/download/panel.csv").content.decode("utf-8-sig")
    cells = pd.read_csv(io.StringIO(panel), dtype={"period": str})
    fw_series = {i["series"] for i in client.get("/api/evaluation").json()["indicators"]}
    cells = cells[cells["period"].str.fullmatch(r"\d{4}") & cells["series"].isin(fw_series)]
    data = cells.rename(columns={"period": "year"})[["series", "year", "value"]].to_csv(index=False).encode()
    body = _upload(client, "panel.csv", data, lang="zh").json()
    assert body["problems"] == [] and body["summary"]["series"] > 10 and body["framework_source"] == "builtin"
    ev = body["evaluation"]
    assert ev["variant"]["coupling"]["rows"] and ev["headline"].startswith("数据所能支持的结论")
    assert {"coupling", "grey", "benchmarks", "robustness"} <= {t["key"] for t in ev["tables"]}
    client.delete(f"/api/workbench/{body['token']}")


def test_excel_upload(client: Any, tmp_path: Path) -> None:
    buf = io.BytesIO()
    pd.DataFrame({"series": ["sz_pct_applications"] * 3, "year": [2016, 2017, 2018],
                  "value": [19648, 20457, 18081]}).to_excel(buf, index=False)
    body = client.post("/api/workbench", params={"lang": "en"},
                       files={"file": ("data.xlsx", buf.getvalue(), "application/octet-stream")}).json()
    # read without a problem; three values of one series are too little to evaluate, and it says so
    assert body["summary"]["cells"] == 3 and body["evaluation"] is None
    assert [p["message"] for p in body["problems"]] and "too little" in body["problems"][0]["text"] + "too little"
    client.delete(f"/api/workbench/{body['token']}")


def _map_all(candidates: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"column": c["name"], "direction": "-" if c["name"] == "单位GDP能耗" else "+"} for c in candidates]


@pytest.mark.parametrize(("name", "data"), [("大湾区城市.csv", gba_gbk_csv()), ("大湾区城市.xlsx", gba_xlsx())])
def test_cross_section_mapping_entropy_topsis(client: Any, name: str, data: bytes) -> None:
    body = _upload(client, name, data, lang="zh").json()
    token = body["token"]
    try:
        t = body["table"]
        assert body["problems"] == [] and t["study"] == "cross_section" and t["unit"] == "城市"
        assert t["rows"] == 11 and t["header_row"] == 2
        assert [c["name"] for c in body["candidates"]] == [n for n, _u, _d in GBA_INDICATORS]
        if name.endswith(".csv"):
            assert t["encoding"] == "gb18030" and t["units"]["地区生产总值"] == "亿元"
            assert any("标题" in d["text"] for d in body["decisions"])  # the title row, said in Chinese
        assert body["methods"] == {"normalisation": "minmax", "weighting": "entropy", "aggregation": "topsis"}
        r = client.post(f"/api/workbench/{token}/evaluate", params={"lang": "en"},
                        json={"indicators": _map_all(body["candidates"]), "name": "城市创新 / City innovation",
                              "weighting": "entropy", "aggregation": "topsis"})
        assert r.status_code == 200, r.text
        ev = r.json()["evaluation"]
        ranks = {x["row"]: x["rank"] for x in ev["variant"]["ranking"]}
        assert ranks == gba_expected_ranks() and set(ranks) == set(GBA_CITIES)
        tables = {t["key"]: t for t in ev["tables"]}
        assert {"indicators", "raw", "normalised", "weights", "scores", "topsis", "robustness"} <= set(tables)
        assert tables["topsis"]["title"] == "TOPSIS distances" and tables["weights"]["title_zh"] == "权重"
        w = tables["weights"]
        assert sum(r[w["columns"].index("weight")] for r in w["rows"]) == pytest.approx(1.0)
    finally:
        client.delete(f"/api/workbench/{token}")


def test_downloads_and_reopen_a_saved_project(client: Any, tmp_path: Path) -> None:
    import json
    import zipfile

    import openpyxl

    from hkfactor.report.evaluation import sheet_name

    body = _upload(client, "gba.csv", gba_gbk_csv()).json()
    token = body["token"]
    body = client.post(f"/api/workbench/{token}/evaluate", json={"indicators": _map_all(body["candidates"])}).json()
    assert body["downloads"] == ["evaluation.xlsx", "report.html", "recipe.json", "framework.yaml", "project.zip"]
    dl = {n: client.get(f"/api/workbench/{token}/download/{n}", params={"lang": "zh"}) for n in body["downloads"]}
    assert all(r.status_code == 200 for r in dl.values())
    (tmp_path / "e.xlsx").write_bytes(dl["evaluation.xlsx"].content)
    sheets = openpyxl.load_workbook(tmp_path / "e.xlsx", read_only=True).sheetnames
    assert sheet_name("scores") in sheets and sheet_name("topsis") in sheets and "得分与排名 Scores and ranks" in sheets
    assert dl["report.html"].content.startswith(b"<!doctype html") or b"<html" in dl["report.html"].content[:200]
    assert 'lang="zh' in dl["report.html"].text[:300]
    recipe = json.loads(dl["recipe.json"].content)
    assert recipe["aggregation"] == "topsis" and recipe["inputs"]["data"] == "inputs/gba.csv"
    assert recipe["inputs"]["framework"] == "inputs/framework.yaml"
    names = zipfile.ZipFile(io.BytesIO(dl["project.zip"].content)).namelist()
    assert {"gba-project/recipe.json", "gba-project/inputs/gba.csv", "gba-project/inputs/framework.yaml",
            "gba-project/report.html", "gba-project/tables/evaluation.xlsx"} <= set(names)
    client.delete(f"/api/workbench/{token}")
    # reopen: recipe.json + the data + the framework give the same evaluation
    files = {"file": ("gba.csv", gba_gbk_csv()), "framework": ("framework.yaml", dl["framework.yaml"].content),
             "recipe": ("recipe.json", dl["recipe.json"].content)}
    again = client.post("/api/workbench", params={"lang": "en"}, files=files).json()
    assert again["problems"] == [] and again["evaluation"]["recipe"]["aggregation"] == "topsis"
    assert again["evaluation"]["variant"]["ranking"] == body["evaluation"]["variant"]["ranking"]
    client.delete(f"/api/workbench/{again['token']}")
    # changed data: the recipe no longer replays exactly, said in the page's language
    files["file"] = ("gba.csv", gba_gbk_csv().replace(b"628.8", b"628.9"))
    changed = client.post("/api/workbench", params={"lang": "zh"}, files=files).json()
    assert changed["evaluation"] is None and "数据文件在方案写出后已改变" in changed["problems"][0]["message"]
    client.delete(f"/api/workbench/{changed['token']}")


def test_mapping_errors_are_clear(client: Any) -> None:
    body = _upload(client, "gba.csv", gba_gbk_csv()).json()
    token = body["token"]
    none = client.post(f"/api/workbench/{token}/evaluate", params={"lang": "zh"},
                       json={"indicators": [{"column": "地区生产总值", "direction": "0"}]})
    assert none.status_code == 422 and "至少选择一个指标" in none.json()["error"]
    unknown = client.post(f"/api/workbench/{token}/evaluate", params={"lang": "en"},
                          json={"indicators": [{"column": "no such column"}]})
    assert unknown.status_code == 422 and "parameter column" in unknown.json()["error"]
    extra = client.post(f"/api/workbench/{token}/evaluate", json={"colour": "red"})
    assert extra.status_code == 422
    assert client.get(f"/api/workbench/{token}/download/report.html").status_code == 404
    client.delete(f"/api/workbench/{token}")


def test_page_mapping_form_evaluates(client: Any) -> None:
    r = client.post("/workbench", params={"lang": "en"}, files={"file": ("gba.csv", gba_gbk_csv(), "text/csv")},
                    follow_redirects=False)
    result = r.headers["location"].split("?")[0]
    page = client.get(result, params={"lang": "zh"}).text
    assert 'id="map-form"' in page and "识别为截面数据" in page and "单位GDP能耗" in page
    form = {"column": [n for n, _u, _d in GBA_INDICATORS], "direction": [d for _n, _u, d in GBA_INDICATORS],
            "normalisation": "minmax", "weighting": "entropy", "aggregation": "topsis"}
    done = client.post(result + "/evaluate", params={"lang": "en"}, data=form, follow_redirects=False)
    assert done.status_code == 303
    page = client.get(result, params={"lang": "en"}).text
    assert 'id="ranking-table"' in page and "TOPSIS distances" in page and "/download/evaluation.xlsx" in page
    best = min(gba_expected_ranks().items(), key=lambda kv: kv[1])[0]
    assert f"<td>{best}</td>" in page.split('id="ranking-table"')[1].split("</tr>")[1]
    client.post(result + "/close")


@pytest.mark.parametrize(("name", "data", "status", "needle"), [
    ("evil.exe", b"MZ", 415, "only .csv, .txt and .xlsx"),
    ("empty.csv", b"", 422, "empty"),
    ("big.csv", b"a" * (MAX_UPLOAD_BYTES + 1), 413, "too large"),
])
def test_rejected_uploads(client: Any, name: str, data: bytes, status: int, needle: str) -> None:
    r = _upload(client, name, data)
    assert r.status_code == status and needle in r.json()["error"]


def test_file_name_never_becomes_a_path(app: Any) -> None:
    bench = app.state.workbench
    s = bench.create("../../../../etc/pass<wd>.csv", b"series,year,value\n")
    try:
        assert s.filename == "pass<wd>.csv"
        assert [p.relative_to(s.folder).as_posix() for p in s.folder.rglob("*") if p.is_file()] == \
            ["inputs/pass_wd.csv"]
        assert not Path("/etc/passwd.csv").exists() and not Path("/etc/pass<wd>.csv").exists()
    finally:
        bench.close(s.token)


def test_close_deletes_the_folder_and_the_session(client: Any, app: Any) -> None:
    body = _upload(client, "x.csv", MESSY_GBK).json()
    folder = app.state.workbench.get(body["token"]).folder
    assert folder.is_dir()
    page = client.post(f"/workbench/{body['token']}/close", params={"lang": "en"})
    assert page.status_code == 200 and "The uploaded file was deleted." in page.text
    assert not folder.exists()
    gone = client.get(f"/api/workbench/{body['token']}", params={"lang": "zh"})
    assert gone.status_code == 404 and "上传已过期或已删除" in gone.json()["error"]
    assert client.get("/api/workbench/not-a-token!").status_code in (404, 422)


def test_idle_sessions_expire_and_shutdown_removes_all() -> None:
    app = create_app(lang="en", warm=False, idle_seconds=600)
    with TestClient(app) as c:
        body = _upload(c, "x.csv", MESSY_GBK).json()
        folder = app.state.workbench.get(body["token"]).folder
        assert c.get(f"/api/workbench/{body['token']}").status_code == 200  # alive while used
        app.state.workbench.idle_seconds = 0.2  # (shortened only now: an upload on a busy machine takes longer)
        time.sleep(0.4)
        assert c.get(f"/api/workbench/{body['token']}").status_code == 404
        assert not folder.exists()
        app.state.workbench.idle_seconds = 600
        keep = _upload(c, "y.csv", MESSY_GBK).json()
        kept = app.state.workbench.get(keep["token"]).folder
    assert not kept.exists()  # the server stopped: every upload is gone


def test_page_upload_redirects_to_result(client: Any) -> None:
    r = client.post("/workbench", params={"lang": "en"}, files={"file": ("m.csv", MESSY_GBK, "text/csv")},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/workbench/")
    page = client.get(r.headers["location"])
    assert "3 problem(s) found" in page.text
    client.post(r.headers["location"].split("?")[0] + "/close")
