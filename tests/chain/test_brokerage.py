"""Gould–Fernandez brokerage: R's ``sna::brokerage`` is the oracle.

``reference/brokerage_r.json`` holds every component of ``sna::brokerage(g, cl)`` (sna 2.7-1,
R 4.2) for the graphs in ``reference/brokerage_inputs.json`` — random directed graphs with
2–4 groups, a star with a singleton group (zero variances → NaN z-scores), the chain graph
grouped by side and by stage, and the 2004 trade networks. They were produced by
``reference/brokerage_reference.R`` (run it to regenerate; see ``make_brokerage_inputs.py``).
The stored comparison needs no R; the ``needs_r`` test re-runs R live when ``Rscript`` exists.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hkfactor.chain import ROLES, brokerage, brokerage_of
from hkfactor.errors import InputError

REF = Path(__file__).parent / "reference"
INPUTS = json.loads((REF / "brokerage_inputs.json").read_text(encoding="utf-8"))
STORED = json.loads((REF / "brokerage_r.json").read_text(encoding="utf-8"))
FIELDS = ("raw_nli", "exp_nli", "sd_nli", "z_nli", "raw_gli", "exp_gli", "sd_gli", "z_gli", "exp_grp", "sd_grp")


def _num(x: object) -> float:
    return {"NaN": math.nan, "NA": math.nan, "Inf": math.inf, "-Inf": -math.inf}.get(x, x) if isinstance(x, str) else float(x)  # type: ignore[arg-type,return-value]


def _arr(x: list) -> np.ndarray:
    return np.array([[_num(v) for v in row] for row in x]) if isinstance(x[0], list) else np.array([_num(v) for v in x])


def _compare(case: dict, ref: dict) -> None:
    r = brokerage(case["adjacency"], case["groups"], nodes=case["nodes"])
    for f in FIELDS:
        np.testing.assert_allclose(getattr(r, f), _arr(ref[f]), rtol=1e-12, atol=1e-12, equal_nan=True, err_msg=f)
    assert list(r.clid) == list(ref["clid"])
    np.testing.assert_array_equal(r.n, np.array(ref["n"], dtype=float))


@pytest.mark.parametrize("case", INPUTS, ids=[c["name"] for c in INPUTS])
def test_matches_stored_sna_output(case: dict) -> None:
    _compare(case, STORED["cases"][case["name"]])


@pytest.mark.needs_r
@pytest.mark.skipif(shutil.which("Rscript") is None, reason="Rscript (R with sna) is not installed")
def test_matches_live_sna(tmp_path: Path) -> None:
    out = tmp_path / "live.json"
    proc = subprocess.run(
        ["Rscript", str(REF / "brokerage_reference.R"), str(REF / "brokerage_inputs.json"), str(out)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0 and "there is no package called" in proc.stderr:
        pytest.skip("R package sna or jsonlite is not installed")
    assert proc.returncode == 0, proc.stderr
    live = json.loads(out.read_text(encoding="utf-8"))
    for case in INPUTS:
        _compare(case, live["cases"][case["name"]])


def _loop_counts(adj: np.ndarray, cl: list[str]) -> np.ndarray:
    """Direct transcription of sna's C routine ``brokerage_R`` (gli.c), columns as in R."""
    n = adj.shape[0]
    out = np.zeros((n, 5))
    for i in range(n):
        for j in range(n):
            if j == i or not adj[i, j]:
                continue
            for k in range(n):
                if k in (i, j) or not adj[j, k] or adj[i, k]:
                    continue
                if cl[j] == cl[i]:
                    out[j, 0 if cl[j] == cl[k] else 2] += 1
                elif cl[j] == cl[k]:
                    out[j, 3] += 1
                elif cl[i] == cl[k]:
                    out[j, 1] += 1
                else:
                    out[j, 4] += 1
    return out


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(3, 9),
    seed=st.integers(0, 2**32 - 1),
    n_groups=st.integers(1, 4),
    density=st.floats(0.05, 0.95),
)
def test_vectorised_counts_equal_the_c_loop(n: int, seed: int, n_groups: int, density: float) -> None:
    rng = np.random.default_rng(seed)
    adj = rng.random((n, n)) < density
    cl = [f"g{x}" for x in rng.integers(0, n_groups, size=n)]
    r = brokerage(adj, cl)
    np.testing.assert_array_equal(r.raw_nli[:, :5], _loop_counts(adj, cl))
    np.testing.assert_array_equal(r.raw_nli[:, 5], r.raw_nli[:, :5].sum(axis=1))


def test_counts_are_invariant_to_relabelling_and_reordering() -> None:
    rng = np.random.default_rng(7)
    adj = rng.random((10, 10)) < 0.3
    np.fill_diagonal(adj, False)
    cl = [["a", "b", "c"][x] for x in rng.integers(0, 3, size=10)]
    base = brokerage(adj, cl)
    renamed = brokerage(adj, [{"a": "z", "b": "y", "c": "x"}[c] for c in cl])
    np.testing.assert_array_equal(base.raw_nli, renamed.raw_nli)
    perm = rng.permutation(10)
    moved = brokerage(adj[np.ix_(perm, perm)], [cl[p] for p in perm])
    np.testing.assert_array_equal(base.raw_nli[perm], moved.raw_nli)


def test_a_three_group_chain_has_one_liaison() -> None:
    # x -> y -> z, all in different groups, no x -> z: y is a liaison once.
    r = brokerage([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["a", "b", "c"], nodes=["x", "y", "z"])
    assert r.row("y")["b_O"]["observed"] == 1.0
    assert r.raw_nli.sum() == 2.0  # b_O and t of y
    assert r.density == pytest.approx(2 / 6)


@pytest.mark.parametrize(
    ("adj", "groups", "match"),
    [
        ([[0, 1], [1, 0], [0, 0]], ["a", "b", "c"], "square"),
        ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["a", "b"], "3 vertices"),
        ([[0, 1], [1, 0]], ["a", "b"], "at least 3"),
        ([[0, math.nan, 0], [0, 0, 1], [0, 0, 0]], ["a", "b", "c"], "NaN"),
    ],
)
def test_bad_input_is_a_domain_error(adj: list, groups: list, match: str) -> None:
    with pytest.raises(InputError, match=match):
        brokerage(adj, groups)


def test_chain_graph_brokers_by_side(g) -> None:
    r = brokerage_of(g, by="side")
    top = sorted(zip(r.nodes, r.raw_nli[:, 5], strict=True), key=lambda x: (-x[1], x[0]))[:3]
    # Shenzhen and Hong Kong (the places) carry most open two-paths across sides.
    assert [n for n, _ in top] == ["E-SHENZHEN", "E-HONG-KONG", "E-CUHK"]
    hk = r.row("E-HONG-KONG")
    assert hk["b_O"]["observed"] == 21.0 and hk["b_O"]["z"] > 10  # liaison well above chance
    assert set(ROLES) == set(hk)
