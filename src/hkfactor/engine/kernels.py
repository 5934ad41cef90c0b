"""Pure NumPy stage kernels: the bottom of the three layers.

Every kernel takes arrays with **arbitrary leading batch axes**: data ``x`` has shape
``(..., n_units, n_indicators)`` and weights ``w`` have shape ``(..., n_indicators)``.
Column statistics (min, max, mean, ranks) are taken along the units axis ``-2``, so a batch
of 10 000 perturbed replications is one call. Kernels never see codes or DataFrames; the
DataFrame wrappers (:mod:`hkfactor.engine.frames`) and the :class:`~hkfactor.engine.Index`
layer add names.

NaN policy (all kernels): a missing value stays missing. Column statistics ignore NaN;
aggregators re-scale the weights of the available children (COINr's ``a_amean``), so a
unit with some children missing is scored on the rest; a unit with all children missing
gets NaN.

Registries
----------
``NORMALISERS[name](x, **params) -> x'``
    ``x`` already multiplied by the indicator directions (+1/-1), as in COINr.
``AGGREGATORS[name](x, w, **params) -> y``
    ``x (..., n_units, k)``, ``w (..., k)`` relative weights; ``y (..., n_units)``.
``WEIGHTERS[name](x, w, **params) -> w'``
    Data-driven or rule-based weights for one group: ``x (..., n_units, k)``, ``w (..., k)``
    the nominal (subjective) weights; ``w' (..., k)`` summing to 1.
``TRANSFORMS[name](x, **params) -> x'``
    Second-stage outlier transforms applied column-wise.
``IMPUTERS[name](x, ctx, **params) -> x'``
    ``ctx`` is an :class:`ImputeContext` (groups, panel unit ids and times).

References
----------
OECD & JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User
Guide*. OECD Publishing. (Normalisation, weighting, aggregation, outlier treatment.)

Becker, W., Caperna, G., Del Sorbo, M., Norlén, H., Papadimitriou, E. & Saisana, M. (2022).
COINr: An R package for developing composite indicators. *Journal of Open Source Software*
7(78), 4567. (Reference implementation reproduced here; see ``docs/engine.md``.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hkfactor._registry import Registry
from hkfactor.engine._numeric import (
    FloatArray,
    ValueDomainError,
    as_float,
    col_param,
    nan_kurt,
    nan_skew,
    nan_skew_kurt,
    rank_min,
)
from hkfactor.errors import SpecError

__all__ = [
    "AGGREGATORS",
    "IMPUTERS",
    "NORMALISERS",
    "TRANSFORMS",
    "WEIGHTERS",
    "ImputeContext",
    "TreatResult",
    "ValueDomainError",
    "aggregate",
    "check_skew_kurt",
    "denominate",
    "impute",
    "kurtosis",
    "normalise",
    "outrank_matrix",
    "rank_desc",
    "screen_units",
    "skewness",
    "treat",
    "weigh",
    "winsorise",
]

NORMALISERS: Registry = Registry("normalisation")
AGGREGATORS: Registry = Registry("aggregation")
WEIGHTERS: Registry = Registry("weighting")
TRANSFORMS: Registry = Registry("outlier transform")
IMPUTERS: Registry = Registry("imputation")

skewness = nan_skew
kurtosis = nan_kurt


def _pair(value: Any, name: str) -> tuple[float, float]:
    v = np.asarray(value, dtype=np.float64).ravel()
    if v.shape != (2,) or not np.all(np.isfinite(v)):
        raise SpecError(f"parameter {name!r} must be two finite numbers, got {value!r}")
    return float(v[0]), float(v[1])


def _colmin(x: FloatArray) -> FloatArray:
    allnan = np.all(np.isnan(x), axis=-2, keepdims=True)
    return np.where(allnan, np.nan, np.nanmin(np.where(allnan, 0.0, x), axis=-2, keepdims=True))


def _colmax(x: FloatArray) -> FloatArray:
    allnan = np.all(np.isnan(x), axis=-2, keepdims=True)
    return np.where(allnan, np.nan, np.nanmax(np.where(allnan, 0.0, x), axis=-2, keepdims=True))


def _flat(mn: FloatArray, mx: FloatArray) -> FloatArray:
    """Columns whose range is zero up to rounding (``max - min <= 1e-12 * max(|min|, |max|)``)."""
    return np.asarray((mx - mn) <= 1e-12 * np.maximum(np.abs(mn), np.abs(mx)), dtype=bool)


def _safe_div(num: FloatArray, den: FloatArray) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(np.where(den == 0, np.nan, num / np.where(den == 0, 1.0, den)), dtype=np.float64)


# --------------------------------------------------------------------------- normalisers


@NORMALISERS.register("minmax")
def n_minmax(x: FloatArray, *, l_u: ArrayLike = (0.0, 100.0)) -> FloatArray:
    """Min-max scaling onto ``[l, u]``: ``(x - min) / (max - min) * (u - l) + l``.

    COINr ``n_minmax``. A constant column (max = min) maps to the midpoint ``(l + u) / 2``
    instead of COINr's NaN (documented difference).
    """
    lo, up = _pair(l_u, "l_u")
    mn, mx = _colmin(x), _colmax(x)
    flat = _flat(mn, mx)
    y = _safe_div(x - mn, np.where(flat, 0.0, mx - mn)) * (up - lo) + lo
    return np.where(flat & ~np.isnan(x), (lo + up) / 2.0, y)


@NORMALISERS.register("zscore")
def n_zscore(x: FloatArray, *, m_sd: ArrayLike = (0.0, 1.0)) -> FloatArray:
    """Z-score with target mean and sd: ``(x - mean) / sd * s + m`` (sd with n-1).

    COINr ``n_zscore``. A constant column maps to ``m``.
    """
    m, s = _pair(m_sd, "m_sd")
    if s <= 0:
        raise SpecError(f"zscore target standard deviation must be > 0, got {s}")
    ok = ~np.isnan(x)
    n = ok.sum(axis=-2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(ok, x, 0.0).sum(axis=-2, keepdims=True) / n
        var = (np.where(ok, x - mean, 0.0) ** 2).sum(axis=-2, keepdims=True) / (n - 1)
    sd = np.sqrt(var)
    flat = _flat(_colmin(x), _colmax(x))
    y = _safe_div(x - mean, np.where(flat, 0.0, sd)) * s + m
    return np.where(flat & ok, m, y)


@NORMALISERS.register("scaled")
def n_scaled(x: FloatArray, *, npara: ArrayLike = (0.0, 100.0)) -> FloatArray:
    """Linear scaling ``(x - l) / (u - l) * 100`` with fixed ``npara = (l, u)`` (COINr ``n_scaled``)."""
    lo, up = _pair(npara, "npara")
    if up == lo:
        raise SpecError("scaled normalisation needs npara = (l, u) with l != u")
    return (x - lo) / (up - lo) * 100.0


@NORMALISERS.register("dist2max")
def n_dist2max(x: FloatArray) -> FloatArray:
    """Distance to the maximum: ``1 - (max - x) / (max - min)`` in [0, 1]; constant → 1."""
    mn, mx = _colmin(x), _colmax(x)
    flat = _flat(mn, mx)
    y = 1.0 - _safe_div(mx - x, np.where(flat, 0.0, mx - mn))
    return np.where(flat & ~np.isnan(x), 1.0, y)


@NORMALISERS.register("dist2ref")
def n_dist2ref(x: FloatArray, *, iref: int, cap_max: bool = False) -> FloatArray:
    """Distance to a reference unit: ``1 - (x_ref - x) / (x_ref - min)``.

    ``iref`` is the 0-based position of the reference unit on the units axis (COINr counts
    from 1). Values above the reference exceed 1 unless ``cap_max``. Reference equal to the
    minimum (every unit is at or above it) gives 1 (COINr: NaN/Inf).
    """
    n = x.shape[-2]
    if not (0 <= int(iref) < n):
        raise SpecError(f"dist2ref reference position {iref} outside 0..{n - 1}")
    ref = x[..., int(iref) : int(iref) + 1, :]
    den = ref - _colmin(x)
    y = np.where((den == 0) & ~np.isnan(x), 1.0, 1.0 - _safe_div(ref - x, den))
    return np.minimum(y, 1.0) if cap_max else y


@NORMALISERS.register("dist2targ")
def n_dist2targ(x: FloatArray, *, targ: ArrayLike, cap_max: bool = False) -> FloatArray:
    """Distance to a target: ``1 - (targ - x) / (targ - min)``; ``targ`` scalar or per indicator.

    COINr ``n_dist2targ``. The target is in the same (direction-adjusted) space as ``x``.
    A target equal to the minimum gives 1 (COINr: NaN/Inf).
    """
    t = col_param(targ, x, "targ")
    if np.any(np.isnan(t)):
        raise SpecError("dist2targ target is missing for at least one indicator")
    den = t - _colmin(x)
    y = np.where((den == 0) & ~np.isnan(x), 1.0, 1.0 - _safe_div(t - x, den))
    return np.minimum(y, 1.0) if cap_max else y


@NORMALISERS.register("fracmax")
def n_fracmax(x: FloatArray) -> FloatArray:
    """Fraction of the maximum: ``x / max`` (COINr ``n_fracmax``).

    A column whose maximum is 0 raises :class:`ValueDomainError` naming it (COINr: NaN).
    """
    mx = _colmax(x)
    _zero_columns(mx, x, "fracmax normalisation: the column maximum")
    return _safe_div(x, mx)


@NORMALISERS.register("prank")
def n_prank(x: FloatArray) -> FloatArray:
    """Percentile rank ``(rank_min - 1) / (n_available - 1)`` in [0, 1] (COINr ``n_prank``)."""
    r = rank_min(x)
    n = (~np.isnan(x)).sum(axis=-2, keepdims=True)
    return np.where(n > 1, (r - 1.0) / np.maximum(n - 1, 1), np.where(np.isnan(x), np.nan, 0.0))


@NORMALISERS.register("rank")
def n_rank(x: FloatArray) -> FloatArray:
    """Rank with ties at the minimum, 1 = lowest value (COINr ``n_rank``)."""
    return rank_min(x)


@NORMALISERS.register("borda")
def n_borda(x: FloatArray) -> FloatArray:
    """Borda score ``rank_min - 1`` (COINr ``n_borda``)."""
    return rank_min(x) - 1.0


@NORMALISERS.register("goalposts")
def n_goalposts(x: FloatArray, *, gposts: ArrayLike, trunc2posts: bool = True) -> FloatArray:
    """Goalposts: ``(x - l) / (u - l) * a`` truncated to ``[0, a]``; ``gposts = (l, u, a)``.

    ``gposts`` may be shape ``(3,)`` or ``(3, n_indicators)`` (one triple per indicator).
    COINr ``n_goalposts``; goalposts are in the direction-adjusted space of ``x``.
    """
    g = np.asarray(gposts, dtype=np.float64)
    if g.shape[0] != 3:
        raise SpecError(f"goalposts must be (lower, upper, scale) per indicator, got shape {g.shape}")
    lo, up, a = (col_param(g[i], x, "gposts") for i in range(3))
    y = _safe_div(x - lo, up - lo)
    if trunc2posts:
        y = np.clip(y, 0.0, 1.0)
    return y * a


def _zero_columns(den: FloatArray, x: FloatArray, what: str) -> None:
    """ValueDomainError naming the columns whose denominator ``den (..., 1, k)`` is 0."""
    bad = (den == 0) & np.any(~np.isnan(x), axis=-2, keepdims=True)
    if np.any(bad):
        pos = np.argwhere(bad)  # (..., 0, column): the first unit of each bad column
        raise ValueDomainError(
            f"{what} is 0 for a column, so every value would be divided by zero; "
            "choose another normalisation (e.g. minmax) or drop the indicator",
            pos,
        )


@NORMALISERS.register("vector")
def n_vector(x: FloatArray) -> FloatArray:
    """Vector normalisation ``x / sqrt(sum x^2)`` (TOPSIS); NaN ignored in the norm.

    A column whose values are all 0 (norm 0) raises :class:`ValueDomainError` naming it
    instead of returning NaN; an all-missing column stays missing.
    """
    den = np.sqrt(np.nansum(x * x, axis=-2, keepdims=True))
    _zero_columns(den, x, "vector normalisation: the column norm sqrt(sum x^2)")
    return _safe_div(x, den)


@NORMALISERS.register("sum")
def n_sum(x: FloatArray) -> FloatArray:
    """Share of the column sum ``x / sum x`` (entropy-method style).

    A column summing to 0 raises :class:`ValueDomainError` naming it instead of returning
    NaN or ±inf; an all-missing column stays missing.
    """
    den = np.nansum(x, axis=-2, keepdims=True)
    _zero_columns(den, x, "sum normalisation: the column sum")
    return _safe_div(x, den)


@NORMALISERS.register("none")
def n_none(x: FloatArray) -> FloatArray:
    """Identity: leave values as they are (direction is still applied)."""
    return x.copy()


def normalise(
    x: ArrayLike, method: str = "minmax", *, directions: ArrayLike | None = None, **params: Any
) -> FloatArray:
    """Normalise every column of ``x`` with ``NORMALISERS[method]``.

    Parameters
    ----------
    x : array_like, shape (..., n_units, n_indicators)
    method : str
        A key of :data:`NORMALISERS`.
    directions : array_like of +1/-1, shape (n_indicators,) or (..., n_indicators), optional
        Multiplied into ``x`` before normalising (COINr convention). Default all +1.
    **params
        Method parameters (see each normaliser).

    Returns
    -------
    ndarray, same shape as ``x``. NaN positions are kept.

    Examples
    --------
    >>> normalise([[1.0], [3.0], [2.0]], "minmax").ravel().tolist()
    [0.0, 100.0, 50.0]
    """
    a = as_float(x)
    fn = NORMALISERS[method]
    if directions is not None:
        d = np.asarray(directions, dtype=np.float64)
        if not np.all(np.isin(d, (-1.0, 1.0))):
            raise SpecError("directions must be +1 or -1")
        a = a * d[..., None, :]
    return np.asarray(fn(a, **params), dtype=np.float64)


# --------------------------------------------------------------------------- aggregators


def _weights(x: FloatArray, w: ArrayLike | None) -> FloatArray:
    if w is None:
        return np.ones(x.shape[-1])
    wa = np.asarray(w, dtype=np.float64)
    if wa.shape[-1] != x.shape[-1]:
        raise SpecError(f"{wa.shape[-1]} weights given for {x.shape[-1]} indicators")
    if np.any(np.isnan(wa)):
        raise SpecError("weights cannot be missing (NaN)")
    return wa


@AGGREGATORS.register("amean")
def a_amean(x: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted arithmetic mean ``sum(w x) / sum(w)`` over available children (COINr ``a_amean``)."""
    ok = ~np.isnan(x)
    wb = w[..., None, :]
    num = np.where(ok, x * wb, 0.0).sum(axis=-1)
    den = np.where(ok, wb, 0.0).sum(axis=-1)
    return _safe_div(num, den)


def _check_positive(x: FloatArray, what: str, strict: bool = True) -> None:
    bad = (x <= 0) if strict else (x == 0)
    bad &= ~np.isnan(x)
    if np.any(bad):
        pos = np.argwhere(bad)
        raise ValueDomainError(
            f"{what} needs {'positive' if strict else 'non-zero'} values; normalise onto a positive range "
            "(e.g. minmax with l_u=(1, 100)) or choose another aggregation",
            pos,
        )


@AGGREGATORS.register("gmean")
def a_gmean(x: FloatArray, w: FloatArray, *, floor: float = 0.0) -> FloatArray:
    """Weighted geometric mean ``exp(sum(w log x) / sum(w))``; values <= 0 raise (COINr ``a_gmean``).

    ``floor`` in (0, 1) first maps values in [0, 1] linearly onto ``[floor, 1]``
    (``floor + (1 - floor)·x``): a zero-free rescaling of min–max or rank scores, nothing
    clipped — the literature's way round a zero annihilating the product. Default 0: none.
    """
    if floor:
        if not 0.0 < floor < 1.0:
            raise SpecError(f"gmean floor must lie in (0, 1), got {floor!r}")
        x = floor + (1.0 - floor) * x
    _check_positive(x, "geometric mean")
    ok = ~np.isnan(x)
    wb = np.where(ok, w[..., None, :], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lx = np.where(ok, np.log(np.where(ok, x, 1.0)), 0.0)
    return np.exp(_safe_div((wb * lx).sum(axis=-1), wb.sum(axis=-1)))


@AGGREGATORS.register("hmean")
def a_hmean(x: FloatArray, w: FloatArray) -> FloatArray:
    """Weighted harmonic mean ``sum(w) / sum(w / x)``; zeros raise (COINr ``a_hmean``)."""
    _check_positive(x, "harmonic mean", strict=False)
    ok = ~np.isnan(x)
    wb = np.where(ok, w[..., None, :], 0.0)
    inv = np.where(ok, wb / np.where(ok, x, 1.0), 0.0)
    return _safe_div(wb.sum(axis=-1), inv.sum(axis=-1))


@AGGREGATORS.register("genmean")
def a_genmean(x: FloatArray, w: FloatArray, *, p: float = 2.0) -> FloatArray:
    """Weighted generalised (power) mean ``(sum(w x^p) / sum(w))^(1/p)`` (COINr ``a_genmean``).

    ``p = 1`` arithmetic, ``p = -1`` harmonic; ``p = 0`` is the geometric mean. Needs
    positive values.
    """
    if p == 0:
        return a_gmean(x, w)
    _check_positive(x, f"generalised mean (p={p})")
    ok = ~np.isnan(x)
    wb = np.where(ok, w[..., None, :], 0.0)
    xp = np.where(ok, np.where(ok, x, 1.0) ** p, 0.0)
    return _safe_div((wb * xp).sum(axis=-1), wb.sum(axis=-1)) ** (1.0 / p)


def outrank_matrix(x: ArrayLike, w: ArrayLike | None = None) -> FloatArray:
    """Outranking matrix ``O[i, j] = sum w[x_i > x_j] + sum w[x_i == x_j] / 2`` (weights sum 1).

    COINr ``outrankMatrix``. Shapes: ``x (..., n, k)``, ``w (..., k)`` → ``(..., n, n)`` with a
    zero diagonal. Comparisons with NaN count as neither.
    """
    a = as_float(x)
    wa = _weights(a, w)
    wa = wa / wa.sum(axis=-1, keepdims=True)
    xi = a[..., :, None, :]
    xj = a[..., None, :, :]
    wb = wa[..., None, None, :]
    o = np.where(xi > xj, wb, 0.0).sum(axis=-1) + 0.5 * np.where(xi == xj, wb, 0.0).sum(axis=-1)
    n = a.shape[-2]
    return np.where(np.eye(n, dtype=bool), 0.0, o)


@AGGREGATORS.register("copeland")
def a_copeland(x: FloatArray, w: FloatArray) -> FloatArray:
    """Copeland score: wins minus losses in the outranking matrix (win when O[i, j] > 1/2).

    COINr ``a_copeland`` (1.1). Scores are integers in ``[-(n-1), n-1]``.
    """
    o = outrank_matrix(x, w)
    s = np.sign(np.round(o - 0.5, 12))
    n = x.shape[-2]
    s = np.where(np.eye(n, dtype=bool), 0.0, s)
    return s.sum(axis=-1)


@AGGREGATORS.register("topsis")
def a_topsis(x: FloatArray, w: FloatArray, *, normalisation: str = "vector", scale: float = 1.0) -> FloatArray:
    """TOPSIS relative closeness ``D- / (D+ + D-)`` times ``scale``, via :func:`hkfactor.methods.topsis`.

    ``x`` is direction-adjusted already (all criteria are benefits). Missing values are not
    allowed (the ideal solutions depend on every unit): impute first.
    """
    from hkfactor.methods import topsis

    res = topsis(x, w, normalisation=normalisation)  # type: ignore[arg-type]
    return np.asarray(res.closeness, dtype=np.float64) * scale


@AGGREGATORS.register("coupling")
def a_coupling(
    x: FloatArray, w: FloatArray, *, variant: str = "standard", exponent: float | None = None, scale: float = 100.0
) -> FloatArray:
    """Coupling coordination degree ``D = sqrt(C T)`` of the children (耦合协调度), times ``scale``.

    Children are subsystem scores on ``[0, scale]`` (e.g. min-max 0–100), divided by ``scale``
    to ``U in [0, 1]``; ``C`` is :func:`hkfactor.methods.coupling_degree` (``variant``,
    ``exponent``), ``T = sum(w U) / sum(w)``. Needs at least two children; NaN propagates.
    Source: 廖重斌 (1999); 王淑佳 et al. (2021).
    """
    from hkfactor.methods import coupling_degree

    if x.shape[-1] < 2:
        raise SpecError("coupling coordination needs at least two children (subsystems)")
    if not (np.isfinite(scale) and scale > 0):
        raise SpecError(f"coupling aggregation: scale must be a positive number, got {scale!r}")
    u = x / scale
    bad = ((u < 0) | (u > 1.0 + 1e-12)) & ~np.isnan(u)
    if np.any(bad):
        raise ValueDomainError(
            f"coupling aggregation needs children scored on [0, {scale:g}] (U = score / scale in [0, 1]); "
            "normalise onto that range first (e.g. minmax with l_u=(0, 100)) or set scale",
            np.argwhere(bad),
        )
    c = np.asarray(coupling_degree(u, variant=variant, exponent=exponent, check=False), dtype=np.float64)  # type: ignore[arg-type]
    wn = w / w.sum(axis=-1, keepdims=True)
    t = (u * wn[..., None, :]).sum(axis=-1)
    with np.errstate(invalid="ignore"):
        return np.sqrt(c * t) * scale


@AGGREGATORS.register("grey")
def a_grey(x: FloatArray, w: FloatArray, *, rho: float = 0.5, preprocessing: str = "minmax", scale: float = 1.0) -> FloatArray:
    """Grey relational grade to the ideal unit (灰色关联度), times ``scale``.

    Via :func:`hkfactor.methods.grey_relational` with ``series="rows"`` (units are compared
    with the best value of each child) and the children's weights. Needs complete data.
    """
    from hkfactor.methods import grey_relational

    wn = w / w.sum(axis=-1, keepdims=True)
    res = grey_relational(x, series="rows", preprocessing=preprocessing, rho=rho, weights=wn)  # type: ignore[arg-type]
    return np.asarray(res.grades, dtype=np.float64) * scale


def aggregate(x: ArrayLike, w: ArrayLike | None = None, method: str = "amean", **params: Any) -> FloatArray:
    """Aggregate the children of one group: ``AGGREGATORS[method](x, w, **params)``.

    Parameters
    ----------
    x : array_like, shape (..., n_units, k)
    w : array_like, shape (k,) or (..., k), optional
        Relative weights (rescaled to sum 1 over available children). Default equal.

    Returns
    -------
    ndarray, shape (..., n_units)

    Examples
    --------
    >>> aggregate([[20.0, 50.0, 80.0]], [1, 2, 1], "amean").tolist()
    [50.0]
    """
    a = as_float(x)
    return np.asarray(AGGREGATORS[method](a, _weights(a, w), **params), dtype=np.float64)


def rank_desc(x: ArrayLike, *, axis: int = -1) -> FloatArray:
    """Ranks with 1 = highest score, ties share the best (minimum) rank; NaN stays NaN.

    COINr ``rank_df``: ``rank(-x, ties.method = "min", na.last = "keep")``.
    """
    a = np.asarray(x, dtype=np.float64)
    return rank_min(-a, axis=axis)


# --------------------------------------------------------------------------- weights


def _normalise_w(w: FloatArray) -> FloatArray:
    s = w.sum(axis=-1, keepdims=True)
    return _safe_div(w, s)


@WEIGHTERS.register("manual")
def w_manual(x: FloatArray, w: FloatArray) -> FloatArray:
    """The nominal weights, rescaled to sum to 1."""
    return _normalise_w(np.broadcast_to(w, (*x.shape[:-2], x.shape[-1])).astype(np.float64))


@WEIGHTERS.register("equal")
def w_equal(x: FloatArray, w: FloatArray) -> FloatArray:
    """Equal weights ``1/k``."""
    return np.full((*x.shape[:-2], x.shape[-1]), 1.0 / x.shape[-1])


def _pc1(x: FloatArray) -> FloatArray:
    """First principal-component loadings of the standardised, complete-case data (2-D only)."""
    if x.ndim != 2:
        raise SpecError("PCA weights are computed on one table, not a batch")
    xc = x[~np.isnan(x).any(axis=1)]
    if xc.shape[0] < 2:
        raise SpecError("PCA weights need at least two units with complete data")
    sd = xc.std(axis=0, ddof=1)
    z = (xc - xc.mean(axis=0)) / np.where(sd == 0, 1.0, sd)
    _, _, vt = np.linalg.svd(z, full_matrices=False)
    v = vt[0]
    # sign convention of R's prcomp (LAPACK SVD) is arbitrary; make the loadings sum positive
    return np.asarray(v if v.sum() >= 0 else -v, dtype=np.float64)


@WEIGHTERS.register("pca")
def w_pca(x: FloatArray, w: FloatArray) -> FloatArray:
    """First-component loadings used directly as weights, as COINr ``get_PCA`` does.

    Loadings can be negative; they are not rescaled (COINr writes the raw loadings). Sign is
    fixed so that the loadings sum to a positive number.
    """
    return _pc1(x)


@WEIGHTERS.register("pca_nonneg")
def w_pca_nonneg(x: FloatArray, w: FloatArray) -> FloatArray:
    """Squared first-component loadings (non-negative, sum to 1) — the OECD Handbook variant."""
    v = _pc1(x)
    return _normalise_w(v * v)


@WEIGHTERS.register("combined")
def w_combined(x: FloatArray, w: FloatArray, *, objective: str = "pca_nonneg", alpha: float | None = None) -> FloatArray:
    """Combine subjective ``w`` and objective weights ``o = WEIGHTERS[objective](x, w)``.

    With ``alpha`` None: multiplicative ``w o / sum(w o)``; else linear
    ``alpha w/sum(w) + (1 - alpha) o``.
    """
    o = WEIGHTERS[objective](x, w)
    ws = _normalise_w(np.broadcast_to(w, o.shape).astype(np.float64))
    if alpha is None:
        return _normalise_w(ws * o)
    if not 0.0 <= alpha <= 1.0:
        raise SpecError(f"combined weights: alpha must be in [0, 1], got {alpha}")
    return alpha * ws + (1.0 - alpha) * o


@WEIGHTERS.register("corr_opt")
def w_corr_opt(x: FloatArray, w: FloatArray, *, max_iter: int = 500, tol: float = 1e-10) -> FloatArray:
    """Weights making each child's Pearson correlation with the weighted mean equal.

    A fixed-point search in the spirit of COINr ``get_opt_weights(optcrit = 1)``: repeatedly
    multiply each weight by ``mean(r) / r_i`` and rescale. Complete cases only (2-D).
    """
    if x.ndim != 2:
        raise SpecError("correlation-optimised weights are computed on one table, not a batch")
    xc = x[~np.isnan(x).any(axis=1)]
    cur = _normalise_w(np.asarray(w, dtype=np.float64).copy())
    for _ in range(max_iter):
        y = xc @ cur
        r = np.array([np.corrcoef(xc[:, i], y)[0, 1] if xc[:, i].std() > 0 else np.nan for i in range(xc.shape[1])])
        r = np.where(np.isnan(r) | (r <= 0), np.nanmean(r), r)
        new = _normalise_w(cur * (r.mean() / r))
        if np.max(np.abs(new - cur)) < tol:
            return new
        cur = new
    return cur


@WEIGHTERS.register("entropy")
def w_entropy(x: FloatArray, w: FloatArray, **params: Any) -> FloatArray:
    """Entropy weights (熵值法) via :func:`hkfactor.methods.entropy_weights`.

    ``x`` is the direction-adjusted (normalised) data, so no directions are passed; ``params``
    go to ``entropy_weights`` (``variant``, ``shift``, ``rescale``). Batch axes supported.
    """
    from hkfactor.methods import entropy_weights

    return np.asarray(entropy_weights(x, **params), dtype=np.float64)


@WEIGHTERS.register("critic")
def w_critic(x: FloatArray, w: FloatArray, **params: Any) -> FloatArray:
    """CRITIC weights via :func:`hkfactor.methods.critic_weights` (``correlation``, ``normalise``)."""
    from hkfactor.methods import critic_weights

    return np.asarray(critic_weights(x, **params), dtype=np.float64)


def weigh(x: ArrayLike, w: ArrayLike | None = None, method: str = "equal", **params: Any) -> FloatArray:
    """Weights for one group's children: ``WEIGHTERS[method](x, w, **params)``.

    Examples
    --------
    >>> weigh([[1.0, 2.0], [2.0, 3.0]], [1, 3], "manual").tolist()
    [0.25, 0.75]
    """
    a = as_float(x)
    return np.asarray(WEIGHTERS[method](a, _weights(a, w), **params), dtype=np.float64)


# --------------------------------------------------------------------------- treatment


def check_skew_kurt(
    x: ArrayLike, *, skew_thresh: float = 2.0, kurt_thresh: float = 3.5
) -> tuple[NDArray[np.bool_], FloatArray, FloatArray]:
    """COINr ``check_SkewKurt``: a column passes if ``|skew| < skew_thresh`` OR ``kurt < kurt_thresh``.

    Returns ``(passes, skew, kurt)`` each of shape ``(..., n_indicators)``. A column whose skew
    or kurtosis is undefined (constant, or fewer than 4 values) passes (COINr returns NA and
    leaves it untreated).
    """
    a = as_float(x)
    sk, kt = nan_skew_kurt(a)
    undefined = np.isnan(sk) | np.isnan(kt)
    with np.errstate(invalid="ignore"):
        ok = (np.abs(sk) < skew_thresh) | (kt < kurt_thresh)
    return ok | undefined, sk, kt


def _check_rows(r: FloatArray, skew_thresh: float, kurt_thresh: float) -> tuple[NDArray[np.bool_], FloatArray, FloatArray]:
    """:func:`check_skew_kurt` for series stored as rows ``(k, n_units)``."""
    sk, kt = nan_skew_kurt(r.T)
    with np.errstate(invalid="ignore"):
        ok = (np.abs(sk) < skew_thresh) | (kt < kurt_thresh)
    return ok | np.isnan(sk) | np.isnan(kt), sk, kt


def _winsorise_rows(
    r: FloatArray, wm: FloatArray, skew_thresh: float, kurt_thresh: float, force_win: bool
) -> tuple[FloatArray, NDArray[np.int8], NDArray[np.int64]]:
    """COINr's winsorisation loop on series stored as rows ``(k, n_units)``.

    Each round works only on the rows still failing, so the cost falls as rows pass.
    """
    r = r.copy()
    k, n = r.shape
    hi_mask = np.zeros(r.shape, dtype=bool)
    lo_mask = np.zeros(r.shape, dtype=bool)
    nwin = np.zeros(k, dtype=np.int64)
    passing, sk, _ = _check_rows(r, skew_thresh, kurt_thresh)
    act = np.flatnonzero((~passing | force_win) & (wm > 0))
    sk_act = sk[act]
    for _ in range(n):
        if act.size == 0:
            break
        sub = r[act]
        ok = ~np.isnan(sub)
        hi = ~(sk_act < 0)
        mx = np.max(np.where(ok, sub, -np.inf), axis=1, keepdims=True)
        mn = np.min(np.where(ok, sub, np.inf), axis=1, keepdims=True)
        at_ext = ok & np.where(hi[:, None], sub == mx, sub == mn)
        nxt = np.where(
            hi[:, None],
            np.max(np.where(ok & ~at_ext, sub, -np.inf), axis=1, keepdims=True),
            np.min(np.where(ok & ~at_ext, sub, np.inf), axis=1, keepdims=True),
        )
        movable = np.isfinite(nxt[:, 0])
        sub = np.where(at_ext & movable[:, None], nxt, sub)
        r[act] = sub
        hm, lm = hi_mask[act], lo_mask[act]
        hm = np.where((hi & movable)[:, None], at_ext, hm)
        lm = np.where((~hi & movable)[:, None], at_ext, lm)
        hi_mask[act], lo_mask[act] = hm, lm
        nwin[act] = hm.sum(axis=1) + lm.sum(axis=1)
        p, sk_new, _ = _check_rows(sub, skew_thresh, kurt_thresh)
        keep = (~p | force_win) & (nwin[act] < wm[act]) & movable
        act, sk_act = act[keep], sk_new[keep]
    flags = np.where(lo_mask, -1, 0).astype(np.int8)
    flags = np.where(hi_mask, 1, flags).astype(np.int8)
    return r, flags, nwin


def _to_rows(a: FloatArray) -> FloatArray:
    """``(..., n, m)`` → series as rows ``(prod(...) * m, n)``."""
    return np.moveaxis(a, -2, -1).reshape(-1, a.shape[-2])


def _from_rows(r: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Inverse of :func:`_to_rows` for an array of the original ``shape``."""
    lead, n, m = shape[:-2], shape[-2], shape[-1]
    return np.moveaxis(r.reshape(*lead, m, n), -1, -2)


def winsorise(
    x: ArrayLike,
    *,
    winmax: ArrayLike = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    force_win: bool = False,
    active: NDArray[np.bool_] | None = None,
) -> tuple[FloatArray, NDArray[np.int8], NDArray[np.int64]]:
    """COINr ``winsorise``, vectorised over columns and batch axes.

    While a column fails :func:`check_skew_kurt` (or ``force_win``) and fewer than
    ``winmax`` points are winsorised: if skew >= 0 the maximum value(s) are set to the next
    highest value, else the minimum value(s) to the next lowest. Counting follows COINr: the
    number of points is the size of the last high set plus the last low set (ties move
    together). The loop runs over winsorisation rounds (at most ``n_units``) on the columns
    still failing; never over replications.

    Parameters
    ----------
    x : array_like (..., n_units, n_indicators)
    winmax : int or array (..., n_indicators)
    active : bool array (..., n_indicators), optional
        Columns allowed to be winsorised (default: all).

    Returns
    -------
    x_w : ndarray, same shape
    flags : int8 ndarray, same shape: +1 winsorised high, -1 winsorised low, 0 untouched
    nwin : int ndarray (..., n_indicators)
    """
    a = as_float(x)
    cshape = a.shape[:-2] + a.shape[-1:]
    wm = np.broadcast_to(np.asarray(winmax, dtype=np.float64), cshape)
    act = np.ones(cshape, dtype=bool) if active is None else np.broadcast_to(np.asarray(active, dtype=bool), cshape)
    rows = _to_rows(a)
    sel = np.flatnonzero(act.reshape(-1)) if act.ndim else np.array([0])
    out_rows = rows.copy()
    flag_rows = np.zeros(rows.shape, dtype=np.int8)
    nwin = np.zeros(rows.shape[0], dtype=np.int64)
    if sel.size:
        r, f, nw = _winsorise_rows(rows[sel], wm.reshape(-1)[sel], skew_thresh, kurt_thresh, force_win)
        out_rows[sel], flag_rows[sel], nwin[sel] = r, f, nw
    return _from_rows(out_rows, a.shape), _from_rows(flag_rows, a.shape), nwin.reshape(cshape)


@TRANSFORMS.register("log_ct")
def t_log_ct(x: FloatArray) -> FloatArray:
    """COIN Tool log ``log(x - min + 0.01 (max - min))`` (COINr ``log_CT``)."""
    mn, mx = _colmin(x), _colmax(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x - mn + 0.01 * (mx - mn))


@TRANSFORMS.register("log_ct_orig")
def t_log_ct_orig(x: FloatArray) -> FloatArray:
    """Original COIN Tool log ``log(x - min + 1)`` (COINr ``log_CT_orig``)."""
    return np.log(x - _colmin(x) + 1.0)


@TRANSFORMS.register("log_gii")
def t_log_gii(x: FloatArray) -> FloatArray:
    """GII log ``log((max - 1)(x - min)/(max - min) + 1)``.

    COINr's ``log_GII`` computes this but returns its input untransformed; hkfactor returns
    the transformed values (documented difference).
    """
    mn, mx = _colmin(x), _colmax(x)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log((mx - 1.0) * _safe_div(x - mn, mx - mn) + 1.0)


@TRANSFORMS.register("boxcox")
def t_boxcox(x: FloatArray, *, lmbda: float = 0.5, makepos: bool = True) -> FloatArray:
    """Box-Cox ``(x^λ - 1)/λ`` (``log x`` for λ = 0) after the shift ``x - min + 1`` (COINr ``boxcox``)."""
    y = x - _colmin(x) + 1.0 if makepos else x
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(y) if lmbda == 0 else (y**lmbda - 1.0) / lmbda


@TRANSFORMS.register("none")
def t_none(x: FloatArray) -> FloatArray:
    """No second-stage transform."""
    return x.copy()


@dataclass(frozen=True)
class TreatResult:
    """Output of :func:`treat`.

    Attributes
    ----------
    x : ndarray (..., n_units, n_indicators)
        Treated data.
    flags : int8 ndarray, same shape
        +1 winsorised high, -1 winsorised low, 2 transformed by the second stage, 0 untouched.
    pass0, skew0, kurt0 : arrays (..., n_indicators)
        Check on the input.
    nwin : int array (..., n_indicators)
        Points winsorised.
    pass1, skew1, kurt1 : arrays (..., n_indicators)
        Check after winsorisation (NaN/False where not winsorised).
    transformed : bool array (..., n_indicators)
        Columns that went through the second stage.
    pass2, skew2, kurt2 : arrays (..., n_indicators)
        Check after the transform.
    """

    x: FloatArray
    flags: NDArray[np.int8]
    pass0: NDArray[np.bool_]
    skew0: FloatArray
    kurt0: FloatArray
    nwin: NDArray[np.int64]
    pass1: NDArray[np.bool_]
    skew1: FloatArray
    kurt1: FloatArray
    transformed: NDArray[np.bool_]
    pass2: NDArray[np.bool_]
    skew2: FloatArray
    kurt2: FloatArray


def treat(
    x: ArrayLike,
    *,
    winmax: ArrayLike = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    f2: str = "log_ct",
    f2_params: dict[str, Any] | None = None,
    combine_treat: bool = False,
    force_win: bool = False,
    columns: NDArray[np.bool_] | None = None,
) -> TreatResult:
    """COINr's two-stage outlier treatment, vectorised over columns and batch axes.

    1. A column passes if ``|skew| < skew_thresh`` OR ``kurt < kurt_thresh`` (:func:`check_skew_kurt`).
    2. Failing columns are winsorised (:func:`winsorise`) up to ``winmax`` points.
    3. Columns still failing get ``TRANSFORMS[f2]`` applied to the *original* column
       (or to the winsorised one if ``combine_treat``), as COINr's ``Treat.numeric``.

    ``columns`` (bool, n_indicators) restricts treatment to some columns. Source: COINr
    ``R/treat.R``; OECD/JRC Handbook on Constructing Composite Indicators (2008), step 4.

    Examples
    --------
    >>> r = treat([[1.0], [2.0], [2.0], [3.0], [3.0], [3.0], [4.0], [5.0], [6.0], [50.0], [120.0]])
    >>> r.x[-2:, 0].tolist(), int(r.nwin[0])
    ([50.0, 50.0], 1)
    """
    a = as_float(x)
    pass0, sk0, kt0 = check_skew_kurt(a, skew_thresh=skew_thresh, kurt_thresh=kurt_thresh)
    fail0 = ~pass0
    if columns is not None:
        fail0 = fail0 & np.asarray(columns, dtype=bool)
    cshape = pass0.shape
    nan_c = np.full(cshape, np.nan)
    pass1 = np.zeros(cshape, dtype=bool)
    pass2 = pass0.copy()
    skew1, kurt1, skew2, kurt2 = nan_c.copy(), nan_c.copy(), sk0.copy(), kt0.copy()
    nwin = np.zeros(cshape, dtype=np.int64)
    transformed = np.zeros(cshape, dtype=bool)
    rows = _to_rows(a)
    out_rows = rows.copy()
    flag_rows = np.zeros(rows.shape, dtype=np.int8)
    sel = np.flatnonzero(fail0.reshape(-1))
    if sel.size:
        wm = np.broadcast_to(np.asarray(winmax, dtype=np.float64), cshape).reshape(-1)[sel]
        sub = rows[sel]
        xw, fl, nw = _winsorise_rows(sub, wm, skew_thresh, kurt_thresh, force_win)
        p1, s1, k1 = _check_rows(xw, skew_thresh, kurt_thresh)
        out_sub, fl_sub = xw, fl
        p2, s2, k2 = p1, s1, k1
        need2 = ~p1
        if f2 != "none" and need2.any():
            base = xw if combine_treat else sub
            t = np.asarray(TRANSFORMS[f2](base[need2].T, **(f2_params or {})), dtype=np.float64).T
            out_sub = xw.copy()
            out_sub[need2] = t
            q, qs, qk = _check_rows(t, skew_thresh, kurt_thresh)
            p2, s2, k2 = p1.copy(), s1.copy(), k1.copy()
            p2[need2], s2[need2], k2[need2] = q, qs, qk
            fl_sub = fl.copy()
            if not combine_treat:
                fl_sub[need2] = 0
            fl_sub[need2] = np.where(~np.isnan(sub[need2]), 2, fl_sub[need2])
        else:
            need2 = np.zeros_like(need2)
        out_rows[sel], flag_rows[sel] = out_sub, fl_sub
        for arr, val in ((pass1, p1), (skew1, s1), (kurt1, k1), (pass2, p2), (skew2, s2), (kurt2, k2), (nwin, nw), (transformed, need2)):
            flat = arr.reshape(-1)
            flat[sel] = val
    return TreatResult(
        x=_from_rows(out_rows, a.shape),
        flags=_from_rows(flag_rows, a.shape),
        pass0=pass0,
        skew0=sk0,
        kurt0=kt0,
        nwin=nwin,
        pass1=pass1,
        skew1=skew1,
        kurt1=kurt1,
        transformed=transformed,
        pass2=pass2,
        skew2=skew2,
        kurt2=kurt2,
    )


# --------------------------------------------------------------------------- denominate, screen


def denominate(x: ArrayLike, denominators: ArrayLike, *, scale: ArrayLike = 1.0) -> FloatArray:
    """Divide indicators by denominators: ``x / d * scale``.

    ``denominators`` has the shape of ``x`` (or broadcasts to it); a NaN denominator column
    means "not denominated" and leaves the column unchanged. A zero denominator gives NaN.
    """
    a = as_float(x)
    d = np.broadcast_to(np.asarray(denominators, dtype=np.float64), a.shape)
    none = np.all(np.isnan(d), axis=-2, keepdims=True)
    y = _safe_div(a, d) * np.asarray(scale, dtype=np.float64)
    return np.where(none, a, y)


def screen_units(
    x: ArrayLike, *, dat_thresh: float | None = 0.9, nonzero_thresh: float | None = None
) -> NDArray[np.bool_]:
    """Units to keep: availability ``>= dat_thresh`` and non-zero share ``>= nonzero_thresh``.

    COINr ``Screen`` (``byNA``, ``byNZ``, ``byNAandNZ``); availability is the share of non-NaN
    indicators of a unit, non-zero share the share of non-zero among them. Returns a bool
    array ``(..., n_units)``.
    """
    a = as_float(x)
    keep = np.ones(a.shape[:-1], dtype=bool)
    ok = ~np.isnan(a)
    if dat_thresh is not None:
        keep &= ok.mean(axis=-1) >= dat_thresh
    if nonzero_thresh is not None:
        nz = (ok & (a != 0)).sum(axis=-1) / a.shape[-1]
        keep &= nz >= nonzero_thresh
    return keep


# --------------------------------------------------------------------------- imputation


@dataclass(frozen=True)
class ImputeContext:
    """What imputers may know besides the values.

    Attributes
    ----------
    groups : int array (n_units,), optional
        Group code of each unit; -1 = no group (never imputed by group methods).
    units : int array (n_units,), optional
        Panel unit id of each row (time-series methods).
    times : float array (n_units,), optional
        Year (time) of each row.
    """

    groups: NDArray[np.int64] | None = None
    units: NDArray[np.int64] | None = None
    times: FloatArray | None = None


def _fill(x: FloatArray, value: FloatArray) -> FloatArray:
    return np.where(np.isnan(x), value, x)


@IMPUTERS.register("mean")
def i_mean(x: FloatArray, ctx: ImputeContext) -> FloatArray:
    """Replace NaN by the column mean (COINr ``i_mean``)."""
    with np.errstate(invalid="ignore"):
        m = np.nansum(x, axis=-2, keepdims=True) / (~np.isnan(x)).sum(axis=-2, keepdims=True)
    return _fill(x, m)


def _nanmedian(x: FloatArray) -> FloatArray:
    allnan = np.all(np.isnan(x), axis=-2, keepdims=True)
    med = np.nanmedian(np.where(allnan, 0.0, x), axis=-2, keepdims=True)
    return np.where(allnan, np.nan, med)


@IMPUTERS.register("median")
def i_median(x: FloatArray, ctx: ImputeContext) -> FloatArray:
    """Replace NaN by the column median (COINr ``i_median``)."""
    return _fill(x, _nanmedian(x))


def _by_group(x: FloatArray, ctx: ImputeContext, fn: Callable[[FloatArray, ImputeContext], FloatArray]) -> FloatArray:
    if ctx.groups is None:
        raise SpecError("group imputation needs a grouping variable (param 'group')")
    g = np.asarray(ctx.groups)
    out = x.copy()
    for code in np.unique(g[g >= 0]):
        sel = g == code
        out[..., sel, :] = fn(x[..., sel, :], ctx)
    return out


@IMPUTERS.register("group_mean")
def i_group_mean(x: FloatArray, ctx: ImputeContext) -> FloatArray:
    """Replace NaN by the mean of the unit's group (COINr ``i_mean_grp``)."""
    return _by_group(x, ctx, i_mean)


@IMPUTERS.register("group_median")
def i_group_median(x: FloatArray, ctx: ImputeContext) -> FloatArray:
    """Replace NaN by the median of the unit's group (COINr ``i_median_grp``)."""
    return _by_group(x, ctx, i_median)


def _panel_order(ctx: ImputeContext, n: int) -> tuple[NDArray[np.int64], NDArray[np.int64], FloatArray]:
    if ctx.units is None or ctx.times is None:
        raise SpecError("time-series imputation needs panel data (unit and year for every row)")
    u = np.asarray(ctx.units)
    t = np.asarray(ctx.times, dtype=np.float64)
    order = np.lexsort((t, u))
    return order, u[order], t[order]


def _last_valid(ok: NDArray[np.bool_], start: NDArray[np.int64]) -> NDArray[np.int64]:
    n = ok.shape[-2]
    idx = np.where(ok, np.arange(n)[:, None], -1)
    last = np.maximum.accumulate(idx, axis=-2)
    return np.where(last >= start[:, None], last, -1)


@IMPUTERS.register("locf")
def i_locf(x: FloatArray, ctx: ImputeContext, *, max_gap: float | None = None) -> FloatArray:
    """Last observation carried forward within each unit, at most ``max_gap`` years ahead.

    Rows are ordered by (unit, year); leading gaps stay NaN.
    """
    n = x.shape[-2]
    order, u, t = _panel_order(ctx, n)
    xs = x[..., order, :]
    start = np.searchsorted(u, u, side="left").astype(np.int64)
    ok = ~np.isnan(xs)
    last = _last_valid(ok, start)
    src = np.take_along_axis(xs, np.maximum(last, 0), axis=-2)
    gap = t[:, None] - t[np.maximum(last, 0)]
    use = ~ok & (last >= 0)
    if max_gap is not None:
        use &= gap <= max_gap
    filled = np.where(use, src, xs)
    out = np.empty_like(filled)
    out[..., order, :] = filled
    return out


@IMPUTERS.register("linear")
def i_linear(x: FloatArray, ctx: ImputeContext, *, max_gap: float | None = None) -> FloatArray:
    """Linear interpolation in time within each unit for interior gaps.

    A gap is filled only if the years between the surrounding observations are at most
    ``max_gap + 1`` (i.e. at most ``max_gap`` missing years). Leading/trailing gaps stay NaN.
    """
    n = x.shape[-2]
    order, u, t = _panel_order(ctx, n)
    xs = x[..., order, :]
    start = np.searchsorted(u, u, side="left").astype(np.int64)
    end = (np.searchsorted(u, u, side="right") - 1).astype(np.int64)
    ok = ~np.isnan(xs)
    prev = _last_valid(ok, start)
    # next valid: reverse the order
    rok = ok[..., ::-1, :]
    rstart = (n - 1 - end)[::-1]
    rnext = _last_valid(rok, rstart)[..., ::-1, :]
    nxt = np.where(rnext >= 0, n - 1 - rnext, -1)
    p, q = np.maximum(prev, 0), np.maximum(nxt, 0)
    xp = np.take_along_axis(xs, p, axis=-2)
    xq = np.take_along_axis(xs, q, axis=-2)
    tp, tq = t[p], t[q]
    tt = t[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        val = xp + (xq - xp) * (tt - tp) / (tq - tp)
    use = ~ok & (prev >= 0) & (nxt >= 0)
    if max_gap is not None:
        use &= (tq - tp) <= max_gap + 1
    filled = np.where(use, val, xs)
    out = np.empty_like(filled)
    out[..., order, :] = filled
    return out


def impute(x: ArrayLike, method: str = "mean", *, ctx: ImputeContext | None = None, **params: Any) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Impute missing values with ``IMPUTERS[method]``; return ``(x_imputed, imputed_flags)``.

    ``imputed_flags`` marks every cell that was NaN and now has a value.

    Examples
    --------
    >>> y, f = impute([[1.0], [float("nan")], [3.0]], "mean")
    >>> y.ravel().tolist(), f.ravel().tolist()
    ([1.0, 2.0, 3.0], [False, True, False])
    """
    a = as_float(x)
    y = np.asarray(IMPUTERS[method](a, ctx or ImputeContext(), **params), dtype=np.float64)
    return y, np.isnan(a) & ~np.isnan(y)
