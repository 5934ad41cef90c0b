"""Every documented example runs: the code block of docs/robustness.md and the doctests."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import hkfactor.robustness._analysis as analysis
import hkfactor.robustness._design as design
import hkfactor.robustness._estimators as estimators
import hkfactor.robustness._ranks as ranks

from .conftest import REF

DOC = Path(__file__).resolve().parents[2] / "docs" / "robustness.md"


@pytest.mark.skipif(not REF.exists(), reason="COINr ASEM reference inputs not available")
def test_docs_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    assert blocks
    ns: dict[str, object] = {}
    exec(compile(blocks[0], str(DOC), "exec"), ns)
    out = capsys.readouterr().out
    assert "Nominal" in out and "STi" in out


@pytest.mark.parametrize("mod", [analysis, design, estimators, ranks])
def test_doctests(mod: object) -> None:
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)  # type: ignore[arg-type]
    assert res.failed == 0
