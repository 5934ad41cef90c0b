"""Entropy weights: the papers' min-max recipes and the raw-proportion recipe of pymcdm/scikit-criteria."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import entropy as scipy_entropy

from hkfactor.errors import InputError, SpecError
from hkfactor.methods import ENTROPY_VARIANTS, entropy_weights

# Four alternatives x four criteria (price, memory, storage, battery): the raw recipe is
# pinned against pymcdm 1.4.0 (`pymcdm.weights.entropy_weights`), run once from its
# downloaded wheel on 2026-11-28 (not a dependency); see docs/methods.md.
CARS = np.array([[250.0, 16, 12, 5], [200, 16, 8, 3], [300, 32, 16, 4], [275, 32, 8, 4]])
PYMCDM_CARS = [0.0840537566, 0.4448546484, 0.3470450095, 0.1240465855]

# Diakoulaki et al. (1995) data with the two negative entries made positive, so that
# pymcdm (which requires x > 0) accepts it; same provenance as above.
DIAKOULAKI_POS = np.array(
    [[61, 1.08, 4.33], [20.7, 0.26, 4.34], [16.3, 1.98, 2.53], [9.0, 3.29, 1.65],
     [5.4, 2.77, 2.33], [4.0, 4.12, 1.21], [6.1, 3.52, 2.10], [34.6, 3.31, 0.98]]
)
PYMCDM_DIAKOULAKI_POS = [0.5822665962, 0.2344307697, 0.1833026341]


def test_raw_matches_pymcdm() -> None:
    np.testing.assert_allclose(entropy_weights(CARS, variant="raw"), PYMCDM_CARS, atol=1e-9)
    np.testing.assert_allclose(
        entropy_weights(DIAKOULAKI_POS, variant="raw"), PYMCDM_DIAKOULAKI_POS, atol=1e-9
    )


def test_raw_matches_scikit_criteria_published_test() -> None:
    # scikit-criteria 0.10, tests/preprocessing/test_weighters.py::test_EntropyWeighter_simple_matrix:
    # [[1, 2], [4, 16]] -> [0.358889, 0.641111] (the objectives min/max are ignored there too).
    np.testing.assert_allclose(
        entropy_weights(np.array([[1.0, 2], [4, 16]]), variant="raw", directions=[-1, 1]),
        [0.358889, 0.641111],
        atol=1e-6,
    )


def test_raw_zero_log_zero_is_zero_like_scipy() -> None:
    X = np.array([[0.0, 3.0], [2.0, 1.0], [5.0, 1.0], [1.0, 0.0]])
    d = 1 - scipy_entropy(X, base=4, axis=0)
    np.testing.assert_allclose(entropy_weights(X, variant="raw"), d / d.sum(), atol=1e-12)


def test_minmax_hand_derivation() -> None:
    # Derived by hand (no published table): column [1, 2, 4] min-maxes to [0, 1/3, 1],
    # p = [0, 1/4, 3/4], e = -(1/4 ln 1/4 + 3/4 ln 3/4) / ln 3; column [3, 2, 1] (negative)
    # min-maxes to [1, 1/2, 0] -> p = [2/3, 1/3, 0].
    e1 = -(0.25 * math.log(0.25) + 0.75 * math.log(0.75)) / math.log(3)
    e2 = -(2 / 3 * math.log(2 / 3) + 1 / 3 * math.log(1 / 3)) / math.log(3)
    d = np.array([1 - e1, 1 - e2])
    X = np.array([[1.0, 3.0], [2.0, 2.0], [4.0, 1.0]])
    np.testing.assert_allclose(entropy_weights(X, variant="minmax", directions=[1, -1]), d / d.sum())


def test_shift_and_rescale_hand_derivation() -> None:
    X = np.array([[1.0, 3.0], [2.0, 2.0], [4.0, 1.0]])
    z = np.array([[0.0, 1.0], [1 / 3, 0.5], [1.0, 0.0]])

    def by_hand(v: np.ndarray) -> np.ndarray:
        p = v / v.sum(axis=0)
        e = -(p * np.log(p)).sum(axis=0) / math.log(3)
        return (1 - e) / (1 - e).sum()

    np.testing.assert_allclose(entropy_weights(X, directions=[1, -1]), by_hand(z + 1e-4))
    np.testing.assert_allclose(entropy_weights(X, directions=[1, -1], shift=0.01), by_hand(z + 0.01))
    np.testing.assert_allclose(
        entropy_weights(X, directions=[1, -1], variant="rescaled_minmax"), by_hand(0.002 + 0.996 * z)
    )
    np.testing.assert_allclose(
        entropy_weights(X, directions=[1, -1], variant="rescaled_minmax", rescale=(0.01, 0.99)),
        by_hand(0.01 + 0.98 * z),
    )


def test_recipes_differ_documented_table() -> None:
    # The table in docs/methods.md ("Entropy: two recipes").
    np.testing.assert_allclose(
        entropy_weights(CARS, directions=[-1, 1, 1, 1]), [0.1940, 0.3122, 0.3376, 0.1561], atol=1e-4
    )
    np.testing.assert_allclose(entropy_weights(CARS, variant="raw"), [0.0841, 0.4449, 0.3470, 0.1240], atol=1e-4)


def test_raw_is_not_offset_invariant_but_minmax_is() -> None:
    celsius = np.array([[12.0, 1.0], [18.0, 2.0], [25.0, 4.0], [30.0, 3.0]])
    fahrenheit = celsius.copy()
    fahrenheit[:, 0] = celsius[:, 0] * 9 / 5 + 32
    for variant in ("shifted_minmax", "rescaled_minmax", "minmax"):
        np.testing.assert_allclose(
            entropy_weights(celsius, variant=variant), entropy_weights(fahrenheit, variant=variant)
        )
    assert not np.allclose(entropy_weights(celsius, variant="raw"), entropy_weights(fahrenheit, variant="raw"))


def test_raw_ignores_directions_minmax_uses_them() -> None:
    assert np.allclose(
        entropy_weights(CARS, variant="raw"), entropy_weights(CARS, variant="raw", directions=[-1, 1, 1, 1])
    )
    assert not np.allclose(entropy_weights(CARS), entropy_weights(CARS, directions=[-1, 1, 1, 1]))


def test_raw_rejects_negative_data() -> None:
    with pytest.raises(InputError, match="non-negative"):
        entropy_weights(np.array([[1.0, -1.0], [2.0, 3.0]]), variant="raw")


def test_pooled_panel() -> None:
    rng = np.random.default_rng(0)
    cube = rng.random((3, 5, 4))  # T=3 periods, n=5 units, m=4 indicators
    stacked = cube.reshape(15, 4)
    pooled = entropy_weights(cube, pooled_periods=3)
    np.testing.assert_allclose(pooled, entropy_weights(stacked))
    np.testing.assert_allclose(entropy_weights(stacked, pooled_periods=3), entropy_weights(stacked))
    per_period = entropy_weights(cube)
    assert per_period.shape == (3, 4)
    np.testing.assert_allclose(per_period[1], entropy_weights(cube[1]))
    with pytest.raises(SpecError, match="does not divide"):
        entropy_weights(stacked, pooled_periods=4)
    with pytest.raises(SpecError, match="cube"):
        entropy_weights(cube, pooled_periods=5)


def test_pooled_k_is_one_over_ln_nT() -> None:
    # Hand check of k = 1/ln(nT): with nT = 4 stacked rows the min-max column [0, 1/3, 2/3, 1].
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 1.0], [3.0, 5.0]])
    z = np.array([0.0, 1 / 3, 2 / 3, 1.0])
    p = z[1:] / z.sum()
    e1 = -(p * np.log(p)).sum() / math.log(4)
    q = np.array([0.2, 1.0]) / 1.2  # [0, 0, 1, 5] -> [0, 0, 0.2, 1]
    e2 = -(q * np.log(q)).sum() / math.log(4)
    d = np.array([1 - e1, 1 - e2])
    np.testing.assert_allclose(entropy_weights(X, variant="minmax", pooled_periods=2), d / d.sum())


def test_constant_column_gets_zero_weight_in_every_variant() -> None:
    X = np.array([[1.0, 7.0, 2.0], [2.0, 7.0, 9.0], [4.0, 7.0, 3.0]])
    for variant in ENTROPY_VARIANTS:
        w = entropy_weights(X, variant=variant)
        assert w[1] == 0.0
        np.testing.assert_allclose(w.sum(), 1.0)


def test_all_constant_raises() -> None:
    with pytest.raises(InputError, match="no column varies"):
        entropy_weights(np.ones((4, 3)))


def test_nan_raises_naming_the_column() -> None:
    df = pd.DataFrame({"GDP": [1.0, 2.0, 3.0], "专利": [1.0, np.nan, 2.0], "R&D": [np.nan, 1.0, np.inf]})
    with pytest.raises(InputError) as info:
        entropy_weights(df)
    fields = [p.field for p in info.value.problems]
    assert fields == ["专利", "R&D"]
    assert info.value.problems[0].row == 3  # spreadsheet row of the first NaN (header = row 1)


def test_dataframe_layer_agrees_with_array_layer() -> None:
    df = pd.DataFrame(CARS, columns=["price", "memory", "storage", "battery"], index=list("ABCD"))
    w = entropy_weights(df, directions={"price": "cost"})
    assert isinstance(w, pd.Series)
    assert list(w.index) == ["price", "memory", "storage", "battery"]
    np.testing.assert_allclose(w.to_numpy(), entropy_weights(CARS, directions=[-1, 1, 1, 1]))


def test_bad_specs() -> None:
    with pytest.raises(SpecError, match="valid: shifted_minmax"):
        entropy_weights(CARS, variant="log")  # type: ignore[arg-type]
    with pytest.raises(SpecError, match="rescale"):
        entropy_weights(CARS, rescale=(0.01, 0.99))
    with pytest.raises(SpecError, match="rescale"):
        entropy_weights(CARS, variant="rescaled_minmax", rescale=(0.9, 0.1))
    with pytest.raises(SpecError, match="at least 2 rows"):
        entropy_weights(CARS[:1])
    with pytest.raises(SpecError, match="4 columns"):
        entropy_weights(CARS, directions=[1, -1])
    with pytest.raises(SpecError, match="not one of"):
        entropy_weights(CARS, directions=[1, 2, 1, 1])
