"""Fixtures of the evidence tests: a SYNTHETIC evidence folder (see _synthetic.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence._synthetic import write_evidence


@pytest.fixture
def syn_dir(tmp_path: Path) -> Path:
    """A synthetic evidence folder in a temporary directory."""
    return write_evidence(tmp_path / "evidence")
