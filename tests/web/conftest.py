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
