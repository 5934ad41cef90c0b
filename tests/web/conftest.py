"""Fixtures of the web tests: one app (TestClient), one live server on a free loopback port, one browser."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi, uvicorn) is not installed")

from fastapi.testclient import TestClient

from hkfactor.web import create_app

CHROMIUM = Path("/usr/bin/chromium")

#: A messy GBK CSV as Excel on Chinese Windows writes it (synthetic, for tests): Chinese headers, a
#: thousands separator, a year written 2017年, a typo in a series code, a non-number, a missing
#: marker and a series named like a script tag (it must show as text).
MESSY_GBK = (
    "指标,年份,数值,备注\n"
    "sz_pct_applications,2016,\"19,648\",合成数据\n"
    "sz_pct_applications,2017年,20457,\n"
    "sz_pct_aplications,2018,18081,拼写错误\n"
    "sz_invention_grants,2018,abc,\n"
    "sz_invention_grants,2019,—,缺失\n"
    "<script>alert(1)</script>,2019,1,\n"
).encode("gbk")


#: An 11-city × 8-indicator cross-section (SYNTHETIC values, for tests only): the mainland GBA
#: cities, Hong Kong and Macao; the last indicator is a cost (less is better).
GBA_CITIES = ("广州", "深圳", "珠海", "佛山", "惠州", "东莞", "中山", "江门", "肇庆", "香港", "澳门")
GBA_INDICATORS = (("地区生产总值", "亿元", "+"), ("研发投入强度", "%", "+"), ("发明专利授权量", "件", "+"),
                  ("高新技术企业数", "家", "+"), ("高校在校生", "万人", "+"), ("实际利用外资", "亿美元", "+"),
                  ("每万人发明专利", "件", "+"), ("单位GDP能耗", "吨/万元", "-"))


def gba_values() -> list[list[float]]:
    """Synthetic values, city × indicator (deterministic; not real statistics)."""
    import numpy as np

    return np.random.default_rng(7).uniform(10, 1000, size=(11, 8)).round(1).tolist()


def gba_gbk_csv() -> bytes:
    """The cross-section as a messy GBK CSV: a title row, the header, a unit row, thousands
    separators, and a source note under the table."""
    lines = ["2022年粤港澳大湾区城市创新指标（合成数据）", "城市," + ",".join(n for n, _u, _d in GBA_INDICATORS),
             "," + ",".join(u for _n, u, _d in GBA_INDICATORS)]
    for city, row in zip(GBA_CITIES, gba_values(), strict=True):
        lines.append(city + "," + ",".join(f'"{v:,.1f}"' if v >= 1000 else f"{v}" for v in row))
    lines.append("资料来源：合成数据，仅供测试")
    return ("\n".join(lines) + "\n").encode("gbk")


def gba_xlsx() -> bytes:
    """The same cross-section as an Excel workbook with a merged title row above the header."""
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "城市"
    ws.append(["2022年大湾区城市创新指标（合成数据）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=1 + len(GBA_INDICATORS))
    ws.append(["城市", *[n for n, _u, _d in GBA_INDICATORS]])
    for city, row in zip(GBA_CITIES, gba_values(), strict=True):
        ws.append([city, *row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def gba_expected_ranks() -> dict[str, int]:
    """City → rank under entropy-TOPSIS, computed through the public API (the reference the web must show)."""
    import tempfile

    from hkfactor.evaluation import EvaluationRecipe, evaluate, framework_from_dict, read_data

    doc = {"subsystems": [{"id": "composite", "name_zh": "综合指数", "indicators": [
        {"series": n, "name_zh": n, "direction": d, "unit": u} for n, u, d in GBA_INDICATORS]}]}
    fw = framework_from_dict(doc, file="framework.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        f = Path(tmp) / "gba.csv"
        f.write_bytes(gba_gbk_csv())
        ev = evaluate(read_data(f, fw), fw, recipe=EvaluationRecipe(aggregation="topsis", robustness=False))
    h = ev.headline()
    return dict(zip(h["unit"], (int(r) for r in h["rank"]), strict=True))


@pytest.fixture(scope="session", autouse=True)
def _builtin_evaluation_first() -> None:
    """Compute the built-in evaluation once, in the main thread, before any app starts.

    The server warms it in a background thread; the evaluation silences library deprecation
    warnings with ``warnings.catch_warnings`` (process-wide, not thread-safe), so under
    ``filterwarnings = error`` a warm-up overlapping pytest's own per-test warning filters could
    raise. Computed here first, the warm-up only finds it cached.
    """
    from hkfactor.web._evaluation import builtin_evaluation

    builtin_evaluation()


@pytest.fixture(scope="session")
def app() -> Any:
    return create_app(lang="zh")


@pytest.fixture(scope="session")
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """``hkfactor.web`` served by Uvicorn on 127.0.0.1:<free port> in a thread; yields the base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(lang="zh"), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True, name="hkfactor-test-server")
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless chromium driven by Playwright (no `playwright install`: no browser download)."""
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (scripts/install-system-deps.sh installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    pw = sync_api.sync_playwright().start()
    exe = str(CHROMIUM) if CHROMIUM.exists() else str(shutil.which("chromium"))
    b = pw.chromium.launch(executable_path=exe, headless=True, args=["--no-sandbox", "--disable-gpu"])
    yield b
    b.close()
    pw.stop()
