"""CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkfactor.errors import InputError, SpecError
from hkfactor.methods import critic_weights

# Diakoulaki et al. (1995), Computers & Operations Research 22(7): 763-770, the numerical
# example (8 alternatives x 3 criteria, all to be maximised). The paper prints the weights
# to two decimals (0.20, 0.48, 0.32); the full-precision values, for every
# scale/correlation combination, are those of scikit-criteria 0.10
# (tests/preprocessing/test_weighters.py::test_critic_weight_weights_diakoulaki1995determining),
# which agree with pymcdm 1.4.0's critic_weights for the paper's own setting.
DIAKOULAKI = np.array(
    [[61, 1.08, 4.33], [20.7, 0.26, 4.34], [16.3, 1.98, 2.53], [9.0, 3.29, 1.65],
     [5.4, 2.77, 2.33], [4.0, 4.12, 1.21], [-6.1, 3.52, 2.10], [-34.6, 3.31, 0.98]]
)


@pytest.mark.parametrize(
    ("normalise", "correlation", "expected"),
    [
        (True, "pearson", [0.20222554, 0.48090173, 0.31687273]),
        (False, "pearson", [0.86874234, 0.08341434, 0.04784331]),
        (True, "spearman", [0.21454645, 0.4898563, 0.29559726]),
        (False, "spearman", [0.87672195, 0.08082369, 0.04245436]),
    ],
)
def test_diakoulaki_1995_example(normalise: bool, correlation: str, expected: list[float]) -> None:
    w = critic_weights(DIAKOULAKI, normalise=normalise, correlation=correlation)  # type: ignore[arg-type]
    np.testing.assert_allclose(w, expected, atol=1e-8)
    if normalise and correlation == "pearson":
        np.testing.assert_allclose(w.round(2), [0.20, 0.48, 0.32])  # as printed in the paper


def test_hand_derived_three_by_two() -> None:
    # By hand: columns [0, 1, 2] and [0, 2, 1] min-max to [0, .5, 1] and [0, 1, .5];
    # equal sigmas, r = 0.5, so C1 = C2 and the weights are equal.
    X = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 1.0]])
    np.testing.assert_allclose(critic_weights(X), [0.5, 0.5])
    # Add a third column perfectly anti-correlated with the first: r13 = -1, r23 = -0.5.
    X3 = np.column_stack([X, [2.0, 1.0, 0.0]])
    sd = np.std([0, 0.5, 1], ddof=1)
    c = sd * np.array([0 + 0.5 + 2, 0.5 + 0 + 1.5, 2 + 1.5 + 0])
    np.testing.assert_allclose(critic_weights(X3), c / c.sum())


def test_directions_change_conflict() -> None:
    X = DIAKOULAKI
    plain = critic_weights(X)
    cost2 = critic_weights(X, directions=[1, -1, 1])
    assert not np.allclose(plain, cost2)
    # Reversing a column's data together with its direction changes nothing.
    Xr = X.copy()
    Xr[:, 1] = -Xr[:, 1]
    np.testing.assert_allclose(critic_weights(Xr, directions=[1, -1, 1]), plain)
    np.testing.assert_allclose(critic_weights(Xr, directions=[1, -1, 1], normalise=False), critic_weights(X, normalise=False))


def test_constant_column_left_out() -> None:
    X = np.column_stack([DIAKOULAKI[:, 0], np.full(8, 3.0), DIAKOULAKI[:, 1:]])
    w = critic_weights(X)
    assert w[1] == 0.0
    np.testing.assert_allclose(w[[0, 2, 3]], critic_weights(DIAKOULAKI))


def test_undefined_cases_raise() -> None:
    with pytest.raises(InputError, match="C_j is 0"):
        critic_weights(np.ones((4, 2)))
    with pytest.raises(InputError, match="C_j is 0"):
        critic_weights(np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]]))  # perfectly correlated
    with pytest.raises(SpecError, match="valid: pearson, spearman"):
        critic_weights(DIAKOULAKI, correlation="kendall")  # type: ignore[arg-type]


def test_nan_raises_naming_column() -> None:
    df = pd.DataFrame(DIAKOULAKI, columns=["profit", "roa", "liquidity"])
    df.iloc[2, 1] = np.nan
    with pytest.raises(InputError) as info:
        critic_weights(df)
    assert [p.field for p in info.value.problems] == ["roa"]


def test_dataframe_layer_agrees() -> None:
    df = pd.DataFrame(DIAKOULAKI, columns=["profit", "roa", "liquidity"])
    w = critic_weights(df, directions={"roa": -1})
    assert list(w.index) == ["profit", "roa", "liquidity"]
    np.testing.assert_allclose(w.to_numpy(), critic_weights(DIAKOULAKI, directions=[1, -1, 1]))
