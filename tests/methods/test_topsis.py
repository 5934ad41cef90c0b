"""TOPSIS (Hwang & Yoon 1981)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkfactor.errors import InputError, SpecError
from hkfactor.methods import topsis


def test_hwang_yoon_1981_fighter_aircraft() -> None:
    # Hwang & Yoon (1981), Multiple Attribute Decision Making, Springer LNEMS 186, p. 133:
    # four fighter aircraft x six attributes (max speed, ferry range, max payload, cost
    # [cost type], reliability, manoeuvrability), w = (0.2, 0.1, 0.1, 0.1, 0.2, 0.3).
    # Printed: S* = 0.0545, 0.1197, 0.0580, 0.1009; S- = 0.0983, 0.0439, 0.0920, 0.0458;
    # C* = 0.643, 0.268, 0.613, 0.312; order A1 > A3 > A4 > A2 (the book's values as
    # transcribed in public TOPSIS test suites that cite its p. 133). (The book rounds its
    # intermediate matrices to 4 decimals, hence the 2e-4 tolerance on distances and
    # 1e-3 on C*: e.g. 0.0920 / (0.0580 + 0.0920) = 0.6133 against our 0.61354.)
    X = np.array(
        [[2.0, 1500, 20000, 5.5, 5, 9], [2.5, 2700, 18000, 6.5, 3, 5],
         [1.8, 2000, 21000, 4.5, 7, 7], [2.2, 1800, 20000, 5.0, 5, 5]]
    )
    res = topsis(X, [0.2, 0.1, 0.1, 0.1, 0.2, 0.3], directions=[1, 1, 1, -1, 1, 1])
    np.testing.assert_allclose(res.closeness, [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    np.testing.assert_allclose(res.d_plus, [0.0545, 0.1197, 0.0580, 0.1009], atol=2e-4)
    np.testing.assert_allclose(res.d_minus, [0.0983, 0.0439, 0.0920, 0.0458], atol=2e-4)
    assert res.rank.tolist() == [1, 4, 2, 3]


def test_tzeng_huang_2011_example() -> None:
    # Tzeng, G.-H. & Huang, J.-J. (2011), Multiple Attribute Decision Making: Methods and
    # Applications, CRC Press, TOPSIS numerical example: 4 alternatives x 3 benefit
    # criteria, w = (0.3, 0.4, 0.3), vector normalisation; closeness printed to 4 decimals
    # (also used by scikit-criteria, tests/agg/test_similarity.py::test_TOPSIS_tzeng2011multiple).
    X = np.array([[5.0, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]])
    res = topsis(X, [0.3, 0.4, 0.3])
    np.testing.assert_allclose(res.closeness, [0.5037, 0.6581, 0.7482, 0.3340], atol=5e-5)
    assert res.rank.tolist() == [3, 2, 1, 4]


def test_vector_normalisation_is_idempotent() -> None:
    X = np.array([[1.0, 0, 3], [0, 5, 6], [2, 1, 1]])
    res = topsis(X / np.sqrt((X**2).sum(axis=0)), [1, 1, 1])
    np.testing.assert_allclose(res.closeness, topsis(X, [1, 1, 1]).closeness)


def test_hand_derived_two_alternatives() -> None:
    # By hand: two alternatives, each best on one of two equally weighted criteria of equal
    # norm: D+ = D- for both, closeness 0.5; a dominating alternative gets 1 and 0.
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_allclose(topsis(X, [1, 1]).closeness, [0.5, 0.5])
    Y = np.array([[2.0, 2.0], [1.0, 1.0]])
    res = topsis(Y, [1, 1])
    np.testing.assert_allclose(res.closeness, [1.0, 0.0])
    # D+ of the dominated one: sqrt(2) * 0.5 * (2 - 1) / sqrt(5)
    np.testing.assert_allclose(res.d_plus, [0.0, np.sqrt(2) * 0.5 / np.sqrt(5)])


def test_cost_criterion_reverses() -> None:
    X = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0]])
    assert topsis(X, [1, 1]).rank.tolist() == [3, 2, 1]
    assert topsis(X, [1, 1], directions=["cost", "benefit"]).rank.tolist() == [1, 2, 3]


def test_minmax_normalisation() -> None:
    # Min-max TOPSIS (熵权-TOPSIS papers): after min-max every column spans [0, 1], so for
    # equal weights D+ and D- are distances to the all-ones and all-zeros corners.
    X = np.array([[1.0, 10.0], [2.0, 30.0], [3.0, 20.0]])
    res = topsis(X, [0.5, 0.5], normalisation="minmax")
    z = np.array([[0.0, 0.0], [0.5, 1.0], [1.0, 0.5]]) * 0.5
    dp = np.sqrt(((z - 0.5) ** 2).sum(axis=1))
    dm = np.sqrt((z**2).sum(axis=1))
    np.testing.assert_allclose(res.closeness, dm / (dp + dm))


def test_weights_are_rescaled_and_closeness_unchanged() -> None:
    X = np.array([[5.0, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]])
    np.testing.assert_allclose(topsis(X, [3, 4, 3]).closeness, topsis(X, [0.3, 0.4, 0.3]).closeness)


def test_ties_share_best_rank_and_all_identical_is_half() -> None:
    X = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 1.0]])
    assert topsis(X, [1, 1]).rank.tolist() == [1, 1, 3]
    same = topsis(np.ones((3, 2)), [1, 1])
    np.testing.assert_allclose(same.closeness, 0.5)
    assert same.rank.tolist() == [1, 1, 1]


def test_errors() -> None:
    X = np.array([[1.0, 2.0], [np.nan, 1.0]])
    with pytest.raises(InputError, match="column 0"):
        topsis(X, [1, 1])
    with pytest.raises(SpecError, match="non-negative"):
        topsis(np.eye(2), [1, -1])
    with pytest.raises(SpecError, match="2 entries"):
        topsis(np.eye(2), [1, 1, 1])
    with pytest.raises(SpecError, match="valid: minmax, vector"):
        topsis(np.eye(2), [1, 1], normalisation="sum")  # type: ignore[arg-type]


def test_batches_and_dataframe_layer_agree() -> None:
    rng = np.random.default_rng(1)
    B = rng.random((3, 5, 4)) + 0.1
    w = np.array([0.1, 0.2, 0.3, 0.4])
    batch = topsis(B, w, directions=[1, -1, 1, 1])
    for b in range(3):
        one = topsis(B[b], w, directions=[1, -1, 1, 1])
        np.testing.assert_allclose(batch.closeness[b], one.closeness)
        assert batch.rank[b].tolist() == one.rank.tolist()
    df = pd.DataFrame(B[0], columns=list("abcd"), index=[f"city{i}" for i in range(5)])
    res = topsis(df, pd.Series({"d": 0.4, "c": 0.3, "b": 0.2, "a": 0.1}), directions={"b": "-"})
    assert list(res.closeness.index) == list(df.index)
    np.testing.assert_allclose(res.closeness.to_numpy(), batch.closeness[0])
    assert res.rank.to_numpy().tolist() == batch.rank[0].tolist()
