"""The code block of docs/robustness.md runs (the doctests run in tests/test_doctests.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "robustness.md"


def test_docs_example_runs(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(DOC.parents[1])  # the example runs from the repository root
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    ns: dict[str, object] = {}
    exec(compile(blocks[0], str(DOC), "exec"), ns)
    out = capsys.readouterr().out
    assert "Nominal" in out and "STi" in out

