"""Fixtures of the chain tests: the built-in graph (the paper text is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from hkfactor.chain import default_graph, read_chain_tables

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="session")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return read_chain_tables()


@pytest.fixture()
def g() -> nx.MultiDiGraph:
    return default_graph()

