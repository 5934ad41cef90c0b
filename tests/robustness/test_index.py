"""The analysis on the engine's Index agrees with the kernel-level ASEM model."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hkfactor.engine import AGGREGATORS, Index, aggregate_tree, asem_recipe
from hkfactor.errors import SpecError
from hkfactor.robustness import Alternative, UncertainInput, WeightNoise, sensitivity, uncertainty

from .asem import REF, AsemModel, asem_spec


@pytest.fixture(scope="module")
def index() -> Index:
    return Index.from_coinr(REF / "input_ASEM_iData.csv", REF / "input_ASEM_iMeta.csv", asem_recipe())


def test_index_and_kernel_model_agree(index: Index) -> None:
    a = uncertainty(index, asem_spec(), n=300, seed=4)
    b = uncertainty(AsemModel(), asem_spec(), n=300, seed=4)
    assert sorted(a.units) == sorted(b.units)
    order = [b.units.index(u) for u in a.units]  # iData order vs COINr's sorted dset order
    np.testing.assert_allclose(a.scores, b.scores[:, order], rtol=1e-10, atol=1e-9)
    np.testing.assert_array_equal(a.ranks, b.ranks[:, order])
    root = index.framework.root
    np.testing.assert_allclose(a.nominal_scores, index.stage("Aggregated")[root].to_numpy(), atol=1e-12)
    np.testing.assert_array_equal(a.nominal_ranks, index.ranks()[root].to_numpy())


def test_sensitivity_on_index(index: Index) -> None:
    a = sensitivity(index, asem_spec(), n=64, n_boot=50, seed=2)
    b = sensitivity(AsemModel(), asem_spec(), n=64, n_boot=50, seed=2)
    np.testing.assert_allclose(a.indices.st, b.indices.st, atol=1e-9)


def test_other_column_and_weight_set_alternative(index: Index) -> None:
    idx = Index.from_coinr(REF / "input_ASEM_iData.csv", REF / "input_ASEM_iMeta.csv", asem_recipe())
    idx.add_weights("ConnHeavy", {"Conn": 3.0})
    spec = [UncertainInput("aggregate", "weights", values=("Original", "ConnHeavy"), name="WeightSet"), WeightNoise(levels=(2,))]
    res = uncertainty(idx, spec, n=200, seed=0, column="Sust")
    assert res.column == "Sust"
    # Sust does not depend on the Conn weight: only the level-2 noise moves it
    heavy = res.choices[:, 0] == 1
    assert heavy.any() and (~heavy).any()
    res_idx = uncertainty(idx, spec, n=200, seed=0)
    alt = idx.what_if(weights="ConnHeavy")
    assert res_idx.scores.shape == (200, 51)
    # with noise switched off, the ConnHeavy replications reproduce what_if()
    res0 = uncertainty(idx, [spec[0], WeightNoise(levels=(2,), factor=0.0)], n=20, seed=1)
    rows = res0.choices[:, 0] == 1
    np.testing.assert_allclose(res0.scores[rows], np.broadcast_to(alt.stage("Aggregated")["Index"].to_numpy(), (rows.sum(), 51)))


def test_index_errors(index: Index) -> None:
    no_treat = Index.from_coinr(
        REF / "input_ASEM_iData.csv", REF / "input_ASEM_iMeta.csv", asem_recipe().replace("treat", None)
    )
    with pytest.raises(SpecError, match="no such step"):
        uncertainty(no_treat, [UncertainInput("treat", "winmax", values=(1, 2))], n=5)
    with pytest.raises(SpecError, match=r"expected a hkfactor\.engine\.Index"):
        uncertainty(object(), [WeightNoise()], n=5)


@pytest.fixture(scope="module")
def positive_index() -> Index:
    """ASEM with min-max onto [1, 100] so every aggregator's domain is met."""
    rec = asem_recipe().replace("normalise", asem_recipe().get("normalise").replace(params={"l_u": [1, 100]}))  # type: ignore[union-attr]
    return Index.from_coinr(REF / "input_ASEM_iData.csv", REF / "input_ASEM_iMeta.csv", rec)


@pytest.mark.parametrize("method", sorted(AGGREGATORS))
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(levels=st.sets(st.sampled_from([1, 2, 3]), min_size=0, max_size=3), seed=st.integers(0, 2**16))
def test_subtree_split_equals_full_aggregation(positive_index: Index, method: str, levels: set[int], seed: int) -> None:
    """IndexModel.aggregate computes noise-free sub-trees once; it must equal aggregate_tree on all."""
    from hkfactor.robustness._adapter import IndexModel

    model = IndexModel(positive_index)
    plan = model.plan
    lev = np.array([1] * len(plan.indicators) + list(plan.levels))
    rng = np.random.default_rng(seed)
    factors = np.ones((7, len(plan.columns)))
    noisy = np.isin(lev, sorted(levels))
    factors[:, noisy] = rng.uniform(0.75, 1.25, size=(7, int(noisy.sum())))
    x = model.normalised([])
    change = [("aggregate", None, Alternative(method))]
    got = model.aggregate(x, factors, change)
    spec = positive_index.aggregation_spec(positive_index.recipe.get("aggregate").replace(method=method))  # type: ignore[union-attr]
    w0 = spec.pop("weights")
    want = aggregate_tree(x, plan, w0 * factors, **spec)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-10)


def test_screening_alternative_drops_units_as_nan(index: Index) -> None:
    """A stricter screen removes units in some replications: their scores and ranks are NaN
    there (COINr merges by uCode), the others are ranked among the units present."""
    strict_screen = Alternative("availability_and_nonzero", {"dat_thresh": 0.9, "nonzero_thresh": 0.95})
    spec = [UncertainInput("screen", None, values=(Alternative("availability", {"dat_thresh": 0.9}), strict_screen)), WeightNoise()]
    res = uncertainty(index, spec, n=40, seed=0)
    strict = res.choices[:, 0] == 1
    assert strict.any() and (~strict).any()
    dropped = np.isnan(res.scores[strict]).all(axis=0)
    assert dropped.any() and not np.isnan(res.scores[~strict]).any()
    assert np.nanmax(res.ranks[strict]) == res.scores.shape[1] - dropped.sum()
    assert res.n_failed == 0


def test_panel_index_is_refused() -> None:
    import pandas as pd

    from hkfactor.engine import Element, Framework, Recipe, Step

    fw = Framework([Element("I", None), Element("a", "I"), Element("b", "I")])
    data = pd.DataFrame({"uCode": ["X", "X", "Y", "Y"], "Year": [1, 2, 1, 2], "a": [1.0, 2, 3, 4], "b": [4.0, 3, 2, 1]})
    idx = Index(fw, data, Recipe([Step("normalise", "minmax"), Step("aggregate", "amean")]), time="Year")
    with pytest.raises(SpecError, match="one year"):
        uncertainty(idx, [WeightNoise(levels=(1,))], n=5)
