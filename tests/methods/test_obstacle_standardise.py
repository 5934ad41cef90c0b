"""Obstacle degree model and the standardisation step."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkfactor.errors import InputError, SpecError
from hkfactor.methods import obstacle_degree, standardise


def test_obstacle_hand_derived() -> None:
    # By hand (no published table with inputs and outputs was found): standardised values
    # x' = (0.2, 1.0), weights (0.5, 0.5): I = (0.8, 0), O = (1, 0); x' = (0.6, 0.5):
    # F*I = (0.2, 0.25), O = (0.2/0.45, 0.25/0.45).
    X = np.array([[0.2, 1.0], [0.6, 0.5]])
    res = obstacle_degree(X, [0.5, 0.5], normalise=False)
    np.testing.assert_allclose(res.degrees, [[1.0, 0.0], [0.2 / 0.45, 0.25 / 0.45]])
    assert res.by_group is None and res.groups == ()


def test_obstacle_with_dimensions_and_dimension_weights() -> None:
    X = np.array([[0.0, 0.5, 1.0, 0.2], [1.0, 1.0, 0.0, 0.4]])
    w = np.array([0.1, 0.2, 0.3, 0.4])
    res = obstacle_degree(X, w, normalise=False, groups=["finance", "finance", "trade", "research"])
    assert res.groups == ("finance", "trade", "research")
    np.testing.assert_allclose(res.by_group.sum(axis=1), 1.0)
    np.testing.assert_allclose(res.by_group[:, 0], res.degrees[:, 0] + res.degrees[:, 1])
    # F_j = w_j * W_g: doubling one dimension's weight doubles its contributions before the shares.
    gw = obstacle_degree(X, w, normalise=False, groups=["finance", "finance", "trade", "research"],
                         group_weights={"finance": 2.0, "trade": 1.0, "research": 1.0})
    raw = np.array([2, 2, 1, 1]) * w * (1 - X)
    np.testing.assert_allclose(gw.degrees, raw / raw.sum(axis=1, keepdims=True))


def test_obstacle_standardises_raw_data_by_direction() -> None:
    X = np.array([[10.0, 5.0], [20.0, 1.0], [30.0, 3.0]])
    res = obstacle_degree(X, [1, 1], directions=[1, -1])
    z = standardise(X, directions=[1, -1])
    raw = 1 - z
    expected = np.divide(raw, raw.sum(axis=1, keepdims=True), out=np.zeros_like(raw), where=raw.sum(axis=1, keepdims=True) > 0)
    np.testing.assert_allclose(res.degrees, expected)


def test_obstacle_edges() -> None:
    # A unit at the best value everywhere has no obstacle (all zeros, no warning);
    # a NaN makes that unit's whole row NaN; other units unaffected.
    X = np.array([[1.0, 1.0], [0.5, np.nan], [0.0, 0.5]])
    res = obstacle_degree(X, [0.5, 0.5], normalise=False)
    np.testing.assert_allclose(res.degrees[0], [0.0, 0.0])
    assert np.isnan(res.degrees[1]).all()
    np.testing.assert_allclose(res.degrees[2], [2 / 3, 1 / 3])
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        obstacle_degree(np.array([[2.0, 0.0]]), [1, 1], normalise=False)
    with pytest.raises(SpecError, match="group_weights need groups"):
        obstacle_degree(X, [1, 1], normalise=False, group_weights=[1.0])
    with pytest.raises(SpecError, match="groups has 3 entries"):
        obstacle_degree(X, [1, 1], normalise=False, groups=["a", "b", "c"])


def test_obstacle_dataframe_layer() -> None:
    df = pd.DataFrame({"loans": [1.0, 3.0, 2.0], "papers": [5.0, 4.0, 9.0], "cost": [3.0, 1.0, 2.0]},
                      index=["Futian", "Nanshan", "Luohu"])
    res = obstacle_degree(df, {"loans": 0.5, "papers": 0.3, "cost": 0.2}, directions={"cost": -1},
                          groups={"loans": "finance", "papers": "research", "cost": "finance"})
    assert list(res.degrees.columns) == ["loans", "papers", "cost"]
    assert list(res.by_group.columns) == ["finance", "research"]
    arr = obstacle_degree(df.to_numpy(), [0.5, 0.3, 0.2], directions=[1, 1, -1], groups=["finance", "research", "finance"])
    np.testing.assert_allclose(res.degrees.to_numpy(), arr.degrees)
    np.testing.assert_allclose(res.by_group.to_numpy(), arr.by_group)


def test_standardise() -> None:
    X = np.array([[1.0, 10.0], [3.0, 30.0], [2.0, np.nan], [2.0, 20.0]])
    z = standardise(X, directions=["+", "-"])
    np.testing.assert_allclose(z, [[0, 1], [1, 0], [0.5, np.nan], [0.5, 0.5]])
    np.testing.assert_allclose(standardise(X, rescale=(0.002, 0.998))[:, 0], [0.002, 0.998, 0.5, 0.5])
    np.testing.assert_allclose(standardise(X, shift=0.0001)[:, 0], [0.0001, 1.0001, 0.5001, 0.5001])
    np.testing.assert_allclose(standardise(np.array([[4.0], [4.0]])), [[1.0], [1.0]])  # constant -> 1
    df = pd.DataFrame(X, columns=["a", "b"])
    out = standardise(df, directions={"b": "cost"})
    assert isinstance(out, pd.DataFrame)
    np.testing.assert_allclose(out.to_numpy(), z)
    with pytest.raises(SpecError, match="rescale"):
        standardise(X, rescale=(1.0, 0.5))
    with pytest.raises(InputError, match="not numeric"):
        standardise(pd.DataFrame({"a": ["x", "y"]}))
