"""Fixtures of the chain tests: the built-in graph and the paper text."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from hkfactor.chain import default_graph, read_chain_tables

PAPER_NAME = "000_7d5d9f23481ada87.txt"
PAPER_CANDIDATES = (
    Path(__file__).resolve().parents[3] / "shared" / "seed" / PAPER_NAME,
    Path("/work/shared/seed") / PAPER_NAME,
)
REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="session")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return read_chain_tables()


@pytest.fixture()
def g() -> nx.MultiDiGraph:
    return default_graph()


@pytest.fixture(scope="session")
def paper() -> str:
    for p in PAPER_CANDIDATES:
        if p.exists():
            return p.read_text(encoding="utf-8")
    pytest.skip(f"paper text {PAPER_NAME} not found beside the clone (../shared/seed/) or in /work/shared/seed/")
