"""Aggregation over random trees: fast level-wise path = generic path; effective weights."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as hs

from hkfactor.engine import Element, Framework, aggregate_tree, effective_weights_array


@hs.composite
def trees(draw: hs.DrawFn) -> Framework:
    """A random tree: every non-root node hangs under an earlier aggregate-or-root node."""
    n_agg = draw(hs.integers(1, 5))
    els = [Element("R", None)]
    aggs = ["R"]
    for i in range(n_agg):
        parent = draw(hs.sampled_from(aggs))
        els.append(Element(f"A{i}", parent, weight=draw(hs.floats(0.1, 3))))
        aggs.append(f"A{i}")
    has_child = {e.parent for e in els}
    n_ind = 0
    for a in aggs:
        k = draw(hs.integers(0 if a in has_child else 1, 3))
        for _ in range(k):
            els.append(Element(f"i{n_ind}", a, weight=draw(hs.floats(0.1, 3))))
            n_ind += 1
    return Framework(els)


@settings(max_examples=60, deadline=None)
@given(fw=trees(), seed=hs.integers(0, 10_000))
def test_fast_amean_equals_generic(fw: Framework, seed: int) -> None:
    rng = np.random.default_rng(seed)
    plan = fw.plan
    x = rng.random((2, 6, len(plan.indicators))) * 100
    x[x < 10] = np.nan
    w = rng.random((2, len(plan.columns))) + 0.1
    fast = aggregate_tree(x, plan, w)
    generic = aggregate_tree(x, plan, w, dat_thresh=0.0)  # any dat_thresh takes the per-group path
    np.testing.assert_allclose(fast, generic, rtol=1e-12, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(fw=trees())
def test_effective_weights_sum_to_one_over_indicators(fw: Framework) -> None:
    plan = fw.plan
    eff = effective_weights_array(plan)
    ni = len(plan.indicators)
    np.testing.assert_allclose(eff[:ni].sum(), 1.0, rtol=1e-12)
    d = fw.effective_weights()
    np.testing.assert_allclose([d[c] for c in plan.columns], eff, rtol=1e-12)
    # the index score of a unit with every indicator equal to c is c
    x = np.full((1, 3, ni), 42.0)
    np.testing.assert_allclose(aggregate_tree(x, plan)[0, :, -1], 42.0)
