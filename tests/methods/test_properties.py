"""Property tests run over every method and variant (Hypothesis)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from hkfactor.errors import InputError
from hkfactor.methods import (
    coupling_coordination,
    coupling_degree,
    critic_weights,
    entropy_weights,
    grey_relational,
    obstacle_degree,
    topsis,
)

Weighter = Callable[..., Any]

#: Every weighting method whose weights are invariant to a positive affine change of a
#: column's units and to reversing a column together with its direction.
MINMAX_WEIGHTERS: dict[str, Weighter] = {
    "entropy/shifted_minmax": lambda X, d=None: entropy_weights(X, directions=d),
    "entropy/rescaled_minmax": lambda X, d=None: entropy_weights(X, directions=d, variant="rescaled_minmax"),
    "entropy/rescaled_0.01": lambda X, d=None: entropy_weights(
        X, directions=d, variant="rescaled_minmax", rescale=(0.01, 0.99)
    ),
    "entropy/minmax": lambda X, d=None: entropy_weights(X, directions=d, variant="minmax"),
    "critic/pearson": lambda X, d=None: critic_weights(X, directions=d),
    "critic/spearman": lambda X, d=None: critic_weights(X, directions=d, correlation="spearman"),
}
ALL_WEIGHTERS: dict[str, Weighter] = {
    **MINMAX_WEIGHTERS,
    "entropy/raw": lambda X, d=None: entropy_weights(X, variant="raw"),
    "critic/raw": lambda X, d=None: critic_weights(X, directions=d, normalise=False),
}

# Integer-valued data keep min-max exact enough that invariance holds to 1e-9.
matrices = st.integers(2, 7).flatmap(
    lambda n: st.integers(1, 4).flatmap(
        lambda m: arrays(np.float64, (n, m), elements=st.integers(0, 50).map(float))
    )
)


def _weights_or_undefined(fn: Weighter, X: np.ndarray, d: Any = None) -> np.ndarray | None:
    try:
        return np.asarray(fn(X, d))
    except InputError:
        return None  # all columns constant (or perfectly correlated for CRITIC): documented


@pytest.mark.parametrize("name", sorted(ALL_WEIGHTERS))
@settings(max_examples=60, deadline=None)
@given(X=matrices)
def test_weights_nonnegative_sum_to_one(name: str, X: np.ndarray) -> None:
    w = _weights_or_undefined(ALL_WEIGHTERS[name], X)
    if w is None:
        return
    assert w.shape == (X.shape[1],)
    assert np.all(w >= 0)
    np.testing.assert_allclose(w.sum(), 1.0)
    constant = X.max(axis=0) == X.min(axis=0)
    assert np.all(w[constant] == 0)


@pytest.mark.parametrize("name", sorted(MINMAX_WEIGHTERS))
@settings(max_examples=60, deadline=None)
@given(
    X=matrices,
    a=st.floats(0.5, 100.0),
    b=st.floats(-100.0, 100.0),
    flip=st.booleans(),
    data=st.data(),
)
def test_weights_unit_and_direction_invariant(
    name: str, X: np.ndarray, a: float, b: float, flip: bool, data: st.DataObject
) -> None:
    fn = MINMAX_WEIGHTERS[name]
    m = X.shape[1]
    dirs = np.array(data.draw(st.lists(st.sampled_from([1, -1]), min_size=m, max_size=m)))
    w = _weights_or_undefined(fn, X, dirs)
    if w is None:
        return
    j = data.draw(st.integers(0, m - 1))
    Y = X.copy()
    Y[:, j] = a * X[:, j] + b
    np.testing.assert_allclose(fn(Y, dirs), w, rtol=1e-7, atol=1e-9)
    if flip:
        Z = X.copy()
        Z[:, j] = -X[:, j]
        d2 = dirs.copy()
        d2[j] = -d2[j]
        np.testing.assert_allclose(fn(Z, d2), w, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(ALL_WEIGHTERS))
def test_weights_nan_raises_naming_column(name: str) -> None:
    X = np.array([[1.0, 2.0, 3.0], [2.0, np.nan, 1.0], [4.0, 1.0, 2.0]])
    with pytest.raises(InputError) as info:
        ALL_WEIGHTERS[name](X)
    assert [p.field for p in info.value.problems] == ["column 1"]


batches = st.integers(2, 6).flatmap(
    lambda n: st.integers(1, 4).flatmap(
        lambda m: arrays(np.float64, (2, n, m), elements=st.integers(0, 50).map(float))
    )
)


@pytest.mark.parametrize("name", sorted(ALL_WEIGHTERS))
@settings(max_examples=25, deadline=None)
@given(B=batches)
def test_weights_batch_axis(name: str, B: np.ndarray) -> None:
    wx = _weights_or_undefined(ALL_WEIGHTERS[name], B[0])
    wy = _weights_or_undefined(ALL_WEIGHTERS[name], B[1])
    if wx is None or wy is None:
        return
    both = np.asarray(ALL_WEIGHTERS[name](B))
    np.testing.assert_allclose(both, np.stack([wx, wy]), atol=1e-12)


@pytest.mark.parametrize("normalisation", ["vector", "minmax"])
@settings(max_examples=80, deadline=None)
@given(X=matrices, data=st.data())
def test_topsis_properties(normalisation: str, X: np.ndarray, data: st.DataObject) -> None:
    n, m = X.shape
    w = np.array(data.draw(st.lists(st.floats(0.01, 1.0), min_size=m, max_size=m)))
    dirs = np.array(data.draw(st.lists(st.sampled_from([1, -1]), min_size=m, max_size=m)))
    res = topsis(X, w, directions=dirs, normalisation=normalisation)  # type: ignore[arg-type]
    assert np.all((res.closeness >= 0) & (res.closeness <= 1))
    assert np.all((res.rank >= 1) & (res.rank <= n))
    # Unit invariance: positive scaling (vector); positive affine (min-max).
    j = data.draw(st.integers(0, m - 1))
    a = data.draw(st.floats(0.5, 50.0))
    Y = X.copy()
    Y[:, j] = a * X[:, j] + (7.0 if normalisation == "minmax" else 0.0)
    np.testing.assert_allclose(
        topsis(Y, w, directions=dirs, normalisation=normalisation).closeness,  # type: ignore[arg-type]
        res.closeness,
        atol=1e-9,
    )
    # Reversing a column together with its direction changes nothing.
    Z = X.copy()
    Z[:, j] = -X[:, j]
    d2 = dirs.copy()
    d2[j] = -d2[j]
    np.testing.assert_allclose(
        topsis(Z, w, directions=d2, normalisation=normalisation).closeness,  # type: ignore[arg-type]
        res.closeness,
        atol=1e-9,
    )


@settings(max_examples=60, deadline=None)
@given(X=matrices, rho=st.floats(0.05, 1.0), data=st.data())
def test_grey_properties(X: np.ndarray, rho: float, data: st.DataObject) -> None:
    m = X.shape[1]
    dirs = np.array(data.draw(st.lists(st.sampled_from([1, -1]), min_size=m, max_size=m)))
    res = grey_relational(X, directions=dirs, rho=rho)
    assert np.all((res.coefficients > 0) & (res.coefficients <= 1 + 1e-12))
    assert np.all((res.grades > 0) & (res.grades <= 1 + 1e-12))
    j = data.draw(st.integers(0, m - 1))
    Y = X.copy()
    Y[:, j] = 3.5 * X[:, j] - 11.0
    np.testing.assert_allclose(grey_relational(Y, directions=dirs, rho=rho).grades, res.grades, atol=1e-9)


unit_u = st.integers(2, 5).flatmap(
    lambda k: arrays(np.float64, (6, k), elements=st.floats(0.0, 1.0, allow_subnormal=False))
)


@pytest.mark.parametrize("variant", ["standard", "wang2021", "unscaled"])
@settings(max_examples=80, deadline=None)
@given(U=unit_u, perm_seed=st.integers(0, 1000))
def test_coupling_bounds_and_symmetry(variant: str, U: np.ndarray, perm_seed: int) -> None:
    res = coupling_coordination(U, variant=variant)  # type: ignore[arg-type]
    k = U.shape[1]
    upper = 1.0 / k if variant == "unscaled" else 1.0
    for v in (res.C, res.T, res.D):
        assert np.all((v >= 0) & (v <= 1 + 1e-12))
    assert np.all(res.C <= upper + 1e-12)
    perm = np.random.default_rng(perm_seed).permutation(k)
    np.testing.assert_allclose(coupling_degree(U[:, perm], variant=variant), res.C, atol=1e-12)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(level=st.floats(0.01, 1.0), k=st.integers(2, 5))
def test_coupling_equal_subsystems_fully_coupled(level: float, k: int) -> None:
    U = np.full(k, level)
    assert coupling_degree(U) == pytest.approx(1.0)
    assert coupling_degree(U, variant="wang2021") == pytest.approx(1.0)
    assert coupling_coordination(U).D == pytest.approx(np.sqrt(level))


def test_coupling_nan_position_kept() -> None:
    U = np.array([[0.2, 0.4], [np.nan, 0.4], [0.3, 0.3]])
    for variant in ("standard", "wang2021", "unscaled"):
        res = coupling_coordination(U, variant=variant)  # type: ignore[arg-type]
        assert np.isnan(res.D).tolist() == [False, True, False]


@settings(max_examples=60, deadline=None)
@given(X=matrices, data=st.data())
def test_obstacle_shares(X: np.ndarray, data: st.DataObject) -> None:
    m = X.shape[1]
    w = np.array(data.draw(st.lists(st.floats(0.0, 1.0), min_size=m, max_size=m)))
    res = obstacle_degree(X, w)
    o = res.degrees
    assert np.all(o >= 0)
    sums = o.sum(axis=1)
    assert np.all(np.isclose(sums, 1.0) | (sums == 0))
    if X.shape[0] > 2:
        Xn = X.copy()
        Xn[1, 0] = np.nan
        on = obstacle_degree(Xn, w).degrees
        assert np.isnan(on[1]).all()
