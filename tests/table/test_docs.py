"""Every ```python block in docs/reading-data.md runs, and the doc lists every table.* code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hkfactor.messages import CATALOGUE

DOC = Path(__file__).resolve().parents[2] / "docs" / "reading-data.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", TEXT, flags=re.S)


def test_docs_have_examples() -> None:
    assert len(BLOCKS) >= 1


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_docs_example_runs(code: str) -> None:
    exec(compile(code, str(DOC), "exec"), {})


def test_docs_name_every_code() -> None:
    import hkfactor  # noqa: F401  (registers the table.* codes)

    listed = set(re.findall(r"`(table\.[a-z_.]+)`", TEXT))
    for group in re.findall(r"`table\.([a-z_]+)\.\{([a-z_,]+)\}`", TEXT):
        listed |= {f"table.{group[0]}.{x}" for x in group[1].split(",")}
    missing = sorted(c for c in CATALOGUE if c.startswith("table.") and c not in listed)
    assert not missing, f"docs/reading-data.md does not name: {missing}"
