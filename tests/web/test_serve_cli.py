"""``hkfactor serve`` as a person runs it: the real command in a subprocess, on a free loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest
from tests.web.conftest import _free_port


def test_serve_help(run_cli: Any) -> None:
    r = run_cli("serve", "--help")
    assert r.returncode == 0
    for opt in ("--host", "--port", "--lang"):
        assert opt in r.stdout


@pytest.mark.slow
def test_serve_starts_answers_and_stops(tmp_path: Any) -> None:
    port = _free_port()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "hkfactor", "serve", "--port", str(port), "--lang", "en"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 120
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/evidence", timeout=5) as resp:
                    body = resp.read().decode("utf-8")
                    break
            except OSError:
                time.sleep(0.3)
        assert "Evidence: the paper&#39;s quantitative claims" in body
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert f"http://127.0.0.1:{port}/" in out
    assert "Traceback" not in err


def test_port_in_use_is_a_clear_error(run_cli: Any) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = run_cli("serve", "--port", str(port))
    assert r.returncode == 2
    assert "cannot listen on 127.0.0.1" in r.stderr and "Traceback" not in r.stderr


def test_core_never_imports_the_web_face() -> None:
    code = ("import sys, hkfactor.evidence, hkfactor.chain, hkfactor.panel, hkfactor.evaluation, hkfactor.cli;"
            "print(any(m == 'fastapi' or m.startswith('hkfactor.web') for m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.strip() == "False", r.stderr
