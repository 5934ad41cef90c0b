"""The workbench: uploads checked, kept in a temporary folder, deleted on close or idle."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import MESSY_GBK

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
    # the built-in panel written back as a long CSV reads without a problem and evaluates
    panel = client.get("/api/data/download/panel.csv").content.decode("utf-8-sig")
    cells = pd.read_csv(io.StringIO(panel), dtype={"period": str})
    fw_series = {i["series"] for i in client.get("/api/evaluation").json()["indicators"]}
    cells = cells[cells["period"].str.fullmatch(r"\d{4}") & cells["series"].isin(fw_series)]
    data = cells.rename(columns={"period": "year"})[["series", "year", "value"]].to_csv(index=False).encode()
    body = _upload(client, "panel.csv", data, lang="zh").json()
    assert body["problems"] == [] and body["summary"]["series"] > 10
    assert body["evaluation"] is not None and body["evaluation"]["coupling"]
    client.delete(f"/api/workbench/{body['token']}")


def test_excel_upload(client: Any, tmp_path: Path) -> None:
    buf = io.BytesIO()
    pd.DataFrame({"series": ["sz_pct_applications"] * 3, "year": [2016, 2017, 2018],
                  "value": [19648, 20457, 18081]}).to_excel(buf, index=False)
    body = client.post("/api/workbench", files={"file": ("data.xlsx", buf.getvalue(), "application/octet-stream")}
                       ).json()
    assert body["problems"] == [] and body["summary"]["cells"] == 3
    client.delete(f"/api/workbench/{body['token']}")


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
    s = bench.create("../../../../etc/passwd.csv", b"series,year,value\n")
    try:
        assert s.filename == "passwd.csv"
        assert [p.name for p in s.folder.iterdir()] == ["data.csv"]
        assert not Path("/etc/passwd.csv").exists()
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
    app = create_app(lang="en", warm=False, idle_seconds=0.2)
    with TestClient(app) as c:
        body = _upload(c, "x.csv", MESSY_GBK).json()
        folder = app.state.workbench.get(body["token"]).folder
        time.sleep(0.4)
        assert c.get(f"/api/workbench/{body['token']}").status_code == 404
        assert not folder.exists()
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
