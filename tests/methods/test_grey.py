"""Grey relational analysis (Deng 1982/1989; MADM layout of Kuo, Yang & Huang 2008)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hkfactor.errors import InputError, SpecError
from hkfactor.methods import grey_relational

# 司守奎, 孙玺菁 (2011), 数学建模算法与应用, 国防工业出版社, chapter 14 (综合评价与决策),
# the grey relational supplier-selection example (its program ex14_5.m): six candidate
# suppliers on nine indicators; indicators 2-4 are cost type, the rest benefit type;
# min-max (区间值化), ideal reference sequence, rho = 0.5, equal weights. The book lays
# the table out as indicators x suppliers; here it is transposed to suppliers (rows) x
# indicators (columns). The reference grades and coefficients are those printed in a
# public worked notebook of the same example (the book's own printout was not available
# to check).
SUPPLIERS = np.array(
    [
        [0.83, 0.90, 0.99, 0.92, 0.87, 0.95],
        [326, 295, 340, 287, 310, 303],
        [21, 38, 25, 19, 27, 10],
        [3.2, 2.4, 2.2, 2.0, 0.9, 1.7],
        [0.20, 0.25, 0.12, 0.33, 0.20, 0.09],
        [0.15, 0.20, 0.14, 0.09, 0.15, 0.17],
        [250, 180, 300, 200, 150, 175],
        [0.23, 0.15, 0.27, 0.30, 0.18, 0.26],
        [0.87, 0.95, 0.99, 0.89, 0.82, 0.94],
    ]
).T
SUPPLIER_DIRS = [1, -1, -1, -1, 1, 1, 1, 1, 1]
SUPPLIER_GRADES = [0.462992, 0.555994, 0.649074, 0.652723, 0.493562, 0.613015]
# First indicator's coefficients for the six suppliers, as printed.
SUPPLIER_XI_ROW1 = [0.333333, 0.470588, 1.0, 0.533333, 0.4, 0.666667]


def test_supplier_example() -> None:
    res = grey_relational(SUPPLIERS, directions=SUPPLIER_DIRS)
    np.testing.assert_allclose(res.grades, SUPPLIER_GRADES, atol=1e-6)
    np.testing.assert_allclose(res.coefficients[:, 0], SUPPLIER_XI_ROW1, atol=1e-6)
    assert res.rank.tolist() == [6, 4, 2, 1, 5, 3]


def test_hand_derived_coefficients() -> None:
    # By hand: reference (1, 1); deltas (0, .2), (.5, 0), (1, .8); dmin 0, dmax 1;
    # xi = 0.5 / (delta + 0.5).
    X = np.array([[1.0, 0.8], [0.5, 1.0], [0.0, 0.2]])
    res = grey_relational(X, preprocessing="none")
    expected = 0.5 / (np.array([[0, 0.2], [0.5, 0], [1, 0.8]]) + 0.5)
    np.testing.assert_allclose(res.coefficients, expected)
    np.testing.assert_allclose(res.grades, expected.mean(axis=1))
    weighted = grey_relational(X, preprocessing="none", weights=[3, 1])
    np.testing.assert_allclose(weighted.grades, expected @ np.array([0.75, 0.25]))
    sharper = grey_relational(X, preprocessing="none", rho=0.25)
    np.testing.assert_allclose(sharper.coefficients, 0.25 / (np.array([[0, 0.2], [0.5, 0], [1, 0.8]]) + 0.25))


def test_given_reference_row_and_initial_value() -> None:
    # Reference row stacked first, so initial-value preprocessing divides by it.
    X = np.array([[2.0, 4.0], [1.0, 8.0]])
    res = grey_relational(X, reference=[2.0, 4.0], preprocessing="initial")
    # after x/x_ref: reference (1, 1); rows (1, 1), (.5, 2); deltas (0, 0), (.5, 1)
    expected = 0.5 / (np.array([[0, 0], [0.5, 1.0]]) + 0.5)
    np.testing.assert_allclose(res.coefficients, expected)


def test_deng_time_series_layout() -> None:
    # series="columns": years x factors, target sequence as reference, each sequence
    # divided by its own first value (初值化). Derived by hand.
    y = np.array([10.0, 12.0, 15.0])
    X = np.array([[2.0, 5.0], [2.4, 5.0], [3.0, 4.0]])
    res = grey_relational(X, y, series="columns", preprocessing="initial")
    y1 = y / y[0]
    x1 = X / X[0]
    delta = np.abs(x1 - y1[:, None])
    xi = (delta.min() + 0.5 * delta.max()) / (delta + 0.5 * delta.max())
    np.testing.assert_allclose(res.coefficients, xi)
    np.testing.assert_allclose(res.grades, xi.mean(axis=0))
    assert res.grades[0] == 1.0  # factor 1 is proportional to the target
    mean_res = grey_relational(X, y, series="columns", preprocessing="mean")
    assert mean_res.grades[0] == 1.0


def test_all_equal_to_reference_gives_ones() -> None:
    X = np.array([[1.0, 1.0], [1.0, 1.0]])
    res = grey_relational(X, preprocessing="none")
    np.testing.assert_allclose(res.coefficients, 1.0)


def test_errors() -> None:
    with pytest.raises(SpecError, match="rho"):
        grey_relational(SUPPLIERS, rho=0.0)
    with pytest.raises(SpecError, match="needs the reference"):
        grey_relational(SUPPLIERS, series="columns")
    with pytest.raises(InputError, match="first value"):
        grey_relational(np.array([[0.0, 1.0], [1.0, 2.0]]), preprocessing="initial")
    with pytest.raises(InputError, match="column 1"):
        grey_relational(np.array([[1.0, np.nan], [1.0, 2.0]]))
    with pytest.raises(SpecError, match="needs 9 values"):
        grey_relational(SUPPLIERS, reference=[1.0, 2.0])


def test_dataframe_layer_agrees() -> None:
    df = pd.DataFrame(SUPPLIERS, index=[f"S{i}" for i in range(1, 7)], columns=[f"I{j}" for j in range(1, 10)])
    res = grey_relational(df, directions={"I2": -1, "I3": -1, "I4": -1})
    assert isinstance(res.coefficients, pd.DataFrame)
    assert list(res.grades.index) == list(df.index)
    np.testing.assert_allclose(res.grades.to_numpy(), SUPPLIER_GRADES, atol=1e-6)
    years = pd.DataFrame({"hk_finance": [2.0, 2.4, 3.0], "hk_trade": [5.0, 5.0, 4.0]}, index=[2020, 2021, 2022])
    target = pd.Series([10.0, 12.0, 15.0], index=[2020, 2021, 2022])
    col = grey_relational(years, target, series="columns", preprocessing="initial")
    assert list(col.grades.index) == ["hk_finance", "hk_trade"]
