"""Shared test fixtures (keep this small; topic fixtures live beside their tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run the real ``hkfactor`` command (``python -m hkfactor …``) in a subprocess.

    Returns the completed process (text, UTF-8); the working directory is a temporary folder.
    """

    def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1", "COLUMNS": "200"}
        return subprocess.run(
            [sys.executable, "-m", "hkfactor", *args],
            capture_output=True, text=True, encoding="utf-8", env=env, cwd=cwd or tmp_path, timeout=300,
        )

    return run


PAPER_NAME = "000_7d5d9f23481ada87.txt"
#: the paper's text is not in the repository: it lies in shared/seed/ beside the clone (as in CI)
PAPER_CANDIDATES = (
    Path(__file__).resolve().parents[2] / "shared" / "seed" / PAPER_NAME,
    Path("/work/shared/seed") / PAPER_NAME,
)


@pytest.fixture(scope="session")
def paper() -> str:
    """The paper's full text, for checking that locators are verbatim."""
    for p in PAPER_CANDIDATES:
        if p.is_file():
            return p.read_text(encoding="utf-8")
    pytest.skip(f"paper text {PAPER_NAME} not found beside the clone (../shared/seed/) or in /work/shared/seed/")
