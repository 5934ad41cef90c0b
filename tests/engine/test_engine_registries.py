"""Properties every registry entry must have, written once and run over the registry.

Bounds, direction respected, NaN positions kept, constant columns safe, invariance to a change
of units where the method promises it, and batch axes equal to a loop over slices.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs
from hypothesis.extra import numpy as hnp

from hkfactor.engine import (
    AGGREGATORS,
    IMPUTERS,
    NORMALISERS,
    TRANSFORMS,
    WEIGHTERS,
    aggregate,
    normalise,
    weigh,
)
from hkfactor.engine.kernels import ImputeContext, impute, treat
from hkfactor.errors import MethodNotFoundError, SpecError

# parameters needed by some entries
NPARAMS: dict[str, dict[str, Any]] = {
    "dist2ref": {"iref": 0},
    "dist2targ": {"targ": 1e6},
    "goalposts": {"gposts": (-1e6, 1e6, 1)},
}
#: (lower, upper) bounds promised, or None
BOUNDS: dict[str, tuple[float, float] | None] = {
    "minmax": (0, 100),
    "zscore": None,
    "scaled": None,
    "dist2max": (0, 1),
    "dist2ref": None,
    "dist2targ": None,
    "fracmax": None,
    "prank": (0, 1),
    "rank": None,
    "borda": None,
    "goalposts": (0, 1),
    "vector": None,
    "sum": None,
    "none": None,
}
#: invariance promised: "affine" (a x + b, a > 0), "scale" (a x, a > 0)
INVARIANCE = {
    "minmax": "affine",
    "zscore": "affine",
    "dist2max": "affine",
    "prank": "affine",
    "rank": "affine",
    "borda": "affine",
    "fracmax": "scale",
    "vector": "scale",
    "sum": "scale",
}

finite = hs.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False)
matrices = hnp.arrays(np.float64, hs.tuples(hs.integers(3, 12), hs.integers(1, 4)), elements=finite)


def test_registry_tables_complete() -> None:
    assert set(BOUNDS) == set(NORMALISERS)
    for reg in (NORMALISERS, AGGREGATORS, WEIGHTERS, TRANSFORMS, IMPUTERS):
        with pytest.raises(MethodNotFoundError) as e:
            reg["no-such-method"]
        assert all(name in str(e.value) for name in reg)


@pytest.mark.parametrize("method", sorted(NORMALISERS))
@settings(max_examples=40, deadline=None)
@given(x=matrices)
def test_normaliser_properties(method: str, x: np.ndarray) -> None:
    p = NPARAMS.get(method, {})
    x = np.where(np.abs(x) < 1e-6, 0.0, x)
    if method in ("fracmax", "sum", "vector"):
        x = np.abs(x) + 1.0  # defined for positive data
    y = normalise(x, method, **p)
    assert y.shape == x.shape
    assert np.isfinite(y).all()
    b = BOUNDS[method]
    if b is not None:
        assert (y >= b[0] - 1e-9).all() and (y <= b[1] + 1e-9).all()
    # direction respected: order of x preserved (non-decreasing) within each column
    for j in range(x.shape[1]):
        o = np.argsort(x[:, j], kind="mergesort")
        assert (np.diff(y[o, j]) >= -1e-9 * max(1.0, np.abs(y[:, j]).max())).all()
    # direction -1 reverses the order
    if method not in ("none", "scaled", "fracmax", "sum", "vector", "dist2targ", "goalposts"):
        yr = normalise(x, method, directions=-np.ones(x.shape[1]), **p)
        for j in range(x.shape[1]):
            o = np.argsort(x[:, j], kind="mergesort")
            assert (np.diff(yr[o, j]) <= 1e-9 * max(1.0, np.abs(yr[:, j]).max())).all()
    inv = INVARIANCE.get(method)
    if inv is not None:
        x2 = 3.0 * x + (7.0 if inv == "affine" else 0.0)
        np.testing.assert_allclose(normalise(x2, method, **p), y, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("method", sorted(NORMALISERS))
def test_normaliser_nan_and_constant(method: str) -> None:
    p = NPARAMS.get(method, {"iref": 1} if method == "dist2ref" else {})
    x = np.array([[1.0, 5.0], [np.nan, 5.0], [3.0, 5.0], [2.0, np.nan]])
    with np.errstate(all="raise"):
        y = normalise(x, method, **p)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(x))
    assert np.isfinite(y[[0, 1, 2], 1]).all(), "constant column must not divide by zero"


@pytest.mark.parametrize("method", sorted(NORMALISERS))
def test_normaliser_batch_axes(method: str) -> None:
    rng = np.random.default_rng(1)
    x = rng.random((3, 2, 9, 4)) + 0.5
    x[0, 1, 3, 2] = np.nan
    p = NPARAMS.get(method, {})
    y = normalise(x, method, **p)
    for i in range(3):
        for k in range(2):
            np.testing.assert_allclose(y[i, k], normalise(x[i, k], method, **p), rtol=1e-12, equal_nan=True)


MEANS = ("amean", "gmean", "hmean", "genmean")


@pytest.mark.parametrize("method", sorted(AGGREGATORS))
@settings(max_examples=40, deadline=None)
@given(x=hnp.arrays(np.float64, hs.tuples(hs.integers(3, 8), hs.integers(1, 5)), elements=hs.floats(1, 100)),
       w=hs.lists(hs.floats(0.1, 5), min_size=5, max_size=5))
def test_aggregator_properties(method: str, x: np.ndarray, w: list[float]) -> None:
    if method == "coupling" and x.shape[1] < 2:
        x = np.concatenate([x, x], axis=1)
    wa = np.array((w * 2)[: x.shape[1]])
    y = aggregate(x, wa, method)
    assert y.shape == x.shape[:1]
    assert np.isfinite(y).all()
    if method in MEANS:
        assert (y >= x.min(axis=1) - 1e-9).all() and (y <= x.max(axis=1) + 1e-9).all()
        # weights are relative: scaling them changes nothing
        np.testing.assert_allclose(aggregate(x, wa * 7.0, method), y, rtol=1e-10)
        # children order does not matter
        perm = np.arange(x.shape[1])[::-1]
        np.testing.assert_allclose(aggregate(x[:, perm], wa[perm], method), y, rtol=1e-10)
        # a unit better on every child scores higher (monotone)
        np.testing.assert_array_less(y - 1e-9, aggregate(x + 1.0, wa, method))
    if method == "copeland":
        n = x.shape[0]
        assert (np.abs(y) <= n - 1).all()
    if method in ("topsis", "grey"):
        assert ((y >= 0) & (y <= 1 + 1e-12)).all()
    if method == "coupling":  # D = sqrt(C T) with C, T in [0, 1]: D <= sqrt(max U), on a 0-100 scale
        assert ((y >= 0) & (y <= np.sqrt(x.max(axis=1) * 100) + 1e-9) & (y <= 100 + 1e-9)).all()


@pytest.mark.parametrize("method", MEANS)
def test_aggregator_nan_rescales_weights(method: str) -> None:
    x = np.array([[20.0, np.nan, 80.0], [np.nan, np.nan, np.nan]])
    y = aggregate(x, [1, 2, 1], method)
    np.testing.assert_allclose(y[0], aggregate(np.array([[20.0, 80.0]]), [1, 1], method)[0])
    assert np.isnan(y[1])


@pytest.mark.parametrize("method", ["gmean", "genmean"])
def test_aggregator_refuses_non_positive(method: str) -> None:
    with pytest.raises(SpecError, match="positive"):
        aggregate(np.array([[1.0, 0.0]]), [1, 1], method)


@pytest.mark.parametrize("method", sorted(AGGREGATORS))
def test_aggregator_batch_axes(method: str) -> None:
    rng = np.random.default_rng(2)
    x = rng.random((4, 7, 3)) + 0.5
    w = rng.random((4, 3)) + 0.1
    y = aggregate(x, w, method)
    for i in range(4):
        np.testing.assert_allclose(y[i], aggregate(x[i], w[i], method), rtol=1e-12)


@pytest.mark.parametrize("method", sorted(WEIGHTERS))
def test_weighters_sum_to_one(method: str) -> None:
    rng = np.random.default_rng(3)
    base = rng.random((30, 1))
    x = base + 0.3 * rng.random((30, 4))
    w = weigh(x, [1, 2, 1, 1], method)
    assert w.shape == (4,)
    assert np.isfinite(w).all()
    if method != "pca":  # COINr's PCA weights are raw loadings (unit length, not unit sum)
        np.testing.assert_allclose(w.sum(), 1.0, rtol=1e-9)
        assert (w >= -1e-12).all()
    else:
        np.testing.assert_allclose((w * w).sum(), 1.0, rtol=1e-9)


def test_manual_and_combined_weights() -> None:
    x = np.random.default_rng(4).random((20, 3))
    np.testing.assert_allclose(weigh(x, [1, 2, 1], "manual"), [0.25, 0.5, 0.25])
    o = weigh(x, [1, 1, 1], "pca_nonneg")
    c = weigh(x, [1, 2, 1], "combined")
    np.testing.assert_allclose(c, o * [1, 2, 1] / (o * [1, 2, 1]).sum())
    lin = weigh(x, [1, 1, 2], "combined", alpha=0.5)
    np.testing.assert_allclose(lin, 0.5 * np.array([0.25, 0.25, 0.5]) + 0.5 * o)
    with pytest.raises(SpecError, match="alpha"):
        weigh(x, [1, 1, 1], "combined", alpha=2)


@pytest.mark.parametrize("method", sorted(TRANSFORMS))
def test_transforms_keep_order_and_nan(method: str) -> None:
    x = np.array([[1.0], [2.0], [np.nan], [10.0], [100.0]])
    y = TRANSFORMS[method](x)
    np.testing.assert_array_equal(np.isnan(y), np.isnan(x))
    ok = ~np.isnan(x[:, 0])
    assert (np.diff(y[ok, 0]) > 0).all()


@pytest.mark.parametrize("method", sorted(IMPUTERS))
def test_imputers_flag_and_keep_observed(method: str) -> None:
    x = np.array([[1.0, 5.0], [np.nan, 6.0], [3.0, np.nan], [4.0, 8.0], [np.nan, 9.0], [6.0, 10.0]])
    ctx = ImputeContext(
        groups=np.array([0, 0, 0, 1, 1, 1]),
        units=np.array([0, 0, 0, 1, 1, 1]),
        times=np.array([2001.0, 2002, 2003, 2001, 2002, 2003]),
    )
    y, flags = impute(x, method, ctx=ctx)
    ok = ~np.isnan(x)
    np.testing.assert_array_equal(y[ok], x[ok])
    np.testing.assert_array_equal(flags, np.isnan(x) & ~np.isnan(y))
    assert flags.any()


def test_treat_batch_winmax_vectorised() -> None:
    """Per-replication winmax gives the same as separate calls (no loop over replications)."""
    rng = np.random.default_rng(5)
    x = rng.lognormal(size=(30, 5)) ** 2
    xb = np.broadcast_to(x, (5, 30, 5))
    wm = np.arange(1, 6)[:, None] * np.ones((1, 5))
    r = treat(xb, winmax=wm)
    for i in range(5):
        ri = treat(x, winmax=i + 1)
        np.testing.assert_allclose(r.x[i], ri.x, rtol=1e-12)
        np.testing.assert_array_equal(r.nwin[i], ri.nwin)


@pytest.mark.parametrize("method", sorted(IMPUTERS))
def test_imputers_batch_axes(method: str) -> None:
    rng = np.random.default_rng(6)
    x = rng.random((3, 8, 2))
    x[rng.random(x.shape) < 0.3] = np.nan
    ctx = ImputeContext(groups=np.array([0, 0, 1, 1, 0, 1, 0, 1]), units=np.repeat([0, 1], 4), times=np.tile([1.0, 2, 3, 4], 2))
    y, _ = impute(x, method, ctx=ctx, **({"max_gap": 2} if method in ("locf", "linear") else {}))
    for i in range(3):
        yi, _ = impute(x[i], method, ctx=ctx, **({"max_gap": 2} if method in ("locf", "linear") else {}))
        np.testing.assert_allclose(y[i], yi, equal_nan=True)


@settings(max_examples=60, deadline=None)
@given(
    x=hnp.arrays(np.float64, hs.tuples(hs.integers(6, 30), hs.integers(1, 4)), elements=hs.floats(0, 1e4, allow_subnormal=False)),
    winmax=hs.integers(0, 6),
)
def test_treat_properties(x: np.ndarray, winmax: int) -> None:
    """Winsorisation keeps the order of values, moves at most ``winmax`` points (plus ties moved
    together), touches only failing columns, and keeps NaN positions."""
    x = x.copy()
    x[0, 0] = np.nan
    r = treat(x, winmax=winmax, f2="none")
    np.testing.assert_array_equal(np.isnan(r.x), np.isnan(x))
    for j in range(x.shape[1]):
        ok = ~np.isnan(x[:, j])
        o = np.argsort(x[ok, j], kind="mergesort")
        assert (np.diff(r.x[ok, j][o]) >= 0).all()
        if r.pass0[j]:
            np.testing.assert_array_equal(r.x[:, j], x[:, j])
        moved = (r.x[ok, j] != x[ok, j]).sum()
        assert moved <= (r.flags[:, j] != 0).sum()
        assert r.nwin[j] == (r.flags[:, j] != 0).sum()
        assert r.x[ok, j].min() >= x[ok, j].min() and r.x[ok, j].max() <= x[ok, j].max()
